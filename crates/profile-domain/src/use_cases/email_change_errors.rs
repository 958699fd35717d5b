//! Why an address change could not be started, confirmed or reverted.

use time::Duration;

use crate::PortError;

/// Why a change could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartEmailChangeError {
    /// The sign-in is older than the policy allows: sign in again first.
    #[error("changing the login address needs a recent sign-in; sign in again")]
    ReauthenticationRequired,
    /// The new address is the current one.
    #[error("that is already your login address")]
    SameAddress,
    /// A limit was reached; try again after the given time.
    #[error("too many codes asked for; try again later")]
    RateLimited(Duration),
    /// The account is gone.
    #[error("the account does not exist")]
    AccountNotFound,
    /// Storage failed; nothing changed.
    #[error("could not start the change")]
    Unexpected(#[from] PortError),
}

/// Why a change could not be confirmed.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmEmailChangeError {
    /// The code is not six digits.
    #[error("the code must be six digits")]
    MalformedCode,
    /// No change is waiting for a code.
    #[error("no change of login address is waiting for a code")]
    NothingPending,
    /// The code is wrong or was superseded by a newer one.
    #[error("the code is wrong")]
    InvalidCode,
    /// The code has expired; ask for a new one.
    #[error("the code has expired; ask for a new one")]
    CodeExpired,
    /// The code was tried too often; a new one may be asked for after the
    /// given time.
    #[error("the code was tried too often; ask for a new one")]
    TooManyAttempts(Duration),
    /// The account is gone.
    #[error("the account does not exist")]
    AccountNotFound,
    /// Another account took the address meanwhile.
    #[error("the address now belongs to another account")]
    AddressTaken,
    /// Storage failed; nothing changed.
    #[error("could not confirm the change")]
    Unexpected(#[from] PortError),
}

/// Why a revert link did not work.
#[derive(Debug, thiserror::Error)]
pub enum RevertEmailChangeError {
    /// The link is malformed or unknown.
    #[error("the link is not valid")]
    InvalidLink,
    /// The link was used before, or a revert of another change of the
    /// account made it void.
    #[error("the link was already used")]
    AlreadyUsed,
    /// The link is older than the policy allows.
    #[error("the link has expired")]
    Expired,
    /// Another account holds the old address by now.
    #[error("the old address now belongs to another account")]
    AddressTaken,
    /// Storage failed; nothing changed.
    #[error("could not restore the address")]
    Unexpected(#[from] PortError),
}
