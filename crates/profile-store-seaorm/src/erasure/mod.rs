//! `ErasureStore` on sea-orm: the jobs (request, leases, progress,
//! cancellation), the messages the erasure sends, and the last step that
//! erases every row about the user through the personal-data registry.

mod erase;
mod jobs;
mod notices;
pub(crate) mod receipts;

use async_trait::async_trait;
use profile_domain::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use profile_domain::ports::{CancelOutcome, ConfirmationState, ErasureRequested, ErasureStore};
use profile_domain::{NoticeFor, OutgoingEmail, PortError, ProviderId, SecretHash, UserId};
use time::OffsetDateTime;

use crate::SeaOrmStore;

#[async_trait]
impl ErasureStore for SeaOrmStore {
    async fn request(&self, erasure: &ErasureJob) -> Result<ErasureRequested, PortError> {
        jobs::request(self, erasure).await
    }

    async fn claim_due(
        &self,
        now: OffsetDateTime,
        worker: &str,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<ErasureJob>, PortError> {
        jobs::claim_due(self, now, worker, lease_until, limit).await
    }

    async fn save_progress(&self, erasure: &ErasureJob, worker: &str) -> Result<(), PortError> {
        jobs::save_progress(self, erasure, worker).await
    }

    async fn end_sessions(&self, user: UserId) -> Result<(), PortError> {
        jobs::end_sessions(self, user).await
    }

    async fn cancel(&self, user: UserId, now: OffsetDateTime) -> Result<CancelOutcome, PortError> {
        jobs::cancel(self, user, now).await
    }

    async fn pending(&self, user: UserId) -> Result<Option<DeletionReceipt>, PortError> {
        jobs::pending(self, user).await
    }

    async fn renew_lease(
        &self,
        receipt: ReceiptId,
        worker: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, PortError> {
        jobs::renew_lease(self, receipt, worker, now, until).await
    }

    async fn receipt(&self, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError> {
        jobs::receipt(self, id).await
    }

    async fn receipts(&self, limit: u32) -> Result<Vec<DeletionReceipt>, PortError> {
        jobs::receipts(self, limit).await
    }

    async fn erase(
        &self,
        user: UserId,
        suppress: &[SecretHash],
        done: &DeletionReceipt,
        worker: &str,
    ) -> Result<(), PortError> {
        erase::erase(self, user, suppress, done, worker).await
    }

    async fn is_suppressed(&self, hash: &SecretHash) -> Result<bool, PortError> {
        erase::is_suppressed(self, hash).await
    }

    async fn addresses(&self, user: UserId) -> Result<Vec<String>, PortError> {
        erase::addresses(self, user).await
    }

    async fn queue_erasure_notices(
        &self,
        user: UserId,
        email: &str,
        notices: &[NoticeFor],
        at: OffsetDateTime,
    ) -> Result<(), PortError> {
        notices::queue_erasure_notices(self, user, email, notices, at).await
    }

    async fn erasure_notices(&self, user: UserId) -> Result<Vec<(ProviderId, Option<OffsetDateTime>)>, PortError> {
        notices::erasure_notices(self, user).await
    }

    async fn confirmation(&self, message: &OutgoingEmail) -> Result<ConfirmationState, PortError> {
        notices::confirmation(self, message).await
    }
}
