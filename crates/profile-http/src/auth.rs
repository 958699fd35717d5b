//! Who is calling: a session token as a bearer token (API clients) or in the
//! session cookie (the web page), with cross-site request protection for the
//! cookie: a write made with the cookie must carry the session's CSRF token
//! in `X-CSRF-Token` and, when the browser names its origin, come from the
//! page's origin.

use std::sync::Arc;

use poem::Request;
use poem::http::Method;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};
use profile_domain::use_cases::{Authenticated, Sessions};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ErrorCode};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "profile_session";

/// The request header that carries the CSRF token on cookie writes.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF token of a session: derived from its token, so it needs no
/// storage, yet cannot be worked out without the (HttpOnly) session token.
#[must_use]
pub(crate) fn csrf_token(session_token: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"profile-csrf-v1:");
    hash.update(session_token.as_bytes());
    hex::encode(hash.finalize())
}

/// What the authentication checkers need, shared as request data.
pub struct AuthContext {
    /// The session use case.
    pub sessions: Arc<Sessions>,
    /// The origin (`scheme://host[:port]`) the web page is served from;
    /// cookie-authenticated writes must come from it.
    pub origin: String,
}

/// The outcome of checking a presented credential.
pub struct Checked(Result<Authenticated, ApiError>);

/// A session token sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(Checked);

/// The session cookie set by `POST /v1/auth/verify`; named
/// `__Host-profile_session` when the service's public URL is https.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "profile_session", key_in = "cookie", checker = "check_cookie")]
pub struct CookieAuth(Checked);

/// Either credential; the bearer token wins when both are sent.
#[derive(SecurityScheme)]
pub enum SessionAuth {
    /// From the `Authorization` header.
    Bearer(BearerAuth),
    /// From the session cookie.
    Cookie(CookieAuth),
}

impl SessionAuth {
    /// Whether the credential came in the cookie (the web page).
    #[must_use]
    pub fn is_cookie(&self) -> bool {
        matches!(self, Self::Cookie(_))
    }

    /// The signed-in user, or the 401/403 to answer with.
    ///
    /// # Errors
    /// The error response when the credential was not accepted.
    pub fn user(self) -> Result<Authenticated, ApiError> {
        match self {
            Self::Bearer(BearerAuth(Checked(result))) | Self::Cookie(CookieAuth(Checked(result))) => result,
        }
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Checked> {
    Ok(Checked(authenticate(req, &bearer.token).await))
}

async fn check_cookie(req: &Request, cookie: ApiKey) -> poem::Result<Checked> {
    if let Err(refusal) = same_origin(req).and_then(|()| csrf_checked(req, &cookie.key)) {
        return Ok(Checked(Err(refusal)));
    }
    Ok(Checked(authenticate(req, &cookie.key).await))
}

/// A session already checked for this request (by the upload gate, before
/// it reads the body), so the operation does not look it up again. Only
/// this crate sets it: a client cannot.
#[derive(Clone)]
pub(crate) struct CheckedSession(pub(crate) Authenticated);

async fn authenticate(req: &Request, token: &str) -> Result<Authenticated, ApiError> {
    if let Some(CheckedSession(user)) = req.extensions().get::<CheckedSession>() {
        return Ok(*user);
    }
    let Some(context) = req.data::<Arc<AuthContext>>() else {
        return Err(ApiError::internal(&MissingContext));
    };
    context.sessions.authenticate(Some(token)).await.map_err(ApiError::from)
}

/// The signed-in user of a plain (non-OpenAPI) request: the bearer token,
/// else the session cookie (refused for a cross-site write).
pub(crate) async fn reader(req: &Request) -> Result<Authenticated, ApiError> {
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let token = match bearer {
        Some(token) => Some(token.trim().to_owned()),
        None => session_cookie(req),
    };
    let Some(token) = token else { return Err(ApiError::of(ErrorCode::Unauthenticated)) };
    if bearer.is_none() {
        same_origin(req)?;
        csrf_checked(req, &token)?;
    }
    authenticate(req, &token).await
}

/// The session token in the request's cookie, if any.
pub(crate) fn session_cookie(req: &Request) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// For a read that counts as an action (the export: it is limited per hour
/// and recorded), the CSRF token is required with the cookie as for a
/// write, so another site cannot spend the user's allowance with a link.
pub(crate) fn csrf_checked_for_read(req: &Request, auth: &SessionAuth) -> Result<(), ApiError> {
    if !auth.is_cookie() {
        return Ok(());
    }
    let token = session_cookie(req).unwrap_or_default();
    csrf_matches(req, &token)
}

/// Refuses a cookie-authenticated write without the session's CSRF token.
/// A cross-site page can make the browser send the cookie, but can neither
/// read the token nor add a custom header without the server's consent
/// (there is no CORS).
fn csrf_checked(req: &Request, session_token: &str) -> Result<(), ApiError> {
    if is_safe(req.method()) {
        return Ok(());
    }
    csrf_matches(req, session_token)
}

fn csrf_matches(req: &Request, session_token: &str) -> Result<(), ApiError> {
    let expected = csrf_token(session_token);
    let sent = req.headers().get(CSRF_HEADER).map(poem::http::HeaderValue::as_bytes).unwrap_or_default();
    if bool::from(sent.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::with_message(
            ErrorCode::CsrfTokenInvalid,
            "a change made with the session cookie needs the X-CSRF-Token header from GET /v1/auth/session",
        ))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[derive(Debug, thiserror::Error)]
#[error("the authentication context is not installed")]
struct MissingContext;

/// Refuses cookie-authenticated writes that a browser says come from another
/// site. Reads are allowed; clients that send neither `Origin` nor
/// `Sec-Fetch-Site` (not browsers) are allowed.
fn same_origin(req: &Request) -> Result<(), ApiError> {
    if is_safe(req.method()) {
        return Ok(());
    }
    let refuse = || ApiError::of(ErrorCode::CrossSiteRequest);
    let expected = req.data::<Arc<AuthContext>>().map(|c| c.origin.as_str());
    if let Some(origin) = req.headers().get("origin") {
        return if origin.to_str().ok() == expected { Ok(()) } else { Err(refuse()) };
    }
    match req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None | Some("same-origin" | "none") => Ok(()),
        Some(_) => Err(refuse()),
    }
}
