//! The housekeeping store in memory: records the cutoffs it was given and
//! answers with set counts.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::PortError;
use crate::ports::{HousekeepingStore, PurgeCutoffs, Purged};

/// Records each purge's cutoffs; answers `answer`.
#[derive(Default)]
pub(crate) struct RecordingHousekeeping {
    pub(crate) cutoffs: Mutex<Vec<PurgeCutoffs>>,
    pub(crate) answer: Purged,
}

#[async_trait]
impl HousekeepingStore for RecordingHousekeeping {
    async fn purge(&self, cutoffs: &PurgeCutoffs) -> Result<Purged, PortError> {
        self.cutoffs.lock().unwrap().push(*cutoffs);
        Ok(self.answer)
    }
}
