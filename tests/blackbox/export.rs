//! The export over HTTP on the built binary: a user who used every feature
//! gets every stored value back (checked against the live database through
//! the personal-data registry), the document matches its JSON Schema, and
//! the bad cases (no session, the rate limit, an empty account, any Unicode)
//! get the right answers.

use std::time::Duration;

use profile_testkit::pictures::{jpeg, two_colour};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::export_coverage::{assert_every_personal_value_is_exported, assert_no_secret_is_exported};
use crate::support::{App, error_code};

pub(crate) const OPERATOR_KEY: &str = "operator-test-key";
/// SHA-256 of `OPERATOR_KEY`, computed outside the project.
pub(crate) const OPERATOR_KEY_SHA256: &str = "1593fd5dc308f0764e70ce08d39e58150fdfc135a45037945811305f6f5dc360";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The document's JSON Schema, as published in `docs/`.
pub(crate) fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/export.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every way `document` breaks the schema, as lines of text.
pub(crate) fn schema_errors(document: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    validator.iter_errors(document).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

pub(crate) async fn export(app: &App, token: &str) -> reqwest::Response {
    app.client.get(format!("{}/v1/me/export", app.base)).bearer_auth(token).send().await.unwrap()
}

/// A successful export, checked for its headers and its schema.
async fn document(app: &App, token: &str) -> Value {
    let response = export(app, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(disposition, format!("attachment; filename=\"profile-export-{today}.json\""));
    let doc: Value = serde_json::from_slice(&response.bytes().await.unwrap()).expect("the export is JSON");
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "the export breaks its schema:\n{}", errors.join("\n"));
    doc
}

pub(crate) async fn upload(app: &App, token: &str, top: [u8; 3]) {
    let bytes = jpeg(&two_colour(96, 80, top, [20, 20, 220]));
    let form = Form::new().part("file", Part::bytes(bytes).file_name("me.jpg").mime_str("image/jpeg").unwrap());
    let r = app
        .client
        .post(format!("{}/v1/me/avatar/pending", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
}

/// Waits for the newest code sent to `address` that differs from `not`.
async fn new_code(app: &App, address: &str, not: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let code = app.code_from_mailbox(address).await;
        if code != not {
            return code;
        }
        assert!(std::time::Instant::now() < deadline, "no new code arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The display name the seeded user ends with.
pub(crate) const SEEDED_NAME: &str = "Ada \u{1F680} \u{05D0}\u{05D3}\u{05D4} Lovelace \u{0301}e";

/// Every address the seeded user had.
pub(crate) const SEEDED_ADDRESSES: [&str; 3] = ["ada@example.com", "ada@new.example", "ada@third.example"];

/// A configuration file in `dir` with one provider, `lists`, at `url`
/// (retried every second; a notice in flight when the server is killed
/// holds the user's later notices, the erasure's included, until its lease
/// of 16 s ends rather than the default 120 s), and the settings the
/// seeding needs.
pub(crate) fn config_with_provider(dir: &tempfile::TempDir, url: &str) -> Vec<(&'static str, String)> {
    let config = dir.path().join("profile.toml");
    std::fs::write(
        &config,
        format!(
            "[providers]\npoll_interval_ms = 100\nretry_base_secs = 1\nretry_max_secs = 1\nlease_secs = 16\n\n\
             [[providers.endpoints]]\nid = \"lists\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n\
             purposes = [\"newsletter\", \"product_news\"]\n"
        ),
    )
    .unwrap();
    vec![
        ("PROFILE_CONFIG", config.display().to_string()),
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256.to_owned()),
        ("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "0".to_owned()),
    ]
}

/// The seeded user's session, and another user's.
pub(crate) struct Seeded {
    pub(crate) token: String,
    pub(crate) bob: String,
}

/// A user who used every feature: two sessions and a third signed out, a
/// name with emoji and right-to-left text, a saved picture and a pending
/// upload, consents changed (with notices to the provider), an unsubscribe
/// link, an address change made and another waiting for its code, and a
/// sign-in code not used; and another user with a consent.
pub(crate) async fn seed_every_feature(app: &App) -> Seeded {
    let name = SEEDED_NAME;
    let token = app.sign_in("ada@example.com").await;
    let _other_session = app.sign_in("ada@example.com").await;
    let leaving = app.sign_in("ada@example.com").await;
    let out = app.client.post(format!("{}/v1/auth/sign-out", app.base)).bearer_auth(&leaving).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.rename(&token, name).await.status(), StatusCode::OK);
    upload(app, &token, [200, 30, 30]).await;
    let saved = app.post_as(&token, "/v1/me/avatar/pending/save", json!({})).await;
    assert_eq!(saved.status(), StatusCode::OK);
    upload(app, &token, [30, 200, 30]).await;
    app.set_consent(&token, "newsletter", true).await;
    app.set_consent(&token, "product_news", true).await;
    app.set_consent(&token, "newsletter", false).await;
    app.set_consent(&token, "usage_analytics", true).await;
    let listing = app
        .client
        .get(format!("{}/v1/operator/purposes/product_news/recipients", app.base))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert!(listing.text().await.unwrap().contains("unsubscribe"), "the listing made an unsubscribe link");

    let started = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "ada@new.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let code = new_code(app, "ada@new.example", "").await;
    let confirmed = app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let pending = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "ada@third.example" })).await;
    assert_eq!(pending.status(), StatusCode::ACCEPTED);
    let asked = app.post("/v1/auth/sign-in", json!({ "email": "ada@new.example" })).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    new_code(app, "ada@new.example", &code).await;
    let bob = app.sign_in("bob@example.com").await;
    app.set_consent(&bob, "newsletter", true).await;

    Seeded { token, bob }
}

#[tokio::test]
async fn an_export_of_a_user_who_used_every_feature_holds_every_stored_value() {
    let dir = tempfile::tempdir().unwrap();
    // The provider's port: bound for a moment, then free, so nothing answers.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = config_with_provider(&dir, &format!("http://127.0.0.1:{port}/"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = App::start(&env).await;
    let Seeded { token, .. } = seed_every_feature(&app).await;
    let name = SEEDED_NAME;
    let doc = document(&app, &token).await;
    assert_eq!(doc["account"]["login_email"], "ada@new.example");
    assert_eq!(doc["profile"]["display_name"], name);
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(doc["account"]["id"], me["id"]);
    assert_eq!(doc["login_email"]["pending_change"]["new_email"], "ada@third.example");
    assert_eq!(doc["login_email"]["changes"][0]["old_email"], "ada@example.com");
    let ledger: Vec<(&str, bool)> = doc["consents"]["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["purpose"].as_str().unwrap(), e["granted"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        ledger,
        [("newsletter", true), ("product_news", true), ("newsletter", false), ("usage_analytics", true)]
    );
    let kinds: Vec<&str> =
        doc["security_history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["signed_in", "signed_in", "signed_in", "signed_out", "email_changed", "data_exported"]);
    let sessions = doc["sign_in"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(doc["mailing_list_notices"].as_array().unwrap().iter().any(|n| n["status"] == "pending"));
    let raw = doc.to_string();
    assert!(!raw.contains("bob@example.com"), "another user's data is not in the export");
    assert!(!raw.contains(&token), "no session token");

    let db = app.data_dir().join("profile.db");
    assert_every_personal_value_is_exported(&db, &doc).await;
    assert_no_secret_is_exported(&db, &doc).await;

    let again = document(&app, &token).await;
    let exports = again["security_history"].as_array().unwrap().iter().filter(|e| e["kind"] == "data_exported");
    assert_eq!(exports.count(), 2, "each export is in the next one");
}

#[tokio::test]
async fn a_new_user_with_nothing_but_an_account_gets_a_valid_document() {
    let app = App::start(&[]).await;
    let token = app.sign_in("new@example.com").await;
    let doc = document(&app, &token).await;
    assert!(doc["profile"]["display_name"].is_null());
    assert!(doc["profile"]["picture"]["current"].is_null() && doc["profile"]["picture"]["pending"].is_null());
    assert_eq!(doc["consents"]["ledger"], json!([]));
    assert_eq!(doc["login_email"]["changes"], json!([]));
    assert_eq!(doc["emails"][0]["kind"], "sign_in_code");
    assert_eq!(doc["emails"][0]["status"], "sent");
}

#[tokio::test]
async fn names_in_any_script_come_back_exactly() {
    let app = App::start(&[]).await;
    let token = app.sign_in("uni@example.com").await;
    for name in [
        "\u{1F469}\u{200D}\u{1F4BB} Zo\u{00EB}",
        "\u{0645}\u{062D}\u{0645}\u{062F} abc \u{05E9}\u{05DC}\u{05D5}\u{05DD}",
        "\u{6F22}\u{5B57} \"quoted\" \\ back",
        "e\u{0301}\u{0301} \u{1D11E} \u{FFFD}",
    ] {
        let renamed = app.rename(&token, name).await;
        assert_eq!(renamed.status(), StatusCode::OK);
        let stored: Value = renamed.json().await.unwrap();
        let doc = document(&app, &token).await;
        assert_eq!(doc["profile"]["display_name"], stored["display_name"]);
    }
    let nul = app.rename(&token, "nul\u{0}name").await;
    assert_eq!(error_code(nul).await, (StatusCode::BAD_REQUEST, "invalid_display_name".into()));
}

#[tokio::test]
async fn exports_need_a_valid_session() {
    let app = App::start(&[("PROFILE_SIGN_IN_SESSION_TTL_SECS", "1")]).await;
    let none = app.client.get(format!("{}/v1/me/export", app.base)).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(export(&app, "not-a-token").await).await.0, StatusCode::UNAUTHORIZED);
    let token = app.sign_in("old@example.com").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(error_code(export(&app, &token).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));
    let cookie = app.sign_in_cookie("old@example.com").await;
    let by_cookie = || app.client.get(format!("{}/v1/me/export", app.base)).header("cookie", &cookie);
    // A link from another site sends the cookie but cannot add the token.
    let by_link = by_cookie().send().await.unwrap();
    assert_eq!(error_code(by_link).await, (StatusCode::FORBIDDEN, "csrf_token_invalid".into()));
    let csrf = app.csrf_token(&cookie).await;
    let by_page = by_cookie().header("x-csrf-token", csrf).send().await.unwrap();
    assert_eq!(by_page.status(), StatusCode::OK, "the web page's cookie works too");
}

#[tokio::test]
async fn exports_are_limited_per_user_across_restarts_with_retry_after() {
    let mut app = App::start(&[("PROFILE_LIMITS_EXPORTS_PER_USER_MAX", "2")]).await;
    let token = app.sign_in("many@example.com").await;
    document(&app, &token).await;
    document(&app, &token).await;
    let refused = export(&app, &token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&wait), "about an hour: {wait}");
    assert_eq!(error_code(refused).await.1, "too_many_exports");
    let other = app.sign_in("other@example.com").await;
    document(&app, &other).await;
    app.restart().await;
    assert_eq!(export(&app, &token).await.status(), StatusCode::TOO_MANY_REQUESTS, "the count is in the database");
    let doc = document(&app, &other).await;
    let exports = doc["security_history"].as_array().unwrap().iter().filter(|e| e["kind"] == "data_exported");
    assert_eq!(exports.count(), 2);
}

/// Every field of the schema has a description, every object refuses
/// fields it does not list, and `docs/export.md` describes each field.
#[test]
fn the_schema_and_the_docs_describe_every_field() {
    fn walk(path: &str, node: &Value, found: &mut Vec<String>) {
        if node.get("type").is_some_and(|t| t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object"))))
        {
            assert_eq!(node["additionalProperties"], json!(false), "{path} allows fields it does not list");
        }
        let properties = node.get("properties").or_else(|| node.pointer("/items/properties"));
        for (name, child) in properties.and_then(Value::as_object).into_iter().flatten() {
            let full = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            assert!(child["description"].as_str().is_some_and(|d| d.len() > 3), "{full} has no description");
            found.push(full.clone());
            let suffix = if child["type"] == "array" { "[]" } else { "" };
            walk(&format!("{full}{suffix}"), child, found);
        }
    }
    let mut fields = Vec::new();
    walk("", &schema(), &mut fields);
    assert!(fields.len() > 60, "{} fields", fields.len());
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/export.md")).unwrap();
    for field in fields {
        assert!(docs.contains(&format!("| `{field}` |")), "docs/export.md does not describe {field}");
    }
}
