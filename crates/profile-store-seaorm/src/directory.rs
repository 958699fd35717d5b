//! `ProfileDirectory` on sea-orm: public profiles read in one query (the
//! account, its current picture, and whether its deletion was asked for).

use async_trait::async_trait;
use profile_domain::ports::ProfileDirectory;
use profile_domain::{PortError, PublicProfile, UserId};

use crate::SeaOrmStore;
use crate::shared::read_public_profiles;

#[async_trait]
impl ProfileDirectory for SeaOrmStore {
    async fn public_profiles(&self, ids: &[UserId]) -> Result<Vec<PublicProfile>, PortError> {
        let Some(ticket) = self.caches.ticket() else { return Box::pin(read_public_profiles(&self.db, ids)).await };
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.caches.public(*id) {
                Some(cached) => found.extend(cached),
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        // Boxed: the query's future is made only on a miss.
        let read = Box::pin(read_public_profiles(&self.db, &missing)).await?;
        for id in missing {
            self.caches.keep_public(ticket, id, read.iter().find(|p| p.id == id));
        }
        found.extend(read);
        Ok(found)
    }
}
