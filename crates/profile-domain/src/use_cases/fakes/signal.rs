//! A work signal that counts how often it was given.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ports::WorkSignal;

/// Counts the signals.
#[derive(Default)]
pub(crate) struct CountingSignal(AtomicUsize);

impl CountingSignal {
    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl WorkSignal for CountingSignal {
    fn queued(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
