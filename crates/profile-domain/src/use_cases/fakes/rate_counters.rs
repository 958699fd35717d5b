//! The rate-counter store over the shared in-memory state.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{PortError, SecretHash};

use super::InMemoryStore;

#[async_trait]
impl crate::ports::RateCounterStore for InMemoryStore {
    async fn count(
        &self,
        _name: &str,
        key: &SecretHash,
        limit: &crate::RateLimit,
        now: OffsetDateTime,
    ) -> Result<crate::ports::WindowCount, PortError> {
        let mut state = self.state();
        state.rate_counts += 1;
        let fresh = crate::ports::WindowCount { count: 0, ends_at: now + limit.window };
        let window = state.rate_counters.entry(key.to_hex()).or_insert(fresh);
        if window.ends_at <= now {
            *window = fresh;
        }
        window.count += 1;
        Ok(*window)
    }

    async fn uncount(&self, key: &SecretHash, now: OffsetDateTime) -> Result<(), PortError> {
        if let Some(window) = self.state().rate_counters.get_mut(&key.to_hex())
            && window.ends_at > now
        {
            window.count = window.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn current(
        &self,
        key: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<crate::ports::WindowCount>, PortError> {
        Ok(self.state().rate_counters.get(&key.to_hex()).copied().filter(|w| w.ends_at > now))
    }
}
