//! The caches of the read path never outlive a change by more than their
//! bound: two server processes on one database (SQLite, PostgreSQL,
//! MariaDB); a session ended on one stops working at once there and within
//! a second on the other, and so does an account whose deletion was asked
//! for; a rename is read back at once on the instance that made it and
//! within a second on the other.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{App, fresh_database};

/// Two instances on one database with one server key.
async fn two_instances(database: Option<String>) -> (App, App) {
    let key = "ef".repeat(32);
    let first = match &database {
        Some(url) => App::start(&[("PROFILE_SECRET_KEY", key.as_str()), ("PROFILE_DATABASE_URL", url.as_str())]).await,
        None => App::start(&[("PROFILE_SECRET_KEY", key.as_str())]).await,
    };
    let url =
        database.unwrap_or_else(|| format!("sqlite://{}?mode=rwc", first.data_dir().join("profile.db").display()));
    // Mail goes to the first instance's mailbox only.
    let quiet = [
        ("PROFILE_SECRET_KEY", key.as_str()),
        ("PROFILE_DATABASE_URL", url.as_str()),
        ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "3600000"),
    ];
    let second = App::start(&quiet).await;
    (first, second)
}

/// How long after `since` `app` took to answer `GET /v1/me` with `status`
/// (polled every 20 ms, for up to five seconds).
async fn until_me(app: &App, token: &str, status: StatusCode, since: Instant) -> Duration {
    loop {
        if app.me(token).await.status() == status {
            return since.elapsed();
        }
        assert!(since.elapsed() < Duration::from_secs(5), "{} never answered {status}", app.base);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn name_on(app: &App, token: &str) -> Value {
    app.me(token).await.json::<Value>().await.unwrap()["display_name"].clone()
}

async fn changes_reach_the_other_instance_within_a_second(database: Option<String>) {
    let (a, b) = two_instances(database).await;
    let ada = a.sign_in("ada@example.com").await;
    let other = a.sign_in("bob@example.com").await;
    // Read on both, so both hold the session and the profile.
    for _ in 0..3 {
        assert_eq!(a.me(&ada).await.status(), StatusCode::OK);
        assert_eq!(b.me(&ada).await.status(), StatusCode::OK);
    }

    assert_eq!(a.rename(&ada, "Ada Lovelace").await.status(), StatusCode::OK);
    let renamed = Instant::now();
    assert_eq!(name_on(&a, &ada).await, "Ada Lovelace", "at once on the instance that made it");
    loop {
        if name_on(&b, &ada).await == "Ada Lovelace" {
            break;
        }
        assert!(renamed.elapsed() < Duration::from_secs(1), "the rename did not reach the other instance in a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let signed_out = a.post_as(&ada, "/v1/auth/sign-out", json!({})).await;
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    let ended = Instant::now();
    assert_eq!(a.me(&ada).await.status(), StatusCode::UNAUTHORIZED, "at once on the instance that ended it");
    let took = until_me(&b, &ada, StatusCode::UNAUTHORIZED, ended).await;
    assert!(took < Duration::from_secs(1), "the other instance kept the session {took:?}");
    assert_eq!(b.me(&other).await.status(), StatusCode::OK, "another account's session lives on");

    // A deletion asked for on the second instance ends the session the
    // first instance holds.
    assert_eq!(a.me(&other).await.status(), StatusCode::OK);
    b.delete_account(&other, "bob@example.com").await;
    let asked = Instant::now();
    let took = until_me(&a, &other, StatusCode::UNAUTHORIZED, asked).await;
    assert!(took < Duration::from_secs(1), "the first instance kept a deleted account's session {took:?}");
}

#[tokio::test]
async fn changes_reach_the_other_instance_within_a_second_on_sqlite() {
    changes_reach_the_other_instance_within_a_second(None).await;
}

#[tokio::test]
async fn changes_reach_the_other_instance_within_a_second_on_postgres() {
    let Some(url) = fresh_database("PROFILE_TEST_POSTGRES_URL").await else { return };
    changes_reach_the_other_instance_within_a_second(Some(url)).await;
}

#[tokio::test]
async fn changes_reach_the_other_instance_within_a_second_on_mysql() {
    let Some(url) = fresh_database("PROFILE_TEST_MYSQL_URL").await else { return };
    changes_reach_the_other_instance_within_a_second(Some(url)).await;
}
