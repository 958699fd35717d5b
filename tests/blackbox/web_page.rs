//! The web page as HTTP sees it: where its files are, the security headers
//! every page carries, and the CSRF token that every change made with the
//! session cookie needs (checked for every such operation the API lists).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::{App, error_code};

#[tokio::test]
async fn the_pages_are_served_from_the_binary_with_a_strict_policy() {
    let app = App::start(&[]).await;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let home = plain.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!((home.status(), home.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/profile"));

    let receipt_page = format!("/deletion-receipts/{}", uuid::Uuid::from_u128(7));
    let pages =
        ["/sign-in", "/profile", receipt_page.as_str(), "/email-change/revert?token=ab", "/v1/unsubscribe/nope"];
    for path in pages {
        let page = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        let header = |name: &str| page.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(header("content-type").starts_with("text/html"), "{path}");
        let policy = header("content-security-policy");
        for part in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(policy.contains(part), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
        assert_eq!(
            (header("x-frame-options"), header("referrer-policy")),
            ("DENY".into(), "no-referrer".into()),
            "{path}"
        );
        let etag = header("etag");
        let text = page.text().await.unwrap();
        if !etag.is_empty() {
            // A browser keeps a revalidated page's stored headers, updated
            // by the 304's: a 304 must not bring another policy.
            let again =
                app.client.get(format!("{}{path}", app.base)).header("if-none-match", &etag).send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
            let kept = again.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
            assert!(kept.is_none() || kept.as_deref() == Some(policy.as_str()), "{path}: {kept:?}");
        }
        assert!(
            text.contains("/assets/app.css") && !text.contains("style=\""),
            "{path}: styled from the stylesheet only"
        );
        let scripts: Vec<&str> =
            text.match_indices("<script").map(|(at, _)| &text[at..at + text[at..].find('>').unwrap()]).collect();
        assert!(scripts.iter().all(|tag| tag.contains(" src=\"/assets/")), "{path}: no inline script: {scripts:?}");
        assert!(!text.contains(" onclick=") && !text.contains(" onload="), "{path}: no inline handlers");
    }

    let json_answer = app.client.get(format!("{}/v1/consent-purposes", app.base)).send().await.unwrap();
    let policy = json_answer.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");

    for (file, media_type) in
        [("app.css", "text/css"), ("profile.js", "text/javascript"), ("api.js", "text/javascript")]
    {
        let url = format!("{}/assets/{file}", app.base);
        let first = app.client.get(&url).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK, "{file}");
        assert!(first.headers()["content-type"].to_str().unwrap().starts_with(media_type), "{file}");
        assert_eq!(
            first.headers()["cache-control"],
            "no-cache",
            "{file}: revalidated, so pages and modules stay in step"
        );
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = app.client.get(&url).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{file}");
    }
    for missing in ["/assets/nothing.js", "/assets/profile.html", "/assets/..%2FCargo.toml"] {
        let answer = app.client.get(format!("{}{missing}", app.base)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

/// Every operation the API document lists for the session cookie that
/// changes something (or, like the export, counts against a limit), with a
/// body it would accept.
fn cookie_actions() -> Vec<(&'static str, &'static str, Option<Value>)> {
    vec![
        ("POST", "/v1/auth/sign-out", None),
        ("PATCH", "/v1/me", Some(json!({ "display_name": "Mallory" }))),
        ("DELETE", "/v1/me", Some(json!({ "confirm": "eve@example.com" }))),
        ("POST", "/v1/me/avatar/pending", None),
        ("DELETE", "/v1/me/avatar/pending", None),
        ("POST", "/v1/me/avatar/pending/save", None),
        ("DELETE", "/v1/me/avatar", None),
        ("POST", "/v1/me/email-change", Some(json!({ "new_email": "mallory@example.com" }))),
        ("POST", "/v1/me/email-change/confirm", Some(json!({ "code": "123456" }))),
        ("GET", "/v1/me/export", None),
        ("DELETE", "/v1/me/deletion", None),
        ("PUT", "/v1/me/consents/{purpose}", Some(json!({ "granted": true }))),
    ]
}

#[tokio::test]
async fn every_change_made_with_the_cookie_needs_the_csrf_token() {
    let app = App::start(&[]).await;
    let spec: Value = app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let mut listed = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let by_cookie =
                operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("CookieAuth").is_some()));
            if by_cookie && (method != "get" || path == "/v1/me/export") {
                listed.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let tested: BTreeSet<(String, String)> =
        cookie_actions().into_iter().map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    assert_eq!(listed, tested, "a new cookie operation needs a line in cookie_actions()");

    let cookie = app.sign_in_cookie("eve@example.com").await;
    for (method, path, body) in cookie_actions() {
        let url = format!("{}{}", app.base, path.replace("{purpose}", "newsletter"));
        let mut request =
            app.client.request(method.parse().unwrap(), url).header("cookie", &cookie).header("origin", &app.base);
        if path == "/v1/me/avatar/pending" {
            let jpeg =
                profile_testkit::pictures::jpeg(&profile_testkit::pictures::two_colour(64, 64, [1, 2, 3], [4, 5, 6]));
            request = request.multipart(Form::new().part("file", Part::bytes(jpeg).file_name("a.jpg")));
        } else if let Some(body) = body {
            request = request.json(&body);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(error_code(refused).await, (StatusCode::FORBIDDEN, "csrf_token_invalid".into()), "{method} {path}");
    }

    // Nothing happened: still signed in, same name and address, no upload,
    // no consent, no deletion under way, nothing mailed but the sign-in code.
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).header("cookie", &cookie);
    let me: Value = get("/v1/me").send().await.unwrap().json().await.unwrap();
    assert_eq!((me["display_name"].clone(), me["email"].clone()), (Value::Null, json!("eve@example.com")));
    assert_eq!(me["picture"]["is_default"], json!(true));
    let consents: Value = get("/v1/me/consents").send().await.unwrap().json().await.unwrap();
    assert!(consents.as_array().unwrap().iter().all(|c| c["granted"] == false), "{consents}");
    let pending = get("/v1/me/deletion").send().await.unwrap();
    assert_eq!(error_code(pending).await, (StatusCode::NOT_FOUND, "no_deletion_pending".into()));
    assert_eq!(app.mailbox_count(), 1);
}

#[tokio::test]
async fn the_api_docs_have_a_policy_of_their_own_that_allows_exactly_their_inline_code() {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let app = App::start(&[]).await;
    let docs = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let header = |name: &str| docs.headers()[name].to_str().unwrap().to_owned();
    let (policy, frames, cache) =
        (header("content-security-policy"), header("x-frame-options"), header("cache-control"));
    assert_eq!((frames.as_str(), cache.as_str()), ("DENY", "no-store"));
    let html = docs.text().await.unwrap();
    assert!(html.contains("SwaggerUIBundle"));
    // The inline elements as a browser reads them: each runs to its first
    // closing tag, and text inside one starts no other.
    let mut found: Vec<(&str, String)> = Vec::new();
    let mut rest = html.as_str();
    while let Some((open, tag)) =
        ["script", "style"].into_iter().filter_map(|t| rest.find(&format!("<{t}")).map(|at| (at, t))).min()
    {
        let body = &rest[open..][rest[open..].find('>').unwrap() + 1..];
        let end = body.find(&format!("</{tag}>")).unwrap();
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body.as_bytes()[..end]));
        found.push((tag, format!("'sha256-{digest}'")));
        rest = &body[end..];
    }
    for tag in ["script", "style"] {
        let directive = policy.split(';').map(str::trim).find(|d| d.starts_with(&format!("{tag}-src "))).unwrap();
        let allowed: BTreeSet<&str> = directive.split(' ').skip(1).collect();
        let inline: BTreeSet<&str> = found.iter().filter(|(t, _)| *t == tag).map(|(_, h)| h.as_str()).collect();
        assert!(!inline.is_empty(), "the page has inline {tag}s");
        assert_eq!(allowed, inline, "{tag}-src allows exactly the page's inline {tag}s");
    }
    assert!(html.contains("#/components/schemas/ExportDocument"), "the page shows the published document");
}

#[tokio::test]
async fn behind_an_https_public_url_the_session_cookie_is_a_host_cookie_and_hsts_is_sent() {
    let app = App::start(&[("PROFILE_PUBLIC_URL", "https://profile.example")]).await;
    let started = app.post("/v1/auth/sign-in", json!({ "email": "hs@example.com" })).await;
    assert_eq!(started.headers()["strict-transport-security"], "max-age=31536000");
    // This code's message must land before the sign-in below asks for a new
    // code: landing after the count, it would be taken for the new one.
    app.code_from_mailbox("hs@example.com").await;
    let cookie = app.sign_in_cookie("hs@example.com").await;
    let (name, token) = cookie.split_once('=').unwrap();
    assert_eq!(name, "__Host-profile_session");
    let session =
        |cookie: String| app.client.get(format!("{}/v1/auth/session", app.base)).header("cookie", cookie).send();
    assert_eq!(session(cookie.clone()).await.unwrap().status(), StatusCode::OK);
    let planted = session(format!("profile_session={token}")).await.unwrap();
    assert_eq!(planted.status(), StatusCode::UNAUTHORIZED, "a cookie without the prefix may be planted: not read");
    let both = session(format!("profile_session=forged; {cookie}")).await.unwrap();
    assert_eq!(both.status(), StatusCode::OK, "the prefixed one wins");

    let verified = {
        app.post("/v1/auth/sign-in", json!({ "email": "hs2@example.com" })).await;
        let code = app.code_from_mailbox("hs2@example.com").await;
        app.post("/v1/auth/verify", json!({ "email": "hs2@example.com", "code": code })).await
    };
    let set_cookie = verified.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("__Host-profile_session="), "{set_cookie}");
    for part in ["Secure", "Path=/", "HttpOnly"] {
        assert!(set_cookie.split("; ").any(|p| p == part), "{part} in {set_cookie}");
    }
    assert!(!set_cookie.to_ascii_lowercase().contains("domain="), "{set_cookie}");

    let plain = App::start(&[]).await;
    let answer = plain.post("/v1/auth/sign-in", json!({ "email": "hs@example.com" })).await;
    assert!(!answer.headers().contains_key("strict-transport-security"), "not over plain http");
    // Another address: the code sent to hs@ above may land after the count
    // that sign_in_cookie waits past, and it would read that stale code.
    assert!(plain.sign_in_cookie("hs-plain@example.com").await.starts_with("profile_session="));
}
