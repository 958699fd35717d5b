//! Rate limits: named, configurable, answered with 429 and Retry-After.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{App, error_code};

#[tokio::test]
async fn sign_in_requests_per_address_are_limited_at_the_configured_edge() {
    let app = App::start(&[("PROFILE_LIMITS_SIGN_IN_PER_ADDRESS_MAX", "3")]).await;
    for _ in 0..3 {
        let r = app.post("/v1/auth/sign-in", json!({ "email": "ivy@example.com" })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let limited = app.post("/v1/auth/sign-in", json!({ "email": "IVY@example.com" })).await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 900, "{retry_after}");
    assert_eq!(error_code(limited).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));
    let other = app.post("/v1/auth/sign-in", json!({ "email": "jo@example.com" })).await;
    assert_eq!(other.status(), StatusCode::ACCEPTED, "another address is not limited");
}

#[tokio::test]
async fn sign_in_requests_per_client_address_are_limited() {
    let app = App::start(&[("PROFILE_LIMITS_SIGN_IN_PER_IP_MAX", "2")]).await;
    for n in 0..2 {
        let r = app.post("/v1/auth/sign-in", json!({ "email": format!("p{n}@example.com") })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let r = app.post("/v1/auth/sign-in", json!({ "email": "p9@example.com" })).await;
    assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));
}

#[tokio::test]
async fn code_checks_per_client_address_are_limited() {
    let app = App::start(&[("PROFILE_LIMITS_VERIFY_PER_IP_MAX", "2")]).await;
    for _ in 0..2 {
        let r = app.post("/v1/auth/verify", json!({ "email": "kim@example.com", "code": "000000" })).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.post("/v1/auth/verify", json!({ "email": "kim@example.com", "code": "000000" })).await;
    assert_eq!(error_code(r).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));
}
