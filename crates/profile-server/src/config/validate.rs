//! The checks a loaded configuration must pass before the server starts:
//! each section's own, then those of the top-level settings and across
//! sections.

use super::{Config, ConfigError};

impl Config {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.sign_in.validate()?;
        self.limits.validate()?;
        self.outbox.validate(profile_email::SEND_TIMEOUT.as_secs())?;
        self.email_change.validate()?;
        self.profiles.validate()?;
        self.providers.validate_pacing(profile_webhook::DELIVERY_TIMEOUT.as_secs())?;
        self.pictures.validate()?;
        self.deletion.validate()?;
        self.cache.validate()?;
        self.retention.validate()?;
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if self.max_body_bytes < 256 {
            return invalid("max_body_bytes must be at least 256");
        }
        let (_, routes) = self.providers.endpoints(&self.consent.catalogue()?)?;
        crate::config::services::services(&self.services, &routes.providers())?;
        if self.blob_url.as_deref().is_some_and(|u| !u.starts_with("file://") && !u.starts_with("s3://")) {
            return invalid("blob_url must start with file:// or s3://");
        }
        self.operator_key_sha256()?;
        Ok(())
    }
}
