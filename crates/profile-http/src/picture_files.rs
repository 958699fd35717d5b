//! Serving picture files: `GET /v1/pictures/{user}/{file}` (public,
//! content-addressed, cached for a year) and
//! `GET /v1/me/avatar/pending/preview/{file}` (the owner's previews only).

use std::sync::Arc;

use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Path};
use poem::{IntoResponse, Request, Response, handler};
use profile_domain::use_cases::{Pictures, Profiles};
use profile_domain::{PictureSlot, UserId, default_picture_name, default_picture_svg};

use crate::auth::reader;
use crate::error::{ApiError, ErrorCode};

/// What the file handlers need.
pub(crate) struct PictureFiles {
    pub(crate) pictures: Arc<Pictures>,
    pub(crate) profiles: Arc<Profiles>,
    /// The sizes the default picture is offered in.
    pub(crate) sizes: Vec<u32>,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_found() -> Response {
    ApiError::with_message(ErrorCode::NotFound, "no such picture").into_response()
}

/// A file response with its validators; `304` when the client has it.
pub(crate) fn file_response(
    req: &Request,
    etag: &str,
    media_type: &'static str,
    cache: &'static str,
    bytes: Vec<u8>,
) -> Response {
    let quoted = format!("\"{etag}\"");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == quoted || t.trim() == "*"));
    let builder = Response::builder()
        .header(header::ETAG, quoted.as_str())
        .header(header::CACHE_CONTROL, cache)
        .header("x-content-type-options", "nosniff");
    if matches {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    let mut response = builder.content_type(media_type).body(bytes);
    if media_type == "image/svg+xml" {
        // An SVG opened on its own must not run anything.
        response.headers_mut().insert(
            "content-security-policy",
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
    }
    response
}

/// `GET /v1/pictures/{user}/{file}`: a rendition of the user's picture, or
/// their default picture (`default-{tag}-{size}.svg`).
#[handler]
pub(crate) async fn public(
    req: &Request,
    Path((user, file)): Path<(String, String)>,
    files: Data<&Arc<PictureFiles>>,
) -> Response {
    let Ok(user) = user.parse::<uuid::Uuid>().map(UserId::from_uuid) else { return not_found() };
    if file.starts_with("default-") {
        return default_picture(req, user, &file, &files).await;
    }
    match files.pictures.file(user, PictureSlot::Current, &file).await {
        Ok(Some((found, bytes))) => file_response(req, &found.hash, found.format.media_type(), IMMUTABLE, bytes),
        Ok(None) => not_found(),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

async fn default_picture(req: &Request, user: UserId, file: &str, files: &PictureFiles) -> Response {
    let Some(size) = file
        .strip_suffix(".svg")
        .and_then(|stem| stem.rsplit_once('-'))
        .and_then(|(_, size)| size.parse::<u32>().ok())
        .filter(|size| files.sizes.contains(size))
    else {
        return not_found();
    };
    let account = match files.profiles.get(user).await {
        Ok(account) => account,
        Err(profile_domain::use_cases::ProfileError::NotFound) => return not_found(),
        Err(profile_domain::use_cases::ProfileError::Unexpected(e)) => return ApiError::internal(&e).into_response(),
    };
    let name = account.display_name.as_ref();
    // An old name's URL is not answered with the new initials: it would be
    // cached for a year as if it were the old picture.
    if default_picture_name(user, name, size) != file {
        return not_found();
    }
    let etag = file.trim_end_matches(".svg");
    file_response(req, etag, "image/svg+xml", IMMUTABLE, default_picture_svg(user, name, size).into_bytes())
}

/// `GET /v1/me/avatar/pending/preview/{file}`: a preview of your uploaded
/// picture.
#[handler]
pub(crate) async fn preview(req: &Request, Path(file): Path<String>, files: Data<&Arc<PictureFiles>>) -> Response {
    let user = match reader(req).await {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    match files.pictures.file(user.user_id, PictureSlot::Pending, &file).await {
        Ok(Some((found, bytes))) => {
            file_response(req, &found.hash, found.format.media_type(), "private, max-age=3600", bytes)
        }
        Ok(None) => not_found(),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}
