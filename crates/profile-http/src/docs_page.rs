//! `/docs`: Swagger UI over the published API document, with a
//! Content-Security-Policy of its own. poem-openapi writes the page with
//! its script and stylesheet inline; the policy allows exactly those
//! blocks by their SHA-256 and nothing else inline, and the page is never
//! framed or cached, like every other page.

use base64::Engine;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, Response};
use sha2::{Digest, Sha256};

/// The Swagger UI page and its policy.
pub(crate) struct DocsPage {
    html: String,
    policy: HeaderValue,
}

impl DocsPage {
    /// The page poem-openapi wrote (`swagger_ui_html`), with the published
    /// `document` in place of poem-openapi's own `raw` one.
    pub(crate) fn new(swagger_ui_html: &str, raw: &str, document: &str) -> Self {
        let html = swagger_ui_html.replacen(raw, document, 1);
        let blocks = inline_blocks(&html);
        let hashes = |tag: &str| {
            blocks.iter().filter(|(t, _)| *t == tag).map(|(_, b)| hash_source(b)).collect::<Vec<_>>().join(" ")
        };
        let policy = format!(
            "default-src 'none'; script-src {}; style-src {}; img-src 'self' data:; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            hashes("script"),
            hashes("style"),
        );
        let policy = HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
        Self { html, policy }
    }

    /// The endpoint that serves it.
    pub(crate) fn endpoint(self) -> impl Endpoint<Output = Response> {
        poem::endpoint::make_sync(move |_| {
            Response::builder()
                .content_type("text/html; charset=utf-8")
                .header("content-security-policy", self.policy.clone())
                .header(header::CACHE_CONTROL, "no-store")
                .body(self.html.clone())
        })
    }
}

/// The inline `<script>` and `<style>` elements of `html`, in order, as a
/// browser reads them: each runs to its first closing tag, and nothing
/// inside one (a script that writes `"<style"`) starts another.
fn inline_blocks(html: &str) -> Vec<(&'static str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = html;
    loop {
        let next = ["script", "style"]
            .into_iter()
            .filter_map(|tag| rest.find(&format!("<{tag}")).map(|at| (at, tag)))
            .min_by_key(|(at, _)| *at);
        let Some((start, tag)) = next else { break };
        let Some(body) = rest[start..].find('>').map(|end| start + end + 1) else { break };
        let close = format!("</{tag}>");
        let Some(length) = rest[body..].find(&close) else { break };
        blocks.push((tag, &rest[body..body + length]));
        rest = &rest[body + length + close.len()..];
    }
    blocks
}

/// A CSP source for an inline block: `'sha256-<base64>'`.
fn hash_source(block: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(block.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_inline_block_is_found_and_hashed() {
        let html = "<style a=\"1\">s{}</style><script>one('<style')</script><p>x</p><script c=\"u\">two()</script>";
        assert_eq!(inline_blocks(html), [("style", "s{}"), ("script", "one('<style')"), ("script", "two()")]);
        // echo -n 'one()' | openssl dgst -sha256 -binary | base64
        assert_eq!(hash_source("one()"), "'sha256-HR7iaask9daLMRRskMI++QeJtjWDOjyPA6lGzYGzKW4='");
    }
}
