//! The checks a loaded configuration must pass before the server starts.

use super::{Config, ConfigError};

/// The longest grace period before an erasure starts: 30 days.
const MAX_DELETION_GRACE_SECS: u64 = 30 * 24 * 3600;
/// The longest a sign-in code may be made to work: an hour.
const MAX_CODE_TTL_SECS: u64 = 3600;
/// The longest a session may be made to last: 366 days.
const MAX_SESSION_TTL_SECS: u64 = 366 * 24 * 3600;

impl Config {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
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
        crate::config::services::services(&self.services, &routes.providers())?;
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
}
