//! The mail outbox over the shared in-memory state.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ports::{DeliveryOutcome, OutboxStore, QueuedEmail};
use crate::{EmailId, PortError};

use super::InMemoryStore;

#[async_trait]
impl OutboxStore for InMemoryStore {
    async fn claim_due(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedEmail>, PortError> {
        let mut state = self.state();
        let mut claimed = Vec::new();
        for row in state.outbox.iter_mut() {
            let free = row.lease.as_ref().is_none_or(|(_, until)| *until <= now);
            if row.status == "pending" && row.next_attempt_at <= now && free && claimed.len() < limit as usize {
                row.lease = Some((worker.to_owned(), lease_until));
                claimed.push(QueuedEmail { email: row.email.clone(), attempts: row.attempts });
            }
        }
        Ok(claimed)
    }

    async fn record_outcome(
        &self,
        id: EmailId,
        worker: &str,
        outcome: &DeliveryOutcome,
        _now: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut state = self.state();
        let Some(row) = state.outbox.iter_mut().find(|r| r.email.id == id) else { return Ok(()) };
        if row.lease.as_ref().is_none_or(|(w, _)| w != worker) {
            return Ok(());
        }
        row.lease = None;
        match outcome {
            DeliveryOutcome::Sent => row.status = "sent",
            DeliveryOutcome::Expired => row.status = "expired",
            DeliveryOutcome::Failed { attempts, .. } => {
                row.status = "failed";
                row.attempts = *attempts;
            }
            DeliveryOutcome::Retry { attempts, next_attempt_at, .. } => {
                row.attempts = *attempts;
                row.next_attempt_at = *next_attempt_at;
            }
        }
        Ok(())
    }
}
