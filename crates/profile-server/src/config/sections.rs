//! The configuration's sections with their defaults: limits, sign-in, the
//! outbox, address changes, consent purposes, retention, caches, deletion.

use profile_domain::{OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind};
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// A rate limit as configured: `max` events per `window_secs`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitConfig {
    /// Events allowed per window.
    pub max: u32,
    /// The window in seconds.
    pub window_secs: u64,
}

/// Rate limits of the API.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    pub sign_in_per_address: LimitConfig,
    pub sign_in_per_ip: LimitConfig,
    pub verify_per_ip: LimitConfig,
    pub verify_per_address: LimitConfig,
    pub operator_key_failures_per_ip: LimitConfig,
    pub picture_uploads_per_user: LimitConfig,
    pub exports_per_user: LimitConfig,
    pub service_key_failures_per_ip: LimitConfig,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            sign_in_per_address: LimitConfig { max: 5, window_secs: 900 },
            sign_in_per_ip: LimitConfig { max: 30, window_secs: 900 },
            verify_per_ip: LimitConfig { max: 60, window_secs: 900 },
            verify_per_address: LimitConfig { max: 10, window_secs: 900 },
            operator_key_failures_per_ip: LimitConfig { max: 10, window_secs: 900 },
            picture_uploads_per_user: LimitConfig { max: 20, window_secs: 900 },
            exports_per_user: LimitConfig { max: 5, window_secs: 3600 },
            service_key_failures_per_ip: LimitConfig { max: 10, window_secs: 900 },
        }
    }
}

/// Sign-in and session settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignInConfig {
    pub code_ttl_secs: u64,
    pub max_attempts: u32,
    pub session_ttl_secs: u64,
}

impl Default for SignInConfig {
    fn default() -> Self {
        Self { code_ttl_secs: 600, max_attempts: 5, session_ttl_secs: 30 * 24 * 3600 }
    }
}

/// Outbox delivery settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    pub poll_interval_ms: u64,
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    pub lease_secs: u64,
    pub batch_size: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self { poll_interval_ms: 500, retry_base_secs: 5, retry_max_secs: 600, lease_secs: 120, batch_size: 20 }
    }
}

/// Changes of login address.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailChangeConfig {
    pub code_ttl_secs: u64,
    pub max_attempts: u32,
    pub recent_sign_in_secs: u64,
    pub revert_ttl_secs: u64,
    pub resend_cooldown_secs: u64,
    pub codes_per_user_per_hour: u32,
    pub codes_per_address_per_hour: u32,
}

impl Default for EmailChangeConfig {
    fn default() -> Self {
        Self {
            code_ttl_secs: 900,
            max_attempts: 5,
            recent_sign_in_secs: 900,
            revert_ttl_secs: 7 * 24 * 3600,
            resend_cooldown_secs: 60,
            codes_per_user_per_hour: 5,
            codes_per_address_per_hour: 3,
        }
    }
}

/// One purpose of the consent catalogue, as configured.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PurposeConfig {
    pub id: String,
    /// `email` or `data_use`.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub version: u32,
    /// `keep` (default) or `ask_again`: what a new version does to answers
    /// given to an older one.
    #[serde(default = "keep")]
    pub on_new_version: String,
}

fn keep() -> String {
    "keep".into()
}

/// The consent catalogue.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentConfig {
    pub purposes: Vec<PurposeConfig>,
}

impl Default for ConsentConfig {
    /// A small example catalogue, so a first run shows the feature working;
    /// operators replace it with `[[consent.purposes]]` in their file.
    fn default() -> Self {
        let purpose = |id: &str, kind: &str, title: &str, description: &str| PurposeConfig {
            id: id.into(),
            kind: kind.into(),
            title: title.into(),
            description: description.into(),
            version: 1,
            on_new_version: keep(),
        };
        Self {
            purposes: vec![
                purpose("product_news", "email", "Product news", "Occasional emails about new features and changes."),
                purpose(
                    "event_reminders",
                    "email",
                    "Event reminders",
                    "Reminders before meetings and events you joined.",
                ),
                purpose("newsletter", "email", "Newsletter", "A monthly newsletter with tips and stories."),
                purpose(
                    "usage_analytics",
                    "data_use",
                    "Usage analytics",
                    "We may analyse how you use the product, without sharing it, to improve it.",
                ),
            ],
        }
    }
}

impl ConsentConfig {
    /// The catalogue as the domain takes it.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the purpose that is wrong.
    pub fn catalogue(&self) -> Result<PurposeCatalogue, ConfigError> {
        let mut purposes = Vec::with_capacity(self.purposes.len());
        for p in &self.purposes {
            let invalid = |what: &str| ConfigError::Invalid(format!("consent purpose {:?}: {what}", p.id));
            let kind = match p.kind.as_str() {
                "email" => PurposeKind::Email,
                "data_use" => PurposeKind::DataUse,
                _ => return Err(invalid("kind must be email or data_use")),
            };
            let on_new_version = match p.on_new_version.as_str() {
                "keep" => OnNewVersion::Keep,
                "ask_again" => OnNewVersion::AskAgain,
                _ => return Err(invalid("on_new_version must be keep or ask_again")),
            };
            purposes.push(Purpose {
                id: PurposeId::parse(&p.id).map_err(|e| invalid(&e.to_string()))?,
                kind,
                title: p.title.clone(),
                description: p.description.clone(),
                version: p.version,
                on_new_version,
            });
        }
        PurposeCatalogue::new(purposes).map_err(|e| ConfigError::Invalid(e.to_string()))
    }
}

/// How long finished records are kept, and how often housekeeping runs.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    pub finished_message_days: u64,
    pub housekeeping_interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self { finished_message_days: 7, housekeeping_interval_secs: 600 }
    }
}

/// The caches of the read path (sessions, accounts, pictures, public
/// profiles), kept true across instances by a feed in the database.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    pub enabled: bool,
    pub max_entries: usize,
    /// How often the invalidation feed is read; the caches are trusted for
    /// one second after a read.
    pub poll_interval_ms: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { enabled: true, max_entries: 200_000, poll_interval_ms: 250 }
    }
}

/// Account deletion.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeletionConfig {
    /// Keep a keyed hash of each erased address (off by default; see
    /// docs/deletion.md).
    pub suppress_erased_addresses: bool,
    /// Seconds after a request before the erasure starts, during which the
    /// user may sign in again and cancel (default 0: at once).
    pub grace_secs: u64,
}
