//! The configuration's sections, each with its defaults and its checks:
//! limits, sign-in, the outbox, address changes, consent purposes,
//! retention, caches, deletion.

use profile_domain::{OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind};
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The longest grace period before an erasure starts: 30 days.
const MAX_DELETION_GRACE_SECS: u64 = 30 * 24 * 3600;
/// The longest a sign-in or change code may be made to work: an hour.
const MAX_CODE_TTL_SECS: u64 = 3600;
/// The longest a session, or a revert link, may be made to last: 366 days.
const MAX_SESSION_TTL_SECS: u64 = 366 * 24 * 3600;

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

impl LimitsConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let limits = [
            &self.sign_in_per_address,
            &self.sign_in_per_ip,
            &self.verify_per_ip,
            &self.verify_per_address,
            &self.operator_key_failures_per_ip,
            &self.picture_uploads_per_user,
            &self.exports_per_user,
            &self.service_key_failures_per_ip,
        ];
        if limits.iter().any(|l| l.max == 0 || l.window_secs == 0) {
            return invalid("every limit needs max and window_secs greater than zero");
        }
        Ok(())
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

impl SignInConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.max_attempts == 0 || self.code_ttl_secs == 0 || self.session_ttl_secs == 0 {
            return invalid("sign_in values must be greater than zero");
        }
        if self.code_ttl_secs > MAX_CODE_TTL_SECS || self.session_ttl_secs > MAX_SESSION_TTL_SECS {
            return invalid("sign_in.code_ttl_secs may be at most 3600 and sign_in.session_ttl_secs at most 31622400");
        }
        Ok(())
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

impl OutboxConfig {
    /// `send_timeout_secs`: the longest one send may take.
    pub(super) fn validate(&self, send_timeout_secs: u64) -> Result<(), ConfigError> {
        if self.lease_secs <= send_timeout_secs {
            return invalid("outbox.lease_secs must be longer than one send may take (30 seconds)");
        }
        if [self.poll_interval_ms, self.retry_base_secs, self.lease_secs, u64::from(self.batch_size)].contains(&0)
            || self.retry_max_secs < self.retry_base_secs
        {
            return invalid("outbox values must be above zero, and retry_max_secs at least retry_base_secs");
        }
        Ok(())
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

impl EmailChangeConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if [self.code_ttl_secs, self.recent_sign_in_secs, self.revert_ttl_secs].contains(&0)
            || [self.max_attempts, self.codes_per_user_per_hour, self.codes_per_address_per_hour].contains(&0)
        {
            return invalid("email_change values must be above zero (resend_cooldown_secs may be zero)");
        }
        if self.code_ttl_secs > MAX_CODE_TTL_SECS || self.revert_ttl_secs > MAX_SESSION_TTL_SECS {
            return invalid("email_change.code_ttl_secs may be at most 3600 and revert_ttl_secs at most 31622400");
        }
        Ok(())
    }
}

/// One purpose of the consent catalogue, as configured.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PurposeConfig {
    pub id: String,
    /// `email` or `data_use`.
    pub kind: PurposeKind,
    pub title: String,
    pub description: String,
    pub version: u32,
    /// `keep` (default) or `ask_again`: what a new version does to answers
    /// given to an older one.
    #[serde(default)]
    pub on_new_version: OnNewVersion,
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
        let purpose = |id: &str, kind, title: &str, description: &str| PurposeConfig {
            id: id.into(),
            kind,
            title: title.into(),
            description: description.into(),
            version: 1,
            on_new_version: OnNewVersion::Keep,
        };
        Self {
            purposes: vec![
                purpose(
                    "product_news",
                    PurposeKind::Email,
                    "Product news",
                    "Occasional emails about new features and changes.",
                ),
                purpose(
                    "event_reminders",
                    PurposeKind::Email,
                    "Event reminders",
                    "Reminders before meetings and events you joined.",
                ),
                purpose("newsletter", PurposeKind::Email, "Newsletter", "A monthly newsletter with tips and stories."),
                purpose(
                    "usage_analytics",
                    PurposeKind::DataUse,
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
            purposes.push(Purpose {
                id: PurposeId::parse(&p.id).map_err(|e| invalid(&e.to_string()))?,
                kind: p.kind,
                title: p.title.clone(),
                description: p.description.clone(),
                version: p.version,
                on_new_version: p.on_new_version,
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

impl RetentionConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.housekeeping_interval_secs == 0 {
            return invalid("retention.housekeeping_interval_secs must be above zero");
        }
        Ok(())
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

impl CacheConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.max_entries == 0 || !(1..=500).contains(&self.poll_interval_ms) {
            return invalid("cache.max_entries must be above zero and cache.poll_interval_ms between 1 and 500");
        }
        Ok(())
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

impl DeletionConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.grace_secs > MAX_DELETION_GRACE_SECS {
            return invalid("deletion.grace_secs may be at most 2592000 (30 days)");
        }
        Ok(())
    }
}

fn invalid(what: &str) -> Result<(), ConfigError> {
    Err(ConfigError::Invalid(what.to_owned()))
}
