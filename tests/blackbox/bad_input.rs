//! Bad input gets a 4xx with a stable code and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{App, error_code};

/// One bad request: what is sent and the answer expected.
struct Case {
    what: &'static str,
    method: Method,
    path: &'static str,
    signed_in: bool,
    content_type: &'static str,
    body: String,
    status: u16,
    code: &'static str,
}

fn case(
    what: &'static str,
    method: Method,
    path: &'static str,
    body: impl Into<String>,
    status: u16,
    code: &'static str,
) -> Case {
    Case { what, method, path, signed_in: true, content_type: "application/json", body: body.into(), status, code }
}

fn cases() -> Vec<Case> {
    let post = Method::POST;
    let patch = Method::PATCH;
    let name = |n: &str| json!({ "display_name": n }).to_string();
    vec![
        case("malformed JSON", post.clone(), "/v1/auth/sign-in", "{\"email\":", 400, "invalid_body"),
        case(
            "an unknown field",
            post.clone(),
            "/v1/auth/sign-in",
            r#"{"email":"a@b.co","admin":true}"#,
            400,
            "invalid_body",
        ),
        case("a missing field", post.clone(), "/v1/auth/sign-in", "{}", 400, "invalid_body"),
        case(
            "a list for the address",
            post.clone(),
            "/v1/auth/sign-in",
            r#"{"email":["a@b.co"]}"#,
            400,
            "invalid_body",
        ),
        case(
            "an address without @",
            post.clone(),
            "/v1/auth/sign-in",
            r#"{"email":"ada.example.com"}"#,
            400,
            "invalid_email",
        ),
        case(
            "an address with a space",
            post.clone(),
            "/v1/auth/sign-in",
            r#"{"email":"a b@example.com"}"#,
            400,
            "invalid_email",
        ),
        case(
            "an address of 255 characters",
            post.clone(),
            "/v1/auth/sign-in",
            json!({ "email": format!("{}@{}.{}.{}.com", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(58)) })
                .to_string(),
            400,
            "invalid_email",
        ),
        case(
            "a body over the size limit",
            post.clone(),
            "/v1/auth/sign-in",
            json!({ "email": "a".repeat(20_000) }).to_string(),
            413,
            "payload_too_large",
        ),
        Case {
            content_type: "text/plain",
            ..case(
                "a body that is not JSON",
                post.clone(),
                "/v1/auth/sign-in",
                "email=a@b.co",
                415,
                "unsupported_media_type",
            )
        },
        case(
            "a code with letters",
            post.clone(),
            "/v1/auth/verify",
            r#"{"email":"ada@example.com","code":"12ab56"}"#,
            400,
            "invalid_code_format",
        ),
        case(
            "a code too short",
            post.clone(),
            "/v1/auth/verify",
            r#"{"email":"ada@example.com","code":"12345"}"#,
            400,
            "invalid_code_format",
        ),
        case(
            "a wrong code",
            post.clone(),
            "/v1/auth/verify",
            r#"{"email":"ada@example.com","code":"000000"}"#,
            401,
            "invalid_code",
        ),
        case(
            "an invalid address at verify",
            post.clone(),
            "/v1/auth/verify",
            r#"{"email":"nope","code":"123456"}"#,
            400,
            "invalid_email",
        ),
        case("an empty name", patch.clone(), "/v1/me", name(""), 400, "invalid_display_name"),
        case("a name of only spaces", patch.clone(), "/v1/me", name(" \t  "), 400, "invalid_display_name"),
        case("a name with a control character", patch.clone(), "/v1/me", name("Ada\u{7}"), 400, "invalid_display_name"),
        case(
            "a name with a zero-width space",
            patch.clone(),
            "/v1/me",
            name("A\u{200B}da"),
            400,
            "invalid_display_name",
        ),
        case(
            "a name with a direction override",
            patch.clone(),
            "/v1/me",
            name("Ada\u{202E}"),
            400,
            "invalid_display_name",
        ),
        case("a name of 65 characters", patch.clone(), "/v1/me", name(&"x".repeat(65)), 400, "invalid_display_name"),
        case("a null name", patch.clone(), "/v1/me", r#"{"display_name":null}"#, 400, "invalid_body"),
        case(
            "an unknown profile field",
            patch.clone(),
            "/v1/me",
            r#"{"display_name":"X","email":"x@y.z"}"#,
            400,
            "invalid_body",
        ),
        Case { signed_in: false, ..case("no token", Method::GET, "/v1/me", "", 401, "unauthenticated") },
        Case {
            signed_in: false,
            ..case("no token on rename", patch.clone(), "/v1/me", name("X"), 401, "unauthenticated")
        },
        Case {
            signed_in: false,
            ..case("no token on sign-out", post.clone(), "/v1/auth/sign-out", "", 401, "unauthenticated")
        },
        case("an unknown path", Method::GET, "/v1/nothing-here", "", 404, "not_found"),
        case("a wrong method", Method::DELETE, "/v1/auth/sign-in", "", 405, "method_not_allowed"),
    ]
}

#[tokio::test]
async fn each_bad_request_gets_its_status_and_code_and_changes_nothing() {
    let app = App::start(&[]).await;
    app.post("/v1/auth/sign-in", json!({ "email": "ada@example.com" })).await;
    let token = app.sign_in("owner@example.com").await;
    assert_eq!(app.rename(&token, "Owner").await.status(), StatusCode::OK);
    let before: Value = app.me(&token).await.json().await.unwrap();
    let mails_before = app.mailbox_count();

    for c in cases() {
        let mut request = app.client.request(c.method.clone(), format!("{}{}", app.base, c.path));
        if c.signed_in {
            request = request.bearer_auth(&token);
        }
        if !c.body.is_empty() {
            request = request.header("content-type", c.content_type).body(c.body.clone());
        }
        let response = request.send().await.unwrap();
        let (status, code) = error_code(response).await;
        assert_eq!((status.as_u16(), code.as_str()), (c.status, c.code), "{}", c.what);
    }

    let after: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(after, before, "no bad request changed the profile");
    assert_eq!(app.mailbox_count(), mails_before, "no bad request sent a message");
}

#[tokio::test]
async fn forged_and_malformed_tokens_are_refused() {
    let app = App::start(&[]).await;
    for token in ["a".repeat(64), "not-a-token".to_owned(), String::new()] {
        let (status, code) = error_code(app.me(&token).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(code == "session_invalid" || code == "unauthenticated", "{token:?}: {code}");
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_while_it_arrives() {
    let app = App::start(&[]).await;
    let mut stream = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = "POST /v1/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "a".repeat(4096);
    for _ in 0..8 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"));
}

#[tokio::test]
async fn a_used_code_is_refused() {
    let app = App::start(&[]).await;
    app.post("/v1/auth/sign-in", json!({ "email": "fay@example.com" })).await;
    let code = app.code_from_mailbox("fay@example.com").await;
    let ok = app.post("/v1/auth/verify", json!({ "email": "fay@example.com", "code": code })).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let reused = app.post("/v1/auth/verify", json!({ "email": "fay@example.com", "code": code })).await;
    assert_eq!(error_code(reused).await, (StatusCode::UNAUTHORIZED, "invalid_code".into()));
}

#[tokio::test]
async fn an_expired_code_is_refused_like_a_wrong_one() {
    let app = App::start(&[("PROFILE_SIGN_IN_CODE_TTL_SECS", "4")]).await;
    let started = std::time::Instant::now();
    app.post("/v1/auth/sign-in", json!({ "email": "gus@example.com" })).await;
    let code = app.code_from_mailbox("gus@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(4100).saturating_sub(started.elapsed())).await;
    let expired = app.post("/v1/auth/verify", json!({ "email": "gus@example.com", "code": code })).await;
    assert_eq!(error_code(expired).await, (StatusCode::UNAUTHORIZED, "invalid_code".into()));
}

#[tokio::test]
async fn the_sixth_attempt_fails_even_with_the_right_code() {
    let app = App::start(&[]).await;
    app.post("/v1/auth/sign-in", json!({ "email": "hal@example.com" })).await;
    let code = app.code_from_mailbox("hal@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = app.post("/v1/auth/verify", json!({ "email": "hal@example.com", "code": wrong })).await;
        assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".into()));
    }
    let r = app.post("/v1/auth/verify", json!({ "email": "hal@example.com", "code": code })).await;
    assert_eq!(error_code(r).await, (StatusCode::UNAUTHORIZED, "invalid_code".into()));
}

#[tokio::test]
async fn unknown_and_known_addresses_get_the_same_answer() {
    let app = App::start(&[]).await;
    app.sign_in("known@example.com").await;
    let known = app.post("/v1/auth/sign-in", json!({ "email": "known@example.com" })).await;
    let unknown = app.post("/v1/auth/sign-in", json!({ "email": "unknown@example.com" })).await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
}
