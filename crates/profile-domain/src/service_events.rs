//! Change events for the product's other services (the meeting-room service
//! shows names and pictures): which service hears of which event. They go
//! through the same durable outbox as the notices to mailing-list
//! providers, so a service is named by a [`ProviderId`] there, but a
//! service is never told an email address.

use crate::ProviderId;

/// An event a service can subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceEvent {
    /// `profile.updated`: the display name or the picture changed; the event
    /// carries the new public profile.
    ProfileUpdated,
    /// `account.erased`: the account was deleted; the event carries its id
    /// only (the same event name mailing-list providers get).
    AccountErased,
}

impl ServiceEvent {
    /// Every event.
    pub const ALL: [Self; 2] = [Self::ProfileUpdated, Self::AccountErased];

    /// The event's name, as configured and sent.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfileUpdated => crate::ProviderEvent::PROFILE_UPDATED,
            Self::AccountErased => crate::ProviderEvent::ACCOUNT_ERASED,
        }
    }

    /// The event with this name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// Which services receive which events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventSubscriptions(Vec<(ProviderId, Vec<ServiceEvent>)>);

impl EventSubscriptions {
    /// Each service with the events it subscribes to.
    #[must_use]
    pub fn new(subscriptions: Vec<(ProviderId, Vec<ServiceEvent>)>) -> Self {
        Self(subscriptions)
    }

    /// The services subscribed to `event`.
    #[must_use]
    pub fn receivers_of(&self, event: ServiceEvent) -> Vec<ProviderId> {
        self.0.iter().filter(|(_, events)| events.contains(&event)).map(|(id, _)| id.clone()).collect()
    }

    /// Every service that receives any event.
    #[must_use]
    pub fn services(&self) -> Vec<ProviderId> {
        self.0.iter().filter(|(_, events)| !events.is_empty()).map(|(id, _)| id.clone()).collect()
    }

    /// Whether `receiver` is one of the services (and so is never told an
    /// address).
    #[must_use]
    pub fn is_service(&self, receiver: &ProviderId) -> bool {
        self.0.iter().any(|(id, _)| id == receiver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_goes_to_the_services_that_subscribe_to_it() {
        let rooms = ProviderId::parse("rooms").unwrap();
        let audit = ProviderId::parse("audit").unwrap();
        let subscriptions = EventSubscriptions::new(vec![
            (rooms.clone(), vec![ServiceEvent::ProfileUpdated, ServiceEvent::AccountErased]),
            (audit.clone(), vec![ServiceEvent::AccountErased]),
        ]);
        assert_eq!(subscriptions.receivers_of(ServiceEvent::ProfileUpdated), std::slice::from_ref(&rooms));
        assert_eq!(subscriptions.receivers_of(ServiceEvent::AccountErased), [rooms.clone(), audit.clone()]);
        assert!(subscriptions.is_service(&audit));
        assert!(!subscriptions.is_service(&ProviderId::parse("listmonk").unwrap()));
    }

    #[test]
    fn event_names_parse_back() {
        for event in ServiceEvent::ALL {
            assert_eq!(ServiceEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(ServiceEvent::parse("consent.changed"), None);
    }
}
