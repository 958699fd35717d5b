//! `/v1/auth/*`: passwordless sign-in and sign-out.

use std::sync::Arc;

use poem::Request;
use poem::web::cookie::{Cookie, SameSite};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use profile_domain::EmailAddress;
use profile_domain::use_cases::SignIn;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ApiTags;
use crate::auth::{SessionAuth, csrf_token, session_cookie};
use crate::client::client_key;
use crate::config::HttpConfig;
use crate::error::ApiError;
use profile_domain::LimitName;
use profile_domain::use_cases::RateLimits;

/// `POST /v1/auth/sign-in`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SignInRequest {
    /// The address to send a one-time code to.
    pub email: String,
}

/// The answer to a sign-in request; the same whether or not the address has
/// an account.
#[derive(Debug, Object)]
pub struct SignInStarted {
    /// How long the code will work, in seconds.
    pub code_valid_for_seconds: u64,
}

/// `POST /v1/auth/verify`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The address the code was sent to.
    pub email: String,
    /// The six-digit code from the message (spaces and hyphens allowed).
    pub code: String,
    /// `true` for a browser page: the session is given only as the
    /// HttpOnly cookie, so no script ever sees its token.
    #[oai(default)]
    pub cookie_only: bool,
}

/// A new session.
#[derive(Debug, Object)]
pub struct SessionCreated {
    /// The session token: send it as `Authorization: Bearer <token>`. It is
    /// shown once; only its hash is stored. Absent when `cookie_only` was
    /// asked for.
    #[oai(skip_serializing_if_is_none)]
    pub token: Option<String>,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
    /// The signed-in user's id.
    pub user_id: Uuid,
    /// Whether this sign-in created the account.
    pub account_created: bool,
}

/// The session that made the request.
#[derive(Debug, Object)]
pub struct SessionInfo {
    /// The signed-in user's id.
    pub user_id: Uuid,
    /// When the user signed in with this session (deleting the account and
    /// changing the login address need a recent sign-in).
    pub signed_in_at: OffsetDateTime,
    /// For the session cookie only: the token to send in `X-CSRF-Token` with
    /// every change made with the cookie. Absent for a bearer token.
    #[oai(nullable)]
    pub csrf_token: Option<String>,
}

/// The sign-in endpoints.
pub struct AuthApi {
    pub(crate) sign_in: Arc<SignIn>,
    pub(crate) sessions: Arc<profile_domain::use_cases::Sessions>,
    pub(crate) config: HttpConfig,
    pub(crate) limits: Arc<RateLimits>,
}

#[derive(ApiResponse)]
enum SignInAccepted {
    /// A code is on its way if the address can sign in.
    #[oai(status = 202)]
    Accepted(Json<SignInStarted>),
}

#[derive(ApiResponse)]
enum Verified {
    /// Signed in: the token, and the session cookie for browsers.
    #[oai(status = 200)]
    Ok(Json<SessionCreated>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum SignedOut {
    /// The session has ended and the cookie is cleared.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

fn parse_email(text: &str) -> Result<EmailAddress, ApiError> {
    Ok(EmailAddress::parse(text)?)
}

impl AuthApi {
    fn session_cookie(&self, value: &str, max_age: std::time::Duration) -> String {
        let name = crate::secure_cookie::wire_name(self.config.secure_cookies());
        let mut cookie = Cookie::new_with_str(name, value);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_secure(self.config.secure_cookies());
        cookie.set_path("/");
        cookie.set_max_age(max_age);
        cookie.to_string()
    }
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Send a one-time sign-in code
    ///
    /// Sends a six-digit code to the address. The answer is the same whether
    /// or not the address has an account; the first successful sign-in
    /// creates it.
    #[oai(path = "/v1/auth/sign-in", method = "post")]
    async fn start_sign_in(
        &self,
        req: &Request,
        body: crate::strict_json::StrictJson<SignInRequest>,
    ) -> Result<SignInAccepted, ApiError> {
        let email = parse_email(&body.0.email)?;
        let client = client_key(req, self.config.trust_proxy_headers);
        self.limits.count(LimitName::SignInPerClient, &client).await?;
        self.limits.count(LimitName::SignInPerAddress, email.as_str()).await?;
        self.sign_in.start(email).await.map_err(|e| ApiError::internal(&e))?;
        Ok(SignInAccepted::Accepted(Json(SignInStarted { code_valid_for_seconds: self.config.code_ttl.as_secs() })))
    }

    /// Sign in with the code
    ///
    /// Checks the code sent to the address. On success returns a session
    /// token (not with `cookie_only`, as the web page asks) and sets the
    /// session cookie. A wrong, expired, used or
    /// over-tried code gets the same `invalid_code` answer.
    #[oai(path = "/v1/auth/verify", method = "post")]
    async fn verify(
        &self,
        req: &Request,
        body: crate::strict_json::StrictJson<VerifyRequest>,
    ) -> Result<Verified, ApiError> {
        let email = parse_email(&body.0.email)?;
        let client = client_key(req, self.config.trust_proxy_headers);
        self.limits.count(LimitName::VerifyPerClient, &client).await?;
        self.limits.count(LimitName::VerifyPerAddress, email.as_str()).await?;
        let signed_in = self.sign_in.verify(&email, &body.0.code).await?;
        let token = signed_in.token.reveal();
        let cookie = self.session_cookie(&token, self.config.session_ttl);
        let body = SessionCreated {
            token: (!body.0.cookie_only).then_some(token),
            expires_at: signed_in.expires_at,
            user_id: signed_in.account.id.as_uuid(),
            account_created: signed_in.created,
        };
        Ok(Verified::Ok(Json(body), cookie))
    }

    /// The current session
    ///
    /// Who is signed in, since when, and, for the session cookie, the CSRF
    /// token the web page sends with every change.
    #[oai(path = "/v1/auth/session", method = "get")]
    async fn session(&self, req: &Request, auth: SessionAuth) -> Result<Json<SessionInfo>, ApiError> {
        let by_cookie = auth.is_cookie();
        let user = auth.user()?;
        let csrf_token = if by_cookie { session_cookie(req).map(|token| csrf_token(&token)) } else { None };
        Ok(Json(SessionInfo { user_id: user.user_id.as_uuid(), signed_in_at: user.signed_in_at, csrf_token }))
    }

    /// Sign out
    ///
    /// Ends the session that made the request and clears the cookie.
    #[oai(path = "/v1/auth/sign-out", method = "post")]
    async fn sign_out(&self, auth: SessionAuth) -> Result<SignedOut, ApiError> {
        let user = auth.user()?;
        self.sessions.sign_out(user.session_id).await.map_err(|e| ApiError::internal(&e))?;
        Ok(SignedOut::NoContent(self.session_cookie("", std::time::Duration::ZERO)))
    }
}
