//! Picture ports: where a user's pictures are recorded, and what turns an
//! upload into the stored renditions.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{ImageFormat, NoticeFor, Picture, PictureSlot, PortError, UserId};

/// Records each user's current and pending picture.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PictureStore: Send + Sync {
    /// The user's picture in `slot`, if any.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// The current picture may come from a cache, within the bounds of
    /// [`SessionStore::find`](super::SessionStore::find).
    async fn picture(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError>;

    /// Makes `picture` the user's picture in its slot, returning the one it
    /// replaced.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    async fn put(&self, picture: &Picture) -> Result<Option<Picture>, PortError>;

    /// In one transaction: if the user's pending picture is still `pending`
    /// (same files), it becomes the current one as `current`. Returns
    /// `Some` with the current picture it replaced, or `None` when the
    /// pending picture was cancelled or replaced meanwhile.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// With the promotion, the account's `updated_at` becomes
    /// `current.created_at` and a `profile.updated` notice is queued for each
    /// of `notify`, as [`AccountStore::set_display_name`] does.
    ///
    /// [`AccountStore::set_display_name`]: super::AccountStore::set_display_name
    async fn promote_pending(
        &self,
        pending: &Picture,
        current: &Picture,
        notify: &[NoticeFor],
    ) -> Result<Option<Option<Picture>>, PortError>;

    /// Removes and returns the user's current picture (Reset).
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// When there was one, in the same transaction the account's
    /// `updated_at` becomes `now` and a `profile.updated` notice is queued
    /// for each of `notify`, as [`AccountStore::set_display_name`] does;
    /// when there was none, nothing changes and nothing is queued.
    ///
    /// [`AccountStore::set_display_name`]: super::AccountStore::set_display_name
    async fn reset_current(
        &self,
        user: UserId,
        now: OffsetDateTime,
        notify: &[NoticeFor],
    ) -> Result<Option<Picture>, PortError>;

    /// Removes and returns the user's picture in `slot` (the pending one on
    /// Cancel; Reset uses [`reset_current`](Self::reset_current)).
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn take(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError>;

    /// Removes and returns up to `limit` pending pictures that expired at or
    /// before `now`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    ///
    /// # Contract
    /// A picture is taken only if it is still the expired one when it is
    /// removed: an upload that replaced it meanwhile stays.
    async fn take_expired(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Picture>, PortError>;
}

/// A rectangle of the upload to use, in the upload's pixels after its
/// orientation is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crop {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width (and height: the result is square).
    pub size: u32,
}

/// One rendition made from an upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendition {
    /// Width and height in pixels.
    pub size: u32,
    /// Its format.
    pub format: ImageFormat,
    /// The encoded bytes, free of any metadata.
    pub bytes: Vec<u8>,
}

/// Why an upload was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PictureRejected {
    /// The upload is empty.
    #[error("the file is empty")]
    Empty,
    /// The upload has more bytes than allowed.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The image has more pixels than allowed (checked before decoding).
    #[error("the image has more than {limit} pixels")]
    TooManyPixels {
        /// The limit in pixels.
        limit: u64,
    },
    /// Not a JPEG, PNG, WebP or GIF.
    #[error("the file is not a JPEG, PNG, WebP or GIF image")]
    UnsupportedFormat,
    /// The image cannot be decoded.
    #[error("the image is damaged or incomplete")]
    Corrupt,
    /// The crop rectangle is not inside the image.
    #[error("the crop rectangle is not inside the image")]
    BadCrop,
}

/// Turns an upload into renditions: checks it, applies its orientation,
/// drops its metadata, crops it square and scales it to each size.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PictureProcessor: Send + Sync {
    /// The renditions of `upload`, largest first.
    ///
    /// # Errors
    /// `Ok(Err(..))` when the upload is refused; [`PortError`] when
    /// processing itself failed.
    async fn process(
        &self,
        upload: Vec<u8>,
        crop: Option<Crop>,
    ) -> Result<Result<Vec<Rendition>, PictureRejected>, PortError>;
}
