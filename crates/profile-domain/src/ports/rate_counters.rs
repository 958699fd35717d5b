//! The storage port of the shared rate-limit counters.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{PortError, RateLimit, SecretHash};

/// A key's counter as the store holds it after an event, or now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowCount {
    /// Events counted in the key's current window (0 when it has none).
    pub count: u32,
    /// When that window ends.
    pub ends_at: OffsetDateTime,
}

/// Windowed counters shared by every instance: N instances on one store
/// allow exactly what one allows.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateCounterStore: Send + Sync {
    /// Counts one event for `key` at `now` and returns its window as it
    /// now is.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    ///
    /// # Contract
    /// Atomic across instances: of any number of concurrent calls for one
    /// key, each sees its own event counted once. A key with no window, or
    /// whose window ended at or before `now`, starts a new one of
    /// `limit.window` at `now` with a count of 1. `name` is the limit's
    /// name, kept beside the counter for operators; `key` is already a
    /// keyed hash (never an address or a client's network).
    async fn count(
        &self,
        name: &str,
        key: &SecretHash,
        limit: &RateLimit,
        now: OffsetDateTime,
    ) -> Result<WindowCount, PortError>;

    /// Takes back one event of `key` counted in its window that is still
    /// running at `now` (an attempt that turned out not to count); nothing
    /// when the window has ended or holds no event.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn uncount(&self, key: &SecretHash, now: OffsetDateTime) -> Result<(), PortError>;

    /// The key's window at `now` without counting: `None` when it has none
    /// or it has ended.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn current(&self, key: &SecretHash, now: OffsetDateTime) -> Result<Option<WindowCount>, PortError>;
}
