//! The profile directory in memory: the profiles it knows, and how often
//! it was read.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use crate::ports::ProfileDirectory;
use crate::{PortError, PublicProfile, UserId};

/// Knows `profiles`; answers in its own order, not the order asked.
pub(crate) struct MemoryDirectory {
    profiles: Mutex<Vec<PublicProfile>>,
    reads: AtomicUsize,
}

impl MemoryDirectory {
    pub(crate) fn knowing(profiles: Vec<PublicProfile>) -> Self {
        Self { profiles: Mutex::new(profiles), reads: AtomicUsize::new(0) }
    }

    /// How many times it was read.
    pub(crate) fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ProfileDirectory for MemoryDirectory {
    async fn public_profiles(&self, ids: &[UserId]) -> Result<Vec<PublicProfile>, PortError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let known = self.profiles.lock().unwrap();
        Ok(known.iter().filter(|p| ids.contains(&p.id)).rev().cloned().collect())
    }
}
