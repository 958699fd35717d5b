//! The unsubscribe store over the shared in-memory state.

use async_trait::async_trait;

use crate::ports::ConsentStore;
use crate::{Account, EmailAddress, PortError, SecretHash, UserId};

use super::InMemoryStore;

#[async_trait]
impl crate::ports::UnsubscribeStore for InMemoryStore {
    async fn keys_for(
        &self,
        purpose: &crate::PurposeId,
        users: &[UserId],
    ) -> Result<Vec<crate::UnsubscribeKey>, PortError> {
        let state = self.state();
        Ok(state
            .unsubscribe_keys
            .iter()
            .filter(|k| &k.purpose_id == purpose && users.contains(&k.user_id))
            .cloned()
            .collect())
    }

    async fn key_or_insert(&self, key: &crate::UnsubscribeKey) -> Result<crate::UnsubscribeKey, PortError> {
        let mut state = self.state();
        if let Some(existing) =
            state.unsubscribe_keys.iter().find(|k| k.user_id == key.user_id && k.purpose_id == key.purpose_id)
        {
            return Ok(existing.clone());
        }
        state.unsubscribe_keys.push(key.clone());
        Ok(key.clone())
    }

    async fn replace(
        &self,
        stale: &SecretHash,
        key: &crate::UnsubscribeKey,
    ) -> Result<crate::UnsubscribeKey, PortError> {
        let mut state = self.state();
        for k in &mut state.unsubscribe_keys {
            if &k.lookup == stale && k.user_id == key.user_id && k.purpose_id == key.purpose_id {
                *k = key.clone();
            }
        }
        let in_force =
            state.unsubscribe_keys.iter().find(|k| k.user_id == key.user_id && k.purpose_id == key.purpose_id);
        in_force.cloned().ok_or(PortError::msg("no key"))
    }

    async fn find(&self, lookup: &SecretHash) -> Result<Option<crate::UnsubscribeKey>, PortError> {
        Ok(self.state().unsubscribe_keys.iter().find(|k| &k.lookup == lookup).cloned())
    }

    async fn revoke(&self, user: UserId, purpose: &crate::PurposeId) -> Result<bool, PortError> {
        let mut state = self.state();
        let before = state.unsubscribe_keys.len();
        state.unsubscribe_keys.retain(|k| !(k.user_id == user && &k.purpose_id == purpose));
        Ok(state.unsubscribe_keys.len() < before)
    }

    async fn being_deleted(&self, users: &[UserId]) -> Result<Vec<UserId>, PortError> {
        Ok(self.state().being_deleted.iter().filter(|u| users.contains(u)).copied().collect())
    }

    async fn consenting(
        &self,
        filter: &crate::ports::ConsentFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, EmailAddress)>, PortError> {
        let mut users: Vec<(UserId, EmailAddress)> = Vec::new();
        let accounts: Vec<Account> = self.state().accounts.values().cloned().collect();
        for account in accounts {
            let answers = ConsentStore::answers(self, account.id).await?;
            let counts = answers.iter().any(|a| {
                a.purpose_id == filter.purpose_id
                    && a.granted
                    && (filter.older_versions_count || (a.version == filter.version && a.text_hash == filter.text_hash))
            });
            if counts && after.is_none_or(|cursor| account.id > cursor) {
                users.push((account.id, account.email));
            }
        }
        users.sort_by_key(|(id, _)| *id);
        users.truncate(limit as usize);
        Ok(users)
    }
}
