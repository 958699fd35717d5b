//! `/v1/operator/*`: what the operator's sending system asks, authenticated
//! with the operator API key (only its SHA-256 is configured).

use std::sync::Arc;

use poem::Body;
use poem_openapi::auth::Bearer;
use poem_openapi::param::Path;
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi, SecurityScheme};
use profile_domain::use_cases::{ListRecipientsError, Unsubscribes};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiTags;
use crate::error::ApiError;

/// Recipients fetched per page while streaming.
const PAGE_SIZE: u32 = 500;

/// The operator API endpoints.
pub struct OperatorApi {
    pub(crate) unsubscribes: Arc<Unsubscribes>,
    pub(crate) key_sha256: Option<[u8; 32]>,
}

/// The operator API key, as `Authorization: Bearer <key>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "OperatorKey")]
pub struct OperatorKey(Bearer);

#[derive(ApiResponse)]
enum Recipients {
    /// One JSON object per line: `{"email": …, "unsubscribe_url": …}`, for
    /// every user who consents to the email purpose now.
    #[oai(status = 200, content_type = "application/x-ndjson")]
    Ok(Binary<Body>),
}

impl OperatorApi {
    fn check(&self, key: &OperatorKey) -> Result<(), ApiError> {
        let refused = || ApiError::unauthorized("operator_key_invalid", "the operator API key is not valid");
        let expected = self.key_sha256.ok_or_else(refused)?;
        let presented: [u8; 32] = Sha256::digest(key.0.token.as_bytes()).into();
        if bool::from(presented.ct_eq(&expected)) { Ok(()) } else { Err(refused()) }
    }
}

#[OpenApi(tag = "ApiTags::Operator")]
impl OperatorApi {
    /// Recipients of an email purpose
    ///
    /// Streams, as NDJSON, the address and one-click unsubscribe URL of every
    /// user who consents to the email purpose now, so the sending system can
    /// use this service as the source of truth and set `List-Unsubscribe` and
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` on its mail.
    #[oai(path = "/v1/operator/purposes/:purpose/recipients", method = "get")]
    async fn recipients(&self, key: OperatorKey, purpose: Path<String>) -> Result<Recipients, ApiError> {
        self.check(&key)?;
        let unsubscribes = self.unsubscribes.clone();
        let first = unsubscribes.recipients(&purpose.0, None, PAGE_SIZE).await.map_err(|e| match e {
            ListRecipientsError::UnknownPurpose => ApiError::not_found("unknown_purpose", e.to_string()),
            ListRecipientsError::NotAnEmailPurpose => ApiError::bad_request("not_an_email_purpose", e.to_string()),
            ListRecipientsError::Unexpected(e) => ApiError::internal(&e),
        })?;
        let purpose = purpose.0;
        let pages = futures_util::stream::unfold(Some(first), move |state| {
            let unsubscribes = unsubscribes.clone();
            let purpose = purpose.clone();
            async move {
                let page = state?;
                let mut lines = Vec::new();
                for r in &page.recipients {
                    let line = serde_json::json!({ "email": r.email.as_str(), "unsubscribe_url": r.unsubscribe_url });
                    lines.extend_from_slice(line.to_string().as_bytes());
                    lines.push(b'\n');
                }
                let next = match page.next {
                    None => None,
                    Some(cursor) => match unsubscribes.recipients(&purpose, Some(cursor), PAGE_SIZE).await {
                        Ok(next) => Some(next),
                        Err(error) => {
                            tracing::error!(error = %error, "streaming recipients failed; the listing is cut short");
                            return Some((Err(std::io::Error::other("listing failed")), None));
                        }
                    },
                };
                Some((Ok::<_, std::io::Error>(lines), next))
            }
        });
        Ok(Recipients::Ok(Binary(Body::from_bytes_stream(pages))))
    }
}
