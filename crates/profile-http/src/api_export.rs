//! `GET /v1/me/export`: the export document as a download, streamed as it
//! is written.

use std::sync::Arc;

use poem::Body;
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi};
use profile_domain::error_chain;
use profile_domain::export::ExportDocument;
use profile_domain::use_cases::Exports;

use crate::ApiTags;
use crate::auth::SessionAuth;
use crate::error::ApiError;

/// The export endpoint.
pub struct ExportApi {
    pub(crate) exports: Arc<Exports>,
}

#[derive(ApiResponse)]
enum ExportResponse {
    /// The export document (format `profile-export`, described in
    /// `docs/export.md` and `docs/export.schema.json`), as a download.
    #[oai(status = 200, content_type = "application/json")]
    Ok(Binary<Body>, #[oai(header = "Content-Disposition")] String, #[oai(header = "Cache-Control")] String),
}

/// Chunks written ahead of the one being sent.
const CHUNKS_AHEAD: usize = 2;

/// The chunks of `document` as a body; a chunk that cannot be read ends
/// the body with an error, so the client sees a broken download rather
/// than a document that looks whole. The document is written by a task of
/// its own a few chunks ahead, so reading the next page overlaps sending
/// this one; it stops when the client goes away.
fn body_of(mut document: ExportDocument) -> Body {
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(CHUNKS_AHEAD);
    tokio::spawn(async move {
        loop {
            let next = match document.next_chunk().await {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %error_chain(&e), "export cut short");
                    Err(std::io::Error::other("the export could not be read to its end"))
                }
            };
            let failed = next.is_err();
            if chunks.send(next).await.is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Body::from_bytes_stream(stream)
}

#[OpenApi(tag = "ApiTags::Profile")]
impl ExportApi {
    /// Download all your data
    ///
    /// Everything the service stores about you, as one JSON document. Each
    /// export is recorded in your security history; a few are allowed per
    /// hour (`429 too_many_exports` with `Retry-After` past that). With the
    /// session cookie, send the CSRF token too, as for a change.
    #[oai(path = "/v1/me/export", method = "get")]
    async fn export(&self, req: &poem::Request, auth: SessionAuth) -> Result<ExportResponse, ApiError> {
        crate::auth::csrf_checked_for_read(req, &auth)?;
        let user = auth.user()?;
        let document = self.exports.start(user.user_id, Some(user.session_id)).await?;
        let date = document.exported_at().date();
        let disposition = format!("attachment; filename=\"profile-export-{date}.json\"");
        Ok(ExportResponse::Ok(Binary(body_of(document)), disposition, "no-store".to_owned()))
    }
}
