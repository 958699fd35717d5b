//! Mailing-list providers over real HTTP: signed notices that survive a
//! provider outage and a crash and arrive in order, and signed reports
//! from providers with every bad input refused.

use std::time::Duration;

use profile_domain::WebhookSecret;
use profile_testkit::{ReceivedWebhook, WebhookReceiver};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::{App, error_code};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const REPORT_SECRET: &str = "whsec_dGhlIHByb3ZpZGVyIHNpZ25zIHdpdGggdGhpcw==";
const OPERATOR_KEY: &str = "operator-test-key";
/// SHA-256 of `OPERATOR_KEY`, computed outside the project.
const OPERATOR_KEY_SHA256: &str = "1593fd5dc308f0764e70ce08d39e58150fdfc135a45037945811305f6f5dc360";

/// A configuration file with two providers: `lists` (newsletter and
/// product news, at `port`, taking reports) and `crm` (newsletter, at a
/// port nobody listens on).
fn config(dir: &tempfile::TempDir, port: u16, crm_port: u16) -> String {
    let file = dir.path().join("profile.toml");
    let text = format!(
        "[providers]\npoll_interval_ms = 100\nretry_base_secs = 1\nretry_max_secs = 1\nlease_secs = 16\n\n\
         [[providers.endpoints]]\nid = \"lists\"\nurl = \"http://127.0.0.1:{port}/hooks/profile\"\n\
         secret = \"{SECRET}\"\nreport_secret = \"{REPORT_SECRET}\"\npurposes = [\"newsletter\", \"product_news\"]\n\n\
         [[providers.endpoints]]\nid = \"crm\"\nurl = \"http://127.0.0.1:{crm_port}/\"\nsecret = \"{SECRET}\"\npurposes = [\"newsletter\"]\n"
    );
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

async fn start(dir: &tempfile::TempDir, port: u16, crm_port: u16) -> App {
    let path = config(dir, port, crm_port);
    App::start(&[("PROFILE_CONFIG", path.as_str()), ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256)]).await
}

/// The operator's view of one provider.
async fn backlog(app: &App, provider: &str) -> Value {
    let r = app.client.get(format!("{}/v1/operator/providers", app.base)).bearer_auth(OPERATOR_KEY).send().await;
    let all: Vec<Value> = r.unwrap().json().await.unwrap();
    all.into_iter().find(|b| b["provider"] == provider).unwrap_or(Value::Null)
}

async fn wait_for_backlog(app: &App, provider: &str, done: impl Fn(&Value) -> bool) -> Value {
    // Up to 40 s: a notice leased by a killed instance waits out its lease (16 s).
    for _ in 0..800 {
        let b = backlog(app, provider).await;
        if done(&b) {
            return b;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the backlog of {provider} never got there: {}", backlog(app, provider).await);
}

fn free_port() -> u16 {
    profile_testkit::SmtpSink::free_port()
}

fn accepted(received: &[ReceivedWebhook]) -> Vec<&ReceivedWebhook> {
    received.iter().filter(|r| (200..300).contains(&r.answered)).collect()
}

#[tokio::test]
async fn a_provider_that_was_down_gets_every_change_in_order_after_an_outage_and_a_crash() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut app = start(&dir, port, free_port()).await;
    let ann = app.sign_in("ann@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    app.set_consent(&ann, "newsletter", true).await;
    app.set_consent(&ann, "product_news", true).await;
    app.set_consent(&bob, "newsletter", true).await;
    app.set_consent(&ann, "newsletter", false).await;
    app.set_consent(&ann, "usage_analytics", true).await; // no provider carries it
    let down = wait_for_backlog(&app, "lists", |b| b["last_error"] == "webhook could not connect").await;
    assert_eq!(down["pending"], 4);

    // Killed while the provider is down (perhaps mid-attempt, holding a
    // lease): the notices are in the database.
    app.kill();
    app.relaunch().await;
    let receiver = WebhookReceiver::start_on(port);
    receiver.answer_with(503);
    wait_for_backlog(&app, "lists", |b| b["last_error"] == "provider answered HTTP 503").await;
    assert!(receiver.received().iter().all(|r| r.answered == 503));
    receiver.answer_with(204);
    let done = wait_for_backlog(&app, "lists", |b| b["pending"] == 0).await;
    assert_eq!(done["delivered"], 4);

    let received = receiver.received();
    let secret = WebhookSecret::parse(SECRET).unwrap();
    let mut seen_ids = Vec::new();
    let mut by_user: std::collections::BTreeMap<String, Vec<(u64, String, bool)>> = Default::default();
    for r in accepted(&received) {
        assert_eq!(r.path, "/hooks/profile");
        let id = r.header("webhook-id").unwrap();
        let verified = secret.verify(
            id,
            r.header("webhook-timestamp").unwrap(),
            r.header("webhook-signature").unwrap(),
            &r.body,
            OffsetDateTime::now_utc(),
            time::Duration::minutes(5),
        );
        assert_eq!(verified, Ok(()), "every notice is signed with the provider's secret");
        assert!(!seen_ids.contains(&id.to_owned()), "each notice is accepted once");
        seen_ids.push(id.to_owned());
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["type"], "consent.changed");
        let d = &body["data"];
        by_user.entry(d["email"].as_str().unwrap().to_owned()).or_default().push((
            d["sequence"].as_u64().unwrap(),
            d["purpose"].as_str().unwrap().to_owned(),
            d["granted"].as_bool().unwrap(),
        ));
    }
    assert_eq!(
        by_user["ann@example.com"],
        [(1, "newsletter".to_owned(), true), (2, "product_news".to_owned(), true), (3, "newsletter".to_owned(), false)],
        "in the order made, with the ledger's sequence numbers"
    );
    assert_eq!(by_user["bob@example.com"], [(1, "newsletter".to_owned(), true)]);
    let crm = backlog(&app, "crm").await;
    assert_eq!((crm["pending"].as_u64(), crm["delivered"].as_u64()), (Some(3), Some(0)), "crm is still down");
}

/// The three signature headers of a report.
type Headers = Vec<(&'static str, String)>;

fn signed(secret: &str, id: &str, at: OffsetDateTime, body: &str) -> Headers {
    let ts = at.unix_timestamp();
    let signature = WebhookSecret::parse(secret).unwrap().sign(id, ts, body.as_bytes());
    vec![("webhook-id", id.to_owned()), ("webhook-timestamp", ts.to_string()), ("webhook-signature", signature)]
}

async fn report(app: &App, provider: &str, headers: &[(&'static str, String)], body: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/v1/providers/{provider}/reports", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap()
}

async fn granted(app: &App, token: &str, purpose: &str) -> bool {
    let r = app.client.get(format!("{}/v1/me/consents", app.base)).bearer_auth(token).send().await.unwrap();
    let all: Vec<Value> = r.json().await.unwrap();
    all.iter().find(|c| c["purpose"]["id"] == purpose).unwrap()["granted"].as_bool().unwrap()
}

#[tokio::test]
async fn a_signed_report_withdraws_once_and_bad_or_replayed_reports_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, free_port(), free_port()).await;
    let cy = app.sign_in("cy@example.com").await;
    app.set_consent(&cy, "newsletter", true).await;
    app.set_consent(&cy, "product_news", true).await;
    let now = OffsetDateTime::now_utc();
    let body = r#"{"type":"subscriber.unsubscribed","data":{"email":"cy@example.com","purpose":"newsletter"}}"#;

    let refusals: Vec<(Headers, &str, &str, StatusCode, &str)> = vec![
        (signed(SECRET, "m1", now, body), "lists", body, StatusCode::UNAUTHORIZED, "webhook_signature_invalid"),
        (
            signed(REPORT_SECRET, "m1", now, body),
            "lists",
            &body[1..],
            StatusCode::UNAUTHORIZED,
            "webhook_signature_invalid",
        ),
        (
            signed(REPORT_SECRET, "m1", now - time::Duration::minutes(6), body),
            "lists",
            body,
            StatusCode::BAD_REQUEST,
            "webhook_timestamp_stale",
        ),
        (
            signed(REPORT_SECRET, "m1", now + time::Duration::minutes(6), body),
            "lists",
            body,
            StatusCode::BAD_REQUEST,
            "webhook_timestamp_stale",
        ),
        (
            signed(REPORT_SECRET, "m1", now, body)[1..].to_vec(),
            "lists",
            body,
            StatusCode::BAD_REQUEST,
            "webhook_headers_invalid",
        ),
        (signed(REPORT_SECRET, "m1", now, body), "crm", body, StatusCode::NOT_FOUND, "provider_unknown"),
        (signed(REPORT_SECRET, "m1", now, body), "nobody", body, StatusCode::NOT_FOUND, "provider_unknown"),
        (signed(REPORT_SECRET, "m2", now, "not json"), "lists", "not json", StatusCode::BAD_REQUEST, "report_invalid"),
    ];
    for (headers, provider, sent, status, code) in refusals {
        assert_eq!(error_code(report(&app, provider, &headers, sent).await).await, (status, code.to_owned()), "{code}");
    }
    let other_type = r#"{"type":"subscriber.bounced","data":{"email":"cy@example.com"}}"#;
    let r = report(&app, "lists", &signed(REPORT_SECRET, "m3", now, other_type), other_type).await;
    assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "report_type_unknown".to_owned()));
    let not_carried =
        r#"{"type":"subscriber.unsubscribed","data":{"email":"cy@example.com","purpose":"usage_analytics"}}"#;
    let r = report(&app, "lists", &signed(REPORT_SECRET, "m4", now, not_carried), not_carried).await;
    assert_eq!(error_code(r).await, (StatusCode::NOT_FOUND, "unknown_purpose".to_owned()));
    assert!(granted(&app, &cy, "newsletter").await, "nothing changed so far");

    let ok = report(&app, "lists", &signed(REPORT_SECRET, "m5", now, body), body).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.json::<Value>().await.unwrap(), json!({ "withdrawn": ["newsletter"] }));
    assert!(!granted(&app, &cy, "newsletter").await);
    assert!(granted(&app, &cy, "product_news").await, "only the purpose reported");

    app.set_consent(&cy, "newsletter", true).await;
    let replay = report(&app, "lists", &signed(REPORT_SECRET, "m5", now, body), body).await;
    assert_eq!(error_code(replay).await, (StatusCode::CONFLICT, "webhook_replayed".to_owned()));
    assert!(granted(&app, &cy, "newsletter").await, "a replay does not undo the new grant");

    let everything = r#"{"type":"subscriber.unsubscribed","data":{"email":"CY@example.com"}}"#;
    let all = report(&app, "lists", &signed(REPORT_SECRET, "m6", now, everything), everything).await;
    assert_eq!(all.json::<Value>().await.unwrap(), json!({ "withdrawn": ["newsletter", "product_news"] }));
    let stranger = r#"{"type":"subscriber.unsubscribed","data":{"email":"nobody@example.com"}}"#;
    let none = report(&app, "lists", &signed(REPORT_SECRET, "m7", now, stranger), stranger).await;
    assert_eq!(none.json::<Value>().await.unwrap(), json!({ "withdrawn": [] }));

    let channels: Vec<(String, bool, String)> =
        crate::consents::ledger(&app).await.into_iter().map(|(p, g, c, _)| (p, g, c)).collect();
    let row = |p: &str, g: bool, c: &str| (p.to_owned(), g, c.to_owned());
    assert_eq!(
        channels,
        [
            row("newsletter", true, "api"),
            row("product_news", true, "api"),
            row("newsletter", false, "provider"),
            row("newsletter", true, "api"),
            row("newsletter", false, "provider"),
            row("product_news", false, "provider"),
        ]
    );
    let crm = backlog(&app, "crm").await;
    assert_eq!(crm["pending"], 4, "crm heard of both grants, the re-grant and the provider's withdrawal");
}

#[tokio::test]
async fn a_provider_that_carries_a_granted_purpose_hears_of_an_address_change() {
    let receiver = WebhookReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, receiver.port(), free_port()).await;
    let dee = app.sign_in("dee@example.com").await;
    app.set_consent(&dee, "newsletter", true).await;
    let started = app.post_as(&dee, "/v1/me/email-change", json!({ "new_email": "dee@new.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let code = app.code_from_mailbox("dee@new.example").await;
    let confirmed = app.post_as(&dee, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let got = receiver.wait_until(Duration::from_secs(10), |r| accepted(r).len() >= 2);
    let bodies: Vec<Value> = accepted(&got).iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(
        (bodies[0]["type"].as_str(), bodies[1]["type"].as_str()),
        (Some("consent.changed"), Some("email.changed"))
    );
    let data = &bodies[1]["data"];
    assert_eq!(
        (data["previous_email"].as_str(), data["email"].as_str()),
        (Some("dee@example.com"), Some("dee@new.example"))
    );
    assert!(data["sequence"].as_u64() > bodies[0]["data"]["sequence"].as_u64());
}

#[tokio::test]
async fn consent_changes_wake_the_worker_so_the_provider_hears_within_seconds() {
    let receiver = WebhookReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    // A poll a minute: only the wake-up can bring a notice within seconds.
    let file = dir.path().join("profile.toml");
    let text = format!(
        "[providers]\npoll_interval_ms = 60000\n\n[[providers.endpoints]]\nid = \"lists\"\n\
         url = \"http://127.0.0.1:{}/hooks\"\nsecret = \"{SECRET}\"\npurposes = [\"newsletter\"]\n",
        receiver.port()
    );
    std::fs::write(&file, text).unwrap();
    let app = App::start(&[("PROFILE_CONFIG", &file.display().to_string())]).await;
    let ann = app.sign_in("ann@example.com").await;
    for (n, granted) in [true, false, true].into_iter().enumerate() {
        app.set_consent(&ann, "newsletter", granted).await;
        let got = receiver.wait_until(Duration::from_secs(10), |got| accepted(got).len() > n);
        assert_eq!(accepted(&got).len(), n + 1, "change {n} reached the provider without waiting for a poll");
    }
}
