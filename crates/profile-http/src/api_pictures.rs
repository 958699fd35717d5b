//! `/v1/me/avatar…`: upload a picture (it waits as a preview), Save it,
//! Cancel it, or Reset to the default picture.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use profile_domain::ports::{Crop, PictureRejected};
use profile_domain::use_cases::Pictures;
use time::OffsetDateTime;

use crate::ApiTags;
use crate::auth::SessionAuth;
use crate::error::{ApiError, ErrorCode};

/// The picture endpoints.
pub struct PictureApi {
    pub(crate) pictures: Arc<Pictures>,
    /// Where pictures are served.
    pub(crate) links: profile_domain::PictureLinks,
    /// The largest upload in bytes.
    pub(crate) max_bytes: u64,
}

/// An upload: the image file, and optionally the square to keep.
#[derive(Debug, Multipart)]
pub struct PictureUpload {
    /// A JPEG, PNG, WebP or GIF image (recognised by its content).
    file: Upload,
    /// Left edge of the square to keep, in pixels of the (upright) image.
    x: Option<u32>,
    /// Top edge of the square to keep.
    y: Option<u32>,
    /// Side of the square to keep; without `x`, `y` and `size` the largest
    /// centred square is kept.
    size: Option<u32>,
}

/// One rendition's URL.
#[derive(Debug, Object)]
pub struct PictureUrl {
    /// Width and height in pixels.
    pub size: u32,
    /// Where it is served.
    pub url: String,
}

/// An uploaded picture waiting for Save or Cancel.
#[derive(Debug, Object)]
struct PendingPicture {
    /// Preview URLs, readable only with your session, largest first.
    previews: Vec<PictureUrl>,
    /// When it is dropped unless saved.
    #[oai(nullable)]
    expires_at: Option<OffsetDateTime>,
}

/// The picture others see.
#[derive(Debug, Object)]
pub struct SavedPicture {
    /// Its URLs, largest first.
    pub urls: Vec<PictureUrl>,
}

#[derive(ApiResponse)]
enum Staged {
    /// The upload is the pending picture; see it at the preview URLs.
    #[oai(status = 201)]
    Created(Json<PendingPicture>),
}

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

impl From<profile_domain::SizedUrl> for PictureUrl {
    fn from(url: profile_domain::SizedUrl) -> Self {
        Self { size: url.size, url: url.url }
    }
}

#[OpenApi(tag = "ApiTags::Profile")]
impl PictureApi {
    /// Upload a picture
    ///
    /// `multipart/form-data` with the image in the field `file`. The picture
    /// is checked, turned upright, stripped of its metadata (such as GPS
    /// positions), cropped square and scaled; it waits as your pending
    /// picture (a new upload replaces it) until you Save or Cancel it, or it
    /// expires. Your current picture is unchanged until Save. Uploads are
    /// limited per account (`429 rate_limited` with `Retry-After`).
    #[oai(path = "/v1/me/avatar/pending", method = "post")]
    async fn upload(&self, auth: SessionAuth, body: PictureUpload) -> Result<Staged, ApiError> {
        let user = auth.user()?;
        if body.file.size() as u64 > self.max_bytes {
            return Err(ApiError::from(PictureRejected::TooLarge { limit: self.max_bytes }));
        }
        let crop = match (body.x, body.y, body.size) {
            (None, None, None) => None,
            (Some(x), Some(y), Some(size)) => Some(Crop { x, y, size }),
            _ => return Err(ApiError::of(ErrorCode::PictureBadCrop)),
        };
        // Read at its known size at once, without a doubling buffer.
        let mut bytes = Vec::with_capacity(body.file.size());
        tokio::io::AsyncReadExt::read_to_end(&mut body.file.into_async_read(), &mut bytes)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let pending = self.pictures.stage(user.user_id, bytes, crop).await?;
        Ok(Staged::Created(Json(PendingPicture {
            previews: self.links.previews(&pending.files).into_iter().map(Into::into).collect(),
            expires_at: pending.expires_at,
        })))
    }

    /// Save the uploaded picture
    ///
    /// The pending picture becomes your picture, at new URLs; the previous
    /// picture's files are deleted.
    #[oai(path = "/v1/me/avatar/pending/save", method = "post")]
    async fn save(&self, auth: SessionAuth) -> Result<Json<SavedPicture>, ApiError> {
        let user = auth.user()?;
        let saved = self.pictures.save(user.user_id).await?;
        Ok(Json(SavedPicture {
            urls: self.links.shown(user.user_id, None, Some(&saved.files)).urls.into_iter().map(Into::into).collect(),
        }))
    }

    /// Cancel the uploaded picture
    #[oai(path = "/v1/me/avatar/pending", method = "delete")]
    async fn cancel(&self, auth: SessionAuth) -> Result<Done, ApiError> {
        let user = auth.user()?;
        self.pictures.cancel(user.user_id).await?;
        Ok(Done::NoContent)
    }

    /// Reset to the default picture
    ///
    /// Your picture is removed and its files deleted; the default picture
    /// (your initials) shows instead. Resetting with no picture is fine.
    #[oai(path = "/v1/me/avatar", method = "delete")]
    async fn reset(&self, auth: SessionAuth) -> Result<Done, ApiError> {
        let user = auth.user()?;
        self.pictures.reset(user.user_id).await?;
        Ok(Done::NoContent)
    }
}
