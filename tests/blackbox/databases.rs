//! The binary end to end on PostgreSQL and MariaDB (sign-in, rename,
//! restart, a consent, the export), when their URLs are set
//! (a URL that is set but unreachable fails the test).

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

use crate::export::{export, schema_errors};
use crate::support::App;

async fn fresh_database(var: &str) -> Option<String> {
    let server = std::env::var(var).ok().filter(|u| !u.is_empty())?;
    let admin = Database::connect(&server).await.unwrap_or_else(|e| panic!("{var} is set but unreachable: {e}"));
    let name = format!("profile_t_{}", uuid::Uuid::from_u128(rand_u128()).simple());
    let options = if var.contains("MYSQL") { " CHARACTER SET latin1" } else { "" };
    admin.execute_unprepared(&format!("CREATE DATABASE {name}{options}")).await.unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

fn rand_u128() -> u128 {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    u128::from_le_bytes(bytes)
}

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
