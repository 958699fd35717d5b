//! The main flows: sign in with the code from the mailbox, rename, restart.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{App, error_code};

#[tokio::test]
async fn a_newcomer_signs_in_renames_and_the_name_survives_a_restart() {
    let mut app = App::start(&[]).await;
    let token = app.sign_in("Ada.Lovelace@Example.com").await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["email"], "ada.lovelace@example.com");
    assert_eq!(me["display_name"], Value::Null);

    let renamed = app.rename(&token, "  Ada   Lovelace ").await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.json::<Value>().await.unwrap()["display_name"], "Ada Lovelace");

    app.restart().await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["display_name"], "Ada Lovelace", "the rename and the session survive a restart");
}

#[tokio::test]
async fn a_second_sign_in_reaches_the_same_account() {
    let app = App::start(&[]).await;
    let first = app.sign_in("bob@example.com").await;
    let second = app.sign_in("BOB@example.com").await;
    assert_ne!(first, second);
    let a: Value = app.me(&first).await.json().await.unwrap();
    let b: Value = app.me(&second).await.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
}

#[tokio::test]
async fn the_browser_session_cookie_works_and_sign_out_ends_it() {
    let app = App::start(&[]).await;
    app.post("/v1/auth/sign-in", json!({ "email": "cara@example.com" })).await;
    let code = app.code_from_mailbox("cara@example.com").await;
    let verified = app.post("/v1/auth/verify", json!({ "email": "cara@example.com", "code": code })).await;
    let cookie = verified.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("profile_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "the public URL is http here");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = app.client.get(format!("{}/v1/me", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let get = |path: &str| app.client.get(format!("{}{path}", app.base));
    let session: Value = get("/v1/auth/session").header("cookie", &pair).send().await.unwrap().json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 64, "{session}");
    let token = verified.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let by_bearer: Value = get("/v1/auth/session").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(by_bearer["csrf_token"], Value::Null, "a bearer session needs no CSRF token");
    assert_eq!(by_bearer["user_id"], session["user_id"]);

    // A write with the cookie needs the session's CSRF token, exactly.
    for sent in [None, Some(""), Some(&csrf[..63]), Some("0".repeat(64).as_str())] {
        let mut request = app
            .client
            .patch(format!("{}/v1/me", app.base))
            .header("cookie", &pair)
            .header("origin", &app.base)
            .json(&json!({ "display_name": "Mallory" }));
        if let Some(value) = sent {
            request = request.header("x-csrf-token", value);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(error_code(refused).await, (StatusCode::FORBIDDEN, "csrf_token_invalid".into()), "{sent:?}");
    }
    let untouched: Value = get("/v1/me").header("cookie", &pair).send().await.unwrap().json().await.unwrap();
    assert_eq!(untouched["display_name"], Value::Null, "a refused write changes nothing");

    let cross_site = app
        .client
        .patch(format!("{}/v1/me", app.base))
        .header("cookie", &pair)
        .header("origin", "https://evil.example")
        .header("x-csrf-token", &csrf)
        .json(&json!({ "display_name": "Mallory" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(cross_site).await, (StatusCode::FORBIDDEN, "cross_site_request".into()));
    let same_site = app
        .client
        .patch(format!("{}/v1/me", app.base))
        .header("cookie", &pair)
        .header("origin", &app.base)
        .header("x-csrf-token", &csrf)
        .json(&json!({ "display_name": "Cara" }))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::OK);

    let sign_out = || app.client.post(format!("{}/v1/auth/sign-out", app.base)).header("cookie", &pair);
    let forged = sign_out().send().await.unwrap();
    assert_eq!(error_code(forged).await, (StatusCode::FORBIDDEN, "csrf_token_invalid".into()), "no forced sign-out");
    let out = sign_out().header("x-csrf-token", &csrf).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after = app.client.get(format!("{}/v1/me", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(error_code(after).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));
}

#[tokio::test]
async fn a_cookie_only_sign_in_keeps_the_token_out_of_the_body() {
    let app = App::start(&[]).await;
    app.post("/v1/auth/sign-in", json!({ "email": "dora@example.com" })).await;
    let code = app.code_from_mailbox("dora@example.com").await;
    let body = json!({ "email": "dora@example.com", "code": code, "cookie_only": true });
    let verified = app.post("/v1/auth/verify", body).await;
    assert_eq!(verified.status(), StatusCode::OK);
    let pair = verified.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let answer: Value = verified.json().await.unwrap();
    let token = pair.strip_prefix("profile_session=").unwrap();
    assert!(answer.get("token").is_none() && !answer.to_string().contains(token), "{answer}");
    assert_eq!(answer["account_created"], json!(true));
    let me = app.client.get(format!("{}/v1/me", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "the cookie is the session");
}

#[tokio::test]
async fn a_bearer_token_stops_working_after_sign_out() {
    let app = App::start(&[]).await;
    let token = app.sign_in("dan@example.com").await;
    let out = app.client.post(format!("{}/v1/auth/sign-out", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(error_code(app.me(&token).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = App::start(&[("PROFILE_SIGN_IN_SESSION_TTL_SECS", "1")]).await;
    let token = app.sign_in("eve@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(error_code(app.me(&token).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));
}

#[tokio::test]
async fn health_readiness_openapi_and_docs_are_served() {
    let app = App::start(&[]).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    let spec: Value = get("/openapi.json").await.unwrap().json().await.unwrap();
    for path in ["/v1/auth/sign-in", "/v1/auth/verify", "/v1/auth/sign-out", "/v1/me"] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
    assert!(get("/docs").await.unwrap().text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn no_log_line_holds_an_address_a_code_or_a_token() {
    let mut app = App::start(&[]).await;
    let token = app.sign_in("secret.person@example.com").await;
    let code = app.code_from_mailbox("secret.person@example.com").await;
    app.rename(&token, "Secret Name").await;
    app.post("/v1/auth/sign-in", json!({ "email": "not an address" })).await;
    app.stop();
    let log = app.log();
    assert!(log.contains("request"), "the log is not empty");
    for secret in ["secret.person", "example.com", &code, &token, "Secret Name"] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
}

#[tokio::test]
async fn housekeeping_deletes_expired_sessions_without_waiting_for_them_to_be_presented() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app =
        App::start(&[("PROFILE_SIGN_IN_SESSION_TTL_SECS", "3"), ("PROFILE_RETENTION_HOUSEKEEPING_INTERVAL_SECS", "1")])
            .await;
    let token = app.sign_in("ian@example.com").await;
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
    let url = format!("sqlite://{}?mode=ro", app.data_dir().join("profile.db").display());
    let db = Database::connect(&url).await.unwrap();
    let count = || async {
        let sql = "SELECT COUNT(*) AS n FROM sessions";
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count().await > 0 {
        assert!(std::time::Instant::now() < deadline, "the expired session was not deleted");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
