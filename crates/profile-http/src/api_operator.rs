//! `/v1/operator/*`: what the operator's sending system asks, authenticated
//! with the operator API key (only its SHA-256 is configured).

use std::sync::Arc;

use poem::{Body, Request};
use poem_openapi::auth::Bearer;
use poem_openapi::param::Path;
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi, SecurityScheme};
use profile_domain::use_cases::Unsubscribes;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiTags;
use crate::client::client_key;
use crate::error::{ApiError, ErrorCode};
use profile_domain::LimitName;
use profile_domain::use_cases::RateLimits;

/// Recipients fetched per page while streaming.
const PAGE_SIZE: u32 = 500;

/// The operator API endpoints.
pub struct OperatorApi {
    pub(crate) unsubscribes: Arc<Unsubscribes>,
    pub(crate) guard: Arc<OperatorGuard>,
}

/// Checks the operator API key, for every operator endpoint.
pub(crate) struct OperatorGuard {
    pub(crate) key_sha256: Option<[u8; 32]>,
    /// Counts failed key checks per client (`operator_key_failures_per_ip`).
    pub(crate) limits: Arc<RateLimits>,
    pub(crate) trust_proxy_headers: bool,
}

/// The operator API key, as `Authorization: Bearer <key>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "OperatorKey")]
pub struct OperatorKey(Bearer);

/// The operator key, or its absence (answered with `operator_key_invalid`
/// like a wrong key, rather than the sign-in error).
#[derive(SecurityScheme)]
pub enum OperatorAuth {
    /// A key was sent.
    Key(OperatorKey),
    /// No key was sent.
    #[oai(fallback)]
    Missing,
}

#[derive(ApiResponse)]
enum Revoked {
    /// The link no longer works; the next listing gives a new one.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
enum Recipients {
    /// One JSON object per line: `{"user_id": …, "email": …,
    /// "unsubscribe_url": …}` for every user who consents to the email
    /// purpose now, then `{"end": true, "count": N}`; a list without that
    /// last line was cut short.
    #[oai(status = 200, content_type = "application/x-ndjson")]
    Ok(Binary<Body>),
}

impl OperatorGuard {
    /// Checks the key. A client address with too many failures is refused
    /// before its key is even compared, so guessing stays slow.
    pub(crate) async fn check(&self, auth: &OperatorAuth, req: &Request) -> Result<(), ApiError> {
        let client = client_key(req, self.trust_proxy_headers);
        let name = LimitName::OperatorKeyFailuresPerClient;
        // Every attempt is counted before the key is compared, so a burst
        // of guesses cannot all be compared before any is counted; the
        // right key gives its count back.
        self.limits.count(name, &client).await?;
        let presented = match auth {
            OperatorAuth::Key(key) => Some(<[u8; 32]>::from(Sha256::digest(key.0.token.as_bytes()))),
            OperatorAuth::Missing => None,
        };
        let right = match (self.key_sha256, presented) {
            (Some(expected), Some(presented)) => bool::from(presented.ct_eq(&expected)),
            _ => false,
        };
        if !right {
            return Err(ApiError::of(ErrorCode::OperatorKeyInvalid));
        }
        self.limits.refund(name, &client).await?;
        Ok(())
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
    async fn recipients(
        &self,
        req: &Request,
        auth: OperatorAuth,
        purpose: Path<String>,
    ) -> Result<Recipients, ApiError> {
        self.guard.check(&auth, req).await?;
        let unsubscribes = self.unsubscribes.clone();
        let first = unsubscribes.recipients(&purpose.0, None, PAGE_SIZE).await?;
        let purpose = purpose.0;
        let pages = futures_util::stream::unfold(Some((first, 0_usize)), move |state| {
            let unsubscribes = unsubscribes.clone();
            let purpose = purpose.clone();
            async move {
                let (page, sent) = state?;
                let mut lines = Vec::new();
                for r in &page.recipients {
                    let line = serde_json::json!({
                        "user_id": r.user_id.as_uuid(),
                        "email": r.email.as_str(),
                        "unsubscribe_url": r.unsubscribe_url,
                    });
                    lines.extend_from_slice(line.to_string().as_bytes());
                    lines.push(b'\n');
                }
                let sent = sent + page.recipients.len();
                let next = match page.next {
                    None => {
                        // The last line says the list is complete.
                        let end = serde_json::json!({ "end": true, "count": sent });
                        lines.extend_from_slice(end.to_string().as_bytes());
                        lines.push(b'\n');
                        None
                    }
                    Some(cursor) => match unsubscribes.recipients(&purpose, Some(cursor), PAGE_SIZE).await {
                        Ok(next) => Some((next, sent)),
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

    /// Revoke a user's unsubscribe link
    ///
    /// The link stops working; the next listing gives the user a new one.
    #[oai(path = "/v1/operator/purposes/:purpose/recipients/:user_id/unsubscribe-link", method = "delete")]
    async fn revoke_link(
        &self,
        req: &Request,
        auth: OperatorAuth,
        purpose: Path<String>,
        user_id: Path<uuid::Uuid>,
    ) -> Result<Revoked, ApiError> {
        self.guard.check(&auth, req).await?;
        let revoked = self
            .unsubscribes
            .revoke(profile_domain::UserId::from_uuid(user_id.0), &purpose.0)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if revoked { Ok(Revoked::NoContent) } else { Err(ApiError::of(ErrorCode::NoUnsubscribeLink)) }
    }
}
