//! Delivery of provider notices: claim the due ones (only the first pending
//! one of each provider and user), send each, record the outcome, and back
//! off on failure. A notice is never given up, so a provider that was down
//! receives every change, in order, once it is up.

use std::sync::Arc;

use super::RetryPolicy;
use crate::ports::{Clock, NoticeOutcome, ProviderBacklog, ProviderOutbox, ProviderTransport};
use crate::{PortError, ProviderId};

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderSyncReport {
    /// Notices the providers accepted.
    pub delivered: u32,
    /// Notices that failed for now and wait for a retry.
    pub retried: u32,
    /// Claimed notices left for a later pass because the lease ran short.
    pub deferred: u32,
}

/// Why a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderSyncError {
    /// The outbox could not be read or written; a notice whose outcome was
    /// not recorded is sent again once its lease ends (providers deduplicate
    /// on the notice id).
    #[error("could not work through the provider outbox")]
    Unexpected(#[from] PortError),
}

/// The provider delivery use case, run by a background worker.
pub struct ProviderSync {
    outbox: Arc<dyn ProviderOutbox>,
    transport: Arc<dyn ProviderTransport>,
    clock: Arc<dyn Clock>,
    providers: Vec<ProviderId>,
    policy: RetryPolicy,
}

impl ProviderSync {
    /// Builds the use case for the configured `providers`; notices queued
    /// for a provider no longer configured wait until it is again.
    pub fn new(
        outbox: Arc<dyn ProviderOutbox>,
        transport: Arc<dyn ProviderTransport>,
        clock: Arc<dyn Clock>,
        providers: Vec<ProviderId>,
        policy: RetryPolicy,
    ) -> Self {
        Self { outbox, transport, clock, providers, policy }
    }

    /// Claims the due notices for `worker` and tries each once.
    ///
    /// # Errors
    /// [`ProviderSyncError::Unexpected`] when the outbox cannot be read or written.
    pub async fn deliver_due(&self, worker: &str) -> Result<ProviderSyncReport, ProviderSyncError> {
        let mut report = ProviderSyncReport::default();
        if self.providers.is_empty() {
            return Ok(report);
        }
        let now = self.clock.now();
        let lease_until = now + self.policy.lease;
        let claimed =
            self.outbox.claim_due_notices(&self.providers, worker, now, lease_until, self.policy.batch_size).await?;
        for queued in claimed {
            if self.clock.now() + self.policy.max_send_duration >= lease_until {
                report.deferred += 1;
                continue;
            }
            let outcome = match self.transport.deliver(&queued.notice).await {
                Ok(status) => {
                    report.delivered += 1;
                    NoticeOutcome::Delivered { status }
                }
                Err(refused) => {
                    report.retried += 1;
                    let attempts = queued.attempts + 1;
                    NoticeOutcome::Retry {
                        attempts,
                        next_attempt_at: self.clock.now() + self.policy.delay_after(attempts),
                        status: refused.status,
                        error: refused.error,
                    }
                }
            };
            self.outbox.record_notice_outcome(queued.notice.id, worker, &outcome, self.clock.now()).await?;
        }
        Ok(report)
    }

    /// How the notices to each provider stand, for the operator.
    ///
    /// # Errors
    /// [`ProviderSyncError::Unexpected`] when the outbox cannot be read.
    pub async fn backlog(&self) -> Result<Vec<ProviderBacklog>, ProviderSyncError> {
        Ok(self.outbox.backlog().await?)
    }
}

#[cfg(test)]
#[path = "provider_sync_tests.rs"]
mod tests;
