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
    /// The login address the revert replaces, as the use case read it; the
    /// store changes nothing when the account's address is another by now.
    pub replacing: EmailAddress,
    /// When.
    pub now: OffsetDateTime,
    /// The messages to send: one to the restored address, and one to the
    /// address replaced when it is another.
    pub notices: Vec<OutgoingEmail>,
    /// The providers to tell of the restored address.
    pub providers: Vec<crate::NoticeFor>,
}

/// What a revert did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevertOutcome {
    /// The old address is back and every session has ended.
    Reverted,
    /// The record was reverted or voided before; nothing changed.
    AlreadyReverted,
    /// Another account holds the old address by now; nothing changed.
    AddressTaken,
    /// The account's address is no longer [`EmailChangeReversal::replacing`]
    /// (a change or revert committed meanwhile); nothing changed. The use
    /// case retries with `current`, the address found under the lock (not
    /// a new read of the account, which a cache may answer from before the
    /// commit that moved it).
    AddressMoved {
        /// The account's address in force.
        current: EmailAddress,
    },
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

    /// In one transaction, with the account locked against a concurrent
    /// revert: consumes the request (if its hash is still `code_hash`),
    /// sets the new address, ends every other session, stores
    /// the record and queues the notice. The database's unique constraint on
    /// addresses decides a race with another account.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// The record is stored later than every earlier record of the account:
    /// its `changed_at` is moved just past the latest one when the clock of
    /// this instance is behind, so "later" in [`revert`](Self::revert) is
    /// the order the changes were committed in. That stored time is the
    /// change's time everywhere: the account's `updated_at`, the notices and
    /// the security event.
    ///
    /// In the same transaction it queues a notice of the new address for
    /// each of `providers` (none once the account's erasure has begun, that
    /// is from its `erase_after` on) and records
    /// [`EmailChanged`](crate::SecurityEventKind::EmailChanged). An account that no longer exists gives
    /// [`ApplyOutcome::RequestGone`].
    async fn apply(&self, application: &EmailChangeApplication) -> Result<ApplyOutcome, PortError>;

    /// The record whose revert token hashes to `revert_hash`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError>;

    /// In one transaction, with the account locked against a concurrent
    /// [`apply`](Self::apply) or revert: when the account's address is not
    /// `replacing`, changes nothing and answers
    /// [`RevertOutcome::AddressMoved`] with the address it found; otherwise marks the record reverted
    /// (once; not when it was voided), restores the address, ends every
    /// session and any pending request, tells the providers and queues the
    /// notices.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// The revert voids the unused records of the account that were
    /// changed **after** the reverted one (`changed_at` later), and never an
    /// earlier one: a link sent to an address before it stays usable for
    /// its whole life, so the first owner of a chain of changes can always
    /// take the account back, and an attacker who moved the address twice
    /// cannot void the owner's link by reverting their own later change.
    ///
    /// In the same transaction it records
    /// [`EmailChangeReverted`](crate::SecurityEventKind::EmailChangeReverted)
    /// at `now`; the provider notices are not queued once the account's
    /// erasure has begun. The store does not check the link's expiry: the
    /// caller does. An account that no longer exists gives
    /// [`RevertOutcome::AlreadyReverted`].
    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError>;
}
