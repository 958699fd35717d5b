//! The outbox port: messages committed with the change that caused them,
//! claimed and delivered by workers.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{EmailId, OutgoingEmail, PortError};

/// A message claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedEmail {
    /// The message.
    pub email: OutgoingEmail,
    /// Delivery attempts made before this one.
    pub attempts: u32,
}

/// How a delivery attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Accepted by the mail server; the message's content is erased.
    Sent,
    /// Failed for now; tried again at `next_attempt_at`.
    Retry {
        /// Attempts made so far, this one included.
        attempts: u32,
        /// When to try again.
        next_attempt_at: OffsetDateTime,
        /// What went wrong, free of personal data.
        error: String,
    },
    /// Refused for good (the server answered with a permanent error).
    Failed {
        /// Attempts made so far, this one included.
        attempts: u32,
        /// What went wrong, free of personal data.
        error: String,
    },
    /// Pointless by now (its code has expired); the content is erased.
    Expired,
}

/// Stores the outbox of messages to send.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` messages that are due at `now` and not leased by
    /// a live worker, to `worker` until `lease_until`, oldest first. Two
    /// workers never hold the same message's lease at once.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read or written.
    ///
    /// # Contract
    /// A lease that ends at or before `now` is free. A message that cannot
    /// be read back is not returned: it is marked failed and its content
    /// erased, so it does not block the messages behind it.
    async fn claim_due(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedEmail>, PortError>;

    /// Records the outcome of an attempt and releases the lease. Does
    /// nothing when `worker` no longer holds the lease.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    ///
    /// # Contract
    /// `Sent`, `Expired` and `Failed` erase the content and keep the row,
    /// with the time it finished (housekeeping deletes it after the
    /// retention). `Retry` keeps the content.
    async fn record_outcome(
        &self,
        id: EmailId,
        worker: &str,
        outcome: &DeliveryOutcome,
        now: OffsetDateTime,
    ) -> Result<(), PortError>;
}
