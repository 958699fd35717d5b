//! Housekeeping: expired codes and sessions, and delivered messages past their
//! retention, are deleted, so nothing is kept longer than it is useful.

use std::sync::Arc;

use time::Duration;

use crate::PortError;
use crate::ports::{Clock, HousekeepingStore, PurgeCutoffs, Purged};

/// How long finished records are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// How long a sent, failed or expired message's record (recipient, kind,
    /// status; never its content) is kept (default 7 days).
    pub finished_messages: Duration,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self { finished_messages: Duration::days(7) }
    }
}

/// Why a housekeeping pass failed.
#[derive(Debug, thiserror::Error)]
pub enum HousekeepingError {
    /// Storage failed; the next pass tries again.
    #[error("could not delete expired records")]
    Unexpected(#[from] PortError),
}

/// The housekeeping use case, run periodically by a worker.
pub struct Housekeeping {
    store: Arc<dyn HousekeepingStore>,
    clock: Arc<dyn Clock>,
    policy: RetentionPolicy,
}

impl Housekeeping {
    /// Builds the use case over its ports.
    pub fn new(store: Arc<dyn HousekeepingStore>, clock: Arc<dyn Clock>, policy: RetentionPolicy) -> Self {
        Self { store, clock, policy }
    }

    /// Deletes what has expired or outlived its retention.
    ///
    /// # Errors
    /// [`HousekeepingError::Unexpected`] when the storage cannot be written.
    pub async fn run(&self) -> Result<Purged, HousekeepingError> {
        let now = self.clock.now();
        let cutoffs = PurgeCutoffs {
            now,
            stale_requests_before: now - Duration::days(1),
            finished_before: now - self.policy.finished_messages,
            code_log_before: now - super::CODE_LIMIT_WINDOW,
            reports_before: now - super::REPORT_ID_RETENTION,
        };
        Ok(self.store.purge(&cutoffs).await?)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::use_cases::fakes::FixedClock;
    use crate::use_cases::fakes::housekeeping::RecordingHousekeeping;

    #[tokio::test]
    async fn finished_messages_are_kept_for_the_retention_period() {
        let now = datetime!(2026-11-29 12:00 UTC);
        let answer = Purged { challenges: 1, sessions: 2, messages: 3, ..Purged::default() };
        let store = Arc::new(RecordingHousekeeping { answer, ..RecordingHousekeeping::default() });
        let housekeeping = Housekeeping::new(store.clone(), Arc::new(FixedClock::at(now)), RetentionPolicy::default());
        assert_eq!(housekeeping.run().await.unwrap().messages, 3);
        let cutoffs = store.cutoffs.lock().unwrap();
        assert_eq!(cutoffs.len(), 1);
        let c = cutoffs[0];
        assert_eq!(c.now, now);
        assert_eq!(c.finished_before, now - Duration::days(7));
        assert_eq!(c.code_log_before, now - Duration::hours(1));
        assert_eq!(c.stale_requests_before, now - Duration::days(1));
    }
}
