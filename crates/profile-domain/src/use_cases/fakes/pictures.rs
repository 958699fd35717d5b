//! In-memory fakes of the picture ports.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{FixedClock, InMemoryStore};
use crate::ports::{BlobInfo, BlobStore, Clock, Crop, PictureProcessor, PictureRejected, PictureStore, Rendition};
use crate::{ImageFormat, NoticeFor, Picture, PictureSlot, PortError, UserId};

#[async_trait]
impl PictureStore for InMemoryStore {
    async fn picture(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError> {
        Ok(self.state().pictures.get(&(user, slot)).cloned())
    }

    async fn put(&self, picture: &Picture) -> Result<Option<Picture>, PortError> {
        Ok(self.state().pictures.insert((picture.user_id, picture.slot), picture.clone()))
    }

    async fn promote_pending(
        &self,
        pending: &Picture,
        current: &Picture,
        notify: &[NoticeFor],
    ) -> Result<Option<Option<Picture>>, PortError> {
        let mut state = self.state();
        let key = (pending.user_id, PictureSlot::Pending);
        if state.pictures.get(&key).is_none_or(|p| p.files != pending.files) {
            return Ok(None);
        }
        state.pictures.remove(&key);
        let previous = state.pictures.insert((current.user_id, PictureSlot::Current), current.clone());
        if let Some(account) = state.accounts.get_mut(&current.user_id) {
            account.updated_at = current.created_at;
        }
        state.queue_profile_updated(current.user_id, notify);
        Ok(Some(previous))
    }

    async fn reset_current(
        &self,
        user: UserId,
        now: OffsetDateTime,
        notify: &[NoticeFor],
    ) -> Result<Option<Picture>, PortError> {
        let mut state = self.state();
        let removed = state.pictures.remove(&(user, PictureSlot::Current));
        if removed.is_some() {
            if let Some(account) = state.accounts.get_mut(&user) {
                account.updated_at = now;
            }
            state.queue_profile_updated(user, notify);
        }
        Ok(removed)
    }

    async fn take(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError> {
        Ok(self.state().pictures.remove(&(user, slot)))
    }

    async fn take_expired(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Picture>, PortError> {
        let mut state = self.state();
        let expired: Vec<_> = state
            .pictures
            .iter()
            .filter(|(_, p)| p.expires_at.is_some_and(|at| at <= now))
            .map(|(k, _)| *k)
            .take(limit as usize)
            .collect();
        Ok(expired.into_iter().filter_map(|k| state.pictures.remove(&k)).collect())
    }
}

/// Blobs in memory, stamped with the clock's time; writes fail while
/// `failing` is set.
pub(crate) struct MemoryBlobs {
    pub(crate) blobs: Mutex<BTreeMap<String, (Vec<u8>, OffsetDateTime)>>,
    pub(crate) failing: Mutex<bool>,
    clock: Arc<FixedClock>,
}

impl MemoryBlobs {
    pub(crate) fn new(clock: Arc<FixedClock>) -> Self {
        Self { blobs: Mutex::default(), failing: Mutex::new(false), clock }
    }

    pub(crate) fn keys(&self) -> Vec<String> {
        self.blobs.lock().unwrap().keys().cloned().collect()
    }

    fn check(&self) -> Result<(), PortError> {
        if *self.failing.lock().unwrap() { Err(PortError::msg("blob store down")) } else { Ok(()) }
    }
}

#[async_trait]
impl BlobStore for MemoryBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        self.check()?;
        self.blobs.lock().unwrap().insert(key.to_owned(), (bytes, self.clock.now()));
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        Ok(self.blobs.lock().unwrap().get(key).map(|(b, _)| b.clone()))
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), PortError> {
        self.check()?;
        let mut blobs = self.blobs.lock().unwrap();
        let (bytes, _) = blobs.get(from).cloned().ok_or(PortError::msg("no such blob"))?;
        blobs.insert(to.to_owned(), (bytes, self.clock.now()));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.check()?;
        self.blobs.lock().unwrap().remove(key);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobInfo>, PortError> {
        let blobs = self.blobs.lock().unwrap();
        let prefix = format!("{prefix}/");
        Ok(blobs
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, (_, at))| BlobInfo { key: k.clone(), modified_at: *at })
            .collect())
    }
}

/// A processor that makes a 256 and a 64 px "rendition" from the upload's
/// bytes, and refuses uploads that start with `bad`.
pub(crate) struct FakeProcessor;

#[async_trait]
impl PictureProcessor for FakeProcessor {
    async fn process(
        &self,
        upload: Vec<u8>,
        _crop: Option<Crop>,
    ) -> Result<Result<Vec<Rendition>, PictureRejected>, PortError> {
        if upload.starts_with(b"bad") {
            return Ok(Err(PictureRejected::UnsupportedFormat));
        }
        Ok(Ok([256, 64]
            .into_iter()
            .map(|size| Rendition {
                size,
                format: ImageFormat::Jpeg,
                bytes: [upload.as_slice(), &size.to_be_bytes()].concat(),
            })
            .collect()))
    }
}
