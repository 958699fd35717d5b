//! The session store over the shared in-memory state.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ports::SessionStore;
use crate::{PortError, SecretHash, Session, SessionId};

use super::InMemoryStore;

#[async_trait]
impl SessionStore for InMemoryStore {
    async fn find(&self, token_hash: &SecretHash) -> Result<Option<Session>, PortError> {
        Ok(self.state().sessions.values().find(|s| &s.token_hash == token_hash).cloned())
    }

    async fn touch(&self, id: SessionId, now: OffsetDateTime) -> Result<(), PortError> {
        if let Some(s) = self.state().sessions.get_mut(&id) {
            s.last_seen_at = now;
        }
        Ok(())
    }

    async fn delete(&self, id: SessionId) -> Result<bool, PortError> {
        Ok(self.state().sessions.remove(&id).is_some())
    }

    async fn sign_out(&self, id: SessionId, now: OffsetDateTime) -> Result<bool, PortError> {
        let mut state = self.state();
        let Some(ended) = state.sessions.remove(&id) else { return Ok(false) };
        state.signed_out.push((ended.user_id, now));
        Ok(true)
    }
}
