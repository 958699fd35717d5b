//! Builds the running service from the configuration: the store, the
//! transports, the use cases, the HTTP settings, and what the workers run.
//! `policies.rs` reads each policy from the configuration, `adapters.rs`
//! builds the transports, `use_cases.rs` builds each use case from the
//! shared [`Parts`].

mod adapters;
mod policies;
mod use_cases;

use std::sync::Arc;
use std::time::Duration;

use profile_domain::SecretHasher;
use profile_domain::ports::{BlobStore, Clock, Randomness, WorkSignal};
use profile_domain::use_cases::{Erasures, Housekeeping, OutboxDelivery, Pictures, ProfileEvents, ProviderSync};
use profile_domain::{PictureLinks, ServiceEvent};
use profile_http::{HttpConfig, UseCases};
use profile_store_seaorm::SeaOrmStore;
use profile_webhook::{WebhookEndpoint, WebhookTransport};

use crate::config::Config;
use crate::secret_text::SecretText;
use crate::system::{OsRandom, SystemClock};

/// Why the service could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("cannot open the database")]
    Store(#[from] profile_store_seaorm::OpenError),
    #[error("cannot apply the database migrations")]
    Migrate(#[source] profile_store_seaorm::DbErr),
    #[error(transparent)]
    SecretKey(#[from] crate::secret_key::SecretKeyError),
    #[error("invalid mail settings")]
    Mail(#[from] profile_email::SettingsError),
    #[error(transparent)]
    Smtp(#[from] profile_email::SmtpConfigError),
    #[error("cannot create the mailbox directory")]
    Mailbox(#[source] std::io::Error),
    #[error("cannot create the data directory")]
    DataDir(#[source] std::io::Error),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot build the HTTP client for mailing-list providers")]
    Webhooks(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    Blobs(#[from] profile_blob::BlobConfigError),
    #[error("cannot start the picture threads")]
    PictureThreads(#[source] std::io::Error),
}

/// Everything the running service is made of.
pub struct Service {
    pub use_cases: UseCases,
    pub http_config: HttpConfig,
    pub delivery: Arc<OutboxDelivery>,
    pub provider_sync: Arc<ProviderSync>,
    pub housekeeping: Arc<Housekeeping>,
    pub pictures: Arc<Pictures>,
    pub erasures: Arc<Erasures>,
    /// Notified when a change queued notices, to wake their worker.
    pub wake_notices: Arc<tokio::sync::Notify>,
    /// The store the use cases read through, with its caches (the cache
    /// worker reads the invalidation feed into them).
    pub store: SeaOrmStore,
}

/// Opens the database and applies the migrations.
pub async fn open_store(config: &Config) -> Result<SeaOrmStore, WiringError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(WiringError::DataDir)?;
    }
    let store = SeaOrmStore::connect(&config.database_url(), config.database_max_connections).await?;
    store.migrate().await.map_err(WiringError::Migrate)?;
    Ok(store)
}

/// What every use case is built from.
pub(crate) struct Parts {
    /// Every storage port.
    pub(crate) store: Arc<SeaOrmStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn Randomness>,
    pub(crate) hasher: SecretHasher,
}

/// Warns about settings that work on one instance but not on several.
fn warn_about(config: &Config) {
    if config.database_url.is_some() && config.secret_key.is_none() {
        tracing::warn!(
            "PROFILE_SECRET_KEY is not set: this instance keys its hashes with data_dir/secret.key; \
             instances sharing a database must share one key, or codes and sessions work on one instance only"
        );
    }
    if config.operator_api_key_sha256.is_some() && !config.public_url().starts_with("https://") {
        tracing::warn!(
            "the operator API is on but PROFILE_PUBLIC_URL is not https: unsubscribe links on real mail must be \
             https (RFC 8058); set PROFILE_PUBLIC_URL"
        );
    }
}

/// Builds the service on an open store.
pub fn build(config: &Config, store: &SeaOrmStore) -> Result<Service, WiringError> {
    warn_about(config);
    let key = crate::secret_key::load_or_create(config.secret_key.as_ref().map(SecretText::expose), &config.data_dir)?;
    let hasher = SecretHasher::new(key);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = store.clone().with_caches(policies::cache(config, &hasher, clock.clone()));
    let parts = Parts { store: Arc::new(store.clone()), clock, random: Arc::new(OsRandom), hasher };

    // Who hears of changes: mailing-list providers and the product's services.
    let catalogue = config.consent.catalogue()?;
    let (endpoints, routes) = config.providers.endpoints(&catalogue)?;
    let report_secrets =
        endpoints.iter().filter_map(|e| e.report_secret.clone().map(|secret| (e.id.to_string(), secret))).collect();
    let provider_ids = routes.providers();
    let services = crate::config::services::services(&config.services, &provider_ids)?;
    let subscriptions = services.subscriptions.clone();
    let links = PictureLinks::new(&config.public_url(), config.pictures.sizes.clone());
    let receivers = endpoints
        .into_iter()
        .map(|e| WebhookEndpoint { provider: e.id, url: e.url, secret: e.secret })
        .chain(services.endpoints.into_iter().map(|e| WebhookEndpoint { provider: e.id, url: e.url, secret: e.secret }))
        .collect();
    let webhooks =
        WebhookTransport::new(receivers, links, parts.clock.clone()).map_err(|e| WiringError::Webhooks(Box::new(e)))?;
    let receiver_ids = provider_ids.iter().cloned().chain(subscriptions.services()).collect();
    let provider_sync = Arc::new(use_cases::provider_sync(&parts, config, Arc::new(webhooks), receiver_ids));
    let wake_notices = Arc::new(tokio::sync::Notify::new());
    let signal: Arc<dyn WorkSignal> = Arc::new(crate::system::WakeWorker(wake_notices.clone()));
    let events =
        ProfileEvents { subscriptions: subscriptions.clone(), random: parts.random.clone(), signal: signal.clone() };

    // Pictures and the erasure share the blob store.
    let blobs: Arc<dyn BlobStore> = Arc::new(profile_blob::ObjectBlobStore::open(&config.blob_url(), &config.s3)?);
    let pictures = Arc::new(use_cases::pictures(&parts, config, blobs.clone(), events.clone())?);
    let erased_to = subscriptions.receivers_of(ServiceEvent::AccountErased);
    let erasures = Arc::new(use_cases::erasures(&parts, config, blobs.clone(), provider_ids, erased_to));

    let use_cases = UseCases {
        clock: parts.clock.clone(),
        rate_limits: Arc::new(use_cases::rate_limits(&parts, config)),
        sign_in: Arc::new(use_cases::sign_in(&parts, config)),
        sessions: Arc::new(use_cases::sessions(&parts)),
        profiles: Arc::new(use_cases::profiles(&parts, events)),
        public_profiles: Arc::new(use_cases::public_profiles(&parts, config)),
        email_changes: Arc::new(use_cases::email_changes(&parts, config, &routes, signal.clone())),
        consents: Arc::new(use_cases::consents(&parts, &catalogue, &routes, signal.clone())),
        unsubscribes: Arc::new(use_cases::unsubscribes(&parts, config, &catalogue, &routes, signal)),
        provider_reports: Arc::new(use_cases::provider_reports(&parts, catalogue, routes)),
        provider_sync: provider_sync.clone(),
        pictures: pictures.clone(),
        erasures: erasures.clone(),
        exports: Arc::new(use_cases::exports(&parts, config, blobs)),
    };
    let delivery = Arc::new(use_cases::delivery(&parts, config, adapters::mail(config)?));
    let housekeeping = Arc::new(use_cases::housekeeping(&parts, config));
    let http_config = HttpConfig {
        public_url: config.public_url(),
        trust_proxy_headers: config.trust_proxy_headers,
        max_body_bytes: config.max_body_bytes,
        code_ttl: Duration::from_secs(config.sign_in.code_ttl_secs),
        session_ttl: Duration::from_secs(config.sign_in.session_ttl_secs),
        operator_key_sha256: config.operator_key_sha256()?,
        provider_report_secrets: report_secrets,
        report_tolerance: Duration::from_secs(config.providers.report_tolerance_secs),
        max_picture_bytes: config.pictures.max_bytes,
        picture_sizes: config.pictures.sizes.clone(),
        upload_slots: config.pictures.parallelism().saturating_mul(2),
        upload_wait: Duration::from_secs(config.pictures.upload_wait_secs),
        upload_read_timeout: Duration::from_secs(config.pictures.upload_read_timeout_secs),
        service_clients: services.clients,
        profile_max_age: Duration::from_secs(config.profiles.cache_max_age_secs),
    };
    Ok(Service {
        use_cases,
        http_config,
        delivery,
        provider_sync,
        housekeeping,
        pictures,
        erasures,
        wake_notices,
        store,
    })
}
