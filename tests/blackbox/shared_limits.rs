//! The limits that protect people hold across instances: two server
//! processes on one database (SQLite, PostgreSQL, MariaDB) allow exactly
//! what one allows, for sign-in and code checks per address and per client,
//! wrong operator keys per client, and picture uploads per account.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::support::{App, error_code, fresh_database};

const OPERATOR_KEY_SHA256: &str = "1593fd5dc308f0764e70ce08d39e58150fdfc135a45037945811305f6f5dc360";
/// The key whose SHA-256 that is.
const OPERATOR_KEY: &str = "operator-test-key";

/// Two instances on one database with one server key and low limits.
async fn two_instances(database: Option<String>) -> (App, App) {
    let key = "cd".repeat(32);
    let limits = [
        ("PROFILE_SECRET_KEY", key.as_str()),
        ("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256),
        ("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_MAX", "3"),
        ("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "20"),
        ("PROFILE_LIMITS_VERIFY_PER_ADDRESS_MAX", "4"),
        ("PROFILE_LIMITS_VERIFY_PER_IP_MAX", "20"),
        ("PROFILE_LIMITS_OPERATOR_KEY_FAILURES_PER_IP_MAX", "3"),
        ("PROFILE_LIMITS_PICTURE_UPLOADS_PER_USER_MAX", "2"),
    ];
    let first = match &database {
        Some(url) => App::start(&[&limits[..], &[("PROFILE_DATABASE_URL", url.as_str())]].concat()).await,
        None => App::start(&limits).await,
    };
    let url =
        database.unwrap_or_else(|| format!("sqlite://{}?mode=rwc", first.data_dir().join("profile.db").display()));
    // Mail goes to the first instance's mailbox only: the second one's
    // worker waits (it would write sign-in codes to a mailbox of its own).
    let quiet = [("PROFILE_DATABASE_URL", url.as_str()), ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "3600000")];
    let second = App::start(&[&limits[..], &quiet[..]].concat()).await;
    (first, second)
}

/// How many of `n` requests, sent to the two instances in turn, were
/// answered `ok` (the rest must be `429 rate_limited`).
async fn accepted(
    apps: &(App, App),
    n: usize,
    ok: StatusCode,
    request: impl Fn(&App, usize) -> reqwest::RequestBuilder,
) -> usize {
    let mut count = 0;
    for i in 0..n {
        let app = if i % 2 == 0 { &apps.0 } else { &apps.1 };
        let response = request(app, i).send().await.unwrap();
        if response.status() == ok {
            count += 1;
        } else {
            assert!(response.headers().contains_key("retry-after"), "{i}: {}", response.status());
            assert_eq!(error_code(response).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()), "{i}");
        }
    }
    count
}

fn post(app: &App, path: &str, body: serde_json::Value) -> reqwest::RequestBuilder {
    app.client.post(format!("{}{path}", app.base)).json(&body)
}

async fn limits_hold_across_two_instances(database: Option<String>) {
    let apps = two_instances(database).await;
    let sign_in = |app: &App, _| post(app, "/v1/auth/sign-in", json!({ "email": "one@example.com" }));
    assert_eq!(accepted(&apps, 10, StatusCode::ACCEPTED, sign_in).await, 3, "sign-in per address");
    let others = |app: &App, i| post(app, "/v1/auth/sign-in", json!({ "email": format!("n{i}@example.com") }));
    // Every request above counted for the client, the refused ones too.
    assert_eq!(accepted(&apps, 14, StatusCode::ACCEPTED, others).await, 20 - 10, "sign-in per client");

    let guess = |app: &App, _| post(app, "/v1/auth/verify", json!({ "email": "two@example.com", "code": "000000" }));
    assert_eq!(accepted(&apps, 10, StatusCode::UNAUTHORIZED, guess).await, 4, "code checks per address");
    let guesses =
        |app: &App, i| post(app, "/v1/auth/verify", json!({ "email": format!("g{i}@example.com"), "code": "000000" }));
    assert_eq!(accepted(&apps, 14, StatusCode::UNAUTHORIZED, guesses).await, 20 - 10, "code checks per client");

    let operator =
        |app: &App, key: &str| app.client.get(format!("{}/v1/operator/providers", app.base)).bearer_auth(key);
    assert_eq!(accepted(&apps, 6, StatusCode::UNAUTHORIZED, |app, _| operator(app, "wrong")).await, 3, "wrong keys");
    for app in [&apps.0, &apps.1] {
        let right = operator(app, OPERATOR_KEY).send().await.unwrap();
        assert_eq!(
            error_code(right).await,
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()),
            "even the right key"
        );
    }
}

async fn uploads_are_limited_per_account_across_two_instances(database: Option<String>) {
    let apps = two_instances(database).await;
    let token = apps.0.sign_in("pic@example.com").await;
    let upload = |app: &App, _| {
        let form = Form::new().part("file", Part::bytes(b"not a picture".to_vec()).file_name("x.jpg"));
        app.client.post(format!("{}/v1/me/avatar/pending", app.base)).bearer_auth(&token).multipart(form)
    };
    // Counted before the body is read: the refused file counts too.
    assert_eq!(accepted(&apps, 6, StatusCode::BAD_REQUEST, upload).await, 2, "uploads per account");
}

#[tokio::test]
async fn limits_hold_across_two_instances_on_sqlite() {
    limits_hold_across_two_instances(None).await;
    uploads_are_limited_per_account_across_two_instances(None).await;
}

#[tokio::test]
async fn limits_hold_across_two_instances_on_postgres() {
    let Some(url) = fresh_database("PROFILE_TEST_POSTGRES_URL").await else { return };
    limits_hold_across_two_instances(Some(url)).await;
    let Some(url) = fresh_database("PROFILE_TEST_POSTGRES_URL").await else { return };
    uploads_are_limited_per_account_across_two_instances(Some(url)).await;
}

#[tokio::test]
async fn limits_hold_across_two_instances_on_mysql() {
    let Some(url) = fresh_database("PROFILE_TEST_MYSQL_URL").await else { return };
    limits_hold_across_two_instances(Some(url)).await;
    let Some(url) = fresh_database("PROFILE_TEST_MYSQL_URL").await else { return };
    uploads_are_limited_per_account_across_two_instances(Some(url)).await;
}
