//! The use cases' policies and the caches' policy, read from the
//! configuration; every count of seconds becomes a duration through
//! [`seconds`].

use std::sync::Arc;

use profile_domain::ports::Clock;
use profile_domain::use_cases::{
    DirectoryPolicy, EmailChangePolicy, ErasurePolicy, ExportPolicy, PicturePolicy, RetentionPolicy, RetryPolicy,
    SignInPolicy,
};
use profile_domain::{ProviderId, RateLimit, RateLimitPolicy, SecretHasher};
use profile_store_seaorm::CachePolicy;

use crate::config::{Config, LimitConfig};

/// `n` seconds as a duration (the longest one past `i64::MAX`).
pub(super) fn seconds(n: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A duration of the standard library as one of `time`.
fn from_std(duration: std::time::Duration) -> time::Duration {
    time::Duration::try_from(duration).unwrap_or(time::Duration::MAX)
}

pub(super) fn sign_in(config: &Config) -> SignInPolicy {
    SignInPolicy {
        code_ttl: seconds(config.sign_in.code_ttl_secs),
        max_attempts: config.sign_in.max_attempts,
        session_ttl: seconds(config.sign_in.session_ttl_secs),
    }
}

pub(super) fn email_change(config: &Config) -> EmailChangePolicy {
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

pub(super) fn export(config: &Config) -> ExportPolicy {
    let limit = config.limits.exports_per_user;
    ExportPolicy { max_per_window: limit.max, window: seconds(limit.window_secs), ..ExportPolicy::default() }
}

fn rate(limit: LimitConfig) -> RateLimit {
    RateLimit { max: limit.max, window: seconds(limit.window_secs) }
}

pub(super) fn rate_limits(config: &Config) -> RateLimitPolicy {
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

pub(super) fn directory(config: &Config) -> DirectoryPolicy {
    DirectoryPolicy { batch_max_ids: config.profiles.batch_max_ids }
}

pub(super) fn pictures(config: &Config) -> PicturePolicy {
    PicturePolicy { pending_ttl: seconds(config.pictures.pending_ttl_secs), ..PicturePolicy::default() }
}

/// The erasure's policy: the mailing-list providers and the services told
/// of each erasure are given.
pub(super) fn erasure(config: &Config, providers: Vec<ProviderId>, services: Vec<ProviderId>) -> ErasurePolicy {
    ErasurePolicy {
        recent_sign_in: seconds(config.email_change.recent_sign_in_secs),
        grace: seconds(config.deletion.grace_secs),
        retry_base: seconds(config.outbox.retry_base_secs),
        retry_max: seconds(config.outbox.retry_max_secs),
        lease: seconds(config.outbox.lease_secs),
        providers,
        services,
        ..ErasurePolicy::with_public_url(&config.public_url())
    }
}

/// How mail is retried.
pub(super) fn mail_retry(config: &Config) -> RetryPolicy {
    let o = &config.outbox;
    RetryPolicy {
        base_delay: seconds(o.retry_base_secs),
        max_delay: seconds(o.retry_max_secs),
        lease: seconds(o.lease_secs),
        batch_size: o.batch_size,
        max_send_duration: from_std(profile_email::SEND_TIMEOUT),
    }
}

/// How notices to providers and services are retried.
pub(super) fn notice_retry(config: &Config) -> RetryPolicy {
    let p = &config.providers;
    RetryPolicy {
        base_delay: seconds(p.retry_base_secs),
        max_delay: seconds(p.retry_max_secs),
        lease: seconds(p.lease_secs),
        batch_size: p.batch_size,
        max_send_duration: from_std(profile_webhook::DELIVERY_TIMEOUT),
    }
}

pub(super) fn retention(config: &Config) -> RetentionPolicy {
    let days = i64::try_from(config.retention.finished_message_days).unwrap_or(i64::MAX / 86_400);
    RetentionPolicy { finished_messages: time::Duration::days(days) }
}

/// The caches of the read path, keyed from the server key so every
/// instance names an account the same way in the feed.
pub(super) fn cache(config: &Config, hasher: &SecretHasher, clock: Arc<dyn Clock>) -> CachePolicy {
    let mut key = [0_u8; 32];
    let _ = hex::decode_to_slice(hasher.hash("cache-feed-key", &[]).to_hex(), &mut key);
    CachePolicy { enabled: config.cache.enabled, max_entries: config.cache.max_entries, ..CachePolicy::new(key, clock) }
}
