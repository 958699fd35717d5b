//! Builds the running service from the configuration: the store, the
//! transports, the use cases, the HTTP application and the outbox worker.

use std::sync::Arc;
use std::time::Duration;

use profile_domain::SecretHasher;
use profile_domain::ports::{BlobStore, Clock, MailTransport, Randomness};
use profile_domain::use_cases::RateLimits;
use profile_domain::use_cases::{
    Consents, DirectoryPolicy, EmailChangePolicy, EmailChanges, ErasurePolicy, Erasures, ExportPolicy, Exports,
    Housekeeping, OutboxDelivery, PicturePolicy, Pictures, ProfileEvents, Profiles, ProviderReports, ProviderSync,
    PublicProfiles, RetentionPolicy, RetryPolicy, SessionPolicy, Sessions, SignIn, SignInPolicy, Unsubscribes,
};
use profile_domain::{PictureLinks, ProviderId, RateLimit, RateLimitPolicy, ServiceEvent};
use profile_email::{DevMailbox, MailSettings, SmtpTransport};
use profile_http::{HttpConfig, UseCases};
use profile_store_seaorm::{CachePolicy, SeaOrmStore};
use profile_webhook::{WebhookEndpoint, WebhookTransport};

use crate::config::{Config, LimitConfig};
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

fn seconds(n: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX))
}

fn email_change_policy(config: &Config) -> EmailChangePolicy {
    let c = &config.email_change;
    EmailChangePolicy {
        code_ttl: seconds(c.code_ttl_secs),
        max_attempts: c.max_attempts,
        recent_sign_in: seconds(c.recent_sign_in_secs),
        revert_ttl: seconds(c.revert_ttl_secs),
        resend_cooldown: seconds(c.resend_cooldown_secs),
        codes_per_user_per_hour: c.codes_per_user_per_hour,
        codes_per_address_per_hour: c.codes_per_address_per_hour,
        ..EmailChangePolicy::with_public_url(&config.public_url())
    }
}

fn export_policy(config: &Config) -> ExportPolicy {
    let limit = config.limits.exports_per_user;
    ExportPolicy { max_per_window: limit.max, window: seconds(limit.window_secs), ..ExportPolicy::default() }
}

fn rate(limit: LimitConfig) -> RateLimit {
    RateLimit { max: limit.max, window: seconds(limit.window_secs) }
}

fn rate_limit_policy(config: &Config) -> RateLimitPolicy {
    let limits = &config.limits;
    RateLimitPolicy {
        sign_in_per_address: rate(limits.sign_in_per_address),
        sign_in_per_ip: rate(limits.sign_in_per_ip),
        verify_per_address: rate(limits.verify_per_address),
        verify_per_ip: rate(limits.verify_per_ip),
        operator_key_failures_per_ip: rate(limits.operator_key_failures_per_ip),
        picture_uploads_per_user: rate(limits.picture_uploads_per_user),
        service_key_failures_per_ip: rate(limits.service_key_failures_per_ip),
    }
}

fn transport(config: &Config) -> Result<Arc<dyn MailTransport>, WiringError> {
    let settings = MailSettings::new(&config.mail_from, &config.product_name)?;
    Ok(match &config.smtp_url {
        Some(url) => {
            tracing::info!("mail goes out by SMTP");
            Arc::new(SmtpTransport::from_url(url.expose(), settings)?)
        }
        None => {
            let mailbox = DevMailbox::open(config.mail_dir(), settings).map_err(WiringError::Mailbox)?;
            tracing::info!(dir = %mailbox.dir().display(), "no SMTP URL set: messages are written as .eml files to the developer mailbox");
            Arc::new(mailbox)
        }
    })
}

/// The caches of the read path, keyed from the server key so every
/// instance names an account the same way in the feed.
fn cache_policy(config: &Config, hasher: &SecretHasher, clock: Arc<dyn Clock>) -> CachePolicy {
    let mut key = [0_u8; 32];
    let _ = hex::decode_to_slice(hasher.hash("cache-feed-key", &[]).to_hex(), &mut key);
    CachePolicy { enabled: config.cache.enabled, max_entries: config.cache.max_entries, ..CachePolicy::new(key, clock) }
}

/// Builds the service on an open store.
pub fn build(config: &Config, store: &SeaOrmStore) -> Result<Service, WiringError> {
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
    let key = crate::secret_key::load_or_create(config.secret_key.as_ref().map(SecretText::expose), &config.data_dir)?;
    let hasher = SecretHasher::new(key);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: Arc<dyn Randomness> = Arc::new(OsRandom);
    let store = store.clone().with_caches(cache_policy(config, &hasher, clock.clone()));
    let shared = Arc::new(store.clone());
    let sign_in_policy = SignInPolicy {
        code_ttl: time::Duration::seconds(i64::try_from(config.sign_in.code_ttl_secs).unwrap_or(i64::MAX)),
        max_attempts: config.sign_in.max_attempts,
        session_ttl: time::Duration::seconds(i64::try_from(config.sign_in.session_ttl_secs).unwrap_or(i64::MAX)),
    };
    let catalogue = config.consent.catalogue()?;
    let (endpoints, routes) = config.providers.endpoints(&catalogue)?;
    let report_secrets =
        endpoints.iter().filter_map(|e| e.report_secret.clone().map(|secret| (e.id.to_string(), secret))).collect();
    let provider_ids = routes.providers();
    let services = crate::config::services::services(&config.services, &provider_ids)?;
    let subscriptions = services.subscriptions.clone();
    let links = PictureLinks::new(&config.public_url(), config.pictures.sizes.clone());
    let wake_notices = Arc::new(tokio::sync::Notify::new());
    let events = ProfileEvents {
        subscriptions: subscriptions.clone(),
        random: random.clone(),
        signal: Arc::new(crate::system::WakeWorker(wake_notices.clone())),
    };
    let erasure_policy = ErasurePolicy {
        recent_sign_in: seconds(config.email_change.recent_sign_in_secs),
        grace: seconds(config.deletion.grace_secs),
        retry_base: seconds(config.outbox.retry_base_secs),
        retry_max: seconds(config.outbox.retry_max_secs),
        lease: seconds(config.outbox.lease_secs),
        providers: provider_ids.clone(),
        services: subscriptions.receivers_of(ServiceEvent::AccountErased),
        ..ErasurePolicy::with_public_url(&config.public_url())
    };
    let receivers = endpoints
        .into_iter()
        .map(|e| WebhookEndpoint { provider: e.id, url: e.url, secret: e.secret })
        .chain(services.endpoints.into_iter().map(|e| WebhookEndpoint { provider: e.id, url: e.url, secret: e.secret }))
        .collect();
    let webhooks =
        WebhookTransport::new(receivers, links, clock.clone()).map_err(|e| WiringError::Webhooks(Box::new(e)))?;
    let receiver_ids: Vec<ProviderId> = provider_ids.iter().cloned().chain(subscriptions.services()).collect();
    let p = &config.providers;
    let provider_retry = RetryPolicy {
        base_delay: seconds(p.retry_base_secs),
        max_delay: seconds(p.retry_max_secs),
        lease: seconds(p.lease_secs),
        batch_size: p.batch_size,
        max_send_duration: time::Duration::try_from(profile_webhook::DELIVERY_TIMEOUT).unwrap_or(time::Duration::MAX),
    };
    let provider_sync =
        Arc::new(ProviderSync::new(shared.clone(), Arc::new(webhooks), clock.clone(), receiver_ids, provider_retry));
    let blobs: Arc<dyn BlobStore> = Arc::new(profile_blob::ObjectBlobStore::open(&config.blob_url(), &config.s3)?);
    let processor = profile_image::ImageProcessor::new(config.pictures.limits(), config.pictures.parallelism())
        .map_err(WiringError::PictureThreads)?;
    let pictures = Arc::new(
        Pictures::new(
            shared.clone(),
            blobs.clone(),
            Arc::new(processor),
            clock.clone(),
            PicturePolicy { pending_ttl: seconds(config.pictures.pending_ttl_secs), ..PicturePolicy::default() },
        )
        .with_events(events.clone()),
    );
    let erasures =
        Erasures::new(shared.clone(), shared.clone(), blobs.clone(), clock.clone(), random.clone(), erasure_policy);
    let erasures = Arc::new(if config.deletion.suppress_erased_addresses {
        erasures.with_suppression(hasher.clone())
    } else {
        erasures
    });
    let rate_limits =
        Arc::new(RateLimits::new(shared.clone(), clock.clone(), hasher.clone(), rate_limit_policy(config)));
    let use_cases = UseCases {
        clock: clock.clone(),
        rate_limits,
        sign_in: Arc::new(SignIn::new(shared.clone(), clock.clone(), random.clone(), hasher.clone(), sign_in_policy)),
        sessions: Arc::new(Sessions::new(shared.clone(), clock.clone(), hasher.clone(), SessionPolicy::default())),
        profiles: Arc::new(Profiles::new(shared.clone(), clock.clone()).with_events(events)),
        public_profiles: Arc::new(PublicProfiles::new(
            shared.clone(),
            DirectoryPolicy { batch_max_ids: config.profiles.batch_max_ids },
        )),
        email_changes: Arc::new(
            EmailChanges::new(
                shared.clone(),
                shared.clone(),
                clock.clone(),
                random.clone(),
                hasher.clone(),
                email_change_policy(config),
            )
            .with_providers(routes.clone(), shared.clone()),
        ),
        consents: Arc::new(
            Consents::new(shared.clone(), clock.clone(), random.clone(), catalogue.clone())
                .with_providers(routes.clone()),
        ),
        unsubscribes: Arc::new(
            Unsubscribes::new(
                shared.clone(),
                shared.clone(),
                clock.clone(),
                random.clone(),
                hasher.clone(),
                catalogue.clone(),
                &config.public_url(),
            )
            .with_providers(routes.clone()),
        ),
        provider_reports: Arc::new(ProviderReports::new(
            shared.clone(),
            shared.clone(),
            shared.clone(),
            clock.clone(),
            random.clone(),
            catalogue,
            routes,
        )),
        provider_sync: provider_sync.clone(),
        pictures: pictures.clone(),
        erasures: erasures.clone(),
        exports: Arc::new(Exports::new(shared.clone(), shared.clone(), blobs, clock.clone(), export_policy(config))),
    };
    let retry = RetryPolicy {
        base_delay: time::Duration::seconds(i64::try_from(config.outbox.retry_base_secs).unwrap_or(5)),
        max_delay: time::Duration::seconds(i64::try_from(config.outbox.retry_max_secs).unwrap_or(600)),
        lease: time::Duration::seconds(i64::try_from(config.outbox.lease_secs).unwrap_or(120)),
        batch_size: config.outbox.batch_size,
        max_send_duration: time::Duration::try_from(profile_email::SEND_TIMEOUT).unwrap_or(time::Duration::MAX),
    };
    let delivery = Arc::new(OutboxDelivery::new(shared.clone(), transport(config)?, clock.clone(), retry));
    let days = i64::try_from(config.retention.finished_message_days).unwrap_or(i64::MAX / 86_400);
    let retention = RetentionPolicy { finished_messages: time::Duration::days(days) };
    let housekeeping = Arc::new(Housekeeping::new(shared, clock, retention));
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
