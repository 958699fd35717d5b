//! The profile web page: hand-written HTML, CSS and JavaScript modules
//! embedded in the binary (no build step, nothing from a CDN), served with a
//! Content-Security-Policy that allows no inline script and no framing.

use std::sync::LazyLock;

use poem::http::HeaderValue;
use poem::web::{Path, Redirect};
use poem::{IntoResponse, Request, Response, handler};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::picture_files::file_response;

/// One embedded file.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:expr) => {
        Asset { name: $name, media_type: $media_type, bytes: include_bytes!(concat!("../web/", $name)) }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// Every file of the page. The pages are served at their own paths, the
/// rest under `/assets/`.
static ASSETS: &[Asset] = &[
    asset!("sign-in.html", HTML),
    asset!("profile.html", HTML),
    asset!("deletion-receipt.html", HTML),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("api.js", JS),
    asset!("ui.js", JS),
    asset!("sign-in.js", JS),
    asset!("profile.js", JS),
    asset!("page.js", JS),
    asset!("account.js", JS),
    asset!("picture.js", JS),
    asset!("privacy.js", JS),
    asset!("deletion.js", JS),
    asset!("receipt.js", JS),
    asset!("receipt-view.js", JS),
];

/// Each file's ETag: the start of the SHA-256 of its bytes.
static ETAGS: LazyLock<Vec<String>> =
    LazyLock::new(|| ASSETS.iter().map(|a| hex::encode(&Sha256::digest(a.bytes)[..12])).collect());

/// The policy the pages are served with.
pub(crate) struct PagePolicy {
    content_security_policy: HeaderValue,
}

impl PagePolicy {
    /// Scripts, styles and requests only from the page's own origin; pictures
    /// also from the public URL's origin (where their URLs point).
    pub(crate) fn new(public_origin: &str) -> Self {
        let img = if public_origin.starts_with("http://") || public_origin.starts_with("https://") {
            format!("'self' {public_origin}")
        } else {
            "'self'".to_owned()
        };
        let policy = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src {img}; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
        let content_security_policy =
            HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
        Self { content_security_policy }
    }
}

impl PagePolicy {
    /// The policy's header value.
    pub(crate) fn header(&self) -> HeaderValue {
        self.content_security_policy.clone()
    }
}

/// A one-card page in the page's style (the revert and unsubscribe pages):
/// `title` is escaped here, `body` is HTML the caller built and escaped.
pub(crate) fn small_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title>\
         <link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body class=\"narrow\"><main class=\"card\"><h1>{t}</h1>{body}</main></body></html>\n",
        t = escape(title),
    )
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn serve(req: &Request, name: &str) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return ApiError::with_message(ErrorCode::NotFound, "no such file").into_response();
    };
    let file = &ASSETS[index];
    // Revalidated on every use (cheap: a 304), so a new binary's page is
    // never mixed with an old cached module.
    // The middleware adds the page policy to every HTML response.
    file_response(req, &ETAGS[index], file.media_type, "no-cache", file.bytes.to_vec())
}

/// `GET /`: the profile page (which leads to sign-in when needed).
#[handler]
pub(crate) fn home() -> Redirect {
    Redirect::see_other("/profile")
}

/// `GET /sign-in`.
#[handler]
pub(crate) fn sign_in(req: &Request) -> Response {
    serve(req, "sign-in.html")
}

/// `GET /profile`.
#[handler]
pub(crate) fn profile(req: &Request) -> Response {
    serve(req, "profile.html")
}

/// `GET /deletion-receipts/{id}`: the receipt as a page (the id is read by
/// the page's script and checked by the API).
#[handler]
pub(crate) fn receipt(req: &Request) -> Response {
    serve(req, "deletion-receipt.html")
}

/// `GET /assets/{name}`: the styles and scripts (pages are not served here).
#[handler]
pub(crate) fn asset(req: &Request, Path(name): Path<String>) -> Response {
    if name.ends_with(".html") {
        return ApiError::with_message(ErrorCode::NotFound, "no such file").into_response();
    }
    serve(req, &name)
}

/// Names of every embedded file, for tests.
#[cfg(test)]
fn names() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_the_pages_and_modules_refer_to_is_embedded() {
        let embedded: Vec<&str> = names().collect();
        for file in ASSETS {
            let text = std::str::from_utf8(file.bytes).expect("text files");
            for (at, _) in text.match_indices("/assets/") {
                let rest = &text[at + "/assets/".len()..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || "-._".contains(*c)).collect();
                assert!(
                    embedded.contains(&name.as_str()),
                    "{} refers to /assets/{name}, which is not embedded",
                    file.name
                );
            }
            for (at, _) in text.match_indices("from \"./") {
                let rest = &text[at + "from \"./".len()..];
                let name: String = rest.chars().take_while(|c| *c != '"').collect();
                assert!(embedded.contains(&name.as_str()), "{} imports ./{name}, which is not embedded", file.name);
            }
        }
    }

    /// The names a module exports (`export function`, `export async
    /// function`, `export class`).
    fn exported(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for prefix in ["export function ", "export async function ", "export class "] {
            for (at, _) in text.match_indices(prefix) {
                let rest = &text[at + prefix.len()..];
                names.push(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
            }
        }
        names
    }

    #[test]
    fn every_module_imports_the_shared_names_it_uses() {
        let modules: Vec<(&str, &str)> = ASSETS
            .iter()
            .filter(|a| a.media_type == JS)
            .map(|a| (a.name, std::str::from_utf8(a.bytes).expect("text files")))
            .collect();
        for (name, text) in &modules {
            let imports: String = text.lines().filter(|l| l.starts_with("import ")).collect();
            let own = exported(text);
            for (other, other_text) in &modules {
                for shared in exported(other_text).into_iter().filter(|n| !own.contains(n)) {
                    let called = text.match_indices(&format!("{shared}(")).any(|(at, _)| {
                        let before = text[..at].chars().next_back();
                        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    });
                    let defined = text.contains(&format!("function {shared}("));
                    let imported =
                        imports.contains(&format!(" {shared},")) || imports.contains(&format!(" {shared} }}"));
                    assert!(
                        !called || defined || imported,
                        "{name} calls {shared} (from {other}) without importing it"
                    );
                }
            }
        }
    }

    #[test]
    fn pages_hold_no_inline_script_or_style() {
        for file in ASSETS.iter().filter(|a| a.media_type == HTML) {
            let text = std::str::from_utf8(file.bytes).expect("text files");
            for (at, _) in text.match_indices("<script") {
                let tag: String = text[at..].chars().take_while(|c| *c != '>').collect();
                assert!(tag.contains(" src=\"/assets/"), "{}: inline script {tag}", file.name);
            }
            assert!(!text.contains("<style") && !text.contains(" style=\""), "{}: inline style", file.name);
            for (at, _) in text.match_indices(" on") {
                let attribute: String = text[at + 1..].chars().take_while(char::is_ascii_lowercase).collect();
                let inline = text[at + 1 + attribute.len()..].starts_with('=');
                assert!(!inline, "{}: inline handler {attribute}", file.name);
            }
        }
    }

    #[test]
    fn the_policy_allows_pictures_from_the_public_origin_and_nothing_inline() {
        let policy = PagePolicy::new("https://profile.example.com");
        let text = policy.content_security_policy.to_str().expect("ascii");
        assert!(text.contains("img-src 'self' https://profile.example.com;"), "{text}");
        assert!(text.contains("script-src 'self';") && !text.contains("unsafe-inline"), "{text}");
        assert!(text.contains("frame-ancestors 'none'"), "{text}");
    }

    #[test]
    fn media_types_match_the_file_endings() {
        for file in ASSETS {
            let expected = match file.name.rsplit('.').next() {
                Some("html") => HTML,
                Some("js") => JS,
                Some("css") => "text/css; charset=utf-8",
                other => panic!("unexpected ending {other:?}"),
            };
            assert_eq!(file.media_type, expected, "{}", file.name);
        }
    }
}
