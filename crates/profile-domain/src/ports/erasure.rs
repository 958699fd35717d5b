//! The erasure port: the request that locks an account, the job's progress,
//! and the idempotent pieces each step is made of.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use crate::{NoticeFor, OutgoingEmail, PortError, ProviderId, SecretHash, UserId};

/// The outcome of [`ErasureStore::request`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureRequested {
    /// The account is locked, its sessions ended, the job queued.
    Started,
    /// A deletion of this account is already under way.
    AlreadyRequested(ReceiptId),
    /// The account does not exist.
    NoAccount,
}

/// The outcome of [`ErasureStore::cancel`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The job is gone; this is its receipt, which says when it was cancelled.
    Cancelled(Box<DeletionReceipt>),
    /// No deletion of the account is under way.
    NothingToCancel,
    /// The grace period is over (or the job has started): it runs on.
    TooLate,
}

/// Where the confirmation email is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmationState {
    /// Queued (now or before) and not sent yet.
    Waiting,
    /// Sent, or given up (refused by the server).
    Finished,
}

/// Stores erasure jobs and receipts and does the storage side of each step.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ErasureStore: Send + Sync {
    /// In one transaction, under the account's lock: refuses a second
    /// request, ends every session, and stores the job and its receipt.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails; nothing changed.
    ///
    /// # Contract
    /// The lock is the account's row, which a sign-in's completion also
    /// takes: a sign-in at the same moment either opened its session
    /// before (and it ends here) or sees the job. The request is recorded
    /// as [`DeletionRequested`](crate::SecurityEventKind::DeletionRequested)
    /// at `requested_at` only when there is a grace period (`erase_after`
    /// later than `requested_at`); without one nothing is recorded.
    ///
    /// From the request on, the account counts as being deleted:
    /// [`UnsubscribeStore::being_deleted`](super::UnsubscribeStore::being_deleted)
    /// lists it,
    /// [`ProfileDirectory::public_profiles`](super::ProfileDirectory::public_profiles)
    /// leaves it out, and no `profile.updated` notice is queued for it.
    /// From `erase_after` on (at once without a grace period), its erasure
    /// has begun:
    /// [`SignInStore::complete_sign_in`](super::SignInStore::complete_sign_in)
    /// refuses it, and no notice but the erasure's is queued for it.
    async fn request(&self, job: &ErasureJob) -> Result<ErasureRequested, PortError>;

    /// Leases up to `limit` jobs due at `now` (not leased by another
    /// worker) to `worker` until `lease_until`.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    ///
    /// # Contract
    /// A lease that ends at or before `now` is free. Jobs are taken in the
    /// order they fall due.
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        worker: &str,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<ErasureJob>, PortError>;

    /// Extends `worker`'s lease on the job to `until` if it still holds it
    /// at `now`; `false` when the lease was lost (it ran out and another
    /// worker took the job, or the job is done), and the worker must stop.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn renew_lease(
        &self,
        receipt: ReceiptId,
        worker: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, PortError>;

    /// Saves the job's progress (its receipt and when it is next due) if
    /// `worker` still holds its lease, and frees the lease.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn save_progress(&self, job: &ErasureJob, worker: &str) -> Result<(), PortError>;

    /// Ends every session of the user.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn end_sessions(&self, user: UserId) -> Result<(), PortError>;

    /// Drops the user's notices to providers that are still waiting (the
    /// erasure supersedes them) and queues `notices`, an erasure notice for
    /// each provider carrying `email`, unless they are queued already.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    ///
    /// # Contract
    /// In one transaction. The notices dropped are the user's pending ones
    /// of every kind but `account.erased`, except one leased at `at`
    /// (being sent now: the erasure queues behind it). A notice of
    /// `notices` is queued only when no notice with its id is stored. The
    /// erasure's notices take the user's next notice numbers, so each
    /// comes after everything its receiver was sent.
    async fn queue_erasure_notices(
        &self,
        user: UserId,
        email: &str,
        notices: &[NoticeFor],
        at: OffsetDateTime,
    ) -> Result<(), PortError>;

    /// For each erasure notice about the user, its provider and when the
    /// provider accepted it.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn erasure_notices(&self, user: UserId) -> Result<Vec<(ProviderId, Option<OffsetDateTime>)>, PortError>;

    /// Queues `message` unless it is queued already, and says where it is.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn confirmation(&self, message: &OutgoingEmail) -> Result<ConfirmationState, PortError>;

    /// In one transaction, only while `worker` holds the job's lease:
    /// erases every row about the user, the job among them, adds
    /// `suppress` (keyed hashes of the addresses) to the suppression list,
    /// and stores `receipt` as completed.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails or the lease was lost; nothing
    /// changed.
    ///
    /// # Contract
    /// The rows about the user are those that name their id, and those
    /// found by an address **only for the time the address was the user's**
    /// (from the account's history of changes and reverts): an address
    /// that passed to another account keeps that person's rows. Messages
    /// that name the user as what they are about go wherever they were
    /// sent (such as the codes sent to an address asked for and never
    /// confirmed). The export shows the same rows by the same rule, except
    /// messages found only by whom they are about that went to an address
    /// the user never held.
    async fn erase(
        &self,
        user: UserId,
        suppress: &[SecretHash],
        receipt: &DeletionReceipt,
        worker: &str,
    ) -> Result<(), PortError>;

    /// Cancels the user's deletion if its grace period runs past `now` and
    /// no worker holds it, marking the receipt cancelled and recording it
    /// in the security history, in one transaction.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    ///
    /// # Contract
    /// The job goes only if its `erase_after` is later than `now` and no
    /// worker's name is on its lease; otherwise the answer is
    /// [`CancelOutcome::TooLate`]. The entry is
    /// [`DeletionCancelled`](crate::SecurityEventKind::DeletionCancelled)
    /// at `now`, and the receipt's `cancelled_at` is `now`.
    async fn cancel(&self, user: UserId, now: OffsetDateTime) -> Result<CancelOutcome, PortError>;

    /// The receipt of the user's deletion under way, if there is one.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn pending(&self, user: UserId) -> Result<Option<DeletionReceipt>, PortError>;

    /// Whether the suppression list holds `hash`.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn is_suppressed(&self, hash: &SecretHash) -> Result<bool, PortError>;

    /// Every address the user has had (the login address and both sides
    /// of every change), except any that is now another account's login,
    /// for the suppression list.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    ///
    /// # Contract
    /// The addresses are those of the ownership rule of
    /// [`erase`](Self::erase). One that is another account's login now is
    /// left out, so the suppression list never names a living account's
    /// address. No account: an empty list.
    async fn addresses(&self, user: UserId) -> Result<Vec<String>, PortError>;

    /// The receipt with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn receipt(&self, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError>;

    /// The newest `limit` receipts, newest first.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    async fn receipts(&self, limit: u32) -> Result<Vec<DeletionReceipt>, PortError>;
}
