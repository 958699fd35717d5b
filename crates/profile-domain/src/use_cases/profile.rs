//! The profile: reading it and changing the display name.

use std::sync::Arc;

use super::draw;
use crate::ports::{AccountStore, Clock, NoSignal, Randomness, WorkSignal};
use crate::{Account, DisplayName, EventSubscriptions, PortError, ServiceEvent, UserId};

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

/// Who hears of a change of the public profile, and how.
#[derive(Clone)]
pub struct ProfileEvents {
    /// The services and the events they subscribe to.
    pub subscriptions: EventSubscriptions,
    /// Draws the notices' ids.
    pub random: Arc<dyn Randomness>,
    /// Wakes the delivery workers after a change queued notices.
    pub signal: Arc<dyn WorkSignal>,
}

impl ProfileEvents {
    /// Nobody hears of anything.
    #[must_use]
    pub fn none(random: Arc<dyn Randomness>) -> Self {
        Self { subscriptions: EventSubscriptions::default(), random, signal: Arc::new(NoSignal) }
    }

    /// A fresh `profile.updated` notice for each subscribed service.
    pub(crate) fn notices(&self) -> Vec<crate::NoticeFor> {
        draw::service_notices(self.random.as_ref(), &self.subscriptions, ServiceEvent::ProfileUpdated)
    }

    /// Wakes the workers when `notify` queued anything.
    pub(crate) fn queued(&self, notify: &[crate::NoticeFor]) {
        self.signal.queued_any(notify);
    }
}

/// The profile use case.
pub struct Profiles {
    accounts: Arc<dyn AccountStore>,
    clock: Arc<dyn Clock>,
    events: Option<ProfileEvents>,
}

impl Profiles {
    /// Builds the use case over its ports.
    pub fn new(accounts: Arc<dyn AccountStore>, clock: Arc<dyn Clock>) -> Self {
        Self { accounts, clock, events: None }
    }

    /// Tells the subscribed services of every rename (`profile.updated`).
    #[must_use]
    pub fn with_events(mut self, events: ProfileEvents) -> Self {
        self.events = Some(events);
        self
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
        let notify = self.events.as_ref().map(ProfileEvents::notices).unwrap_or_default();
        let account = self.accounts.set_display_name(user, name, now, &notify).await?.ok_or(ProfileError::NotFound)?;
        if let Some(events) = &self.events {
            events.queued(&notify);
        }
        Ok(account)
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
    async fn a_rename_tells_each_subscribed_service_without_the_address_and_wakes_the_worker() {
        use crate::use_cases::fakes::SeqRandom;
        use crate::use_cases::fakes::signal::CountingSignal;
        let store = Arc::new(InMemoryStore::default());
        let created = datetime!(2026-11-29 12:00 UTC);
        let account = Account::new(UserId::new_v7(1, [1; 10]), EmailAddress::parse("a@b.co").unwrap(), created);
        store.state().accounts.insert(account.id, account.clone());
        let rooms = crate::ProviderId::parse("rooms").unwrap();
        let signal = Arc::new(CountingSignal::default());
        let events = ProfileEvents {
            subscriptions: EventSubscriptions::new(vec![(rooms.clone(), vec![ServiceEvent::ProfileUpdated])]),
            random: Arc::new(SeqRandom::from_words(&[])),
            signal: signal.clone(),
        };
        let profiles = Profiles::new(store.clone(), Arc::new(FixedClock::at(created))).with_events(events);
        profiles.rename(account.id, &DisplayName::parse("Ada").unwrap()).await.unwrap();
        assert_eq!(signal.count(), 1, "the worker is woken once");
        let state = store.state();
        assert_eq!(state.notices.len(), 1);
        let notice = &state.notices[0].notice;
        assert_eq!((&notice.provider, notice.email.as_ref()), (&rooms, None));
        let crate::ProviderEvent::ProfileUpdated { profile } = &notice.event else { panic!("{:?}", notice.event) };
        assert_eq!(profile.display_name.as_ref().map(DisplayName::as_str), Some("Ada"));
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
