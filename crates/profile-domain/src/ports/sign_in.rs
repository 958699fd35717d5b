//! The sign-in storage port: challenges, and the atomic completion of a
//! sign-in.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{Account, EmailAddress, OutgoingEmail, PortError, SecretHash, SessionId, SignInChallenge};

/// A session about to be opened; the store fills in whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The session's identifier.
    pub id: SessionId,
    /// The keyed hash of its token.
    pub token_hash: SecretHash,
    /// When it opens.
    pub created_at: OffsetDateTime,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

/// Everything a successful code check commits at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInCompletion {
    /// The address signing in.
    pub email: EmailAddress,
    /// The hash of the challenge being consumed; a challenge replaced since
    /// it was checked is not consumed.
    pub code_hash: SecretHash,
    /// The account to create when none has this address yet.
    pub new_account: Account,
    /// The session to open for the account.
    pub session: NewSession,
}

/// What completing a sign-in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedSignIn {
    /// The signed-in account.
    pub account: Account,
    /// Whether this sign-in created it.
    pub created: bool,
}

/// What completing a sign-in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInOutcome {
    /// Signed in.
    Completed(CompletedSignIn),
    /// The challenge was consumed or replaced meanwhile; nothing changed.
    ChallengeGone,
    /// No account has the address, but an account moved off it recently and
    /// its revert link still works: a new account would block that revert,
    /// so none is created and nothing changes.
    AddressAwaitingRevert,
    /// The account is being erased: no session is opened.
    AccountBeingDeleted,
}

/// Stores sign-in challenges and completes sign-ins.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SignInStore: Send + Sync {
    /// Replaces the address's challenge with `challenge` and queues `message`
    /// in the outbox, in one transaction.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then neither is stored.
    async fn put_challenge(&self, challenge: &SignInChallenge, message: &OutgoingEmail) -> Result<(), PortError>;

    /// Adds one to the attempt count of the address's challenge and returns
    /// the challenge as it now is, or `None` when the address has none. The
    /// increment is atomic: concurrent attempts each count.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn record_attempt(&self, email: &EmailAddress) -> Result<Option<SignInChallenge>, PortError>;

    /// In one transaction: deletes the address's challenge if its hash is
    /// still `code_hash`, finds the account with the address or creates
    /// `new_account` (unless the address awaits a revert), and opens the
    /// session for it.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// - A challenge whose hash is no longer `code_hash` (used or replaced)
    ///   gives [`SignInOutcome::ChallengeGone`]; nothing changes.
    /// - The account with the address is locked while it is checked, so a
    ///   deletion request cannot commit between the check and the session.
    /// - When that account has a deletion job whose `erase_after` is at or
    ///   before `session.created_at` (at once without a grace period), the
    ///   challenge is consumed, no session opens, and the answer is
    ///   [`SignInOutcome::AccountBeingDeleted`]. Within the grace period the
    ///   sign-in completes.
    /// - When no account has the address but a change away from it has a
    ///   revert link neither used nor voided that still works at
    ///   `session.created_at`, no account is created, nothing changes (the
    ///   challenge stays), and the answer is
    ///   [`SignInOutcome::AddressAwaitingRevert`].
    /// - When another path creates an account for the address at the same
    ///   moment, the answer is [`SignInOutcome::ChallengeGone`]; nothing
    ///   changes.
    /// - A completed sign-in records
    ///   [`SignedIn`](crate::SecurityEventKind::SignedIn) at
    ///   `session.created_at` in the same transaction.
    async fn complete_sign_in(&self, completion: &SignInCompletion) -> Result<SignInOutcome, PortError>;
}
