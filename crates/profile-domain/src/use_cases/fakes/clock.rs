//! A clock that moves only when told.

use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use crate::ports::Clock;

/// A clock that moves only when told.
pub(crate) struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub(crate) fn at(now: OffsetDateTime) -> Self {
        Self(Mutex::new(now))
    }
    pub(crate) fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}
