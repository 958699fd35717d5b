//! The work signal port: wakes this process's delivery workers when a
//! change has committed work for them, so a healthy receiver hears of it at
//! once instead of at the next poll.

/// Wakes the delivery workers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait WorkSignal: Send + Sync {
    /// A change committed notices to deliver. Must not block.
    fn queued(&self);

    /// [`queued`](Self::queued) when a change committed any of `notices`;
    /// a change that queued none wakes nobody.
    fn queued_any(&self, notices: &[crate::NoticeFor]) {
        if !notices.is_empty() {
            self.queued();
        }
    }
}

/// A signal that wakes nothing: the workers find the work at their next
/// poll.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSignal;

impl WorkSignal for NoSignal {
    fn queued(&self) {}
}
