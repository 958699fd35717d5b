//! Who is calling: a session token as a bearer token (API clients) or in the
//! session cookie (the web page), with cross-site request protection for the
//! cookie.

use std::sync::Arc;

use poem::Request;
use poem::http::Method;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};
use profile_domain::use_cases::{AuthError, Authenticated, Sessions};

use crate::error::ApiError;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "profile_session";

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

/// The session cookie set by `POST /v1/auth/verify`.
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
    if let Err(refusal) = same_origin(req) {
        return Ok(Checked(Err(refusal)));
    }
    Ok(Checked(authenticate(req, &cookie.key).await))
}

async fn authenticate(req: &Request, token: &str) -> Result<Authenticated, ApiError> {
    let Some(context) = req.data::<Arc<AuthContext>>() else {
        return Err(ApiError::internal(&MissingContext));
    };
    context.sessions.authenticate(Some(token)).await.map_err(|e| match e {
        AuthError::Missing => ApiError::unauthorized("unauthenticated", "sign in first"),
        AuthError::Invalid => {
            ApiError::unauthorized("session_invalid", "the session is unknown, ended or expired; sign in again")
        }
        AuthError::Unexpected(e) => ApiError::internal(&e),
    })
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
        None => req
            .headers()
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.to_owned()),
    };
    let Some(token) = token else { return Err(ApiError::unauthorized("unauthenticated", "sign in first")) };
    if bearer.is_none() {
        same_origin(req)?;
    }
    authenticate(req, &token).await
}

#[derive(Debug, thiserror::Error)]
#[error("the authentication context is not installed")]
struct MissingContext;

/// Refuses cookie-authenticated writes that a browser says come from another
/// site. Reads are allowed; clients that send neither `Origin` nor
/// `Sec-Fetch-Site` (not browsers) are allowed.
fn same_origin(req: &Request) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let refuse =
        || ApiError::forbidden("cross_site_request", "cookie-authenticated writes must come from the profile page");
    let expected = req.data::<Arc<AuthContext>>().map(|c| c.origin.as_str());
    if let Some(origin) = req.headers().get("origin") {
        return if origin.to_str().ok() == expected { Ok(()) } else { Err(refuse()) };
    }
    match req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None | Some("same-origin" | "none") => Ok(()),
        Some(_) => Err(refuse()),
    }
}
