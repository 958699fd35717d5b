//! Deleting an account: the request (a recent sign-in and the login address
//! typed as confirmation), and the durable job that erases everything,
//! step by step, retrying each until it succeeds.

use std::sync::Arc;

use super::draw;
pub use super::erasure_policy::ErasurePolicy;
use super::sessions::Authenticated;
use crate::erasure::{
    DeletionReceipt, ErasureJob, ErasureStep, ReceiptId, confirmation_email_id, erased_address_hash, erasure_notice_id,
};
use crate::picture::user_blob_prefixes;
use crate::ports::{
    AccountStore, BlobStore, CancelOutcome, Clock, ConfirmationState, ErasureRequested, ErasureStore, Randomness,
};
use crate::{
    EmailAddress, EmailContent, EmailId, NoticeFor, OutgoingEmail, PortError, SecretHash, SecretHasher, UserId,
};

/// Why a deletion could not be asked for.
#[derive(Debug, thiserror::Error)]
pub enum DeleteAccountError {
    /// The confirmation is not the account's login address.
    #[error("the confirmation does not match your login email address")]
    ConfirmationMismatch,
    /// The sign-in is older than the policy allows.
    #[error("deleting your account needs a recent sign-in; sign in again")]
    SignInNotRecent,
    /// A deletion is already under way.
    #[error("a deletion of this account is already under way")]
    AlreadyRequested(ReceiptId),
    /// The account does not exist (any more).
    #[error("the account does not exist")]
    NotFound,
    /// Storage failed; nothing changed.
    #[error("could not ask for the deletion")]
    Unexpected(#[from] PortError),
}

/// Why a deletion could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelDeletionError {
    /// No deletion of the account is under way.
    #[error("no deletion of your account is under way")]
    NothingToCancel,
    /// The grace period is over: the erasure has started.
    #[error("the deletion has started and can no longer be cancelled")]
    TooLate,
    /// Storage failed; nothing changed.
    #[error("could not cancel the deletion")]
    Unexpected(#[from] PortError),
}

/// What one pass of the worker did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErasureReport {
    /// Jobs finished.
    pub completed: usize,
    /// Jobs that moved on and wait for someone else, or for a retry.
    pub waiting: usize,
    /// Steps that failed this pass.
    pub failed: usize,
}

/// The deletion use case.
pub struct Erasures {
    store: Arc<dyn ErasureStore>,
    accounts: Arc<dyn AccountStore>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    policy: ErasurePolicy,
    suppression: Option<SecretHasher>,
}

/// How a step went.
enum Outcome {
    Done,
    Waiting,
}

impl Erasures {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn ErasureStore>,
        accounts: Arc<dyn AccountStore>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        policy: ErasurePolicy,
    ) -> Self {
        Self { store, accounts, blobs, clock, random, policy, suppression: None }
    }

    /// Keeps a keyed hash (under `hasher`) of each erased address on the
    /// suppression list, so the operator can tell a re-imported address
    /// was erased without keeping the address.
    #[must_use]
    pub fn with_suppression(mut self, hasher: SecretHasher) -> Self {
        self.suppression = Some(hasher);
        self
    }

    /// Whether `email` was erased, if the suppression list is kept
    /// (`None` when it is not).
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    pub async fn is_suppressed(&self, email: &EmailAddress) -> Result<Option<bool>, PortError> {
        let Some(hasher) = &self.suppression else { return Ok(None) };
        let hash = erased_address_hash(hasher, email.as_str());
        Ok(Some(self.store.is_suppressed(&hash).await?))
    }

    /// Asks for the deletion of the signed-in user's account: checks the
    /// sign-in is recent and `confirmation` is the login address, then
    /// locks the account, ends every session and queues the job.
    ///
    /// # Errors
    /// [`DeleteAccountError`] says why nothing changed.
    pub async fn request(
        &self,
        who: &Authenticated,
        confirmation: &str,
    ) -> Result<DeletionReceipt, DeleteAccountError> {
        let now = draw::now_millis(self.clock.as_ref());
        if now - who.signed_in_at > self.policy.recent_sign_in {
            return Err(DeleteAccountError::SignInNotRecent);
        }
        let account = self.accounts.get(who.user_id).await?.ok_or(DeleteAccountError::NotFound)?;
        let typed = EmailAddress::parse(confirmation.trim()).map_err(|_| DeleteAccountError::ConfirmationMismatch)?;
        if typed != account.email {
            return Err(DeleteAccountError::ConfirmationMismatch);
        }
        let id = ReceiptId(draw::uuid_v4(self.random.as_ref()));
        let mut receipt = DeletionReceipt::new(id, now, self.policy.receivers());
        receipt.erase_after = now + self.policy.grace;
        let job = ErasureJob {
            receipt: receipt.clone(),
            user_id: who.user_id,
            email: account.email,
            next_attempt_at: receipt.erase_after,
        };
        match self.store.request(&job).await? {
            ErasureRequested::Started => Ok(receipt),
            ErasureRequested::AlreadyRequested(existing) => Err(DeleteAccountError::AlreadyRequested(existing)),
            ErasureRequested::NoAccount => Err(DeleteAccountError::NotFound),
        }
    }

    /// Cancels the user's deletion within its grace period.
    ///
    /// # Errors
    /// [`CancelDeletionError`] when there is none or it is too late.
    pub async fn cancel(&self, user: UserId) -> Result<DeletionReceipt, CancelDeletionError> {
        let now = draw::now_millis(self.clock.as_ref());
        match self.store.cancel(user, now).await? {
            CancelOutcome::Cancelled(receipt) => Ok(*receipt),
            CancelOutcome::NothingToCancel => Err(CancelDeletionError::NothingToCancel),
            CancelOutcome::TooLate => Err(CancelDeletionError::TooLate),
        }
    }

    /// The receipt of the user's deletion under way (within its grace
    /// period, since only then can the user be signed in).
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    pub async fn pending(&self, user: UserId) -> Result<Option<DeletionReceipt>, PortError> {
        self.store.pending(user).await
    }

    /// The receipt with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    pub async fn receipt(&self, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError> {
        self.store.receipt(id).await
    }

    /// The newest `limit` receipts, for the operator.
    ///
    /// # Errors
    /// [`PortError`] when the storage fails.
    pub async fn receipts(&self, limit: u32) -> Result<Vec<DeletionReceipt>, PortError> {
        self.store.receipts(limit).await
    }

    /// Claims the due jobs and takes each as far as it can go now.
    ///
    /// # Errors
    /// [`PortError`] when the jobs cannot be claimed.
    pub async fn run_due(&self, worker: &str) -> Result<ErasureReport, PortError> {
        let now = self.clock.now();
        let jobs = self.store.claim_due(now, worker, now + self.policy.lease, self.policy.batch_size).await?;
        let mut report = ErasureReport::default();
        for job in jobs {
            match self.advance(job, worker).await {
                Ok(true) => report.completed += 1,
                Ok(false) => report.waiting += 1,
                // The failure is in the receipt (`last_problem`); the job
                // is due again after its backoff.
                Err(_) => report.failed += 1,
            }
        }
        Ok(report)
    }

    /// Runs the job's steps in order until one must wait or fails; saves
    /// the progress. `Ok(true)` when the job is complete.
    async fn advance(&self, mut job: ErasureJob, worker: &str) -> Result<bool, PortError> {
        while let Some(step) = job.receipt.next_step() {
            // A step may outlast the lease (a slow store, a long batch): the
            // lease is renewed before each, and a worker that lost it stops
            // without writing anything.
            let now = self.clock.now();
            if !self.store.renew_lease(job.receipt.id, worker, now, now + self.policy.lease).await? {
                return Ok(false);
            }
            match self.run_step(&mut job, step, worker).await {
                Ok(Outcome::Done) => {
                    if step == ErasureStep::EraseData {
                        return Ok(true);
                    }
                    let now = draw::now_millis(self.clock.as_ref());
                    if let Some(progress) = job.receipt.step_mut(step) {
                        progress.done_at = Some(now);
                    }
                }
                Ok(Outcome::Waiting) => {
                    job.next_attempt_at = self.clock.now() + self.policy.poll;
                    self.store.save_progress(&job, worker).await?;
                    return Ok(false);
                }
                Err(error) => {
                    let failures = job.receipt.step_mut(step).map_or(1, |p| {
                        p.failures += 1;
                        p.last_problem = Some(error.to_string());
                        p.failures
                    });
                    job.next_attempt_at = self.clock.now()
                        + crate::backoff::doubling_delay(self.policy.retry_base, failures, self.policy.retry_max);
                    self.store.save_progress(&job, worker).await?;
                    return Err(error);
                }
            }
        }
        Ok(true)
    }

    async fn run_step(&self, job: &mut ErasureJob, step: ErasureStep, worker: &str) -> Result<Outcome, PortError> {
        let user = job.user_id;
        match step {
            ErasureStep::EndSessions => {
                self.store.end_sessions(user).await?;
                Ok(Outcome::Done)
            }
            ErasureStep::TellProviders => self.tell_providers(job).await,
            ErasureStep::DeletePictures => {
                self.delete_pictures(user).await?;
                Ok(Outcome::Done)
            }
            ErasureStep::SendConfirmation => {
                let message = OutgoingEmail {
                    id: EmailId(confirmation_email_id(job.receipt.id)),
                    to: job.email.clone(),
                    content: EmailContent::AccountDeleted {
                        receipt_url: format!("{}/deletion-receipts/{}", self.policy.public_url, job.receipt.id),
                    },
                    created_at: draw::now_millis(self.clock.as_ref()),
                    expires_at: None,
                    about: Some(user),
                };
                match self.store.confirmation(&message).await? {
                    ConfirmationState::Finished => Ok(Outcome::Done),
                    ConfirmationState::Waiting => Ok(Outcome::Waiting),
                }
            }
            ErasureStep::EraseData => {
                // An upload that was under way at the request may have
                // written files since the pictures step.
                self.delete_pictures(user).await?;
                let now = draw::now_millis(self.clock.as_ref());
                let mut receipt = job.receipt.clone();
                if let Some(progress) = receipt.step_mut(ErasureStep::EraseData) {
                    progress.done_at = Some(now);
                }
                receipt.completed_at = Some(now);
                let suppress: Vec<SecretHash> = match &self.suppression {
                    Some(hasher) => {
                        let mut addresses = self.store.addresses(user).await?;
                        if addresses.is_empty() {
                            addresses.push(job.email.as_str().to_owned());
                        }
                        addresses.iter().map(|a| erased_address_hash(hasher, a)).collect()
                    }
                    None => Vec::new(),
                };
                self.store.erase(user, &suppress, &receipt, worker).await?;
                job.receipt = receipt;
                Ok(Outcome::Done)
            }
        }
    }

    async fn delete_pictures(&self, user: UserId) -> Result<(), PortError> {
        for prefix in user_blob_prefixes(user) {
            for blob in self.blobs.list(&prefix).await? {
                self.blobs.delete(&blob.key).await?;
            }
        }
        Ok(())
    }

    /// Queues an erasure notice for every provider (once), then waits until
    /// each has accepted its notice, noting when in the receipt.
    async fn tell_providers(&self, job: &mut ErasureJob) -> Result<Outcome, PortError> {
        // A provider taken out of the configuration since the request can
        // no longer be told: it is dropped from the receipt, and the step
        // says so, rather than waiting for ever.
        let configured = self.policy.receivers();
        let before = job.receipt.recipients.len();
        job.receipt.recipients.retain(|r| configured.contains(&r.provider));
        if job.receipt.recipients.len() < before
            && let Some(progress) = job.receipt.step_mut(ErasureStep::TellProviders)
        {
            progress.last_problem = Some("a provider was removed from the configuration before it was told".into());
        }
        if job.receipt.recipients.is_empty() {
            return Ok(Outcome::Done);
        }
        // Queued on the first pass (and for a provider whose notice is
        // missing); later passes only look at what the providers answered.
        let mut told = self.store.erasure_notices(job.user_id).await?;
        let missing: Vec<NoticeFor> = job
            .receipt
            .recipients
            .iter()
            .filter(|r| !told.iter().any(|(p, _)| *p == r.provider))
            .map(|r| NoticeFor {
                id: erasure_notice_id(job.receipt.id, &r.provider),
                provider: r.provider.clone(),
                with_email: !self.policy.services.contains(&r.provider),
            })
            .collect();
        if !missing.is_empty() {
            let now = draw::now_millis(self.clock.as_ref());
            self.store.queue_erasure_notices(job.user_id, job.email.as_str(), &missing, now).await?;
            told = self.store.erasure_notices(job.user_id).await?;
        }
        for recipient in &mut job.receipt.recipients {
            recipient.told_at = told.iter().find(|(p, _)| *p == recipient.provider).and_then(|(_, at)| *at);
        }
        if job.receipt.recipients.iter().all(|r| r.told_at.is_some()) {
            Ok(Outcome::Done)
        } else {
            Ok(Outcome::Waiting)
        }
    }
}

#[cfg(test)]
#[path = "erasures_tests.rs"]
mod tests;
