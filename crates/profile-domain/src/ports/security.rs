//! The security history port. Sign-ins, sign-outs, address changes,
//! reverts, deletion requests (with a grace period) and cancellations add
//! their entry in the same transaction as the change itself (see
//! [`SignInStore::complete_sign_in`](super::SignInStore::complete_sign_in),
//! [`SessionStore::sign_out`](super::SessionStore::sign_out),
//! [`EmailChangeStore::apply`](super::EmailChangeStore::apply),
//! [`EmailChangeStore::revert`](super::EmailChangeStore::revert),
//! [`ErasureStore::request`](super::ErasureStore::request) and
//! [`ErasureStore::cancel`](super::ErasureStore::cancel)); exports add
//! theirs through [`SecurityLog::record_limited`]. This port reads the
//! history back.

use async_trait::async_trait;

use time::OffsetDateTime;

use crate::{PortError, SecurityEvent, UserId};

/// The outcome of [`SecurityLog::record_limited`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitedRecord {
    /// The entry was added.
    Recorded,
    /// The user already has the most entries of this kind the window
    /// allows; the oldest of them is from `oldest`. Nothing was added.
    Limited {
        /// When the oldest entry counted was made.
        oldest: OffsetDateTime,
    },
    /// The account does not exist.
    NoAccount,
}

/// Reads a user's security history.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SecurityLog: Send + Sync {
    /// The user's history, oldest first.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn history(&self, user: UserId) -> Result<Vec<SecurityEvent>, PortError>;

    /// Adds `event` unless the user already has `max` entries of its kind
    /// made after `since`. The count and the insert happen under the
    /// account's lock, so concurrent requests (or instances) cannot both
    /// slip under the limit.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read or written.
    ///
    /// # Contract
    /// Entries made at or before `since` do not count. When limited,
    /// `oldest` is the time of the earliest entry that counts.
    async fn record_limited(
        &self,
        event: &SecurityEvent,
        since: OffsetDateTime,
        max: u32,
    ) -> Result<LimitedRecord, PortError>;
}
