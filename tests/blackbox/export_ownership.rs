//! An export holds only what belongs to the account: after a user moves off
//! an address and someone else signs up with it, neither export shows the
//! other person's sign-in codes or mail, on SQLite, PostgreSQL and MariaDB.

use std::time::Duration;

use profile_testkit::SmtpSink;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::export::export;
use crate::support::{App, code_in, count_to, fresh_database, wait_for_message_to};

fn at(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

/// The times of the emails in `doc` sent to `to`.
fn emails_to(doc: &Value, to: &str) -> Vec<OffsetDateTime> {
    doc["emails"].as_array().unwrap().iter().filter(|e| e["to"] == to).map(|e| at(&e["queued_at"])).collect()
}

async fn document(app: &App, token: &str) -> Value {
    let response = export(app, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn an_address_given_up_and_taken_by_someone_else(database: Option<&str>) {
    let sink = SmtpSink::start();
    let url = sink.url();
    let mut env = vec![("PROFILE_SMTP_URL", url.as_str()), ("PROFILE_EMAIL_CHANGE_REVERT_TTL_SECS", "1")];
    if let Some(database) = database {
        env.push(("PROFILE_DATABASE_URL", database));
    }
    let app = App::start(&env).await;
    let (old, new) = ("ada@example.com", "ada@new.example");
    let ada = app.sign_in_by_smtp(&sink, old).await;
    let started = app.post_as(&ada, "/v1/me/email-change", json!({ "new_email": new })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let code = code_in(&wait_for_message_to(&sink, new, 0)).unwrap();
    let confirmed = app.post_as(&ada, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    wait_for_message_to(&sink, old, 1);
    // Once the revert link has expired the address is free: Bea signs up
    // with it and asks for one more code she has not used yet.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let bea = app.sign_in_by_smtp(&sink, old).await;
    let before = count_to(&sink, old);
    assert_eq!(app.post("/v1/auth/sign-in", json!({ "email": old })).await.status(), StatusCode::ACCEPTED);
    wait_for_message_to(&sink, old, before);

    let ada_doc = document(&app, &ada).await;
    let moved_at = at(&ada_doc["login_email"]["changes"][0]["changed_at"]);
    assert_eq!(ada_doc["sign_in"]["pending_codes"], json!([]), "Bea's pending code is not Ada's");
    let ada_mail = emails_to(&ada_doc, old);
    assert_eq!(ada_mail.len(), 2, "Ada's sign-in code and the change notice, not Bea's mail: {ada_mail:?}");
    assert!(ada_mail.iter().all(|t| *t <= moved_at));
    assert_eq!(emails_to(&ada_doc, new).len(), 1, "the code Ada asked for at her new address");

    let bea_doc = document(&app, &bea).await;
    let pending = bea_doc["sign_in"]["pending_codes"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["email"], old);
    let bea_mail = emails_to(&bea_doc, old);
    assert_eq!(bea_mail.len(), 2, "Bea's two sign-in codes, not Ada's mail: {bea_mail:?}");
    assert!(bea_mail.iter().all(|t| *t > moved_at));
    assert!(emails_to(&bea_doc, new).is_empty());
}

#[tokio::test]
async fn an_export_holds_only_the_mail_of_the_time_an_address_was_the_users_on_sqlite() {
    an_address_given_up_and_taken_by_someone_else(None).await;
}

#[tokio::test]
async fn an_export_holds_only_the_mail_of_the_time_an_address_was_the_users_on_postgres() {
    let Some(url) = fresh_database("PROFILE_TEST_POSTGRES_URL").await else { return };
    an_address_given_up_and_taken_by_someone_else(Some(&url)).await;
}

#[tokio::test]
async fn an_export_holds_only_the_mail_of_the_time_an_address_was_the_users_on_mysql() {
    let Some(url) = fresh_database("PROFILE_TEST_MYSQL_URL").await else { return };
    an_address_given_up_and_taken_by_someone_else(Some(&url)).await;
}
