//! What uploads may be (`[pictures]`); where they are stored is `blob_url`
//! and `[s3]` (`profile_blob::S3Settings`).

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// What uploads may be and how long they wait.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PicturesConfig {
    /// The largest upload in bytes.
    pub max_bytes: u64,
    /// The most pixels an upload may have.
    pub max_pixels: u64,
    /// The square sizes made, largest first.
    pub sizes: Vec<u32>,
    pub jpeg_quality: u8,
    /// How long an upload waits for Save.
    pub pending_ttl_secs: u64,
    /// Pictures processed at once (0: one per CPU, at most 4); twice as
    /// many upload bodies are read at once.
    pub parallel: usize,
    /// How long an upload waits for one of those slots before `503 busy`.
    pub upload_wait_secs: u64,
    /// How long an upload's body may take to arrive before `408`.
    pub upload_read_timeout_secs: u64,
}

impl Default for PicturesConfig {
    fn default() -> Self {
        let image = profile_image::ImageLimits::default();
        Self {
            max_bytes: image.max_bytes,
            max_pixels: image.max_pixels,
            sizes: image.sizes,
            jpeg_quality: image.jpeg_quality,
            pending_ttl_secs: 3600,
            parallel: 0,
            upload_wait_secs: 10,
            upload_read_timeout_secs: 120,
        }
    }
}

impl PicturesConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] saying which rule is broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if self.max_bytes == 0 || self.max_bytes > 100 * 1024 * 1024 {
            return invalid("pictures.max_bytes must be between 1 and 104857600");
        }
        if self.max_pixels == 0 || self.max_pixels > 200_000_000 {
            return invalid("pictures.max_pixels must be between 1 and 200000000");
        }
        let descending = self.sizes.windows(2).all(|w| w[0] > w[1]);
        if self.sizes.is_empty() || !descending || self.sizes.iter().any(|&s| s == 0 || s > 4096) {
            return invalid("pictures.sizes must be 1 to 4096 pixels each, largest first, without repeats");
        }
        if !(1..=100).contains(&self.jpeg_quality) {
            return invalid("pictures.jpeg_quality must be between 1 and 100");
        }
        if self.pending_ttl_secs == 0 {
            return invalid("pictures.pending_ttl_secs must be above zero");
        }
        if self.upload_wait_secs > 300 {
            return invalid("pictures.upload_wait_secs must be at most 300");
        }
        if !(1..=3600).contains(&self.upload_read_timeout_secs) {
            return invalid("pictures.upload_read_timeout_secs must be between 1 and 3600");
        }
        Ok(())
    }

    /// The processing limits.
    #[must_use]
    pub fn limits(&self) -> profile_image::ImageLimits {
        profile_image::ImageLimits {
            max_bytes: self.max_bytes,
            max_pixels: self.max_pixels,
            sizes: self.sizes.clone(),
            jpeg_quality: self.jpeg_quality,
        }
    }

    /// How many pictures are processed at once.
    #[must_use]
    pub fn parallelism(&self) -> usize {
        if self.parallel > 0 {
            self.parallel
        } else {
            std::thread::available_parallelism().map_or(2, usize::from).min(4)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_hold_and_each_rule_is_checked_at_its_edge() {
        assert!(PicturesConfig::default().validate().is_ok());
        let ok = [
            PicturesConfig { max_bytes: 100 * 1024 * 1024, ..PicturesConfig::default() },
            PicturesConfig { sizes: vec![4096, 1], jpeg_quality: 100, ..PicturesConfig::default() },
        ];
        for c in ok {
            assert!(c.validate().is_ok(), "{c:?}");
        }
        let bad = [
            PicturesConfig { max_bytes: 0, ..PicturesConfig::default() },
            PicturesConfig { max_bytes: 100 * 1024 * 1024 + 1, ..PicturesConfig::default() },
            PicturesConfig { max_pixels: 0, ..PicturesConfig::default() },
            PicturesConfig { sizes: vec![], ..PicturesConfig::default() },
            PicturesConfig { sizes: vec![64, 128], ..PicturesConfig::default() },
            PicturesConfig { sizes: vec![128, 128], ..PicturesConfig::default() },
            PicturesConfig { sizes: vec![4097], ..PicturesConfig::default() },
            PicturesConfig { jpeg_quality: 0, ..PicturesConfig::default() },
            PicturesConfig { pending_ttl_secs: 0, ..PicturesConfig::default() },
        ];
        for c in bad {
            assert!(c.validate().is_err(), "{c:?}");
        }
    }

    #[test]
    fn s3_secrets_are_not_shown() {
        let c = profile_blob::S3Settings { secret_access_key: Some("hunter2".into()), ..Default::default() };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
