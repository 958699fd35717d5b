//! Mail that is never lost: a real SMTP server that is down for a while, a
//! server process killed between commit and delivery, and two instances
//! sharing one database.

use std::time::Duration;

use profile_testkit::SmtpSink;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{App, code_in};

const FAST_RETRY: [(&str, &str); 2] = [("PROFILE_OUTBOX_RETRY_BASE_SECS", "1"), ("PROFILE_OUTBOX_RETRY_MAX_SECS", "1")];

#[tokio::test]
async fn a_code_sent_while_the_smtp_server_is_down_arrives_once_it_is_up() {
    let port = SmtpSink::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut env = vec![("PROFILE_SMTP_URL", url.as_str())];
    env.extend(FAST_RETRY);
    let app = App::start(&env).await;
    let started = app.post("/v1/auth/sign-in", json!({ "email": "liz@example.com" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(app.log().contains("retried=1"), "delivery was tried and failed:\n{}", app.log());

    let sink = SmtpSink::start_on(port);
    let got = sink.wait_for(1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "the message arrived");
    assert_eq!(got[0].to, ["liz@example.com"]);
    let code = code_in(&got[0].raw).unwrap();
    let verified = app.post("/v1/auth/verify", json!({ "email": "liz@example.com", "code": code })).await;
    assert_eq!(verified.status(), StatusCode::OK, "the delivered code works");
}

#[tokio::test]
async fn a_message_committed_before_a_sigkill_is_delivered_after_the_restart() {
    let sink = SmtpSink::start();
    let url = sink.url();
    // The worker looks at the outbox once at start, then only after a minute:
    // a message queued now is committed but not sent when the process dies.
    let mut app = App::start(&[("PROFILE_SMTP_URL", url.as_str()), ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "60000")]).await;
    let started = app.post("/v1/auth/sign-in", json!({ "email": "max@example.com" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    app.kill();
    assert!(sink.received().is_empty(), "the message was not sent before the kill");

    app.set_env("PROFILE_OUTBOX_POLL_INTERVAL_MS", "100");
    app.relaunch().await;
    let got = sink.wait_for(1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "the committed message was delivered after the restart");
    assert_eq!(got[0].to, ["max@example.com"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 1, "and only once");
}

#[tokio::test]
async fn messages_queued_just_before_a_graceful_stop_are_sent_before_the_process_ends() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let mut app = App::start(&[("PROFILE_SMTP_URL", url.as_str()), ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "60000")]).await;
    for n in 0..3 {
        let r = app.post("/v1/auth/sign-in", json!({ "email": format!("s{n}@example.com") })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    assert!(sink.received().is_empty());
    app.stop();
    assert_eq!(sink.received().len(), 3, "the last pass on shutdown sent them");
}

#[tokio::test]
async fn two_instances_sharing_a_database_send_each_message_exactly_once() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let key = "ab".repeat(32);
    let first = App::start(&[("PROFILE_SMTP_URL", url.as_str()), ("PROFILE_SECRET_KEY", key.as_str())]).await;
    let db = format!("sqlite://{}?mode=rwc", first.data_dir().join("profile.db").display());
    let second = App::start(&[
        ("PROFILE_SMTP_URL", url.as_str()),
        ("PROFILE_DATABASE_URL", db.as_str()),
        ("PROFILE_SECRET_KEY", key.as_str()),
    ])
    .await;
    for n in 0..20 {
        let app = if n % 2 == 0 { &first } else { &second };
        let r = app.post("/v1/auth/sign-in", json!({ "email": format!("u{n}@example.com") })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let got = sink.wait_for(20, Duration::from_secs(20));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_later = sink.received();
    assert_eq!(got.len(), 20);
    assert_eq!(got_later.len(), 20, "no message was sent twice");
    let mut recipients: Vec<String> = got_later.iter().map(|m| m.to[0].clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 20);

    let to_u0 = got_later.iter().find(|m| m.to[0] == "u0@example.com").unwrap();
    let code = code_in(&to_u0.raw).unwrap();
    let verified = second.post("/v1/auth/verify", json!({ "email": "u0@example.com", "code": code })).await;
    assert_eq!(verified.status(), StatusCode::OK, "a code sent by one instance works on the other");
}
