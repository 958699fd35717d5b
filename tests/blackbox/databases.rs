//! The binary end to end on PostgreSQL and MariaDB (sign-in, rename,
//! restart, a consent, the export), when their URLs are set
//! (a URL that is set but unreachable fails the test).

use reqwest::StatusCode;
use serde_json::Value;

use crate::export::{export, schema_errors};
use crate::support::{App, fresh_database};

async fn sign_in_rename_restart_export(var: &str) {
    let Some(url) = fresh_database(var).await else {
        eprintln!("{var} not set; skipped");
        return;
    };
    let mut app = App::start(&[("PROFILE_DATABASE_URL", url.as_str())]).await;
    let token = app.sign_in("nia@example.com").await;
    assert_eq!(app.rename(&token, "Nia 山田").await.status(), StatusCode::OK);
    app.restart().await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["display_name"], "Nia 山田");
    app.set_consent(&token, "newsletter", true).await;
    let exported = export(&app, &token).await;
    assert_eq!(exported.status(), StatusCode::OK);
    let doc: Value = exported.json().await.unwrap();
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["profile"]["display_name"], "Nia 山田");
    assert_eq!(doc["consents"]["ledger"][0]["purpose"], "newsletter");
    assert_eq!(doc["security_history"][1]["kind"], "data_exported");
}

#[tokio::test]
async fn postgres_sign_in_rename_restart_and_export() {
    sign_in_rename_restart_export("PROFILE_TEST_POSTGRES_URL").await;
}

#[tokio::test]
async fn mysql_sign_in_rename_restart_and_export() {
    sign_in_rename_restart_export("PROFILE_TEST_MYSQL_URL").await;
}
