//! The account aggregate: who a user is and the profile they show.

use time::OffsetDateTime;

use crate::{DisplayName, EmailAddress, UserId};

/// A user's account and profile as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The account's identifier.
    pub id: UserId,
    /// The address the user signs in with.
    pub email: EmailAddress,
    /// The name shown under the user's video; `None` until the user sets one.
    pub display_name: Option<DisplayName>,
    /// When the account was created (first sign-in).
    pub created_at: OffsetDateTime,
    /// When the profile last changed.
    pub updated_at: OffsetDateTime,
}

impl Account {
    /// A new account for a first sign-in with `email`.
    #[must_use]
    pub fn new(id: UserId, email: EmailAddress, now: OffsetDateTime) -> Self {
        Self { id, email, display_name: None, created_at: now, updated_at: now }
    }
}
