//! The storage port of login-address changes.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{
    Account, CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, OutgoingEmail,
    PortError, SecretHash, SessionId, UserId,
};

/// Everything a confirmed change commits at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangeApplication {
    /// The code hash of the request being consumed; a request replaced since
    /// it was checked is not consumed.
    pub code_hash: SecretHash,
    /// The history record, with the old and new address.
    pub record: EmailChangeRecord,
    /// The session that confirmed; every other session of the account ends.
    pub keep_session: SessionId,
    /// The notice to the old address.
    pub notice: OutgoingEmail,
    /// The providers to tell of the new address (those carrying a purpose
    /// the user has granted), each with its notice id.
    pub providers: Vec<crate::NoticeFor>,
}

/// What applying a change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The address changed; the account as it now is.
    Applied(Account),
    /// The request was consumed or replaced meanwhile; nothing changed.
    RequestGone,
    /// Another account holds the new address; nothing changed.
    AddressTaken,
}

/// Everything a revert commits at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangeReversal {
    /// The record being reverted.
    pub record_id: uuid::Uuid,
    /// Whose address is restored.
    pub user_id: UserId,
    /// The address restored.
    pub restore: EmailAddress,
    /// When.
    pub now: OffsetDateTime,
    /// The message to the restored address.
    pub notice: OutgoingEmail,
    /// The providers to tell of the restored address.
    pub providers: Vec<crate::NoticeFor>,
}

/// What a revert did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevertOutcome {
    /// The old address is back and every session has ended.
    Reverted,
    /// The record was reverted before; nothing changed.
    AlreadyReverted,
    /// Another account holds the old address by now; nothing changed.
    AddressTaken,
}

/// What storing a request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// Stored and queued.
    Stored,
    /// A limit was reached; nothing was stored. Try again after this long.
    Limited(time::Duration),
}

/// Stores change requests, the code log and the history of changes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EmailChangeStore: Send + Sync {
    /// The account that signs in with `email`, if any.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn owner_of(&self, email: &EmailAddress) -> Result<Option<UserId>, PortError>;

    /// In one transaction, serialised per user: counts the codes the user
    /// and `sent.destination` had within `limits.window`; if `limits` allows
    /// another, replaces the user's request with `request`, logs `sent` and
    /// queues `message`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    async fn put_request(
        &self,
        request: &EmailChangeRequest,
        sent: &EmailChangeCodeSent,
        message: &OutgoingEmail,
        limits: &CodeLimits,
    ) -> Result<PutOutcome, PortError>;

    /// Adds one to the attempts of the user's request and returns it as it
    /// now is, or `None` when there is none. Atomic.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn record_change_attempt(&self, user: UserId) -> Result<Option<EmailChangeRequest>, PortError>;

    /// In one transaction: consumes the request (if its hash is still
    /// `code_hash`), sets the new address, ends every other session, stores
    /// the record and queues the notice. The database's unique constraint on
    /// addresses decides a race with another account.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    async fn apply(&self, application: &EmailChangeApplication) -> Result<ApplyOutcome, PortError>;

    /// The record whose revert token hashes to `revert_hash`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError>;

    /// In one transaction: marks the record reverted (once; not when it was
    /// voided), voids every other unused record of the account (so an older
    /// link in a chain of changes cannot take the account back), restores the
    /// address, ends every session and any pending request, and queues the
    /// notice.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError>;
}
