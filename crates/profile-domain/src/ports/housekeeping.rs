//! The housekeeping port: removing what has outlived its use.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::PortError;

/// How many rows one purge removed, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sign-in challenges whose code had expired.
    pub challenges: u64,
    /// Sessions that had expired.
    pub sessions: u64,
    /// Outbox rows finished (sent, failed or expired) long enough ago.
    pub messages: u64,
}

/// Deletes expired and finished rows.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HousekeepingStore: Send + Sync {
    /// Deletes challenges and sessions that expired at or before `now`, and
    /// outbox rows that finished at or before `finished_before`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn purge(&self, now: OffsetDateTime, finished_before: OffsetDateTime) -> Result<Purged, PortError>;
}
