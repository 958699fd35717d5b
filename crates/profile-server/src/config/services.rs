//! The `[[services]]` list and the `[profiles]` section: the product's
//! other services (the meeting-room service), each with the SHA-256 of its
//! key, the scopes the key grants, and the change events it subscribes to;
//! and how public profiles are read.

use profile_domain::{EventSubscriptions, ProviderId, ServiceEvent, WebhookSecret};
use profile_http::{ServiceClient, ServiceScope};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::config::environment::{SERVICE_EVENTS_SECRET, SERVICE_KEY_SHA256, id_part};

/// The most ids a batch may be configured to take.
const MAX_BATCH_IDS: usize = 10_000;
/// The longest a profile may be cached by its reader.
const MAX_CACHE_AGE_SECS: u64 = 3600;

/// One service, as configured in `[[services]]`.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The service's id (`rooms`).
    pub id: String,
    /// The SHA-256 (hex) of its key; or set `PROFILE_SERVICE_<ID>_KEY_SHA256`.
    #[serde(default)]
    pub key_sha256: Option<String>,
    /// What its key allows: `profiles:read`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Where its change events are POSTed; unset, it gets none.
    #[serde(default)]
    pub events_url: Option<String>,
    /// The secret events are signed with (`whsec_…`); or set
    /// `PROFILE_SERVICE_<ID>_EVENTS_SECRET`.
    #[serde(default)]
    pub events_secret: Option<String>,
    /// The events it subscribes to: `profile.updated`, `account.erased`.
    #[serde(default)]
    pub events: Vec<String>,
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("id", &self.id)
            .field("key_sha256", &self.key_sha256.as_ref().map(|_| "<redacted>"))
            .field("scopes", &self.scopes)
            .field("events_url", &self.events_url)
            .field("events_secret", &self.events_secret.as_ref().map(|_| "<redacted>"))
            .field("events", &self.events)
            .finish()
    }
}

/// `[profiles]`: how other services read public profiles.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfilesConfig {
    /// The most ids one `POST /v1/profiles/batch` may name.
    pub batch_max_ids: usize,
    /// `Cache-Control: private, max-age=` of a profile, in seconds.
    pub cache_max_age_secs: u64,
}

impl Default for ProfilesConfig {
    fn default() -> Self {
        Self { batch_max_ids: 500, cache_max_age_secs: 5 }
    }
}

impl ProfilesConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] saying which rule is broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.batch_max_ids == 0 || self.batch_max_ids > MAX_BATCH_IDS {
            return Err(ConfigError::Invalid("profiles.batch_max_ids must be between 1 and 10000".into()));
        }
        if self.cache_max_age_secs > MAX_CACHE_AGE_SECS {
            return Err(ConfigError::Invalid("profiles.cache_max_age_secs may be at most 3600".into()));
        }
        Ok(())
    }
}

/// A service that receives change events, ready for wiring.
pub struct EventEndpoint {
    pub id: ProviderId,
    pub url: url::Url,
    pub secret: WebhookSecret,
}

/// The services, checked: the clients for the HTTP adapter, the event
/// endpoints for the outbox, and who subscribes to what.
pub struct Services {
    pub clients: Vec<ServiceClient>,
    pub endpoints: Vec<EventEndpoint>,
    pub subscriptions: EventSubscriptions,
}

/// Checks the services; `provider_ids` are the mailing-list providers',
/// which share the outbox (and so its names) with the services.
///
/// # Errors
/// [`ConfigError::Invalid`] naming the service and what is wrong (never
/// quoting a key hash or a secret).
pub fn services(configs: &[ServiceConfig], provider_ids: &[ProviderId]) -> Result<Services, ConfigError> {
    let mut clients: Vec<ServiceClient> = Vec::with_capacity(configs.len());
    let mut endpoints = Vec::new();
    let mut subscriptions = Vec::new();
    for s in configs {
        let invalid = |what: &str| ConfigError::Invalid(format!("service {:?}: {what}", s.id));
        let id = ProviderId::parse(&s.id).map_err(|_| {
            invalid("a service id is 1 to 64 lower-case letters, digits, _ or -, starting with a letter")
        })?;
        if clients.iter().any(|c| id_part(c.id.as_str()) == id_part(&s.id)) {
            return Err(invalid("another service's id is the same, or differs only in - and _"));
        }
        if provider_ids.contains(&id) {
            return Err(invalid("a mailing-list provider has the same id"));
        }
        let mut key_sha256 = [0_u8; 32];
        let hash = s.key_sha256.as_deref().ok_or_else(|| {
            invalid(&format!("key_sha256 is required (or set {})", SERVICE_KEY_SHA256.name_for(&s.id)))
        })?;
        hex::decode_to_slice(hash.trim(), &mut key_sha256)
            .map_err(|_| invalid("key_sha256 must be 64 hex digits (a SHA-256)"))?;
        if clients.iter().any(|c| c.key_sha256 == key_sha256) {
            return Err(invalid("another service has the same key"));
        }
        let scopes = s
            .scopes
            .iter()
            .map(|name| ServiceScope::parse(name).ok_or_else(|| invalid(&format!("unknown scope {name:?}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let events = s
            .events
            .iter()
            .map(|name| ServiceEvent::parse(name).ok_or_else(|| invalid(&format!("unknown event {name:?}"))))
            .collect::<Result<Vec<_>, _>>()?;
        match (&s.events_url, events.is_empty()) {
            (None, false) => return Err(invalid("events needs events_url")),
            (Some(_), true) => return Err(invalid("events_url needs events to send")),
            (None, true) => {}
            (Some(url), false) => {
                let url = url::Url::parse(url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .ok_or_else(|| invalid("events_url must be an http or https URL"))?;
                let secret = s
                    .events_secret
                    .as_deref()
                    .ok_or_else(|| {
                        invalid(&format!(
                            "events_secret is required with events_url (or set {})",
                            SERVICE_EVENTS_SECRET.name_for(&s.id)
                        ))
                    })
                    .and_then(|text| WebhookSecret::parse(text).map_err(|e| invalid(&format!("events_secret: {e}"))))?;
                endpoints.push(EventEndpoint { id: id.clone(), url, secret });
                subscriptions.push((id.clone(), events));
            }
        }
        clients.push(ServiceClient { id: s.id.clone(), key_sha256, scopes });
    }
    Ok(Services { clients, endpoints, subscriptions: EventSubscriptions::new(subscriptions) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn service(id: &str) -> ServiceConfig {
        ServiceConfig {
            id: id.into(),
            key_sha256: Some("ab".repeat(32)),
            scopes: vec!["profiles:read".into()],
            events_url: Some("https://rooms.example.com/events".into()),
            events_secret: Some(SECRET.into()),
            events: vec!["profile.updated".into(), "account.erased".into()],
        }
    }

    #[test]
    fn a_service_gets_its_client_its_endpoint_and_its_subscriptions() {
        let checked = services(&[service("rooms")], &[]).unwrap();
        assert_eq!(checked.clients[0].scopes, [ServiceScope::ProfilesRead]);
        assert_eq!(checked.endpoints[0].url.as_str(), "https://rooms.example.com/events");
        assert_eq!(checked.subscriptions.receivers_of(ServiceEvent::AccountErased)[0].as_str(), "rooms");
        let quiet = ServiceConfig { events_url: None, events: vec![], ..service("quiet") };
        let checked = services(&[quiet], &[]).unwrap();
        assert!(checked.endpoints.is_empty() && checked.subscriptions.services().is_empty());
    }

    #[test]
    fn bad_services_are_refused_naming_them_and_never_quoting_a_secret() {
        let cases = [
            (service("Rooms"), "service id"),
            (ServiceConfig { key_sha256: None, ..service("a") }, "PROFILE_SERVICE_A_KEY_SHA256"),
            (ServiceConfig { key_sha256: Some("abc".into()), ..service("a") }, "64 hex"),
            (ServiceConfig { scopes: vec!["profiles:write".into()], ..service("a") }, "unknown scope"),
            (ServiceConfig { events: vec!["profile.deleted".into()], ..service("a") }, "unknown event"),
            (ServiceConfig { events_url: None, ..service("a") }, "needs events_url"),
            (ServiceConfig { events: vec![], ..service("a") }, "needs events"),
            (ServiceConfig { events_url: Some("ftp://x".into()), ..service("a") }, "events_url must"),
            (ServiceConfig { events_secret: None, ..service("a") }, "PROFILE_SERVICE_A_EVENTS_SECRET"),
            (ServiceConfig { events_secret: Some("whsec_c2hvcnQ=".into()), ..service("a") }, "events_secret"),
        ];
        for (bad, needle) in cases {
            let message = services(&[bad], &[]).err().unwrap().to_string();
            assert!(message.contains(needle), "{needle}: {message}");
            assert!(!message.contains("abab") && !message.contains("MfKQ") && !message.contains("c2hvcnQ"));
        }
        let clash = services(&[service("crm-eu"), service("crm_eu")], &[]);
        assert!(clash.err().unwrap().to_string().contains("differs only"));
        let same_key = services(&[service("a"), service("b")], &[]);
        assert!(same_key.err().unwrap().to_string().contains("same key"));
        let provider = services(&[service("lists")], &[ProviderId::parse("lists").unwrap()]);
        assert!(provider.err().unwrap().to_string().contains("provider"));
        let shown = format!("{:?}", service("a"));
        assert!(!shown.contains("abab") && !shown.contains("MfKQ"), "{shown}");
    }

    #[test]
    fn the_batch_limit_and_the_cache_age_are_checked_at_their_edges() {
        let ok = |batch_max_ids, cache_max_age_secs| ProfilesConfig { batch_max_ids, cache_max_age_secs }.validate();
        assert!(ok(1, 0).is_ok() && ok(10_000, 3600).is_ok());
        assert!(ok(0, 5).is_err() && ok(10_001, 5).is_err() && ok(500, 3601).is_err());
    }
}
