//! Ports for mailing-list providers: the outbox of notices to them, the
//! transport that delivers one, and the record of reports received from
//! them (against replays).

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{PortError, ProviderId, ProviderNotice};

/// A notice claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedNotice {
    /// The notice.
    pub notice: ProviderNotice,
    /// Delivery attempts made before this one.
    pub attempts: u32,
}

/// How an attempt to deliver a notice ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// The provider accepted it with this HTTP status; its content is erased.
    Delivered {
        /// The status the provider answered.
        status: u16,
    },
    /// Not accepted; tried again at `next_attempt_at`. Notices are never
    /// given up: the ones queued after it for the same user and provider
    /// wait, so the provider sees every change in order.
    Retry {
        /// Attempts made so far, this one included.
        attempts: u32,
        /// When to try again.
        next_attempt_at: OffsetDateTime,
        /// The HTTP status, when the provider answered at all.
        status: Option<u16>,
        /// What went wrong, free of personal data.
        error: String,
    },
}

/// How the notices to one provider stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderBacklog {
    /// The provider.
    pub provider: ProviderId,
    /// Notices not yet accepted.
    pub pending: u64,
    /// Notices accepted (and not yet purged).
    pub delivered: u64,
    /// When the oldest pending notice was queued.
    pub oldest_pending_at: Option<OffsetDateTime>,
    /// The error of the most recent failed attempt, if any notice is pending.
    pub last_error: Option<String>,
}

/// Stores the outbox of provider notices, written in the same transaction
/// as the change that causes them: a consent change (see
/// [`ConsentStore::record`](super::ConsentStore::record)), an address
/// change or revert, a rename, a picture's Save or Reset, and the
/// erasure's own notices
/// ([`ErasureStore::queue_erasure_notices`](super::ErasureStore::queue_erasure_notices)).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProviderOutbox: Send + Sync {
    /// Leases up to `limit` due notices for `providers` to `worker` until
    /// `lease_until`. Only the first pending notice of each provider and
    /// user is ever claimed, so a provider receives one user's changes in
    /// the order they were made.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read or written.
    ///
    /// # Contract
    /// A lease that ends at or before `now` is free. "First" is by the
    /// user's notice number. A notice that cannot be read back is not
    /// returned: it stays pending, due again an hour later with its error
    /// kept for [`backlog`](Self::backlog), and holds back only its own
    /// user's later notices to that provider.
    async fn claim_due_notices(
        &self,
        providers: &[ProviderId],
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedNotice>, PortError>;

    /// Records the outcome of an attempt and releases the lease. Does
    /// nothing when `worker` no longer holds the lease.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn record_notice_outcome(
        &self,
        id: Uuid,
        worker: &str,
        outcome: &NoticeOutcome,
        now: OffsetDateTime,
    ) -> Result<(), PortError>;

    /// How the notices to each provider that has any stand.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn backlog(&self) -> Result<Vec<ProviderBacklog>, PortError>;
}

/// Why a provider did not accept a notice.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct NoticeRefused {
    /// The HTTP status, when the provider answered at all.
    pub status: Option<u16>,
    /// What went wrong, free of personal data.
    pub error: String,
}

/// Delivers one notice to its provider.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProviderTransport: Send + Sync {
    /// Sends the notice; returns the provider's success status.
    ///
    /// # Errors
    /// [`NoticeRefused`] when the provider cannot be reached or does not
    /// accept the notice.
    async fn deliver(&self, notice: &ProviderNotice) -> Result<u16, NoticeRefused>;
}

/// Remembers the ids of reports received from providers, so a captured or
/// repeated report is not acted on twice.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProviderReportLog: Send + Sync {
    /// Records the report id as being handled; `false` when it was recorded
    /// before (by this instance or another), atomically.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn claim(&self, provider: &ProviderId, report_id: &str, at: OffsetDateTime) -> Result<bool, PortError>;

    /// Drops a claimed id again, when handling the report failed, so the
    /// provider's retry is not taken for a replay.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn forget(&self, provider: &ProviderId, report_id: &str) -> Result<(), PortError>;
}
