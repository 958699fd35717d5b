//! The clock port.

use time::OffsetDateTime;

/// Tells the time, so tests can set it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current moment in UTC.
    fn now(&self) -> OffsetDateTime;
}
