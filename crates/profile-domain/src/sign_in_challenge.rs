//! The pending one-time code of a passwordless sign-in.

use time::OffsetDateTime;

use crate::{EmailAddress, SecretHash};

/// A one-time sign-in code waiting to be entered. Only its keyed hash is
/// kept; one challenge per address, a new one replaces the old.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInChallenge {
    /// The address the code was sent to.
    pub email: EmailAddress,
    /// The keyed hash of the address and the code.
    pub code_hash: SecretHash,
    /// When the code was made.
    pub created_at: OffsetDateTime,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
    /// How many times a code was tried against this challenge, this try included.
    pub attempts: u32,
}
