//! Configuration: built-in defaults, then an optional TOML file, then
//! `PROFILE_*` environment variables (the environment wins), layered with
//! figment; each section is one struct with its defaults and its checks.

mod environment;
pub mod pictures;
pub mod providers;
mod sections;
pub mod services;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::Serialized;
use figment::value::Value;
use serde::{Deserialize, Serialize};

pub use sections::{
    CacheConfig, ConsentConfig, DeletionConfig, EmailChangeConfig, LimitConfig, LimitsConfig, OutboxConfig,
    RetentionConfig, SignInConfig,
};

use crate::secret_text::SecretText;

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
    pub log_format: LogFormat,
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
    pub providers: providers::ProvidersConfig,
    /// Where picture files go: `file://<dir>` or `s3://<bucket>[/<prefix>]`;
    /// unset, `file://<data_dir>/blobs`.
    pub blob_url: Option<String>,
    pub s3: profile_blob::S3Settings,
    pub pictures: pictures::PicturesConfig,
    /// `[profiles]`: how other services read public profiles.
    pub profiles: services::ProfilesConfig,
    /// `[[services]]`: the product's other services.
    pub services: Vec<services::ServiceConfig>,
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
            log_format: LogFormat::Text,
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
            providers: providers::ProvidersConfig::default(),
            blob_url: None,
            s3: profile_blob::S3Settings::default(),
            pictures: pictures::PicturesConfig::default(),
            profiles: services::ProfilesConfig::default(),
            services: Vec::new(),
        }
    }
}

/// How log lines are written to stderr.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// For people reading a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration file is not valid TOML: {0}")]
    Toml(String),
    #[error("{var} must be {expected}")]
    Env { var: String, expected: &'static str },
    #[error("the configuration is not valid: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration: the defaults, then `file` (if given), then
    /// the variables `env` gives (an empty one counts as unset).
    ///
    /// # Errors
    /// [`ConfigError`] naming what is wrong.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = |name: &str| env(name).filter(|value| !value.is_empty());
        let defaults = Self::defaults()?;
        let mut figment = Figment::from(Serialized::defaults(&defaults));
        if let Some(path) = file {
            figment = figment.merge(Serialized::defaults(read_file(path)?));
        }
        figment = environment::fill_entries(figment, &env);
        figment = figment.merge(environment::Environment::read(&defaults, &env)?);
        let config: Self = figment.extract().map_err(describe)?;
        config.validate()?;
        Ok(config)
    }

    /// The built-in defaults as figment's table: the first layer, and what
    /// the environment variables are derived from.
    fn defaults() -> Result<figment::value::Dict, ConfigError> {
        match Value::serialize(Self::default()) {
            Ok(Value::Dict(_, dict)) => Ok(dict),
            _ => Err(ConfigError::Invalid("the defaults do not serialise as a table".into())),
        }
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

/// The file's table. A syntax error is given by its message and line only:
/// the quoted line could hold a password or the secret key.
fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
    text.parse::<toml::Table>().map_err(|e| {
        let line = e.span().map(|s| text[..s.start].lines().count().max(1));
        ConfigError::Toml(format!("{} (line {})", e.message(), line.unwrap_or(0)))
    })
}

/// The first of figment's errors, naming the key, or the variable, it is
/// about.
fn describe(error: figment::Error) -> ConfigError {
    let from_environment = error.metadata.as_ref().is_some_and(|m| m.name == environment::SOURCE);
    let key = if from_environment { environment::variable_of(&error.path) } else { error.path.join(".") };
    ConfigError::Invalid(if key.is_empty() { error.kind.to_string() } else { format!("{key}: {}", error.kind) })
}

#[cfg(test)]
mod tests;
