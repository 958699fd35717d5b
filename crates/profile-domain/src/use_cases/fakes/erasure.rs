//! The erasure store in memory: the jobs, and what each step asked for.

use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use crate::ports::{CancelOutcome, ConfirmationState, ErasureRequested, ErasureStore};
use crate::{NoticeFor, OutgoingEmail, PortError, ProviderId, SecretHash, UserId};

/// The erasure store in memory.
#[derive(Default)]
pub(crate) struct MemoryErasures {
    pub(crate) jobs: Mutex<Vec<ErasureJob>>,
    pub(crate) told: Mutex<Vec<(ProviderId, Option<OffsetDateTime>)>>,
    pub(crate) queued: Mutex<Vec<NoticeFor>>,
    pub(crate) confirmation: Mutex<Option<(OutgoingEmail, bool)>>,
    pub(crate) sessions_ended: Mutex<u32>,
    pub(crate) erased: Mutex<Option<(UserId, DeletionReceipt)>>,
    pub(crate) suppressed: Mutex<Vec<SecretHash>>,
    pub(crate) cancelled: Mutex<Vec<DeletionReceipt>>,
    pub(crate) lease_lost: Mutex<bool>,
}

#[async_trait]
impl ErasureStore for MemoryErasures {
    async fn request(&self, job: &ErasureJob) -> Result<ErasureRequested, PortError> {
        let mut jobs = self.jobs.lock().unwrap();
        if let Some(existing) = jobs.iter().find(|j| j.user_id == job.user_id) {
            return Ok(ErasureRequested::AlreadyRequested(existing.receipt.id));
        }
        jobs.push(job.clone());
        Ok(ErasureRequested::Started)
    }
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        _worker: &str,
        _lease_until: OffsetDateTime,
        _limit: u32,
    ) -> Result<Vec<ErasureJob>, PortError> {
        Ok(self.jobs.lock().unwrap().iter().filter(|j| j.next_attempt_at <= now).cloned().collect())
    }
    async fn renew_lease(
        &self,
        receipt: ReceiptId,
        _worker: &str,
        _now: OffsetDateTime,
        _until: OffsetDateTime,
    ) -> Result<bool, PortError> {
        Ok(!*self.lease_lost.lock().unwrap() && self.jobs.lock().unwrap().iter().any(|j| j.receipt.id == receipt))
    }
    async fn save_progress(&self, job: &ErasureJob, _worker: &str) -> Result<(), PortError> {
        let mut jobs = self.jobs.lock().unwrap();
        for j in jobs.iter_mut().filter(|j| j.receipt.id == job.receipt.id) {
            *j = job.clone();
        }
        Ok(())
    }
    async fn end_sessions(&self, _user: UserId) -> Result<(), PortError> {
        *self.sessions_ended.lock().unwrap() += 1;
        Ok(())
    }
    async fn queue_erasure_notices(
        &self,
        _user: UserId,
        _email: &str,
        notices: &[NoticeFor],
        _at: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut queued = self.queued.lock().unwrap();
        for n in notices {
            if !queued.contains(n) {
                queued.push(n.clone());
            }
        }
        Ok(())
    }
    async fn erasure_notices(&self, _user: UserId) -> Result<Vec<(ProviderId, Option<OffsetDateTime>)>, PortError> {
        Ok(self.told.lock().unwrap().clone())
    }
    async fn confirmation(&self, message: &OutgoingEmail) -> Result<ConfirmationState, PortError> {
        let mut slot = self.confirmation.lock().unwrap();
        let (_, sent) = slot.get_or_insert_with(|| (message.clone(), false));
        Ok(if *sent { ConfirmationState::Finished } else { ConfirmationState::Waiting })
    }
    async fn erase(
        &self,
        user: UserId,
        suppress: &[SecretHash],
        receipt: &DeletionReceipt,
        _worker: &str,
    ) -> Result<(), PortError> {
        self.suppressed.lock().unwrap().extend_from_slice(suppress);
        self.jobs.lock().unwrap().retain(|j| j.user_id != user);
        *self.erased.lock().unwrap() = Some((user, receipt.clone()));
        Ok(())
    }
    async fn cancel(&self, user: UserId, now: OffsetDateTime) -> Result<CancelOutcome, PortError> {
        let mut jobs = self.jobs.lock().unwrap();
        let Some(at) = jobs.iter().position(|j| j.user_id == user) else { return Ok(CancelOutcome::NothingToCancel) };
        if jobs[at].receipt.erase_after <= now {
            return Ok(CancelOutcome::TooLate);
        }
        let mut job = jobs.remove(at);
        job.receipt.cancelled_at = Some(now);
        self.cancelled.lock().unwrap().push(job.receipt.clone());
        Ok(CancelOutcome::Cancelled(Box::new(job.receipt)))
    }
    async fn pending(&self, user: UserId) -> Result<Option<DeletionReceipt>, PortError> {
        Ok(self.jobs.lock().unwrap().iter().find(|j| j.user_id == user).map(|j| j.receipt.clone()))
    }
    async fn is_suppressed(&self, hash: &SecretHash) -> Result<bool, PortError> {
        Ok(self.suppressed.lock().unwrap().contains(hash))
    }
    async fn addresses(&self, _user: UserId) -> Result<Vec<String>, PortError> {
        Ok(vec!["old@example.com".to_owned(), "ada@example.com".to_owned()])
    }
    async fn receipt(&self, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError> {
        let running = self.jobs.lock().unwrap().iter().find(|j| j.receipt.id == id).map(|j| j.receipt.clone());
        Ok(running.or_else(|| self.cancelled.lock().unwrap().iter().find(|r| r.id == id).cloned()))
    }
    async fn receipts(&self, _limit: u32) -> Result<Vec<DeletionReceipt>, PortError> {
        Ok(vec![])
    }
}
