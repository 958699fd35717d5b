//! The profile: reading it and changing the display name.

use std::sync::Arc;

use super::draw;
use crate::ports::{AccountStore, Clock};
use crate::{Account, DisplayName, PortError, UserId};

/// Why a profile operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The account does not exist (any more).
    #[error("the account does not exist")]
    NotFound,
    /// Storage failed; nothing changed.
    #[error("could not read or change the profile")]
    Unexpected(#[from] PortError),
}

/// The profile use case.
pub struct Profiles {
    accounts: Arc<dyn AccountStore>,
    clock: Arc<dyn Clock>,
}

impl Profiles {
    /// Builds the use case over its ports.
    pub fn new(accounts: Arc<dyn AccountStore>, clock: Arc<dyn Clock>) -> Self {
        Self { accounts, clock }
    }

    /// The user's profile.
    ///
    /// # Errors
    /// [`ProfileError::NotFound`] when the account is gone.
    pub async fn get(&self, user: UserId) -> Result<Account, ProfileError> {
        self.accounts.get(user).await?.ok_or(ProfileError::NotFound)
    }

    /// Changes the display name and returns the updated profile.
    ///
    /// # Errors
    /// [`ProfileError::NotFound`] when the account is gone.
    pub async fn rename(&self, user: UserId, name: &DisplayName) -> Result<Account, ProfileError> {
        let now = draw::now_millis(self.clock.as_ref());
        self.accounts.set_display_name(user, name, now).await?.ok_or(ProfileError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::EmailAddress;
    use crate::use_cases::fakes::{FixedClock, InMemoryStore};

    #[tokio::test]
    async fn renaming_changes_the_name_and_the_update_time_only() {
        let store = Arc::new(InMemoryStore::default());
        let created = datetime!(2026-11-29 12:00 UTC);
        let account = Account::new(UserId::new_v7(1, [1; 10]), EmailAddress::parse("a@b.co").unwrap(), created);
        store.state().accounts.insert(account.id, account.clone());
        let clock = Arc::new(FixedClock::at(created));
        clock.advance(Duration::hours(1));
        let profiles = Profiles::new(store, clock);
        let renamed = profiles.rename(account.id, &DisplayName::parse("Ada").unwrap()).await.unwrap();
        assert_eq!(renamed.display_name.unwrap().as_str(), "Ada");
        assert_eq!(renamed.updated_at, created + Duration::hours(1));
        assert_eq!((renamed.created_at, renamed.email), (created, account.email));
    }

    #[tokio::test]
    async fn a_missing_account_is_not_found() {
        let profiles = Profiles::new(
            Arc::new(InMemoryStore::default()),
            Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC))),
        );
        let missing = UserId::new_v7(1, [2; 10]);
        assert!(matches!(profiles.get(missing).await, Err(ProfileError::NotFound)));
        let name = DisplayName::parse("Ada").unwrap();
        assert!(matches!(profiles.rename(missing, &name).await, Err(ProfileError::NotFound)));
    }
}
