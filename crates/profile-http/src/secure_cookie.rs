//! The session cookie's name on the wire. Behind an https public URL it is
//! `__Host-profile_session`: browsers then keep it only if it is `Secure`,
//! has `Path=/` and no `Domain`, so no other host (a sibling subdomain, a
//! network attacker over plain http) can set or overwrite it. Inside the
//! service it is always [`SESSION_COOKIE`]: requests are rewritten here, in
//! one place, before anything reads their cookies, and a plain
//! `profile_session` that arrives over https is dropped, since anyone could
//! have planted it.

use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;

use crate::auth::SESSION_COOKIE;

/// The name browsers see behind an https public URL.
pub const HOST_SESSION_COOKIE: &str = "__Host-profile_session";

/// How long browsers keep to https once they have seen it (a year).
const HSTS: &str = "max-age=31536000";

/// The cookie name a service with this public URL sets.
#[must_use]
pub(crate) fn wire_name(secure: bool) -> &'static str {
    if secure { HOST_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// Rewrites the `Cookie` header of `req` so the session cookie has its
/// inner name: the `__Host-` one becomes `profile_session`, and a plain
/// `profile_session` sent beside it (or alone) is dropped.
fn rename_incoming(req: &mut Request) {
    let pairs: Vec<String> = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| match pair.split_once('=') {
            Some((name, _)) if name == SESSION_COOKIE => None,
            Some((name, value)) if name == HOST_SESSION_COOKIE => Some(format!("{SESSION_COOKIE}={value}")),
            _ => Some(pair.to_owned()),
        })
        .collect();
    let headers = req.headers_mut();
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&pairs.join("; "))
        && !pairs.is_empty()
    {
        headers.insert(header::COOKIE, value);
    }
}

/// Behind an https public URL: the session cookie renamed on the way in,
/// and `Strict-Transport-Security` on every answer.
pub(crate) async fn https_only<E: Endpoint>(ep: Arc<E>, mut req: Request, secure: bool) -> poem::Result<Response> {
    if !secure {
        return Ok(ep.call(req).await?.into_response());
    }
    rename_incoming(&mut req);
    let mut response = ep.call(req).await?.into_response();
    response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies_after(sent: &str) -> Option<String> {
        let mut req = Request::builder().header(header::COOKIE, sent).finish();
        rename_incoming(&mut req);
        req.headers().get(header::COOKIE).map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn the_host_cookie_is_read_as_the_session_and_a_planted_plain_one_is_dropped() {
        assert_eq!(cookies_after("__Host-profile_session=abc").as_deref(), Some("profile_session=abc"));
        assert_eq!(
            cookies_after("profile_session=planted; theme=dark; __Host-profile_session=abc").as_deref(),
            Some("theme=dark; profile_session=abc")
        );
        assert_eq!(cookies_after("profile_session=planted"), None);
    }
}
