//! `BlobStore` on `object_store`.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use profile_domain::PortError;
use profile_domain::ports::{BlobInfo, BlobStore};
use time::OffsetDateTime;

/// Blobs on any `object_store` store.
#[derive(Clone)]
pub struct ObjectBlobStore {
    pub(crate) store: Arc<dyn ObjectStore>,
}

/// What kind of storage failure happened, without its text (which names
/// keys, and so users).
#[derive(Debug, thiserror::Error)]
#[error("object store failure: {0}")]
struct BlobFailure(&'static str);

fn failure(context: &'static str) -> impl FnOnce(object_store::Error) -> PortError {
    move |e| {
        let kind = match e {
            object_store::Error::NotFound { .. } => "not found",
            object_store::Error::AlreadyExists { .. } => "already exists",
            object_store::Error::Precondition { .. } => "precondition",
            object_store::Error::PermissionDenied { .. } => "permission denied",
            object_store::Error::Unauthenticated { .. } => "unauthenticated",
            object_store::Error::InvalidPath { .. } => "invalid path",
            object_store::Error::NotSupported { .. } => "not supported",
            _ => "generic",
        };
        PortError::new(context, BlobFailure(kind))
    }
}

fn path(key: &str) -> Result<Path, PortError> {
    Path::parse(key).map_err(|_| PortError::msg("a blob key is not a valid path"))
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        self.store.put(&path(key)?, PutPayload::from(bytes)).await.map_err(failure("writing a blob"))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        match self.store.get(&path(key)?).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(failure("reading a blob"))?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failure("reading a blob")(e)),
        }
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), PortError> {
        // Read and written again rather than `ObjectStore::copy`: on the
        // local disk that is a hard link, which keeps the source's time, and
        // the sweeper judges files by their age.
        let bytes = self.get(from).await?.ok_or(PortError::msg("the blob to copy is missing"))?;
        self.put(to, bytes).await
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failure("deleting a blob")(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobInfo>, PortError> {
        let found: Vec<_> =
            self.store.list(Some(&path(prefix)?)).try_collect().await.map_err(failure("listing blobs"))?;
        found
            .into_iter()
            .map(|meta| {
                let ms = i128::from(meta.last_modified.timestamp_millis());
                let modified_at = OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
                    .map_err(|e| PortError::new("a blob's time is out of range", e))?;
                Ok(BlobInfo { key: meta.location.to_string(), modified_at })
            })
            .collect()
    }
}
