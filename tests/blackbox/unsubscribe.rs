//! One-click unsubscribe and the operator's recipient list, over HTTP.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::{App, error_code};

const OPERATOR_KEY: &str = "operator-test-key";
/// SHA-256 of `OPERATOR_KEY`, computed outside the project.
const OPERATOR_KEY_SHA256: &str = "1593fd5dc308f0764e70ce08d39e58150fdfc135a45037945811305f6f5dc360";

async fn app() -> App {
    App::start(&[("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256)]).await
}

async fn recipients(app: &App, purpose: &str, key: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/v1/operator/purposes/{purpose}/recipients", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

/// The recipients of a listing, after checking it ends with its end line.
async fn lines(response: reqwest::Response) -> Vec<Value> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let mut all: Vec<Value> =
        response.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let end = all.pop().expect("an end line");
    assert_eq!(end, json!({ "end": true, "count": all.len() }));
    all
}

async fn grant(app: &App, token: &str, purpose: &str) {
    let r = app
        .client
        .put(format!("{}/v1/me/consents/{purpose}", app.base))
        .bearer_auth(token)
        .json(&json!({ "granted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn granted(app: &App, token: &str, purpose: &str) -> bool {
    let all: Vec<Value> = app
        .client
        .get(format!("{}/v1/me/consents", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.iter().find(|c| c["purpose"]["id"] == purpose).unwrap()["granted"] == true
}

async fn ledger_channels(app: &App) -> Vec<String> {
    let url = format!("sqlite://{}?mode=ro", app.data_dir().join("profile.db").display());
    let db = Database::connect(&url).await.unwrap();
    let sql = "SELECT channel FROM consent_ledger ORDER BY user_id, seq";
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get("", "channel").unwrap()).collect()
}

#[tokio::test]
async fn the_operator_lists_consenting_users_and_a_plain_post_unsubscribes() {
    let app = app().await;
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    app.sign_in("cy@example.com").await;
    grant(&app, &ada, "newsletter").await;
    grant(&app, &bob, "newsletter").await;

    let listed = lines(recipients(&app, "newsletter", OPERATOR_KEY).await).await;
    let mut emails: Vec<&str> = listed.iter().map(|l| l["email"].as_str().unwrap()).collect();
    emails.sort_unstable();
    assert_eq!(emails, ["ada@example.com", "bob@example.com"]);
    let again = lines(recipients(&app, "newsletter", OPERATOR_KEY).await).await;
    assert_eq!(listed, again, "the same URLs every time");
    let ada_url = listed.iter().find(|l| l["email"] == "ada@example.com").unwrap()["unsubscribe_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ada_url.starts_with(&format!("{}/v1/unsubscribe/", app.base)));

    let page = app.client.get(&ada_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    assert!(granted(&app, &ada, "newsletter").await, "opening the link changes nothing");

    let one_click = app
        .client
        .post(&ada_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    let bob_url = listed.iter().find(|l| l["email"] == "bob@example.com").unwrap()["unsubscribe_url"]
        .as_str()
        .unwrap()
        .to_owned();
    for content_type in ["multipart/form-data; boundary=x", "text/plain", "application/json"] {
        let other = app
            .client
            .post(&bob_url)
            .header("content-type", content_type)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK, "{content_type}");
    }
    grant(&app, &bob, "newsletter").await;
    assert!(!granted(&app, &ada, "newsletter").await);
    assert!(granted(&app, &bob, "newsletter").await, "only that user and purpose");
    let repeat = app.client.post(&ada_url).send().await.unwrap();
    assert_eq!(repeat.status(), StatusCode::OK);
    let channels = ledger_channels(&app).await;
    assert_eq!(channels.iter().filter(|c| *c == "unsubscribe").count(), 2, "ada once, bob once: {channels:?}");
    let left = lines(recipients(&app, "newsletter", OPERATOR_KEY).await).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["email"], "bob@example.com");
}

#[tokio::test]
async fn bad_keys_purposes_and_tokens_are_refused_and_change_nothing() {
    let app = app().await;
    let ada = app.sign_in("ada@example.com").await;
    grant(&app, &ada, "newsletter").await;
    assert_eq!(
        error_code(recipients(&app, "newsletter", "wrong-key").await).await,
        (StatusCode::UNAUTHORIZED, "operator_key_invalid".into())
    );
    let anonymous =
        app.client.get(format!("{}/v1/operator/purposes/newsletter/recipients", app.base)).send().await.unwrap();
    assert_eq!(error_code(anonymous).await, (StatusCode::UNAUTHORIZED, "operator_key_invalid".into()));
    assert_eq!(
        error_code(recipients(&app, "usage_analytics", OPERATOR_KEY).await).await,
        (StatusCode::BAD_REQUEST, "not_an_email_purpose".into())
    );
    assert_eq!(
        error_code(recipients(&app, "weather", OPERATOR_KEY).await).await,
        (StatusCode::NOT_FOUND, "unknown_purpose".into())
    );
    for bad in ["nonsense", &"ab".repeat(32), &"zz".repeat(32)] {
        let post = app.client.post(format!("{}/v1/unsubscribe/{bad}", app.base)).send().await.unwrap();
        assert_eq!(error_code(post).await, (StatusCode::BAD_REQUEST, "unsubscribe_link_invalid".into()), "{bad}");
        let get = app.client.get(format!("{}/v1/unsubscribe/{bad}", app.base)).send().await.unwrap();
        assert_eq!(get.status(), StatusCode::BAD_REQUEST);
    }
    assert!(granted(&app, &ada, "newsletter").await);
    let session_key = recipients(&app, "newsletter", &ada).await;
    assert_eq!(error_code(session_key).await.1, "operator_key_invalid", "a user's session is not an operator key");
}

#[tokio::test]
async fn without_a_configured_key_the_operator_api_is_closed() {
    let app = App::start(&[]).await;
    assert_eq!(
        error_code(recipients(&app, "newsletter", OPERATOR_KEY).await).await,
        (StatusCode::UNAUTHORIZED, "operator_key_invalid".into())
    );
}

#[tokio::test]
async fn a_revoked_link_stops_working_and_the_next_listing_gives_a_new_one() {
    let app = app().await;
    let ada = app.sign_in("ada@example.com").await;
    grant(&app, &ada, "newsletter").await;
    let listed = lines(recipients(&app, "newsletter", OPERATOR_KEY).await).await;
    let user = listed[0]["user_id"].as_str().unwrap().to_owned();
    let old_url = listed[0]["unsubscribe_url"].as_str().unwrap().to_owned();
    let path = format!("{}/v1/operator/purposes/newsletter/recipients/{user}/unsubscribe-link", app.base);
    let wrong = app.client.delete(&path).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(error_code(wrong).await.1, "operator_key_invalid");
    assert_eq!(
        app.client.delete(&path).bearer_auth(OPERATOR_KEY).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let again = app.client.delete(&path).bearer_auth(OPERATOR_KEY).send().await.unwrap();
    assert_eq!(error_code(again).await, (StatusCode::NOT_FOUND, "no_unsubscribe_link".into()));
    let old = app.client.post(&old_url).send().await.unwrap();
    assert_eq!(error_code(old).await, (StatusCode::BAD_REQUEST, "unsubscribe_link_invalid".into()));
    assert!(granted(&app, &ada, "newsletter").await, "the revoked link changed nothing");
    let renewed = lines(recipients(&app, "newsletter", OPERATOR_KEY).await).await;
    let new_url = renewed[0]["unsubscribe_url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, old_url);
    assert_eq!(app.client.post(&new_url).send().await.unwrap().status(), StatusCode::OK);
    assert!(!granted(&app, &ada, "newsletter").await);
}

#[tokio::test]
async fn guessing_the_operator_key_is_cut_off_even_for_the_right_key() {
    let app = App::start(&[
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256),
        ("PROFILE_LIMITS_OPERATOR_KEY_FAILURES_PER_IP_MAX", "2"),
    ])
    .await;
    for guess in ["guess-1", "guess-2"] {
        assert_eq!(error_code(recipients(&app, "newsletter", guess).await).await.1, "operator_key_invalid");
    }
    let blocked = recipients(&app, "newsletter", OPERATOR_KEY).await;
    assert!(blocked.headers().contains_key("retry-after"));
    assert_eq!(error_code(blocked).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));
}

/// The unsubscribe URL of `email` in the listing of `purpose`.
async fn url_of(app: &App, purpose: &str, email: &str) -> Option<String> {
    let listed = lines(recipients(app, purpose, OPERATOR_KEY).await).await;
    listed.iter().find(|l| l["email"] == email).map(|l| l["unsubscribe_url"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_deletion_stops_all_mailing_at_once_and_a_cancel_brings_the_grants_back() {
    let app = App::start(&[
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256),
        ("PROFILE_DELETION_GRACE_SECS", "3600"),
    ])
    .await;
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    for purpose in ["newsletter", "product_news"] {
        grant(&app, &ada, purpose).await;
        grant(&app, &bob, purpose).await;
    }
    let link = url_of(&app, "newsletter", "ada@example.com").await.unwrap();

    let asked = app
        .client
        .delete(format!("{}/v1/me", app.base))
        .bearer_auth(&ada)
        .json(&json!({ "confirm": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    for purpose in ["newsletter", "product_news"] {
        assert_eq!(url_of(&app, purpose, "ada@example.com").await, None, "not mailed while being deleted: {purpose}");
        assert!(url_of(&app, purpose, "bob@example.com").await.is_some());
    }
    let page = app.client.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You are unsubscribed") && !page.contains("<form"), "answers as withdrawn:\n{page}");
    assert!(ledger_channels(&app).await.iter().all(|c| c != "unsubscribe"), "the request itself withdraws nothing");

    let again = app.sign_in("ada@example.com").await;
    let cancelled = app.client.delete(format!("{}/v1/me/deletion", app.base)).bearer_auth(&again).send().await;
    assert_eq!(cancelled.unwrap().status(), StatusCode::OK);
    for purpose in ["newsletter", "product_news"] {
        assert!(granted(&app, &again, purpose).await, "{purpose} is granted as before");
    }
    assert_eq!(url_of(&app, "newsletter", "ada@example.com").await, Some(link.clone()), "mailed again, same link");
    assert!(url_of(&app, "product_news", "ada@example.com").await.is_some());
    let page = app.client.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<form method=\"post\""), "the link works again:\n{page}");
}

#[tokio::test]
async fn an_unsubscribe_while_the_account_is_being_deleted_is_the_persons_choice_and_stays() {
    let app = App::start(&[
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256),
        ("PROFILE_DELETION_GRACE_SECS", "3600"),
    ])
    .await;
    let ada = app.sign_in("ada@example.com").await;
    grant(&app, &ada, "newsletter").await;
    grant(&app, &ada, "product_news").await;
    let link = url_of(&app, "newsletter", "ada@example.com").await.unwrap();
    let asked = app
        .client
        .delete(format!("{}/v1/me", app.base))
        .bearer_auth(&ada)
        .json(&json!({ "confirm": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let clicked = app.client.post(&link).send().await.unwrap();
    assert!(clicked.text().await.unwrap().contains("You are unsubscribed"));
    assert_eq!(ledger_channels(&app).await.iter().filter(|c| *c == "unsubscribe").count(), 1, "recorded");

    let again = app.sign_in("ada@example.com").await;
    let cancelled = app.client.delete(format!("{}/v1/me/deletion", app.base)).bearer_auth(&again).send().await;
    assert_eq!(cancelled.unwrap().status(), StatusCode::OK);
    assert!(!granted(&app, &again, "newsletter").await, "the unsubscribe stays after the cancel");
    assert!(granted(&app, &again, "product_news").await, "the rest comes back as it was");
    assert_eq!(url_of(&app, "newsletter", "ada@example.com").await, None);
}
