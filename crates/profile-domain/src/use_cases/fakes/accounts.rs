//! The account store over the shared in-memory state.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ports::AccountStore;
use crate::{Account, DisplayName, EmailAddress, PortError, UserId};

use super::InMemoryStore;

#[async_trait]
impl AccountStore for InMemoryStore {
    async fn get(&self, id: UserId) -> Result<Option<Account>, PortError> {
        Ok(self.state().accounts.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, PortError> {
        Ok(self.state().accounts.values().find(|a| &a.email == email).cloned())
    }

    async fn set_display_name(
        &self,
        id: UserId,
        name: &DisplayName,
        now: OffsetDateTime,
        notify: &[crate::NoticeFor],
    ) -> Result<Option<Account>, PortError> {
        let mut state = self.state();
        let Some(account) = state.accounts.get_mut(&id) else { return Ok(None) };
        account.display_name = Some(name.clone());
        account.updated_at = now;
        let account = account.clone();
        state.queue_profile_updated(id, notify);
        Ok(Some(account))
    }
}
