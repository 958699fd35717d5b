//! Change events for the product's services over real HTTP: signed
//! `profile.updated` events that survive a failing receiver and a SIGKILL,
//! arrive once each (after dropping repeats by `webhook-id`) and in order,
//! wake the worker at once, never carry an address; and an erasure that
//! waits until every subscribed service has accepted `account.erased`.

use std::time::{Duration, Instant};

use profile_domain::WebhookSecret;
use profile_testkit::pictures::{jpeg, two_colour};
use profile_testkit::{ReceivedWebhook, WebhookReceiver};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::App;

const SECRET: &str = "whsec_cm9vbXMgc2lnbiB0aGVpciBldmVudHMgd2l0aCB0aGlz";
const ROOMS_KEY: &str = "rooms-service-key-0123456789";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// One service, `rooms`, subscribed to both events at `port`; the
/// provider pacing given (`poll_interval_ms`, retry waits).
fn config(dir: &tempfile::TempDir, port: u16, poll_ms: u64) -> String {
    let file = dir.path().join("profile.toml");
    let text = format!(
        "[providers]\npoll_interval_ms = {poll_ms}\nretry_base_secs = 1\nretry_max_secs = 1\nlease_secs = 16\n\n\
         [[services]]\nid = \"rooms\"\nscopes = [\"profiles:read\"]\nkey_sha256 = \"{}\"\n\
         events_url = \"http://127.0.0.1:{port}/events\"\nevents_secret = \"{SECRET}\"\n\
         events = [\"profile.updated\", \"account.erased\"]\n",
        sha256_hex(ROOMS_KEY)
    );
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

/// The accepted events, each verified, with repeats (same `webhook-id`)
/// dropped, in the order received.
fn accepted_once(received: &[ReceivedWebhook]) -> Vec<Value> {
    let secret = WebhookSecret::parse(SECRET).unwrap();
    let mut ids = Vec::new();
    let mut events = Vec::new();
    for r in received.iter().filter(|r| (200..300).contains(&r.answered)) {
        let id = r.header("webhook-id").unwrap().to_owned();
        let verified = secret.verify(
            &id,
            r.header("webhook-timestamp").unwrap(),
            r.header("webhook-signature").unwrap(),
            &r.body,
            OffsetDateTime::now_utc(),
            time::Duration::minutes(5),
        );
        assert_eq!(verified, Ok(()), "every event is signed with the service's secret");
        assert!(!String::from_utf8_lossy(&r.body).contains('@'), "a service never sees an address");
        if !ids.contains(&id) {
            ids.push(id);
            events.push(serde_json::from_slice(&r.body).unwrap());
        }
    }
    events
}

async fn wait_for(receiver: &WebhookReceiver, count: usize) -> Vec<Value> {
    // Up to 40 s: an event leased by a killed instance waits out its lease (16 s).
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let events = accepted_once(&receiver.received());
        if events.len() >= count {
            return events;
        }
        assert!(Instant::now() < deadline, "only {} of {count} events arrived", events.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_change_reaches_a_service_once_and_in_order_across_a_failing_receiver_and_a_crash() {
    let port = profile_testkit::SmtpSink::free_port();
    let dir = tempfile::tempdir().unwrap();
    let path = config(&dir, port, 100);
    let mut app = App::start(&[("PROFILE_CONFIG", path.as_str())]).await;
    let receiver = WebhookReceiver::start_on(port);
    receiver.answer_with(503);
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    for n in 1..=3 {
        app.rename(&ada, &format!("Ada {n}")).await;
    }
    app.rename(&bob, "Bob").await;
    let refused = receiver.wait_until(Duration::from_secs(10), |r| r.iter().any(|r| r.answered == 503));
    assert!(refused.iter().any(|r| r.answered == 503), "the service was asked and refused");
    // Killed while the receiver refuses (perhaps mid-attempt, holding a
    // lease): the events wait in the database.
    app.kill();
    app.relaunch().await;
    for n in 4..=5 {
        app.rename(&ada, &format!("Ada {n}")).await;
    }
    receiver.answer_with(204);
    let events = wait_for(&receiver, 6).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events_after = accepted_once(&receiver.received());
    assert_eq!(events_after.len(), 6, "no event but the six changes: {events_after:?}");

    let me: Value = app.me(&ada).await.json().await.unwrap();
    let ada_id = me["id"].as_str().unwrap();
    let mut ada_names = Vec::new();
    let mut last_sequence = 0;
    for event in events.iter().filter(|e| e["data"]["user_id"] == ada_id) {
        assert_eq!(event["type"], "profile.updated");
        let sequence = event["data"]["sequence"].as_u64().unwrap();
        assert!(sequence > last_sequence, "in order, numbered upwards");
        last_sequence = sequence;
        ada_names.push(event["data"]["profile"]["display_name"].as_str().unwrap().to_owned());
    }
    assert_eq!(ada_names, ["Ada 1", "Ada 2", "Ada 3", "Ada 4", "Ada 5"], "every change once, in order");
    let last = &events.iter().rfind(|e| e["data"]["user_id"] == ada_id).unwrap()["data"]["profile"];
    let read: Value = app
        .client
        .get(format!("{}/v1/profiles/{ada_id}", app.base))
        .bearer_auth(ROOMS_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(*last, read, "the event holds the profile the API serves");
}

#[tokio::test]
async fn a_committed_change_wakes_the_worker_so_renames_arrive_within_a_second() {
    let receiver = WebhookReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    // A poll every 30 s: only the wake-up can bring an event within a second.
    let path = config(&dir, receiver.port(), 30_000);
    let app = App::start(&[("PROFILE_CONFIG", path.as_str())]).await;
    let ada = app.sign_in("ada@example.com").await;
    let mut prompt = 0;
    for n in 1..=20 {
        let name = format!("Ada {n}");
        let renamed = Instant::now();
        assert_eq!(app.rename(&ada, &name).await.status(), StatusCode::OK);
        let arrived = receiver.wait_until(Duration::from_secs(5), |got| {
            got.iter().any(|r| String::from_utf8_lossy(&r.body).contains(&format!("\"{name}\"")))
        });
        let at = arrived.iter().find(|r| String::from_utf8_lossy(&r.body).contains(&format!("\"{name}\"")));
        if at.is_some_and(|r| r.received_at.duration_since(renamed) <= Duration::from_secs(1)) {
            prompt += 1;
        }
    }
    assert!(prompt >= 19, "only {prompt} of 20 renames arrived within a second");
}

#[tokio::test]
async fn a_picture_save_and_reset_reach_the_service_and_the_erasure_waits_for_it() {
    let port = profile_testkit::SmtpSink::free_port();
    let dir = tempfile::tempdir().unwrap();
    let path = config(&dir, port, 100);
    let app = App::start(&[("PROFILE_CONFIG", path.as_str())]).await;
    let receiver = WebhookReceiver::start_on(port);
    let ada = app.sign_in("ada@example.com").await;
    let me: Value = app.me(&ada).await.json().await.unwrap();
    let ada_id = me["id"].as_str().unwrap().to_owned();
    let upload = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(jpeg(&two_colour(64, 64, [200, 20, 20], [20, 20, 200])))
            .file_name("a.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let staged = app
        .client
        .post(format!("{}/v1/me/avatar/pending", app.base))
        .bearer_auth(&ada)
        .multipart(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(staged.status(), StatusCode::CREATED);
    let saved: Value = app.post_as(&ada, "/v1/me/avatar/pending/save", json!({})).await.json().await.unwrap();
    let reset = app.client.delete(format!("{}/v1/me/avatar", app.base)).bearer_auth(&ada).send().await.unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let events = wait_for(&receiver, 2).await;
    let pictures: Vec<&Value> = events.iter().map(|e| &e["data"]["profile"]["picture"]).collect();
    assert_eq!(pictures[0]["is_default"], false);
    assert_eq!(pictures[0]["urls"], saved["urls"], "the saved picture's URLs");
    assert_eq!(pictures[1]["is_default"], true, "then the default picture again");

    // The service refuses for now: the erasure waits for it.
    receiver.answer_with(503);
    let receipt = app.delete_account(&ada, "ada@example.com").await;
    let refused = receiver.wait_until(Duration::from_secs(10), |r| r.iter().any(|r| r.answered == 503));
    assert!(refused.iter().any(|r| r.answered == 503), "the service was asked and refused");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = app.receipt(&receipt).await;
    assert!(waiting["completed_at"].is_null(), "not erased while the service has not accepted: {waiting}");
    let listed = waiting["recipients"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{waiting}");
    assert_eq!(listed[0]["provider"], "rooms");
    receiver.answer_with(204);
    let done = app.wait_for_erasure(&receipt, 30).await;
    assert!(!done["recipients"][0]["told_at"].is_null(), "{done}");
    let events = accepted_once(&receiver.received());
    let erased = events.iter().find(|e| e["type"] == "account.erased").unwrap();
    let mut keys: Vec<&String> = erased["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["erased_at", "sequence", "user_id"], "the id only: {erased}");
    assert_eq!(erased["data"]["user_id"], ada_id.as_str());
}
