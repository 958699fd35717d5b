//! The `PROFILE_*` environment variables, each mapped to the key it sets,
//! and how their values are laid over the file's.

use super::ConfigError;

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

/// Lays the variables `env` gives onto `table`.
pub(super) fn apply(table: &mut toml::Table, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
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
        set_path(table, key, value);
    }
    Ok(())
}

/// Lays `over` onto `base`, table by table.
pub(super) fn merge(base: &mut toml::Table, over: toml::Table) {
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
