//! The one error shape of the API, `{code, message}`, made from the
//! catalogue of codes ([`ErrorCode`]), and the same shape for the failures
//! the framework reports.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParseRequestPayloadError};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use profile_domain::error_chain;

pub use crate::error_code::ErrorCode;

/// The body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`invalid_email`, `rate_limited` …).
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
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
    /// `code` with its message from the catalogue.
    #[must_use]
    pub fn of(code: ErrorCode) -> Self {
        Self::with_message(code, code.message())
    }

    /// `code` with a message that says more than the catalogue's (which
    /// rule a value breaks, a limit's figure, the field at fault).
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        let body = Json(ErrorBody { code: code.code().to_owned(), message: message.into() });
        match code.status() {
            401 => Self::Unauthorized(body),
            403 => Self::Forbidden(body),
            404 => Self::NotFound(body),
            408 => Self::RequestTimeout(body),
            409 => Self::Conflict(body),
            410 => Self::Gone(body),
            413 => Self::PayloadTooLarge(body),
            415 => Self::UnsupportedMediaType(body),
            429 => Self::TooManyRequests(body, 1),
            503 => Self::ServiceUnavailable(body, 1),
            500..=599 => Self::Internal(body),
            _ => Self::BadRequest(body),
        }
    }

    /// The same answer telling the client to wait `seconds` (`Retry-After`
    /// of a 429 or a 503; other answers have none).
    #[must_use]
    pub fn retry_after(self, seconds: u64) -> Self {
        match self {
            Self::TooManyRequests(body, _) => Self::TooManyRequests(body, seconds),
            Self::ServiceUnavailable(body, _) => Self::ServiceUnavailable(body, seconds),
            other => other,
        }
    }

    /// A 429 `rate_limited` telling the client to wait `retry_after_secs`.
    #[must_use]
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let message = format!("too many requests; try again in {retry_after_secs} seconds");
        Self::with_message(ErrorCode::RateLimited, message).retry_after(retry_after_secs)
    }

    /// A 500 for an unexpected failure: logged with its whole chain here,
    /// shown to nobody.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(error), "request failed");
        Self::of(ErrorCode::Internal)
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
        (ErrorCode::InvalidBody, err.to_string())
    } else if err.is::<ContentTypeError>() {
        let message = format!("{err}; {}", ErrorCode::UnsupportedMediaType.message());
        return ApiError::with_message(ErrorCode::UnsupportedMediaType, message).into_response();
    } else if err.is::<ParseParamError>() {
        (ErrorCode::InvalidParameter, err.to_string())
    } else if err.is::<AuthorizationError>() {
        let message = "sign in first: send the session token as a bearer token or the session cookie";
        (ErrorCode::Unauthenticated, message.to_owned())
    } else if err.is::<poem::error::NotFoundError>() {
        (ErrorCode::NotFound, ErrorCode::NotFound.message().to_owned())
    } else if err.is::<poem::error::MethodNotAllowedError>() {
        (ErrorCode::MethodNotAllowed, ErrorCode::MethodNotAllowed.message().to_owned())
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::of(ErrorCode::PayloadTooLarge).into_response();
    } else if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
        (ErrorCode::Internal, ErrorCode::Internal.message().to_owned())
    } else {
        (ErrorCode::BadRequest, err.to_string())
    };
    let body = serde_json::json!({ "code": code.code(), "message": message });
    poem::web::Json(body).with_status(status).into_response()
}
