//! Profile pictures: stage an upload as the pending picture (a preview),
//! then Save it or Cancel it; Reset goes back to the default picture. Files
//! are written before the database points at them and deleted after it
//! stops, so a crash leaves at most unreferenced files, which the sweeper
//! deletes.

use std::sync::Arc;

use time::Duration;

use super::ProfileEvents;
use crate::ports::{BlobStore, Clock, Crop, PictureProcessor, PictureRejected, PictureStore};
use crate::{Picture, PictureFile, PictureSlot, PortError, UserId, blob_key};

/// How long pending pictures and unreferenced files live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PicturePolicy {
    /// A pending picture not saved within this is dropped (default 1 hour).
    pub pending_ttl: Duration,
    /// A file no picture refers to is deleted once it is this old (default
    /// 1 hour: longer than any upload takes between writing its files and
    /// recording them).
    pub orphan_grace: Duration,
    /// Expired pending pictures dropped per sweep (default 500).
    pub sweep_batch: u32,
}

impl Default for PicturePolicy {
    fn default() -> Self {
        Self { pending_ttl: Duration::hours(1), orphan_grace: Duration::hours(1), sweep_batch: 500 }
    }
}

/// Why a picture operation failed; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The upload was refused.
    #[error(transparent)]
    Rejected(#[from] PictureRejected),
    /// Save or Cancel with no pending picture.
    #[error("there is no uploaded picture waiting to be saved")]
    NothingPending,
    /// Storage or processing failed.
    #[error("could not store the picture")]
    Unexpected(#[from] PortError),
}

/// What a sweep deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Pending pictures dropped because they expired.
    pub expired: u32,
    /// Files deleted because no picture refers to them.
    pub orphans: u32,
    /// Files that could not be checked or deleted this time (the next
    /// sweep tries again).
    pub failed: u32,
}

/// The picture use case.
pub struct Pictures {
    store: Arc<dyn PictureStore>,
    blobs: Arc<dyn BlobStore>,
    processor: Arc<dyn PictureProcessor>,
    clock: Arc<dyn Clock>,
    policy: PicturePolicy,
    events: Option<ProfileEvents>,
}

impl Pictures {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn PictureStore>,
        blobs: Arc<dyn BlobStore>,
        processor: Arc<dyn PictureProcessor>,
        clock: Arc<dyn Clock>,
        policy: PicturePolicy,
    ) -> Self {
        Self { store, blobs, processor, clock, policy, events: None }
    }

    /// Tells the subscribed services of every Save and Reset
    /// (`profile.updated`).
    #[must_use]
    pub fn with_events(mut self, events: ProfileEvents) -> Self {
        self.events = Some(events);
        self
    }

    fn notices(&self) -> Vec<crate::NoticeFor> {
        self.events.as_ref().map(ProfileEvents::notices).unwrap_or_default()
    }

    fn queued(&self, notify: &[crate::NoticeFor]) {
        if let Some(events) = &self.events {
            events.queued(notify);
        }
    }

    /// The user's picture in `slot` (a pending one only until it expires).
    ///
    /// # Errors
    /// [`PictureError::Unexpected`] when storage fails.
    pub async fn picture(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PictureError> {
        let now = self.clock.now();
        let picture = self.store.picture(user, slot).await?;
        Ok(picture.filter(|p| p.expires_at.is_none_or(|at| at > now)))
    }

    /// Processes the upload and makes it the pending picture, replacing any
    /// pending one; the current picture is untouched until Save.
    ///
    /// # Errors
    /// [`PictureError::Rejected`] for an upload that is not a usable image.
    pub async fn stage(&self, user: UserId, upload: Vec<u8>, crop: Option<Crop>) -> Result<Picture, PictureError> {
        let renditions = self.processor.process(upload, crop).await??;
        let now = self.clock.now();
        let picture = Picture {
            user_id: user,
            slot: PictureSlot::Pending,
            files: renditions.iter().map(|r| PictureFile::of(r.size, r.format, &r.bytes)).collect(),
            created_at: now,
            expires_at: Some(now + self.policy.pending_ttl),
        };
        for (file, rendition) in picture.files.iter().zip(renditions) {
            self.blobs.put(&blob_key(PictureSlot::Pending, user, file), rendition.bytes).await?;
        }
        if let Some(replaced) = self.store.put(&picture).await? {
            self.remove_files(&replaced, &picture.keys()).await;
        }
        Ok(picture)
    }

    /// The pending picture becomes the picture; the previous picture's files
    /// and the pending copies are deleted.
    ///
    /// # Errors
    /// [`PictureError::NothingPending`] when no (unexpired) upload waits.
    pub async fn save(&self, user: UserId) -> Result<Picture, PictureError> {
        let pending = self.picture(user, PictureSlot::Pending).await?.ok_or(PictureError::NothingPending)?;
        let current = Picture {
            slot: PictureSlot::Current,
            expires_at: None,
            created_at: super::draw::now_millis(self.clock.as_ref()),
            ..pending.clone()
        };
        for (from, to) in pending.keys().iter().zip(current.keys()) {
            if let Err(error) = self.blobs.copy(from, &to).await {
                // Cancelled or replaced while saving: its files are gone.
                let still = self.store.picture(user, PictureSlot::Pending).await?;
                return Err(if still.is_some_and(|p| p.files == pending.files) {
                    error.into()
                } else {
                    PictureError::NothingPending
                });
            }
        }
        // Cancelled or replaced meanwhile: the copies are unreferenced and
        // the sweeper deletes them.
        let notify = self.notices();
        let previous =
            self.store.promote_pending(&pending, &current, &notify).await?.ok_or(PictureError::NothingPending)?;
        self.queued(&notify);
        if let Some(previous) = previous {
            self.remove_files(&previous, &current.keys()).await;
        }
        self.remove_files(&pending, &[]).await;
        Ok(current)
    }

    /// Drops the pending picture.
    ///
    /// # Errors
    /// [`PictureError::NothingPending`] when no upload waits.
    pub async fn cancel(&self, user: UserId) -> Result<(), PictureError> {
        let pending = self.store.take(user, PictureSlot::Pending).await?.ok_or(PictureError::NothingPending)?;
        self.remove_files(&pending, &[]).await;
        Ok(())
    }

    /// Removes the picture; the default picture shows instead. Resetting
    /// with no picture changes nothing.
    ///
    /// # Errors
    /// [`PictureError::Unexpected`] when storage fails.
    pub async fn reset(&self, user: UserId) -> Result<(), PictureError> {
        let notify = self.notices();
        let now = super::draw::now_millis(self.clock.as_ref());
        if let Some(current) = self.store.reset_current(user, now, &notify).await? {
            self.queued(&notify);
            self.remove_files(&current, &[]).await;
        }
        Ok(())
    }

    /// A file of the user's picture in `slot`, by its file name, with its
    /// bytes; `None` for a name that is not a file name or a missing file.
    ///
    /// # Errors
    /// [`PictureError::Unexpected`] when storage fails.
    pub async fn file(
        &self,
        user: UserId,
        slot: PictureSlot,
        name: &str,
    ) -> Result<Option<(PictureFile, Vec<u8>)>, PictureError> {
        let Some((hash, size, format)) = PictureFile::parse_name(name) else { return Ok(None) };
        let key = format!("{}/{}/{}", slot.as_str(), user, name);
        let Some(bytes) = self.blobs.get(&key).await? else { return Ok(None) };
        let file = PictureFile { size, format, hash, bytes: bytes.len() as u64 };
        Ok(Some((file, bytes)))
    }

    /// Drops expired pending pictures and deletes files no picture refers
    /// to that are older than the grace time.
    ///
    /// # Errors
    /// [`PictureError::Unexpected`] when storage fails; the next sweep
    /// carries on.
    pub async fn sweep(&self) -> Result<SweepReport, PictureError> {
        let now = self.clock.now();
        let mut report = SweepReport::default();
        for expired in self.store.take_expired(now, self.policy.sweep_batch).await? {
            self.remove_files(&expired, &[]).await;
            report.expired += 1;
        }
        for slot in [PictureSlot::Current, PictureSlot::Pending] {
            for blob in self.blobs.list(slot.as_str()).await? {
                if now - blob.modified_at < self.policy.orphan_grace {
                    continue;
                }
                let mut parts = blob.key.splitn(3, '/');
                let (Some(_), Some(owner), Some(name)) = (parts.next(), parts.next(), parts.next()) else { continue };
                let Ok(user) = owner.parse::<uuid::Uuid>().map(UserId::from_uuid) else { continue };
                if PictureFile::parse_name(name).is_none() {
                    continue; // not ours: left alone
                }
                // Read just before deciding, never from an earlier read: a
                // Save may have made the file live a moment ago.
                match self.store.picture(user, slot).await {
                    Ok(picture) if picture.as_ref().is_some_and(|p| p.files.iter().any(|f| f.file_name() == name)) => {}
                    Ok(_) => match self.blobs.delete(&blob.key).await {
                        Ok(()) => report.orphans += 1,
                        Err(_) => report.failed += 1,
                    },
                    Err(_) => report.failed += 1,
                }
            }
        }
        Ok(report)
    }

    /// Deletes the picture's files except those in `keep`. A file that
    /// cannot be deleted now is left for the sweeper.
    async fn remove_files(&self, picture: &Picture, keep: &[String]) {
        for key in picture.keys() {
            if !keep.contains(&key) {
                let _ = self.blobs.delete(&key).await;
            }
        }
    }
}

#[cfg(test)]
#[path = "pictures_tests.rs"]
mod tests;
