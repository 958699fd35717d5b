//! Opening a store from its URL.

use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, RetryConfig};

use crate::ObjectBlobStore;

/// How long S3 requests are retried before the error is returned.
const RETRY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one S3 request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting to S3 may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for `s3://` URLs (the `[s3]` configuration section); unset keys
/// and endpoint come from the usual AWS environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT` …).
#[derive(Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Settings {
    /// The endpoint of an S3-compatible service (`http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    /// The region (default `us-east-1`).
    pub region: Option<String>,
    /// The access key id.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<String>,
    /// Allow a plain-http endpoint (test servers).
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id.as_ref().map(|_| ".."))
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| ".."))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// Why a blob URL cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum BlobConfigError {
    /// Neither `file://` nor `s3://`.
    #[error("the blob URL must start with file:// or s3://")]
    Scheme,
    /// The directory cannot be created.
    #[error("cannot create the blob directory")]
    Directory(#[source] std::io::Error),
    /// `object_store` refused the settings.
    #[error("cannot open the blob store: {0}")]
    Store(String),
}

impl ObjectBlobStore {
    /// Opens `file://<dir>` (relative paths are relative to the working
    /// directory; the directory is created) or `s3://<bucket>[/<prefix>]`.
    ///
    /// # Errors
    /// [`BlobConfigError`] saying what is wrong (never quoting a secret).
    pub fn open(url: &str, s3: &S3Settings) -> Result<Self, BlobConfigError> {
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir).map_err(BlobConfigError::Directory)?;
            let local = LocalFileSystem::new_with_prefix(dir).map_err(|e| BlobConfigError::Store(e.to_string()))?;
            return Ok(Self::new(Arc::new(local)));
        }
        let Some(rest) = url.strip_prefix("s3://") else { return Err(BlobConfigError::Scheme) };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(BlobConfigError::Store("the s3:// URL names no bucket".into()));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = &s3.endpoint {
            // S3-compatible servers are addressed by path, not by bucket host name.
            builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
        }
        builder = builder.with_region(s3.region.clone().unwrap_or_else(|| "us-east-1".into()));
        if let Some(key) = &s3.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &s3.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        // A few quick retries, then the error: the callers retry on their
        // own schedule (the picture upload answers, the erasure step backs
        // off), and a request must not outlive a worker's lease.
        let retry = RetryConfig { max_retries: 3, retry_timeout: RETRY_TIMEOUT, ..RetryConfig::default() };
        let client = ClientOptions::new().with_timeout(REQUEST_TIMEOUT).with_connect_timeout(CONNECT_TIMEOUT);
        // The client options first: `with_allow_http` writes into them.
        let s3_store = builder
            .with_client_options(client)
            .with_allow_http(s3.allow_http)
            .with_retry(retry)
            .build()
            .map_err(|e| BlobConfigError::Store(e.to_string()))?;
        let prefix = prefix.trim_matches('/');
        Ok(if prefix.is_empty() {
            Self::new(Arc::new(s3_store))
        } else {
            Self::new(Arc::new(PrefixStore::new(s3_store, prefix)))
        })
    }

    /// Wraps any `object_store` store.
    #[must_use]
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }
}
