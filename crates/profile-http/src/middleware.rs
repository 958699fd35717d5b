//! Cross-cutting request handling: the JSON body size limit, security headers (the
//! page policy on HTML) and a request log line free of personal data.

use std::sync::Arc;
use std::time::Instant;

use poem::error::ReadBodyError;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};

/// Refuses bodies larger than `max` bytes with 413, whether or not the
/// client declared a length (chunked bodies are counted as they arrive).
pub(crate) async fn limit_body<E: Endpoint>(ep: Arc<E>, mut req: Request, max: usize) -> poem::Result<Response> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ReadBodyError::PayloadTooLarge.into());
    }
    let body = req.take_body().into_bytes_limit(max).await?;
    req.set_body(body);
    Ok(ep.call(req).await?.into_response())
}

/// Adds headers every response carries.
/// HTML gets the page policy unless it set its own; anything else that did
/// not set one may load nothing.
pub(crate) async fn security_headers<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    page: &crate::web_page::PagePolicy,
) -> poem::Result<Response> {
    let mut response = ep.call(req).await?.into_response();
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    // Responses that say how to cache themselves (picture files) keep it.
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    let is_html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html {
        page.header()
    } else {
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    };
    // A 304 updates the headers the browser stored with the page: it must
    // not bring a policy that is not the page's own. A page that set its
    // own policy (the API docs) keeps it.
    if status != poem::http::StatusCode::NOT_MODIFIED {
        headers.entry("content-security-policy").or_insert(policy);
    }
    Ok(response)
}

/// Logs method, path, status and duration of each request. Client addresses
/// are not logged, and path segments that could be personal data or secrets
/// (long ones, or ones with an `@`) are replaced.
pub(crate) async fn log_request<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let logged = tracing::enabled!(tracing::Level::INFO) && !matches!(req.uri().path(), "/healthz" | "/readyz");
    if !logged {
        return Ok(ep.call(req).await?.into_response());
    }
    let started = Instant::now();
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let response = ep.call(req).await?.into_response();
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(%method, %path, status, elapsed_ms = format_args!("{elapsed_ms:.1}"), "request");
    Ok(response)
}

/// Segments longer than this are replaced in logged paths.
const MAX_LOGGED_SEGMENT: usize = 24;

fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.len() > MAX_LOGGED_SEGMENT || segment.contains('@') || segment.contains("%40") {
                ":redacted"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_paths_hide_addresses_and_long_tokens() {
        assert_eq!(loggable_path("/v1/auth/sign-in"), "/v1/auth/sign-in");
        assert_eq!(loggable_path("/v1/x/ada@example.com"), "/v1/x/:redacted");
        assert_eq!(loggable_path("/v1/x/ada%40example.com/y"), "/v1/x/:redacted/y");
        assert_eq!(loggable_path(&format!("/v1/unsubscribe/{}", "a".repeat(43))), "/v1/unsubscribe/:redacted");
    }
}
