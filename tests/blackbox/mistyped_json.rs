//! Mistyped JSON is refused, never coerced: every field of every JSON body
//! of the API, given a value of the wrong type, gets `400 invalid_body`
//! with a message naming the field, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{App, error_code};

const OPERATOR_KEY: &str = "operator-test-key";
/// SHA-256 of `OPERATOR_KEY`.
const OPERATOR_KEY_SHA256: &str = "1593fd5dc308f0764e70ce08d39e58150fdfc135a45037945811305f6f5dc360";

/// A JSON body of the API: a base that is well typed but refused for a
/// business reason (so it changes nothing), and its fields with their types.
struct Body {
    method: Method,
    path: &'static str,
    base: Value,
    /// The code the base itself gets: proof the type check is what fails.
    base_code: &'static str,
    fields: &'static [(&'static str, Kind)],
    operator: bool,
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Flag,
    Count,
}

/// Values of every JSON type but `kind`'s; `null` too, where the field is
/// required.
fn wrong_values(kind: Kind, required: bool) -> Vec<Value> {
    let mut values = match kind {
        Kind::Text => vec![json!(42), json!(4.5), json!(true), json!(false), json!(["x"]), json!({ "x": 1 })],
        Kind::Flag => vec![json!("true"), json!(1), json!(0), json!(["x"]), json!({ "x": 1 })],
        Kind::Count => vec![json!("1"), json!(true), json!(1.5), json!(-1), json!(["1"]), json!({ "x": 1 })],
    };
    if required {
        values.push(Value::Null);
    }
    values
}

fn bodies() -> Vec<Body> {
    let body =
        |method: Method, path, base, base_code, fields| Body { method, path, base, base_code, fields, operator: false };
    vec![
        body(
            Method::POST,
            "/v1/auth/sign-in",
            json!({ "email": "no-at-sign" }),
            "invalid_email",
            &[("email", Kind::Text)],
        ),
        body(
            Method::POST,
            "/v1/auth/verify",
            json!({ "email": "nobody@example.com", "code": "000000", "cookie_only": false }),
            "invalid_code",
            &[("email", Kind::Text), ("code", Kind::Text), ("cookie_only", Kind::Flag)],
        ),
        body(
            Method::PATCH,
            "/v1/me",
            json!({ "display_name": " " }),
            "invalid_display_name",
            &[("display_name", Kind::Text)],
        ),
        body(
            Method::POST,
            "/v1/me/email-change",
            json!({ "new_email": "ty@example.com" }),
            "same_email",
            &[("new_email", Kind::Text)],
        ),
        body(
            Method::POST,
            "/v1/me/email-change/confirm",
            json!({ "code": "12ab56" }),
            "invalid_code_format",
            &[("code", Kind::Text)],
        ),
        body(
            Method::POST,
            "/v1/email-change/revert",
            json!({ "token": "nonsense" }),
            "revert_link_invalid",
            &[("token", Kind::Text)],
        ),
        body(
            Method::DELETE,
            "/v1/me",
            json!({ "confirm": "someone@example.com" }),
            "confirmation_mismatch",
            &[("confirm", Kind::Text)],
        ),
        body(
            Method::PUT,
            "/v1/me/consents/newsletter",
            json!({ "granted": true, "version": 99 }),
            "purpose_changed",
            &[("granted", Kind::Flag), ("version", Kind::Count)],
        ),
        Body {
            operator: true,
            ..body(
                Method::POST,
                "/v1/operator/suppressions/check",
                json!({ "email": "x@example.com" }),
                "suppression_off",
                &[("email", Kind::Text)],
            )
        },
    ]
}

/// Everything a bad request could have changed.
async fn state(app: &App, token: &str) -> (Value, Value, usize) {
    let me: Value = app.me(token).await.json().await.unwrap();
    let consents = app.client.get(format!("{}/v1/me/consents", app.base)).bearer_auth(token).send().await.unwrap();
    (me, consents.json().await.unwrap(), app.mailbox_count())
}

#[tokio::test]
async fn a_value_of_the_wrong_type_in_any_field_is_refused_and_changes_nothing() {
    let app = App::start(&[("PROFILE_OPERATOR_API_KEY_SHA256", OPERATOR_KEY_SHA256)]).await;
    let token = app.sign_in("ty@example.com").await;
    assert_eq!(app.rename(&token, "Ty").await.status(), StatusCode::OK);
    let before = state(&app, &token).await;
    let send = |b: &Body, body: &Value| {
        let key = if b.operator { OPERATOR_KEY } else { token.as_str() };
        app.client.request(b.method.clone(), format!("{}{}", app.base, b.path)).bearer_auth(key).json(body).send()
    };
    let mut checked = 0;
    for b in bodies() {
        let (_, code) = error_code(send(&b, &b.base).await.unwrap()).await;
        assert_eq!(code, b.base_code, "{} {}: the well-typed base", b.method, b.path);
        for &(field, kind) in b.fields {
            let required = !(b.path.contains("consents") && field == "version") && field != "cookie_only";
            for wrong in wrong_values(kind, required) {
                let mut body = b.base.clone();
                body[field] = wrong.clone();
                let response = send(&b, &body).await.unwrap();
                let status = response.status();
                let answer: Value = response.json().await.unwrap();
                let what = format!("{} {} with {field} = {wrong}", b.method, b.path);
                assert_eq!(
                    (status, answer["code"].as_str()),
                    (StatusCode::BAD_REQUEST, Some("invalid_body")),
                    "{what}"
                );
                let message = answer["message"].as_str().unwrap();
                assert!(message.contains(field), "{what}: the message names the field: {message}");
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "{checked} cases");
    assert_eq!(state(&app, &token).await, before, "nothing changed");
}
