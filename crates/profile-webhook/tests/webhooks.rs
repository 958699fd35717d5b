//! The webhook transport against a real HTTP endpoint.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::sync::Arc;
use std::time::Duration;

use profile_domain::ports::ProviderTransport;
use profile_domain::{
    ConsentChannel, DisplayName, EmailAddress, PictureLinks, ProviderEvent, ProviderId, ProviderNotice, PublicProfile,
    PurposeId, UserId, WebhookSecret,
};
use profile_testkit::WebhookReceiver;
use profile_webhook::{WebhookEndpoint, WebhookTransport};
use time::OffsetDateTime;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn notice(n: u128) -> ProviderNotice {
    ProviderNotice {
        id: uuid::Uuid::from_u128(n),
        provider: ProviderId::parse("lists").unwrap(),
        user_id: UserId::new_v7(1, [7; 10]),
        email: Some(EmailAddress::parse("ada@example.com").unwrap()),
        sequence: 4,
        event: ProviderEvent::ConsentChanged {
            purpose: PurposeId::parse("news").unwrap(),
            granted: false,
            version: 2,
            channel: ConsentChannel::Unsubscribe,
            at: time::macros::datetime!(2026-11-29 12:00:00.250 UTC),
        },
    }
}

fn transport(url: &str) -> WebhookTransport {
    WebhookTransport::new(
        vec![WebhookEndpoint {
            provider: ProviderId::parse("lists").unwrap(),
            url: url.parse().unwrap(),
            secret: WebhookSecret::parse(SECRET).unwrap(),
        }],
        PictureLinks::new("https://p.example.com", vec![128, 64]),
        Arc::new(WallClock),
    )
    .unwrap()
}

/// The real time: the receiver checks the signed timestamp against it.
struct WallClock;

impl profile_domain::ports::Clock for WallClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

#[tokio::test]
async fn a_notice_arrives_as_signed_json_that_verifies_with_the_shared_secret() {
    let receiver = WebhookReceiver::start();
    let status = transport(&receiver.url("/hooks/profile")).deliver(&notice(9)).await.unwrap();
    assert_eq!(status, 204);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let request = &got[0];
    assert_eq!(request.path, "/hooks/profile");
    assert_eq!(request.header("content-type"), Some("application/json"));
    let id = request.header("webhook-id").unwrap();
    assert_eq!(id, uuid::Uuid::from_u128(9).to_string());
    let timestamp = request.header("webhook-timestamp").unwrap();
    let signature = request.header("webhook-signature").unwrap();
    let secret = WebhookSecret::parse(SECRET).unwrap();
    let now = OffsetDateTime::now_utc();
    secret.verify(id, timestamp, signature, &request.body, now, time::Duration::minutes(1)).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["type"], "consent.changed");
    let data = &body["data"];
    assert_eq!(data["email"], "ada@example.com");
    assert_eq!(data["user_id"], UserId::new_v7(1, [7; 10]).to_string());
    assert_eq!((data["purpose"].as_str(), data["granted"].as_bool()), (Some("news"), Some(false)));
    assert_eq!((data["purpose_version"].as_u64(), data["sequence"].as_u64()), (Some(2), Some(4)));
    assert_eq!(data["channel"], "unsubscribe");
    assert_eq!(data["changed_at"], "2026-11-29T12:00:00.25Z");
}

#[tokio::test]
async fn a_refusal_an_outage_and_a_redirect_are_failures_with_their_status() {
    let receiver = WebhookReceiver::start();
    let t = transport(&receiver.url("/"));
    receiver.answer_with(503);
    let refused = t.deliver(&notice(1)).await.unwrap_err();
    assert_eq!((refused.status, refused.error.as_str()), (Some(503), "provider answered HTTP 503"));
    receiver.answer_with(302);
    let before = receiver.received().len();
    assert_eq!(t.deliver(&notice(1)).await.unwrap_err().status, Some(302), "redirects are not followed");
    let after = receiver.received();
    assert_eq!(after.len(), before + 1, "no second request to the Location");
    assert!(after.iter().all(|r| r.path == "/"));
    receiver.stop();
    let down = t.deliver(&notice(1)).await.unwrap_err();
    assert_eq!((down.status, down.error.as_str()), (None, "webhook could not connect"));
    assert!(!down.error.contains("127.0.0.1"), "no URL in the stored error");
    let back = WebhookReceiver::start_on(receiver.port());
    assert_eq!(t.deliver(&notice(1)).await.unwrap(), 204);
    let ids: Vec<_> = back
        .wait_until(Duration::from_secs(1), |r| !r.is_empty())
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids, [uuid::Uuid::from_u128(1).to_string()], "a retry keeps the notice's id");
}

#[tokio::test]
async fn an_address_change_names_both_addresses() {
    let receiver = WebhookReceiver::start();
    let mut changed = notice(3);
    changed.email = Some(EmailAddress::parse("ada@new.example").unwrap());
    changed.event = ProviderEvent::EmailChanged {
        previous_email: EmailAddress::parse("ada@example.com").unwrap(),
        at: time::macros::datetime!(2026-11-29 12:00 UTC),
    };
    transport(&receiver.url("/")).deliver(&changed).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&receiver.received()[0].body).unwrap();
    assert_eq!(body["type"], "email.changed");
    assert_eq!(
        (body["data"]["email"].as_str(), body["data"]["previous_email"].as_str()),
        (Some("ada@new.example"), Some("ada@example.com"))
    );
    assert_eq!(body["data"]["changed_at"], "2026-11-29T12:00:00Z");
}

#[tokio::test]
async fn a_notice_for_a_provider_not_configured_is_refused_without_a_request() {
    let receiver = WebhookReceiver::start();
    let mut other = notice(1);
    other.provider = ProviderId::parse("crm").unwrap();
    let refused = transport(&receiver.url("/")).deliver(&other).await.unwrap_err();
    assert_eq!(refused.error, "provider not configured");
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_service_hears_of_a_profile_change_with_the_public_profile_and_never_an_address() {
    let receiver = WebhookReceiver::start();
    let user = UserId::new_v7(1, [7; 10]);
    let mut updated = notice(5);
    updated.email = None;
    updated.event = ProviderEvent::ProfileUpdated {
        profile: PublicProfile {
            id: user,
            display_name: Some(DisplayName::parse("Ada").unwrap()),
            picture: None,
            updated_at: time::macros::datetime!(2026-12-06 12:00 UTC),
        },
    };
    transport(&receiver.url("/")).deliver(&updated).await.unwrap();
    let raw = receiver.received()[0].body.clone();
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(body["type"], "profile.updated");
    let data = &body["data"];
    assert_eq!((data["user_id"].as_str(), data["sequence"].as_u64()), (Some(user.to_string().as_str()), Some(4)));
    assert_eq!(data["profile"]["display_name"], "Ada");
    assert_eq!(data["profile"]["id"], user.to_string());
    assert_eq!(data["profile"]["picture"]["is_default"], true);
    let first_url = data["profile"]["picture"]["urls"][0]["url"].as_str().unwrap();
    assert!(first_url.starts_with(&format!("https://p.example.com/v1/pictures/{user}/default-")), "{first_url}");
    assert!(data.get("email").is_none());
    assert!(!String::from_utf8_lossy(&raw).contains('@'), "no address anywhere in the body");

    let mut erased = notice(6);
    erased.email = None;
    erased.event = ProviderEvent::AccountErased { at: time::macros::datetime!(2026-12-06 12:00 UTC) };
    transport(&receiver.url("/")).deliver(&erased).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&receiver.received()[1].body).unwrap();
    assert_eq!(body["type"], "account.erased");
    let mut keys: Vec<&String> = body["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["erased_at", "sequence", "user_id"]);
}
