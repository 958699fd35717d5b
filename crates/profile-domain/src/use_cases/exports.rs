//! The export of a user's data: limited per user through the security
//! history (where each export is also recorded), read from one snapshot,
//! with the picture files themselves.

use std::sync::Arc;

use base64::Engine as _;
use time::Duration;

use super::draw;
use crate::export::{ExportDocument, ExportRequest, ExportSnapshot, PictureFileRecord, PictureRecord};
use crate::ports::{BlobStore, Clock, ExportSource, LimitedRecord, SecurityLog};
use crate::{Picture, PictureSlot, PortError, SecurityEvent, SecurityEventKind, SessionId, UserId};

/// How often a user may export, and how the document is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportPolicy {
    /// Exports allowed per window.
    pub max_per_window: u32,
    /// The window.
    pub window: Duration,
    /// History entries read per page (the memory an export holds grows
    /// with this, not with the history).
    pub page_size: u32,
}

impl Default for ExportPolicy {
    fn default() -> Self {
        Self { max_per_window: 5, window: Duration::hours(1), page_size: 5000 }
    }
}

/// How many times a snapshot is taken again when a picture file it names
/// is gone (the picture changed between the snapshot and the read).
const SNAPSHOT_TRIES: usize = 3;

/// Why an export could not start.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The user exported as often as the window allows.
    #[error("too many exports; try again later")]
    TooMany {
        /// How long until the next export is allowed.
        retry_after: Duration,
    },
    /// The account does not exist (any more).
    #[error("the account does not exist")]
    NotFound,
    /// Storage failed.
    #[error("could not read the data to export")]
    Unexpected(#[from] PortError),
}

/// The export use case.
pub struct Exports {
    source: Arc<dyn ExportSource>,
    security: Arc<dyn SecurityLog>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    policy: ExportPolicy,
}

impl Exports {
    /// Builds the use case over its ports.
    pub fn new(
        source: Arc<dyn ExportSource>,
        security: Arc<dyn SecurityLog>,
        blobs: Arc<dyn BlobStore>,
        clock: Arc<dyn Clock>,
        policy: ExportPolicy,
    ) -> Self {
        Self { source, security, blobs, clock, policy }
    }

    /// Records the export in the user's security history (refusing it past
    /// the limit), takes the snapshot and reads the picture files; the
    /// document's histories are then read as it is written.
    ///
    /// # Errors
    /// [`ExportError::TooMany`] past the limit (nothing recorded),
    /// [`ExportError::NotFound`] when the account is gone.
    pub async fn start(&self, user: UserId, session: Option<SessionId>) -> Result<ExportDocument, ExportError> {
        let now = draw::now_millis(self.clock.as_ref());
        let event = SecurityEvent { user_id: user, kind: SecurityEventKind::DataExported, at: now };
        match self.security.record_limited(&event, now - self.policy.window, self.policy.max_per_window).await? {
            LimitedRecord::Recorded => {}
            LimitedRecord::NoAccount => return Err(ExportError::NotFound),
            LimitedRecord::Limited { oldest } => {
                let retry_after = (oldest + self.policy.window - now).max(Duration::SECOND);
                return Err(ExportError::TooMany { retry_after });
            }
        }
        let request = ExportRequest { at: now, session };
        for _ in 0..SNAPSHOT_TRIES {
            let snapshot = self.source.snapshot(user).await?.ok_or(ExportError::NotFound)?;
            let (Some(current), Some(pending)) =
                (self.read(&snapshot, PictureSlot::Current).await?, self.read(&snapshot, PictureSlot::Pending).await?)
            else {
                continue;
            };
            return Ok(ExportDocument::new(
                self.source.clone(),
                request,
                &snapshot,
                current.as_ref(),
                pending.as_ref(),
                self.policy.page_size,
            )?);
        }
        Err(PortError::msg("the picture kept changing while it was exported").into())
    }

    /// The picture in `slot` with its files: `Some(None)` when there is
    /// none, `None` when a file it names is gone.
    async fn read(
        &self,
        snapshot: &ExportSnapshot,
        slot: PictureSlot,
    ) -> Result<Option<Option<PictureRecord>>, PortError> {
        let Some(picture) = snapshot.pictures.iter().find(|p| p.slot == slot) else { return Ok(Some(None)) };
        let mut files = Vec::with_capacity(picture.files.len());
        for (file, key) in picture.files.iter().zip(picture.keys()) {
            let Some(bytes) = self.blobs.get(&key).await? else { return Ok(None) };
            files.push(PictureFileRecord {
                file_name: file.file_name(),
                size_px: file.size,
                media_type: file.format.media_type(),
                length_bytes: bytes.len() as u64,
                content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
            });
        }
        Ok(Some(Some(record(picture, files))))
    }
}

fn record(picture: &Picture, files: Vec<PictureFileRecord>) -> PictureRecord {
    PictureRecord { uploaded_at: picture.created_at, expires_at: picture.expires_at, files }
}

#[cfg(test)]
#[path = "exports_tests.rs"]
mod tests;
