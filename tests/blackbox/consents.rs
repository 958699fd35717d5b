//! Consents over HTTP: the public catalogue, the user's choices, the ledger
//! with its channel, versions, and bad input.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::{App, error_code};

async fn put(app: &App, token: &str, purpose: &str, body: Value) -> reqwest::Response {
    app.client
        .put(format!("{}/v1/me/consents/{purpose}", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn consents(app: &App, token: &str) -> Vec<Value> {
    let r = app.client.get(format!("{}/v1/me/consents", app.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The ledger rows as (purpose, granted, channel, version), oldest first.
pub(crate) async fn ledger(app: &App) -> Vec<(String, bool, String, i64)> {
    let url = format!("sqlite://{}?mode=ro", app.data_dir().join("profile.db").display());
    let db = Database::connect(&url).await.unwrap();
    let sql = "SELECT purpose_id, granted, channel, version FROM consent_ledger ORDER BY at_ms, seq";
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "purpose_id").unwrap(),
                r.try_get("", "granted").unwrap(),
                r.try_get("", "channel").unwrap(),
                r.try_get("", "version").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_catalogue_is_public_and_nothing_is_pre_ticked() {
    let app = App::start(&[]).await;
    let purposes: Vec<Value> =
        app.client.get(format!("{}/v1/consent-purposes", app.base)).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = purposes.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["product_news", "event_reminders", "newsletter", "usage_analytics"]);
    assert_eq!(purposes[3]["kind"], "data_use");
    let token = app.sign_in("ann@example.com").await;
    assert!(consents(&app, &token).await.iter().all(|c| c["granted"] == false && c["answered_at"].is_null()));
}

#[tokio::test]
async fn choices_persist_and_every_change_is_in_the_ledger_with_its_channel() {
    let app = App::start(&[]).await;
    let token = app.sign_in("ben@example.com").await;
    let granted = put(&app, &token, "newsletter", json!({ "granted": true })).await;
    assert_eq!(granted.status(), StatusCode::OK);
    assert_eq!(granted.json::<Value>().await.unwrap()["granted"], true);
    let mine = consents(&app, &token).await;
    let newsletter = mine.iter().find(|c| c["purpose"]["id"] == "newsletter").unwrap();
    assert_eq!((newsletter["granted"].clone(), newsletter["answered_version"].clone()), (json!(true), json!(1)));

    let cookie = app.sign_in_cookie("ben@example.com").await;
    let csrf = app.csrf_token(&cookie).await;
    let by_page = app
        .client
        .put(format!("{}/v1/me/consents/newsletter", app.base))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .header("x-csrf-token", csrf)
        .json(&json!({ "granted": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(by_page.status(), StatusCode::OK);
    assert!(consents(&app, &token).await.iter().all(|c| c["granted"] == false), "withdrawn as easily as given");
    assert_eq!(
        ledger(&app).await,
        [("newsletter".to_owned(), true, "api".to_owned(), 1), ("newsletter".to_owned(), false, "web".to_owned(), 1),]
    );
}

#[tokio::test]
async fn bad_consent_requests_get_their_codes_and_record_nothing() {
    let app = App::start(&[]).await;
    let token = app.sign_in("cat@example.com").await;
    let cases = [
        ("weather", json!({ "granted": true }), StatusCode::NOT_FOUND, "unknown_purpose"),
        ("Product_News", json!({ "granted": true }), StatusCode::NOT_FOUND, "unknown_purpose"),
        ("newsletter", json!({ "granted": "yes" }), StatusCode::BAD_REQUEST, "invalid_body"),
        ("newsletter", json!({ "granted": 1 }), StatusCode::BAD_REQUEST, "invalid_body"),
        ("newsletter", json!({}), StatusCode::BAD_REQUEST, "invalid_body"),
        ("newsletter", json!({ "granted": true, "why": "x" }), StatusCode::BAD_REQUEST, "invalid_body"),
    ];
    for (purpose, body, status, code) in cases {
        assert_eq!(
            error_code(put(&app, &token, purpose, body.clone()).await).await,
            (status, code.into()),
            "{purpose} {body}"
        );
    }
    let stale = put(&app, &token, "newsletter", json!({ "granted": true, "version": 0 })).await;
    assert_eq!(error_code(stale).await, (StatusCode::CONFLICT, "purpose_changed".into()));
    let cookie = app.sign_in_cookie("cat@example.com").await;
    let cross_site = app
        .client
        .put(format!("{}/v1/me/consents/newsletter", app.base))
        .header("cookie", cookie)
        .header("origin", "https://evil.example")
        .json(&json!({ "granted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(cross_site).await, (StatusCode::FORBIDDEN, "cross_site_request".into()));
    let anonymous = app
        .client
        .put(format!("{}/v1/me/consents/newsletter", app.base))
        .json(&json!({ "granted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(anonymous).await, (StatusCode::UNAUTHORIZED, "unauthenticated".into()));
    assert!(ledger(&app).await.is_empty());
}

#[tokio::test]
async fn a_new_version_asks_again_and_keeps_or_suspends_the_answer_as_configured() {
    let catalogue = |version: u32| {
        format!(
            "[[consent.purposes]]\nid = \"tips\"\nkind = \"email\"\ntitle = \"Tips\"\ndescription = \"Tips v{version}\"\nversion = {version}\n\n\
             [[consent.purposes]]\nid = \"stats\"\nkind = \"data_use\"\ntitle = \"Stats\"\ndescription = \"Stats v{version}\"\nversion = {version}\non_new_version = \"ask_again\"\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profile.toml");
    std::fs::write(&file, catalogue(1)).unwrap();
    let path = file.display().to_string();
    let mut app = App::start(&[("PROFILE_CONFIG", path.as_str())]).await;
    let token = app.sign_in("dan@example.com").await;
    put(&app, &token, "tips", json!({ "granted": true })).await;
    put(&app, &token, "stats", json!({ "granted": true })).await;

    std::fs::write(&file, catalogue(2)).unwrap();
    app.restart().await;
    let mine = consents(&app, &token).await;
    let (tips, stats) = (&mine[0], &mine[1]);
    assert_eq!((tips["granted"].clone(), tips["needs_answer"].clone()), (json!(true), json!(true)), "kept");
    assert_eq!(
        (stats["granted"].clone(), stats["needs_answer"].clone()),
        (json!(false), json!(true)),
        "off until answered"
    );
    assert_eq!(stats["purpose"]["version"], 2);
    let again = put(&app, &token, "stats", json!({ "granted": true })).await.json::<Value>().await.unwrap();
    assert_eq!((again["granted"].clone(), again["needs_answer"].clone()), (json!(true), json!(false)));
    let versions: Vec<i64> = ledger(&app).await.iter().map(|row| row.3).collect();
    assert_eq!(versions, [1, 1, 2]);
}

#[tokio::test]
async fn the_server_refuses_to_start_when_a_purpose_text_changed_without_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profile.toml");
    let purpose = |description: &str| {
        format!(
            "[[consent.purposes]]\nid = \"tips\"\nkind = \"email\"\ntitle = \"Tips\"\ndescription = \"{description}\"\nversion = 1\n"
        )
    };
    std::fs::write(&file, purpose("Tips by email")).unwrap();
    let path = file.display().to_string();
    let mut app = App::start(&[("PROFILE_CONFIG", path.as_str())]).await;
    app.stop();
    std::fs::write(&file, purpose("Tips by email and by post")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_profile-server"))
        .env_clear()
        .env("PROFILE_CONFIG", &path)
        .env("PROFILE_DATA_DIR", app.data_dir())
        .env("PROFILE_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("consent purpose tips version 1 changed"), "{stderr}");
}
