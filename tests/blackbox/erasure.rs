//! Deleting an account on the built binary: bad requests change nothing; a
//! real request locks the account at once, survives a provider that fails
//! and a SIGKILL, tells the provider, emails a confirmation, and leaves a
//! receipt and nothing else: `profile-server verify-erasure` finds nothing
//! of the user, while the other user is untouched.

use std::process::Command;
use std::time::{Duration, Instant};

use profile_testkit::{ReceivedWebhook, S3_ACCESS_KEY, S3_SECRET_KEY, S3Server, SmtpSink, WebhookReceiver};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::export::{
    OPERATOR_KEY, OPERATOR_KEY_SHA256, SEEDED_ADDRESSES, SEEDED_NAME, Seeded, config_with_provider, export,
    seed_every_feature, upload,
};
use crate::support::{App, decode_quoted_printable, error_code, wait_for_message_to};

async fn delete(app: &App, token: &str, body: Value) -> reqwest::Response {
    app.client.delete(format!("{}/v1/me", app.base)).bearer_auth(token).json(&body).send().await.unwrap()
}

/// The receipt at `url`, asked of the running server (a relaunch moves it
/// to another port).
async fn receipt(app: &App, url: &str) -> Value {
    let path = &url[url.find("/v1/").unwrap()..];
    let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn is_erasure(webhook: &ReceivedWebhook) -> bool {
    serde_json::from_slice::<Value>(&webhook.body).is_ok_and(|b| b["type"] == "account.erased")
}

/// Runs `profile-server verify-erasure` on the app's data: its exit code
/// and report.
fn verify_erasure(app: &App, user: &str, emails: &[&str], name: &str) -> (i32, String) {
    verify_erasure_with(app, &[], user, emails, name)
}

/// `verify-erasure` with extra settings (the S3 ones).
fn verify_erasure_with(app: &App, env: &[(&str, &str)], user: &str, emails: &[&str], name: &str) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_profile-server"));
    command.env_clear().env("PROFILE_DATA_DIR", app.data_dir()).envs(env.iter().copied());
    command.arg("verify-erasure").arg(user);
    for email in emails {
        command.args(["--email", email]);
    }
    let out = command.args(["--name", name]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Signs in as far as the code check and returns its answer.
async fn verify_code(app: &App, email: &str) -> reqwest::Response {
    let before = app.mailbox_count();
    assert_eq!(app.post("/v1/auth/sign-in", json!({ "email": email })).await.status(), StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.mailbox_count() <= before {
        assert!(Instant::now() < deadline, "no code arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = app.code_from_mailbox(email).await;
    app.post("/v1/auth/verify", json!({ "email": email, "code": code })).await
}

#[tokio::test]
async fn a_deleted_account_is_erased_everywhere_through_a_failing_provider_and_a_crash() {
    let receiver = WebhookReceiver::start();
    receiver.answer_with(500);
    let dir = tempfile::tempdir().unwrap();
    let mut env = config_with_provider(&dir, &receiver.url("/hooks"));
    env.extend([("PROFILE_OUTBOX_RETRY_BASE_SECS", "1".to_owned()), ("PROFILE_OUTBOX_RETRY_MAX_SECS", "1".to_owned())]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = App::start(&env).await;
    let Seeded { token, bob } = seed_every_feature(&app).await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    let user = me["id"].as_str().unwrap().to_owned();

    let anonymous = app.client.delete(format!("{}/v1/me", app.base)).json(&json!({ "confirm": "x" })).send().await;
    assert_eq!(anonymous.unwrap().status(), StatusCode::UNAUTHORIZED);
    for wrong in ["ada@example.com", "bob@example.com", "not an address", ""] {
        let refused = delete(&app, &token, json!({ "confirm": wrong })).await;
        assert_eq!(error_code(refused).await, (StatusCode::BAD_REQUEST, "confirmation_mismatch".into()), "{wrong}");
    }
    assert_eq!(delete(&app, &token, json!({})).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.me(&token).await.status(), StatusCode::OK, "refused requests change nothing");

    let started = delete(&app, &token, json!({ "confirm": "ADA@new.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let started: Value = started.json().await.unwrap();
    let url = started["receipt_url"].as_str().unwrap().to_owned();
    assert_eq!(error_code(app.me(&token).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));
    let again = verify_code(&app, "ada@new.example").await;
    assert_eq!(error_code(again).await, (StatusCode::FORBIDDEN, "account_being_deleted".into()));

    // The provider fails, so the job waits at its second step; the server
    // is killed there and started again.
    let asked = receiver.wait_until(Duration::from_secs(15), |got| got.iter().any(is_erasure));
    assert!(asked.iter().any(is_erasure), "the provider was asked to erase");
    let waiting = receipt(&app, &url).await;
    assert_eq!(waiting["status"], "in_progress");
    assert_eq!(
        (waiting["steps"][0]["status"].as_str(), waiting["steps"][1]["status"].as_str()),
        (Some("done"), Some("waiting"))
    );
    assert_eq!(waiting["recipients"][0]["status"], "waiting");
    app.kill();
    app.relaunch().await;
    receiver.answer_with(204);
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let now = receipt(&app, &url).await;
        if now["status"] == "completed" {
            break now;
        }
        assert!(Instant::now() < deadline, "the erasure did not complete: {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let steps: Vec<(&str, &str)> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("end_sessions", "done"),
            ("tell_providers", "done"),
            ("delete_pictures", "done"),
            ("send_confirmation", "done"),
            ("erase_data", "done")
        ]
    );
    assert_eq!(
        (done["recipients"][0]["provider"].as_str(), done["recipients"][0]["status"].as_str()),
        (Some("lists"), Some("told"))
    );
    let text = done.to_string();
    for personal in [user.as_str(), "ada@", SEEDED_NAME] {
        assert!(!text.contains(personal), "the receipt holds nothing personal");
    }

    let listed = app.client.get(format!("{}/v1/operator/deletion-receipts", app.base)).bearer_auth(OPERATOR_KEY);
    let listed: Vec<Value> = listed.send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&done), "the operator sees the receipt as the user does");
    let refused = app.client.get(format!("{}/v1/operator/deletion-receipts", app.base)).send().await.unwrap();
    assert_eq!(error_code(refused).await, (StatusCode::UNAUTHORIZED, "operator_key_invalid".into()));

    let told: Vec<ReceivedWebhook> = receiver.received().into_iter().filter(is_erasure).collect();
    let mut ids: Vec<&str> = told.iter().map(|w| w.header("webhook-id").unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one notice, retried after the 500s");
    let erased: Vec<Value> = told.iter().map(|w| serde_json::from_slice(&w.body).unwrap()).collect();
    assert_eq!(
        (erased[0]["data"]["email"].as_str(), erased[0]["data"]["user_id"].as_str()),
        (Some("ada@new.example"), Some(user.as_str()))
    );
    let mail = std::fs::read_dir(app.data_dir().join("mail"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap());
    let confirmation: Vec<String> = mail.filter(|m| m.contains("account was deleted")).collect();
    assert_eq!(confirmation.len(), 1);
    let message = decode_quoted_printable(&confirmation[0]);
    let id = started["receipt_id"].as_str().unwrap();
    assert!(
        message.contains("To: ada@new.example") && message.contains(&format!("{}/deletion-receipts/{id}", app.base))
    );

    let (code, report) = verify_erasure(&app, &user, &SEEDED_ADDRESSES, SEEDED_NAME);
    assert_eq!(code, 0, "{report}");
    assert!(report.starts_with("nothing found"), "{report}");
    let bobs = export(&app, &bob).await;
    assert_eq!(bobs.status(), StatusCode::OK, "the other user is untouched");
    let bobs: Value = bobs.json().await.unwrap();
    assert_eq!(bobs["consents"]["ledger"][0]["purpose"], "newsletter");
    let bob_id = bobs["account"]["id"].as_str().unwrap();
    assert_eq!(app.rename(&bob, "Émile Zola").await.status(), StatusCode::OK);
    let (code, report) = verify_erasure(&app, bob_id, &["bob@example.com"], "ÉMILE ZOLA");
    assert_eq!(code, 1, "the search finds a user who is there: {report}");
    assert!(report.contains("found: accounts.email holds the email address in 1 row(s)"), "{report}");
    assert!(report.contains("found: accounts.display_name holds the display name in 1 row(s)"), "{report}");
    assert!(!report.contains("bob@") && !report.contains("Zola"), "the report never shows the values");

    let fresh = verify_code(&app, "ada@new.example").await;
    assert_eq!(fresh.status(), StatusCode::OK, "the address is free again");
    let fresh: Value = fresh.json().await.unwrap();
    assert_eq!(fresh["account_created"], true);
    assert_ne!(fresh["user_id"].as_str(), Some(user.as_str()));
}

#[tokio::test]
async fn a_deletion_needs_a_recent_sign_in_and_receipts_need_a_real_id() {
    let app = App::start(&[("PROFILE_EMAIL_CHANGE_RECENT_SIGN_IN_SECS", "1")]).await;
    let token = app.sign_in("old@example.com").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let stale = delete(&app, &token, json!({ "confirm": "old@example.com" })).await;
    assert_eq!(error_code(stale).await, (StatusCode::FORBIDDEN, "reauthentication_required".into()));
    assert_eq!(app.me(&token).await.status(), StatusCode::OK, "nothing changed");
    let malformed = app.client.get(format!("{}/v1/deletion-receipts/not-a-uuid", app.base)).send().await.unwrap();
    assert_eq!(error_code(malformed).await, (StatusCode::BAD_REQUEST, "invalid_receipt_id".into()));
    let unknown = format!("{}/v1/deletion-receipts/{}", app.base, uuid::Uuid::from_u128(42));
    let unknown = app.client.get(unknown).send().await.unwrap();
    assert_eq!(error_code(unknown).await, (StatusCode::NOT_FOUND, "receipt_not_found".into()));

    let fresh = app.sign_in("new@example.com").await;
    let started = delete(&app, &fresh, json!({ "confirm": "new@example.com" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let again = delete(&app, &fresh, json!({ "confirm": "new@example.com" })).await;
    assert_eq!(error_code(again).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()), "the session ended");
}

/// Waits until the receipt satisfies `done`.
async fn wait_for_receipt(app: &App, url: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let now = receipt(app, url).await;
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn step<'a>(receipt: &'a Value, name: &str) -> &'a Value {
    receipt["steps"].as_array().unwrap().iter().find(|s| s["step"] == name).unwrap()
}

#[tokio::test]
async fn an_erasure_outlasts_an_object_store_and_a_mail_server_that_are_down_and_two_crashes() {
    let s3_dir = tempfile::tempdir().unwrap();
    let Some(mut s3) = S3Server::start(s3_dir.path().to_owned(), "profile") else { return };
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let s3_env = |endpoint: &str| {
        vec![
            ("PROFILE_BLOB_URL", "s3://profile/avatars".to_owned()),
            ("PROFILE_S3_ENDPOINT", endpoint.to_owned()),
            ("PROFILE_S3_ACCESS_KEY_ID", S3_ACCESS_KEY.to_owned()),
            ("PROFILE_S3_SECRET_ACCESS_KEY", S3_SECRET_KEY.to_owned()),
            ("PROFILE_S3_ALLOW_HTTP", "true".to_owned()),
        ]
    };
    let mut env = s3_env(&s3.endpoint());
    env.extend([
        ("PROFILE_SMTP_URL", smtp.clone()),
        ("PROFILE_OUTBOX_RETRY_BASE_SECS", "1".to_owned()),
        ("PROFILE_OUTBOX_RETRY_MAX_SECS", "1".to_owned()),
    ]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = App::start(&env).await;
    let token = app.sign_in_by_smtp(&sink, "eve@example.com").await;
    // A name that occurs nowhere else (a short one like "Eve" is found in
    // "event_reminders": the search reports where text occurs).
    assert_eq!(app.rename(&token, "Eve Quintavalle").await.status(), StatusCode::OK);
    upload(&app, &token, [200, 30, 30]).await;
    assert_eq!(app.post_as(&token, "/v1/me/avatar/pending/save", json!({})).await.status(), StatusCode::OK);
    upload(&app, &token, [30, 200, 30]).await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    let user = me["id"].as_str().unwrap().to_owned();
    let files = s3_dir.path().join("profile/avatars");
    assert!(files.join("pictures").join(&user).read_dir().unwrap().count() > 0);

    s3.stop();
    let started = delete(&app, &token, json!({ "confirm": "eve@example.com" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let url = started.json::<Value>().await.unwrap()["receipt_url"].as_str().unwrap().to_owned();
    let failing = wait_for_receipt(&app, &url, "the picture step did not fail", |r| {
        step(r, "delete_pictures")["failures"].as_u64().unwrap_or(0) >= 1
    })
    .await;
    assert!(step(&failing, "delete_pictures")["last_problem"].as_str().is_some_and(|p| !p.is_empty()));
    assert_eq!(step(&failing, "tell_providers")["status"], "done", "no provider to tell");

    app.kill();
    sink.stop();
    let Some(s3_again) = S3Server::start(s3_dir.path().to_owned(), "profile") else { panic!("s3s-fs vanished") };
    for (key, value) in s3_env(&s3_again.endpoint()) {
        app.set_env(key, &value);
    }
    app.relaunch().await;
    wait_for_receipt(&app, &url, "the pictures were not deleted", |r| step(r, "delete_pictures")["status"] == "done")
        .await;
    let waiting = receipt(&app, &url).await;
    assert_eq!(step(&waiting, "send_confirmation")["status"], "waiting", "the mail server is down");

    app.kill();
    let sink = SmtpSink::start_on(url::Url::parse(&smtp).unwrap().port().unwrap());
    app.relaunch().await;
    let done = wait_for_receipt(&app, &url, "the erasure did not complete", |r| r["status"] == "completed").await;
    assert!(done["steps"].as_array().unwrap().iter().all(|s| s["status"] == "done"));
    assert_eq!(
        step(&done, "delete_pictures")["failures"].as_u64().map(|n| n >= 1),
        Some(true),
        "the failures stay on record"
    );
    let confirmation = wait_for_message_to(&sink, "eve@example.com", 0);
    assert!(confirmation.contains("account was deleted"));

    let s3_settings = s3_env(&s3_again.endpoint());
    let s3_settings: Vec<(&str, &str)> = s3_settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, report) = verify_erasure_with(&app, &s3_settings, &user, &["eve@example.com"], "Eve Quintavalle");
    assert_eq!(code, 0, "{report}");
    for slot in ["pictures", "pending"] {
        let left = files.join(slot).join(&user);
        assert!(!left.exists() || left.read_dir().unwrap().count() == 0, "files left under {slot}");
    }
}

async fn check_suppressed(app: &App, email: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/operator/suppressions/check", app.base))
        .bearer_auth(OPERATOR_KEY)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_optional_suppression_list_knows_erased_addresses_by_their_keyed_hash_only() {
    let off = App::start(&[("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256)]).await;
    let answer = check_suppressed(&off, "ann@example.com").await;
    assert_eq!(error_code(answer).await, (StatusCode::NOT_FOUND, "suppression_off".into()), "off by default");

    let app = App::start(&[
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256),
        ("PROFILE_DELETION_SUPPRESS_ERASED_ADDRESSES", "true"),
    ])
    .await;
    let token = app.sign_in("ann@example.com").await;
    assert_eq!(app.rename(&token, "Ann Quintavalle").await.status(), StatusCode::OK);
    let me: Value = app.me(&token).await.json().await.unwrap();
    let user = me["id"].as_str().unwrap().to_owned();
    let started = delete(&app, &token, json!({ "confirm": "ann@example.com" })).await;
    let url = started.json::<Value>().await.unwrap()["receipt_url"].as_str().unwrap().to_owned();
    wait_for_receipt(&app, &url, "the erasure did not complete", |r| r["status"] == "completed").await;
    for (email, expected) in [("ann@example.com", true), ("ANN@Example.COM", true), ("bob@example.com", false)] {
        let answer = check_suppressed(&app, email).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.json::<Value>().await.unwrap()["suppressed"], expected, "{email}");
    }
    let bad = check_suppressed(&app, "not an address").await;
    assert_eq!(error_code(bad).await, (StatusCode::BAD_REQUEST, "invalid_email".into()));
    let (code, report) = verify_erasure(&app, &user, &["ann@example.com"], "Ann Quintavalle");
    assert_eq!(code, 0, "only a keyed hash is kept: {report}");
}

#[tokio::test]
async fn within_a_grace_period_signing_in_again_can_cancel_the_deletion() {
    let app = App::start(&[("PROFILE_DELETION_GRACE_SECS", "3")]).await;
    let token = app.sign_in("gus@example.com").await;
    assert_eq!(app.rename(&token, "Gus Quintavalle").await.status(), StatusCode::OK);
    let me: Value = app.me(&token).await.json().await.unwrap();
    let started = delete(&app, &token, json!({ "confirm": "gus@example.com" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let started: Value = started.json().await.unwrap();
    assert_ne!(started["erase_after"], started["requested_at"], "the erasure waits for the grace period");
    assert_eq!(app.me(&token).await.status(), StatusCode::UNAUTHORIZED, "the sessions ended at once");

    let again = app.sign_in("gus@example.com").await;
    let pending = app.client.get(format!("{}/v1/me/deletion", app.base)).bearer_auth(&again).send().await.unwrap();
    assert_eq!(pending.status(), StatusCode::OK);
    assert_eq!(pending.json::<Value>().await.unwrap()["id"], started["receipt_id"]);
    let cancel = || app.client.delete(format!("{}/v1/me/deletion", app.base)).bearer_auth(&again).send();
    let cancelled = cancel().await.unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(cancelled.json::<Value>().await.unwrap()["status"], "cancelled");
    assert_eq!(error_code(cancel().await.unwrap()).await, (StatusCode::NOT_FOUND, "no_deletion_pending".into()));
    let url = started["receipt_url"].as_str().unwrap();
    assert_eq!(receipt(&app, url).await["status"], "cancelled");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let kept: Value = app.me(&again).await.json().await.unwrap();
    assert_eq!(kept["id"], me["id"], "the account is as it was after the grace period");
    let history: Value = export(&app, &again).await.json().await.unwrap();
    let kinds: Vec<&str> =
        history["security_history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.ends_with(&["deletion_requested", "signed_in", "deletion_cancelled", "data_exported"]), "{kinds:?}");

    let started = delete(&app, &again, json!({ "confirm": "gus@example.com" })).await;
    let url = started.json::<Value>().await.unwrap()["receipt_url"].as_str().unwrap().to_owned();
    let done =
        wait_for_receipt(&app, &url, "the erasure did not run after the grace", |r| r["status"] == "completed").await;
    let at = |key: &str| {
        let text = done[key].as_str().unwrap();
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert!(at("completed_at") >= at("erase_after"), "not before the grace period ended");
    let (code, report) = verify_erasure(&app, me["id"].as_str().unwrap(), &["gus@example.com"], "Gus Quintavalle");
    assert_eq!(code, 0, "{report}");
}

/// The Message-ID header of a raw message.
fn message_id(raw: &str) -> String {
    let id = raw.lines().find_map(|l| l.strip_prefix("Message-ID: "));
    id.filter(|id| !id.trim().is_empty()).expect("every message has a Message-ID").to_owned()
}

#[tokio::test]
async fn erasures_killed_again_and_again_at_arbitrary_moments_still_complete_with_nothing_left() {
    let receiver = WebhookReceiver::start();
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let mut env = config_with_provider(&dir, &receiver.url("/hooks"));
    env.extend([
        ("PROFILE_SMTP_URL", sink.url()),
        ("PROFILE_OUTBOX_RETRY_BASE_SECS", "1".to_owned()),
        ("PROFILE_OUTBOX_RETRY_MAX_SECS", "1".to_owned()),
        // A job claimed by a killed instance waits for its lease to run
        // out: the shortest lease allowed (the erasure jobs share the
        // outbox's), so it runs out within the wait below.
        ("PROFILE_OUTBOX_LEASE_SECS", "31".to_owned()),
    ]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = App::start(&env).await;
    let mut users = Vec::new();
    for n in 0..3 {
        let email = format!("kill{n}@example.com");
        let token = app.sign_in_by_smtp(&sink, &email).await;
        assert_eq!(app.rename(&token, &format!("Kill Quintavalle {n}")).await.status(), StatusCode::OK);
        upload(&app, &token, [200, 30, 30]).await;
        assert_eq!(app.post_as(&token, "/v1/me/avatar/pending/save", json!({})).await.status(), StatusCode::OK);
        app.set_consent(&token, "newsletter", true).await;
        let me: Value = app.me(&token).await.json().await.unwrap();
        users.push((email, token, me["id"].as_str().unwrap().to_owned()));
    }
    let mut urls = Vec::new();
    for (email, token, _) in &users {
        let started = delete(&app, token, json!({ "confirm": email })).await;
        assert_eq!(started.status(), StatusCode::ACCEPTED);
        urls.push(started.json::<Value>().await.unwrap()["receipt_url"].as_str().unwrap().to_owned());
    }
    // Killed at moments spread over the jobs' run, each time started again.
    for delay_ms in [0_u64, 40, 90, 150, 260] {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let mut unfinished = 0;
        for url in &urls {
            unfinished += usize::from(receipt(&app, url).await["status"] == "in_progress");
        }
        assert!(unfinished > 0, "each kill lands while an erasure is under way");
        app.kill();
        app.relaunch().await;
    }
    for url in &urls {
        let done = wait_for_receipt(&app, url, "an erasure did not complete", |r| r["status"] == "completed").await;
        assert!(done["steps"].as_array().unwrap().iter().all(|s| s["status"] == "done"), "{done}");
        assert_eq!(done["recipients"][0]["status"], "told");
    }
    for (n, (email, _, user)) in users.iter().enumerate() {
        let (code, report) = verify_erasure(&app, user, &[email.as_str()], &format!("Kill Quintavalle {n}"));
        assert_eq!(code, 0, "{report}");
        let told: Vec<ReceivedWebhook> = receiver
            .received()
            .into_iter()
            .filter(is_erasure)
            .filter(|w| serde_json::from_slice::<Value>(&w.body).unwrap()["data"]["user_id"] == user.as_str())
            .collect();
        let mut ids: Vec<&str> = told.iter().map(|w| w.header("webhook-id").unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 1, "one erasure notice per user, however often it was sent");
        let confirmations: Vec<String> = sink
            .received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == email) && m.raw.contains("account was deleted"))
            .map(|m| message_id(&m.raw))
            .collect();
        assert!(!confirmations.is_empty(), "the confirmation reached {email}");
        assert!(confirmations.iter().all(|id| *id == confirmations[0]), "a resend keeps its Message-ID");
    }
}
