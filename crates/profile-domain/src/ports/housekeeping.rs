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
    /// Address-change requests whose code had expired.
    pub change_requests: u64,
    /// Entries of the log of address-change codes older than its window.
    pub code_log: u64,
    /// Provider notices delivered long enough ago.
    pub provider_notices: u64,
    /// Ids of provider reports past the replay window.
    pub provider_reports: u64,
    /// Rate-limit counters whose window had ended.
    pub rate_counters: u64,
}

/// The moments before which rows go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurgeCutoffs {
    /// Challenges, sessions and rate-limit counters that expired (ended) at
    /// or before this moment go.
    pub now: OffsetDateTime,
    /// Change requests that expired at or before this moment go (kept a day
    /// past expiry, so a late confirm still hears "expired").
    pub stale_requests_before: OffsetDateTime,
    /// Outbox rows and provider notices that finished at or before this
    /// moment go.
    pub finished_before: OffsetDateTime,
    /// Code-log entries made at or before this moment go.
    pub code_log_before: OffsetDateTime,
    /// Provider report ids received at or before this moment go.
    pub reports_before: OffsetDateTime,
}

/// Deletes expired and finished rows.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HousekeepingStore: Send + Sync {
    /// Deletes what `cutoffs` says has expired or outlived its use.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn purge(&self, cutoffs: &PurgeCutoffs) -> Result<Purged, PortError>;
}
