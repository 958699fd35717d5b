//! The blob storage port: files by key (picture renditions).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::PortError;

/// A stored blob, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobInfo {
    /// Its key.
    pub key: String,
    /// When it was last written.
    pub modified_at: OffsetDateTime,
}

/// Stores blobs by key. Keys are `/`-separated paths of plain segments.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Writes the blob, replacing any blob with that key, atomically: a
    /// reader sees the old bytes or the new, never part of them.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), PortError>;

    /// The blob's bytes, or `None` when there is no blob with that key.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError>;

    /// Copies a blob to another key.
    ///
    /// # Errors
    /// [`PortError`] when the source is missing or the storage fails.
    async fn copy(&self, from: &str, to: &str) -> Result<(), PortError>;

    /// Deletes the blob; deleting a missing blob is not an error.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn delete(&self, key: &str) -> Result<(), PortError>;

    /// Every blob whose key starts with `prefix/`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be listed.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobInfo>, PortError>;
}
