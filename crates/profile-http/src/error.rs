//! The one error shape of the API, `{code, message}`, and the one place that
//! maps every failure to a status and a stable code.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParseRequestPayloadError};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use profile_domain::error_chain;

/// The body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`invalid_email`, `rate_limited` …).
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl ErrorBody {
    fn new(code: &str, message: impl Into<String>) -> Json<Self> {
        Json(Self { code: code.to_owned(), message: message.into() })
    }
}

/// Every error an operation answers with.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed or a value in it is not acceptable.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Not signed in, or the session is not valid (any more).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Signed in, but this request is refused (for example a cross-site request).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// What the request names does not exist.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with the current state (an address another
    /// account holds, a link already used).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body did not arrive in time.
    #[oai(status = 408)]
    RequestTimeout(Json<ErrorBody>),
    /// What the request names has expired.
    #[oai(status = 410)]
    Gone(Json<ErrorBody>),
    /// The request body is larger than the configured limit.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The request body is not `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Too many requests; try again after `Retry-After` seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// The service failed; nothing was changed.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The service is busy (every upload slot is taken); try again after
    /// `Retry-After` seconds. Nothing was changed.
    #[oai(status = 503)]
    ServiceUnavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

impl ApiError {
    /// A 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::BadRequest(ErrorBody::new(code, message))
    }

    /// A 401 with `code`.
    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::Unauthorized(ErrorBody::new(code, message))
    }

    /// A 403 with `code`.
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::Forbidden(ErrorBody::new(code, message))
    }

    /// A 404 with `code`.
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::NotFound(ErrorBody::new(code, message))
    }

    /// A 413 with `code`.
    pub fn payload_too_large(code: &str, message: impl Into<String>) -> Self {
        Self::PayloadTooLarge(ErrorBody::new(code, message))
    }

    /// A 409 with `code`.
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict(ErrorBody::new(code, message))
    }

    /// A 408 with `code`.
    pub fn request_timeout(code: &str, message: impl Into<String>) -> Self {
        Self::RequestTimeout(ErrorBody::new(code, message))
    }

    /// A 410 with `code`.
    pub fn gone(code: &str, message: impl Into<String>) -> Self {
        Self::Gone(ErrorBody::new(code, message))
    }

    /// A 429 telling the client to wait `retry_after_secs`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let message = format!("too many requests; try again in {retry_after_secs} seconds");
        Self::too_many("rate_limited", message, retry_after_secs)
    }

    /// A 429 with `code`, telling the client to wait `retry_after_secs`.
    pub fn too_many(code: &str, message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::TooManyRequests(ErrorBody::new(code, message), retry_after_secs)
    }

    /// A 503 `busy`, telling the client to wait `retry_after_secs`.
    pub fn busy(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::ServiceUnavailable(ErrorBody::new("busy", message), retry_after_secs)
    }

    /// A 500 for an unexpected failure: logged with its whole chain here,
    /// shown to nobody.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(error), "request failed");
        Self::Internal(ErrorBody::new("internal", "the service failed; nothing was changed, try again"))
    }
}

impl From<profile_domain::use_cases::RateLimitError> for ApiError {
    fn from(error: profile_domain::use_cases::RateLimitError) -> Self {
        let wait = error.retry_after_secs().unwrap_or(1);
        match error {
            profile_domain::use_cases::RateLimitError::Limited { .. } => Self::rate_limited(wait),
            profile_domain::use_cases::RateLimitError::Unexpected(e) => Self::internal(&e),
        }
    }
}

/// Turns every error that did not come from an operation's own `ApiError`
/// (parse failures, unknown routes, oversized bodies …) into the same JSON
/// shape with a stable code.
pub async fn json_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let (code, message) = if err.is::<ParseRequestPayloadError>() {
        ("invalid_body", err.to_string())
    } else if err.is::<ContentTypeError>() {
        let message =
            format!("{err}; send the type the operation takes (application/json, or multipart/form-data for uploads)");
        return ApiError::UnsupportedMediaType(ErrorBody::new("unsupported_media_type", message)).into_response();
    } else if err.is::<ParseParamError>() {
        ("invalid_parameter", err.to_string())
    } else if err.is::<AuthorizationError>() {
        ("unauthenticated", "sign in first: send the session token as a bearer token or the session cookie".into())
    } else if err.is::<poem::error::NotFoundError>() {
        ("not_found", "no such resource".into())
    } else if err.is::<poem::error::MethodNotAllowedError>() {
        ("method_not_allowed", "this method is not allowed on this resource".into())
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        let message = "the request body is larger than the limit";
        return ApiError::PayloadTooLarge(ErrorBody::new("payload_too_large", message)).into_response();
    } else if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
        ("internal", "the service failed; nothing was changed, try again".into())
    } else {
        ("bad_request", err.to_string())
    };
    poem::web::Json(serde_json::json!({ "code": code, "message": message })).with_status(status).into_response()
}
