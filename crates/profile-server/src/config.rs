//! Configuration: built-in defaults, then an optional TOML file, then
//! `PROFILE_*` environment variables (the environment wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::secret_text::SecretText;
use profile_domain::{OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind};
use serde::{Deserialize, Serialize};

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

/// The whole configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<SecretText>,
    pub database_max_connections: u32,
    pub public_url: Option<String>,
    pub secret_key: Option<SecretText>,
    /// The SHA-256 (hex) of the operator API key; unset turns the operator API off.
    pub operator_api_key_sha256: Option<SecretText>,
    pub smtp_url: Option<SecretText>,
    pub mail_dir: Option<PathBuf>,
    pub mail_from: String,
    pub product_name: String,
    pub log_format: String,
    pub trust_proxy_headers: bool,
    pub max_body_bytes: usize,
    pub shutdown_grace_secs: u64,
    pub sign_in: SignInConfig,
    pub limits: LimitsConfig,
    pub outbox: OutboxConfig,
    pub retention: RetentionConfig,
    pub cache: CacheConfig,
    pub deletion: DeletionConfig,
    pub email_change: EmailChangeConfig,
    pub consent: ConsentConfig,
    pub providers: crate::provider_config::ProvidersConfig,
    /// Where picture files go: `file://<dir>` or `s3://<bucket>[/<prefix>]`;
    /// unset, `file://<data_dir>/blobs`.
    pub blob_url: Option<String>,
    pub s3: profile_blob::S3Settings,
    pub pictures: crate::picture_config::PicturesConfig,
    /// `[profiles]`: how other services read public profiles.
    pub profiles: crate::service_config::ProfilesConfig,
    /// `[[services]]`: the product's other services.
    pub services: Vec<crate::service_config::ServiceConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_max_connections: 10,
            public_url: None,
            secret_key: None,
            operator_api_key_sha256: None,
            smtp_url: None,
            mail_dir: None,
            mail_from: "Profile <no-reply@localhost>".into(),
            product_name: "Profile".into(),
            log_format: "text".into(),
            trust_proxy_headers: false,
            max_body_bytes: 16 * 1024,
            shutdown_grace_secs: 10,
            sign_in: SignInConfig::default(),
            limits: LimitsConfig::default(),
            outbox: OutboxConfig::default(),
            retention: RetentionConfig::default(),
            cache: CacheConfig::default(),
            deletion: DeletionConfig::default(),
            email_change: EmailChangeConfig::default(),
            consent: ConsentConfig::default(),
            providers: crate::provider_config::ProvidersConfig::default(),
            blob_url: None,
            s3: profile_blob::S3Settings::default(),
            pictures: crate::picture_config::PicturesConfig::default(),
            profiles: crate::service_config::ProfilesConfig::default(),
            services: Vec::new(),
        }
    }
}

/// The longest grace period before an erasure starts: 30 days.
const MAX_DELETION_GRACE_SECS: u64 = 30 * 24 * 3600;
/// The longest a sign-in code may be made to work: an hour.
const MAX_CODE_TTL_SECS: u64 = 3600;
/// The longest a session may be made to last: 366 days.
const MAX_SESSION_TTL_SECS: u64 = 366 * 24 * 3600;

/// The kind of value an environment variable holds.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Boolean,
}

/// Every environment variable read, and the configuration key it sets.
const ENVIRONMENT: &[(&str, &str, Kind)] = &[
    ("PROFILE_BIND", "bind", Kind::Text),
    ("PROFILE_DATA_DIR", "data_dir", Kind::Text),
    ("PROFILE_DATABASE_URL", "database_url", Kind::Text),
    ("PROFILE_DATABASE_MAX_CONNECTIONS", "database_max_connections", Kind::Integer),
    ("PROFILE_PUBLIC_URL", "public_url", Kind::Text),
    ("PROFILE_SECRET_KEY", "secret_key", Kind::Text),
    ("PROFILE_OPERATOR_API_KEY_SHA256", "operator_api_key_sha256", Kind::Text),
    ("PROFILE_SMTP_URL", "smtp_url", Kind::Text),
    ("PROFILE_BLOB_URL", "blob_url", Kind::Text),
    ("PROFILE_S3_ENDPOINT", "s3.endpoint", Kind::Text),
    ("PROFILE_S3_REGION", "s3.region", Kind::Text),
    ("PROFILE_S3_ACCESS_KEY_ID", "s3.access_key_id", Kind::Text),
    ("PROFILE_S3_SECRET_ACCESS_KEY", "s3.secret_access_key", Kind::Text),
    ("PROFILE_S3_ALLOW_HTTP", "s3.allow_http", Kind::Boolean),
    ("PROFILE_PICTURES_MAX_BYTES", "pictures.max_bytes", Kind::Integer),
    ("PROFILE_PICTURES_MAX_PIXELS", "pictures.max_pixels", Kind::Integer),
    ("PROFILE_PICTURES_JPEG_QUALITY", "pictures.jpeg_quality", Kind::Integer),
    ("PROFILE_PICTURES_PENDING_TTL_SECS", "pictures.pending_ttl_secs", Kind::Integer),
    ("PROFILE_PICTURES_PARALLEL", "pictures.parallel", Kind::Integer),
    ("PROFILE_PICTURES_UPLOAD_WAIT_SECS", "pictures.upload_wait_secs", Kind::Integer),
    ("PROFILE_PICTURES_UPLOAD_READ_TIMEOUT_SECS", "pictures.upload_read_timeout_secs", Kind::Integer),
    ("PROFILE_MAIL_DIR", "mail_dir", Kind::Text),
    ("PROFILE_MAIL_FROM", "mail_from", Kind::Text),
    ("PROFILE_PRODUCT_NAME", "product_name", Kind::Text),
    ("PROFILE_LOG_FORMAT", "log_format", Kind::Text),
    ("PROFILE_TRUST_PROXY_HEADERS", "trust_proxy_headers", Kind::Boolean),
    ("PROFILE_DELETION_SUPPRESS_ERASED_ADDRESSES", "deletion.suppress_erased_addresses", Kind::Boolean),
    ("PROFILE_DELETION_GRACE_SECS", "deletion.grace_secs", Kind::Integer),
    ("PROFILE_MAX_BODY_BYTES", "max_body_bytes", Kind::Integer),
    ("PROFILE_SHUTDOWN_GRACE_SECS", "shutdown_grace_secs", Kind::Integer),
    ("PROFILE_SIGN_IN_CODE_TTL_SECS", "sign_in.code_ttl_secs", Kind::Integer),
    ("PROFILE_SIGN_IN_MAX_ATTEMPTS", "sign_in.max_attempts", Kind::Integer),
    ("PROFILE_SIGN_IN_SESSION_TTL_SECS", "sign_in.session_ttl_secs", Kind::Integer),
    ("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_MAX", "limits.sign_in_per_address.max", Kind::Integer),
    ("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_WINDOW_SECS", "limits.sign_in_per_address.window_secs", Kind::Integer),
    ("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "limits.sign_in_per_ip.max", Kind::Integer),
    ("PROFILE_LIMITS_SIGN_IN_PER_IP_WINDOW_SECS", "limits.sign_in_per_ip.window_secs", Kind::Integer),
    ("PROFILE_LIMITS_VERIFY_PER_IP_MAX", "limits.verify_per_ip.max", Kind::Integer),
    ("PROFILE_LIMITS_VERIFY_PER_IP_WINDOW_SECS", "limits.verify_per_ip.window_secs", Kind::Integer),
    ("PROFILE_LIMITS_VERIFY_PER_ADDRESS_MAX", "limits.verify_per_address.max", Kind::Integer),
    ("PROFILE_LIMITS_VERIFY_PER_ADDRESS_WINDOW_SECS", "limits.verify_per_address.window_secs", Kind::Integer),
    ("PROFILE_LIMITS_OPERATOR_KEY_FAILURES_PER_IP_MAX", "limits.operator_key_failures_per_ip.max", Kind::Integer),
    (
        "PROFILE_LIMITS_OPERATOR_KEY_FAILURES_PER_IP_WINDOW_SECS",
        "limits.operator_key_failures_per_ip.window_secs",
        Kind::Integer,
    ),
    ("PROFILE_LIMITS_PICTURE_UPLOADS_PER_USER_MAX", "limits.picture_uploads_per_user.max", Kind::Integer),
    (
        "PROFILE_LIMITS_PICTURE_UPLOADS_PER_USER_WINDOW_SECS",
        "limits.picture_uploads_per_user.window_secs",
        Kind::Integer,
    ),
    ("PROFILE_LIMITS_EXPORTS_PER_USER_MAX", "limits.exports_per_user.max", Kind::Integer),
    ("PROFILE_LIMITS_SERVICE_KEY_FAILURES_PER_IP_MAX", "limits.service_key_failures_per_ip.max", Kind::Integer),
    (
        "PROFILE_LIMITS_SERVICE_KEY_FAILURES_PER_IP_WINDOW_SECS",
        "limits.service_key_failures_per_ip.window_secs",
        Kind::Integer,
    ),
    ("PROFILE_PROFILES_BATCH_MAX_IDS", "profiles.batch_max_ids", Kind::Integer),
    ("PROFILE_CACHE_ENABLED", "cache.enabled", Kind::Boolean),
    ("PROFILE_CACHE_MAX_ENTRIES", "cache.max_entries", Kind::Integer),
    ("PROFILE_CACHE_POLL_INTERVAL_MS", "cache.poll_interval_ms", Kind::Integer),
    ("PROFILE_PROFILES_CACHE_MAX_AGE_SECS", "profiles.cache_max_age_secs", Kind::Integer),
    ("PROFILE_LIMITS_EXPORTS_PER_USER_WINDOW_SECS", "limits.exports_per_user.window_secs", Kind::Integer),
    ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "outbox.poll_interval_ms", Kind::Integer),
    ("PROFILE_OUTBOX_RETRY_BASE_SECS", "outbox.retry_base_secs", Kind::Integer),
    ("PROFILE_OUTBOX_RETRY_MAX_SECS", "outbox.retry_max_secs", Kind::Integer),
    ("PROFILE_OUTBOX_LEASE_SECS", "outbox.lease_secs", Kind::Integer),
    ("PROFILE_OUTBOX_BATCH_SIZE", "outbox.batch_size", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_CODE_TTL_SECS", "email_change.code_ttl_secs", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_MAX_ATTEMPTS", "email_change.max_attempts", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_RECENT_SIGN_IN_SECS", "email_change.recent_sign_in_secs", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_REVERT_TTL_SECS", "email_change.revert_ttl_secs", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "email_change.resend_cooldown_secs", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_CODES_PER_USER_PER_HOUR", "email_change.codes_per_user_per_hour", Kind::Integer),
    ("PROFILE_EMAIL_CHANGE_CODES_PER_ADDRESS_PER_HOUR", "email_change.codes_per_address_per_hour", Kind::Integer),
    ("PROFILE_RETENTION_FINISHED_MESSAGE_DAYS", "retention.finished_message_days", Kind::Integer),
    ("PROFILE_RETENTION_HOUSEKEEPING_INTERVAL_SECS", "retention.housekeeping_interval_secs", Kind::Integer),
];

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration file is not valid TOML: {0}")]
    Toml(String),
    #[error("{var} must be {expected}")]
    Env { var: &'static str, expected: &'static str },
    #[error("the configuration is not valid: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration from `file` (if given) and the environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming what is wrong.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut table = toml::Table::try_from(Self::default())
            .map_err(|e| ConfigError::Invalid(format!("the defaults do not serialise: {e}")))?;
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
            // Only the message and the position: the quoted line could hold
            // a password or the secret key.
            let parsed = text.parse::<toml::Table>().map_err(|e| {
                let line = e.span().map(|s| text[..s.start].lines().count().max(1));
                ConfigError::Toml(format!("{} (line {})", e.message(), line.unwrap_or(0)))
            })?;
            merge(&mut table, parsed);
        }
        for &(var, key, kind) in ENVIRONMENT {
            let Some(raw) = env(var).filter(|v| !v.is_empty()) else { continue };
            let value = match kind {
                Kind::Text => toml::Value::String(raw),
                Kind::Integer => toml::Value::Integer(
                    raw.trim().parse().map_err(|_| ConfigError::Env { var, expected: "a whole number" })?,
                ),
                Kind::Boolean => toml::Value::Boolean(match raw.trim() {
                    "1" | "true" | "yes" => true,
                    "0" | "false" | "no" => false,
                    _ => return Err(ConfigError::Env { var, expected: "true or false" }),
                }),
            };
            set_path(&mut table, key, value);
        }
        let mut config: Self =
            table.try_into().map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned()))?;
        config.providers.fill_secrets(&env);
        crate::service_config::fill_secrets(&mut config.services, &env);
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return invalid("log_format must be text or json");
        }
        if self.sign_in.max_attempts == 0 || self.sign_in.code_ttl_secs == 0 || self.sign_in.session_ttl_secs == 0 {
            return invalid("sign_in values must be greater than zero");
        }
        if self.sign_in.code_ttl_secs > MAX_CODE_TTL_SECS || self.sign_in.session_ttl_secs > MAX_SESSION_TTL_SECS {
            return invalid("sign_in.code_ttl_secs may be at most 3600 and sign_in.session_ttl_secs at most 31622400");
        }
        let l = &self.limits;
        let limits = [
            &l.sign_in_per_address,
            &l.sign_in_per_ip,
            &l.verify_per_ip,
            &l.verify_per_address,
            &l.operator_key_failures_per_ip,
            &l.picture_uploads_per_user,
            &l.exports_per_user,
            &l.service_key_failures_per_ip,
        ];
        if limits.iter().any(|l| l.max == 0 || l.window_secs == 0) {
            return invalid("every limit needs max and window_secs greater than zero");
        }
        if self.max_body_bytes < 256 {
            return invalid("max_body_bytes must be at least 256");
        }
        let outbox = &self.outbox;
        if outbox.lease_secs <= profile_email::SEND_TIMEOUT.as_secs() {
            return invalid("outbox.lease_secs must be longer than one send may take (30 seconds)");
        }
        if [outbox.poll_interval_ms, outbox.retry_base_secs, outbox.lease_secs, u64::from(outbox.batch_size)]
            .contains(&0)
            || outbox.retry_max_secs < outbox.retry_base_secs
        {
            return invalid("outbox values must be above zero, and retry_max_secs at least retry_base_secs");
        }
        let change = &self.email_change;
        if [change.code_ttl_secs, change.recent_sign_in_secs, change.revert_ttl_secs].contains(&0)
            || [change.max_attempts, change.codes_per_user_per_hour, change.codes_per_address_per_hour].contains(&0)
        {
            return invalid("email_change values must be above zero (resend_cooldown_secs may be zero)");
        }
        if change.code_ttl_secs > MAX_CODE_TTL_SECS || change.revert_ttl_secs > MAX_SESSION_TTL_SECS {
            return invalid("email_change.code_ttl_secs may be at most 3600 and revert_ttl_secs at most 31622400");
        }
        let (_, routes) = self.providers.endpoints(&self.consent.catalogue()?)?;
        crate::service_config::services(&self.services, &routes.providers())?;
        self.profiles.validate()?;
        self.providers.validate_pacing(profile_webhook::DELIVERY_TIMEOUT.as_secs())?;
        self.pictures.validate()?;
        if self.deletion.grace_secs > MAX_DELETION_GRACE_SECS {
            return invalid("deletion.grace_secs may be at most 2592000 (30 days)");
        }
        if self.blob_url.as_deref().is_some_and(|u| !u.starts_with("file://") && !u.starts_with("s3://")) {
            return invalid("blob_url must start with file:// or s3://");
        }
        self.operator_key_sha256()?;
        if self.cache.max_entries == 0 || !(1..=500).contains(&self.cache.poll_interval_ms) {
            return invalid("cache.max_entries must be above zero and cache.poll_interval_ms between 1 and 500");
        }
        if self.retention.housekeeping_interval_secs == 0 {
            return invalid("retention.housekeeping_interval_secs must be above zero");
        }
        Ok(())
    }

    /// The operator API key's SHA-256 as bytes.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when it is not 64 hex digits.
    pub fn operator_key_sha256(&self) -> Result<Option<[u8; 32]>, ConfigError> {
        let Some(text) = &self.operator_api_key_sha256 else { return Ok(None) };
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(text.expose().trim(), &mut bytes)
            .map_err(|_| ConfigError::Invalid("operator_api_key_sha256 must be 64 hex digits (a SHA-256)".into()))?;
        Ok(Some(bytes))
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    #[must_use]
    pub fn database_url(&self) -> String {
        self.database_url
            .as_ref()
            .map(|url| url.expose().to_owned())
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("profile.db").display()))
    }

    /// The public base URL, defaulting to the bind address over http.
    #[must_use]
    pub fn public_url(&self) -> String {
        let local = || {
            let mut shown = self.bind;
            if shown.ip().is_unspecified() {
                shown.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{shown}")
        };
        self.public_url.clone().unwrap_or_else(local).trim_end_matches('/').to_owned()
    }

    /// The blob URL, defaulting to a folder in the data directory.
    #[must_use]
    pub fn blob_url(&self) -> String {
        self.blob_url.clone().unwrap_or_else(|| format!("file://{}", self.data_dir.join("blobs").display()))
    }

    /// The developer mailbox directory, used when no SMTP URL is set.
    #[must_use]
    pub fn mail_dir(&self) -> PathBuf {
        self.mail_dir.clone().unwrap_or_else(|| self.data_dir.join("mail"))
    }
}

/// Lays `over` onto `base`, table by table.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over_inner)) => merge(inner, over_inner),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = table.entry(head.to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load(file: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profile.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let env: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::load(file.map(|_| path.as_path()), |k| env.get(k).cloned())
    }

    #[test]
    fn without_file_or_environment_the_embedded_defaults_apply() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://./data/profile.db?mode=rwc");
        assert_eq!(config.mail_dir(), PathBuf::from("./data/mail"));
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_syntax_error_does_not_quote_the_file() {
        let err = load(Some("bind = \"127.0.0.1:1\"\nsecret_key = \"hunter2hunter2\" oops\n"), &[]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn lifetimes_beyond_their_caps_are_refused() {
        assert!(load(None, &[("PROFILE_SIGN_IN_CODE_TTL_SECS", "3601")]).is_err());
        assert!(load(None, &[("PROFILE_SIGN_IN_CODE_TTL_SECS", "3600")]).is_ok());
        assert!(load(None, &[("PROFILE_SIGN_IN_SESSION_TTL_SECS", "99999999999")]).is_err());
        assert!(load(None, &[("PROFILE_DELETION_GRACE_SECS", "2592000")]).is_ok());
        assert!(load(None, &[("PROFILE_DELETION_GRACE_SECS", "2592001")]).is_err());
    }

    #[test]
    fn the_example_catalogue_applies_until_the_file_defines_purposes() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.consent.catalogue().unwrap().purposes().len(), 4);
        let file = "[[consent.purposes]]\nid = \"offers\"\nkind = \"email\"\ntitle = \"Offers\"\ndescription = \"d\"\nversion = 2\non_new_version = \"ask_again\"\n";
        let config = load(Some(file), &[]).unwrap();
        let catalogue = config.consent.catalogue().unwrap();
        assert_eq!(catalogue.purposes().len(), 1);
        assert_eq!(catalogue.purposes()[0].on_new_version, OnNewVersion::AskAgain);
    }

    #[test]
    fn a_bad_purpose_is_refused_naming_it() {
        let file = "[[consent.purposes]]\nid = \"Offers\"\nkind = \"email\"\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n";
        assert!(load(Some(file), &[]).unwrap_err().to_string().contains("Offers"));
        let file =
            "[[consent.purposes]]\nid = \"x\"\nkind = \"sms\"\ntitle = \"t\"\ndescription = \"d\"\nversion = 1\n";
        assert!(load(Some(file), &[]).unwrap_err().to_string().contains("kind"));
    }

    #[test]
    fn a_wildcard_bind_address_gives_a_loopback_public_url() {
        let config = load(None, &[("PROFILE_BIND", "0.0.0.0:9000")]).unwrap();
        assert_eq!(config.public_url(), "http://127.0.0.1:9000");
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file =
            "bind = \"0.0.0.0:9000\"\nproduct_name = \"Meet\"\n[limits.sign_in_per_ip]\nmax = 3\nwindow_secs = 60\n";
        let config =
            load(Some(file), &[("PROFILE_BIND", "127.0.0.1:9100"), ("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "7")])
                .unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:9100");
        assert_eq!(config.product_name, "Meet");
        assert_eq!(config.limits.sign_in_per_ip, LimitConfig { max: 7, window_secs: 60 });
    }

    #[test]
    fn one_field_of_a_limit_can_be_set_alone() {
        let config =
            load(Some("[limits.verify_per_ip]\nmax = 9\n"), &[("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_MAX", "2")])
                .unwrap();
        assert_eq!(config.limits.verify_per_ip, LimitConfig { max: 9, window_secs: 900 });
        assert_eq!(config.limits.sign_in_per_address, LimitConfig { max: 2, window_secs: 900 });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_a_clear_message() {
        assert!(load(Some("colour = \"red\""), &[]).unwrap_err().to_string().contains("colour"));
        let err = load(None, &[("PROFILE_SIGN_IN_MAX_ATTEMPTS", "many")]).unwrap_err();
        assert_eq!(err.to_string(), "PROFILE_SIGN_IN_MAX_ATTEMPTS must be a whole number");
        assert!(load(None, &[("PROFILE_SIGN_IN_MAX_ATTEMPTS", "0")]).is_err());
        assert!(load(None, &[("PROFILE_LOG_FORMAT", "xml")]).is_err());
        assert!(load(None, &[("PROFILE_BIND", "nowhere")]).is_err());
    }

    #[test]
    fn the_configuration_prints_no_secret_through_debug() {
        let key = "ab".repeat(32);
        let operator = "cd".repeat(32);
        let config = load(
            None,
            &[
                ("PROFILE_DATABASE_URL", "postgres://profile:db-pass-1234@db.internal/profile"),
                ("PROFILE_SMTP_URL", "smtp://mailer:smtp-pass-5678@smtp.example.com:587"),
                ("PROFILE_SECRET_KEY", key.as_str()),
                ("PROFILE_OPERATOR_API_KEY_SHA256", operator.as_str()),
                ("PROFILE_S3_ACCESS_KEY_ID", "s3-id-4321"),
                ("PROFILE_S3_SECRET_ACCESS_KEY", "s3-secret-8765"),
            ],
        )
        .unwrap();
        let shown = format!("{config:?} {config:#?}");
        for secret in ["db-pass-1234", "smtp-pass-5678", &key, &operator, "s3-id-4321", "s3-secret-8765"] {
            assert!(!shown.contains(secret), "{secret} is printed");
        }
        assert!(shown.contains("db.internal"), "the rest is still shown");
        assert_eq!(config.database_url(), "postgres://profile:db-pass-1234@db.internal/profile");
    }
}
