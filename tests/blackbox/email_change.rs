//! Changing the login address, end to end over a real SMTP server: the code
//! to the new address, the notice and revert link to the old one, outages and
//! a crash that lose nothing, and every kind of bad input.

use std::time::Duration;

use profile_testkit::SmtpSink;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{App, code_in, count_to, error_code, wait_for_message_to};

async fn app_with(sink: &SmtpSink, extra: &[(&str, &str)]) -> App {
    let url = sink.url();
    let mut env = vec![
        ("PROFILE_SMTP_URL", url.as_str()),
        ("PROFILE_OUTBOX_RETRY_BASE_SECS", "1"),
        ("PROFILE_OUTBOX_RETRY_MAX_SECS", "1"),
    ];
    env.extend_from_slice(extra);
    App::start(&env).await
}

/// The revert link in the notice to the old address.
pub(crate) fn revert_link(notice: &str) -> String {
    let start = notice.find("http://").expect("a link in the notice");
    notice[start..].split_whitespace().next().unwrap().trim_end_matches(['"', '<', '>']).to_owned()
}

pub(crate) async fn email_of(app: &App, token: &str) -> String {
    let me: Value = app.me(token).await.json().await.unwrap();
    me["email"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_whole_change_and_its_revert_work_over_smtp() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[]).await;
    let here = app.sign_in_by_smtp(&sink, "ada@example.com").await;
    let elsewhere = app.sign_in_by_smtp(&sink, "ada@example.com").await;

    let started = app.post_as(&here, "/v1/me/email-change", json!({ "new_email": "Ada@New.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let code = code_in(&wait_for_message_to(&sink, "ada@new.example", 0)).unwrap();
    assert_eq!(email_of(&app, &here).await, "ada@example.com", "nothing changes before the code");

    let confirmed = app.post_as(&here, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert_eq!(confirmed.json::<Value>().await.unwrap()["email"], "ada@new.example");
    assert_eq!(app.me(&here).await.status(), StatusCode::OK, "the confirming session stays");
    assert_eq!(error_code(app.me(&elsewhere).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));

    let notice = wait_for_message_to(&sink, "ada@example.com", 2);
    assert!(notice.contains("a***@new.example"), "the new address is partly masked:\n{notice}");
    assert!(!notice.contains("ada@new.example"));
    let link = revert_link(&notice);
    assert!(link.starts_with(&format!("{}/email-change/revert?token=", app.base)), "{link}");

    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    assert_eq!(email_of(&app, &here).await, "ada@new.example", "opening the link changes nothing");

    let token = link.rsplit('=').next().unwrap();
    let bystander = app.sign_in_by_smtp(&sink, "zed@example.com").await;
    let form =
        app.client.post(format!("{}/email-change/revert", app.base)).form(&[("token", token)]).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("restored"));
    assert_eq!(
        error_code(app.me(&here).await).await,
        (StatusCode::UNAUTHORIZED, "session_invalid".into()),
        "every session ended"
    );
    assert_eq!(email_of(&app, &bystander).await, "zed@example.com", "a link acts on its own account only");
    let again = app.post("/v1/email-change/revert", json!({ "token": token })).await;
    assert_eq!(error_code(again).await, (StatusCode::CONFLICT, "revert_link_used".into()));

    let back = app.sign_in_by_smtp(&sink, "ada@example.com").await;
    assert_eq!(email_of(&app, &back).await, "ada@example.com");
    let to_ada: Vec<String> =
        sink.received().into_iter().filter(|m| m.to == ["ada@example.com"]).map(|m| m.raw).collect();
    assert!(to_ada.iter().any(|raw| raw.contains("sign-in address was restored")), "the restored address is told");
}

#[tokio::test]
async fn both_messages_arrive_after_smtp_outages() {
    let sink = SmtpSink::start();
    let port = sink.port();
    let app = app_with(&sink, &[]).await;
    let token = app.sign_in_by_smtp(&sink, "bea@example.com").await;

    sink.stop();
    let started = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "bea@new.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    wait_for_log(&app, "retried=1").await;
    let back_up = SmtpSink::start_on(port);
    let code = code_in(&wait_for_message_to(&back_up, "bea@new.example", 0)).unwrap();

    back_up.stop();
    let failures_before = app.log().matches("retried=1").count();
    let confirmed = app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while app.log().matches("retried=1").count() <= failures_before {
        assert!(std::time::Instant::now() < deadline, "the notice was never tried during the outage");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let up_again = SmtpSink::start_on(port);
    let notice = wait_for_message_to(&up_again, "bea@example.com", 0);
    assert!(notice.contains("/email-change/revert?token="));
}

#[tokio::test]
async fn a_notice_committed_before_a_sigkill_is_delivered_after_the_restart() {
    let sink = SmtpSink::start();
    let mut app = app_with(&sink, &[]).await;
    let token = app.sign_in_by_smtp(&sink, "cy@example.com").await;
    app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "cy@new.example" })).await;
    let code = code_in(&wait_for_message_to(&sink, "cy@new.example", 0)).unwrap();

    sink.reject_recipients_with(451);
    let confirmed = app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    wait_for_log(&app, "retried=1").await;
    app.kill();
    assert_eq!(count_to(&sink, "cy@example.com"), 1, "only the sign-in code: the notice was committed, not sent");

    sink.reject_recipients_with(0);
    app.relaunch().await;
    let notice = wait_for_message_to(&sink, "cy@example.com", 1);
    assert!(notice.contains("/email-change/revert?token="));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count_to(&sink, "cy@example.com"), 2, "delivered once");
}

#[tokio::test]
async fn an_address_of_another_account_gets_the_same_answer_and_a_notice_and_changes_nothing() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[]).await;
    app.sign_in_by_smtp(&sink, "owner@example.com").await;
    let token = app.sign_in_by_smtp(&sink, "dee@example.com").await;
    let free = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "free@example.com" })).await;
    let (app2, token2) = (&app, app.sign_in_by_smtp(&sink, "dee2@example.com").await);
    let taken = app2.post_as(&token2, "/v1/me/email-change", json!({ "new_email": "owner@example.com" })).await;
    assert_eq!(free.status(), taken.status());
    assert_eq!(free.text().await.unwrap(), taken.text().await.unwrap());
    let told = wait_for_message_to(&sink, "owner@example.com", 1);
    assert!(told.contains("already belongs to an account"), "{told}");
    assert!(code_in(&told).is_none(), "no code goes to the owner");
    for guess in ["000000", "123456"] {
        let r = app2.post_as(&token2, "/v1/me/email-change/confirm", json!({ "code": guess })).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "invalid_code".into()));
    }
    assert_eq!(email_of(app2, &token2).await, "dee2@example.com");
}

#[tokio::test]
async fn bad_requests_get_their_codes_and_change_nothing() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "0")]).await;
    let token = app.sign_in_by_smtp(&sink, "eli@example.com").await;
    let start = |body: Value| app.post_as(&token, "/v1/me/email-change", body);
    let confirm = |code: &str| app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code }));

    assert_eq!(error_code(confirm("123456").await).await, (StatusCode::NOT_FOUND, "no_pending_email_change".into()));
    for (body, code) in [
        (json!({ "new_email": "not-an-address" }), "invalid_email"),
        (json!({ "new_email": address_of_255_characters() }), "invalid_email"),
        (json!({ "new_email": "ELI@example.com" }), "same_email"),
        (json!({ "new_email": "x@y.co", "extra": 1 }), "invalid_body"),
    ] {
        assert_eq!(error_code(start(body.clone()).await).await, (StatusCode::BAD_REQUEST, code.into()), "{body}");
    }

    assert_eq!(start(json!({ "new_email": "eli@first.example" })).await.status(), StatusCode::ACCEPTED);
    let first = code_in(&wait_for_message_to(&sink, "eli@first.example", 0)).unwrap();
    assert_eq!(start(json!({ "new_email": "eli@second.example" })).await.status(), StatusCode::ACCEPTED);
    let second = code_in(&wait_for_message_to(&sink, "eli@second.example", 0)).unwrap();
    let superseded = if first == second { "000000".to_owned() } else { first };
    assert_eq!(error_code(confirm(&superseded).await).await, (StatusCode::BAD_REQUEST, "invalid_code".into()));
    assert_eq!(error_code(confirm("12ab56").await).await, (StatusCode::BAD_REQUEST, "invalid_code_format".into()));
    let wrong = if second == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(error_code(confirm(wrong).await).await.1, "invalid_code");
    }
    let sixth = confirm(&second).await;
    assert!(sixth.headers().contains_key("retry-after"));
    assert_eq!(
        error_code(sixth).await,
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into()),
        "even with the right code"
    );
    assert_eq!(email_of(&app, &token).await, "eli@example.com", "nothing changed so far");

    assert_eq!(start(json!({ "new_email": "eli@second.example" })).await.status(), StatusCode::ACCEPTED);
    let second = code_in(&wait_for_message_to(&sink, "eli@second.example", 1)).unwrap();
    assert_eq!(confirm(&second).await.status(), StatusCode::OK);
    assert_eq!(
        error_code(confirm(&second).await).await,
        (StatusCode::NOT_FOUND, "no_pending_email_change".into()),
        "a used code"
    );

    for bad in ["nonsense", &"ab".repeat(32)] {
        let r = app.post("/v1/email-change/revert", json!({ "token": bad })).await;
        assert_eq!(error_code(r).await, (StatusCode::BAD_REQUEST, "revert_link_invalid".into()));
    }
    assert_eq!(email_of(&app, &token).await, "eli@second.example");
}

#[tokio::test]
async fn an_expired_code_is_refused_with_its_own_code() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[("PROFILE_EMAIL_CHANGE_CODE_TTL_SECS", "5")]).await;
    let token = app.sign_in_by_smtp(&sink, "fox@example.com").await;
    let asked = std::time::Instant::now();
    let started = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "fox@new.example" })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let code = code_in(&wait_for_message_to(&sink, "fox@new.example", 0)).unwrap();
    tokio::time::sleep(Duration::from_millis(5200).saturating_sub(asked.elapsed())).await;
    let late = app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(error_code(late).await, (StatusCode::BAD_REQUEST, "code_expired".into()));
    assert_eq!(email_of(&app, &token).await, "fox@example.com");
}

#[tokio::test]
async fn a_sign_in_that_is_not_recent_must_be_renewed_first() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[("PROFILE_EMAIL_CHANGE_RECENT_SIGN_IN_SECS", "2")]).await;
    let token = app.sign_in_by_smtp(&sink, "gus@example.com").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let stale = app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "gus@new.example" })).await;
    assert_eq!(error_code(stale).await, (StatusCode::FORBIDDEN, "reauthentication_required".into()));
    assert_eq!(count_to(&sink, "gus@new.example"), 0, "no code was sent");
}

#[tokio::test]
async fn an_expired_revert_link_is_refused() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[("PROFILE_EMAIL_CHANGE_REVERT_TTL_SECS", "5")]).await;
    let token = app.sign_in_by_smtp(&sink, "hil@example.com").await;
    app.post_as(&token, "/v1/me/email-change", json!({ "new_email": "hil@new.example" })).await;
    let code = code_in(&wait_for_message_to(&sink, "hil@new.example", 0)).unwrap();
    let confirmed_at = std::time::Instant::now();
    let confirmed = app.post_as(&token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let notice = wait_for_message_to(&sink, "hil@example.com", 1);
    let link_token = revert_link(&notice).rsplit('=').next().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(5200).saturating_sub(confirmed_at.elapsed())).await;
    let r = app.post("/v1/email-change/revert", json!({ "token": link_token })).await;
    assert_eq!(error_code(r).await, (StatusCode::GONE, "revert_link_expired".into()));
    assert_eq!(email_of(&app, &token).await, "hil@new.example");
}

#[tokio::test]
async fn codes_are_limited_by_cooldown_per_user_and_per_address() {
    let sink = SmtpSink::start();
    let app = app_with(&sink, &[]).await;
    let token = app.sign_in_by_smtp(&sink, "gil@example.com").await;
    let start = |to: &str| app.post_as(&token, "/v1/me/email-change", json!({ "new_email": to }));
    assert_eq!(start("gil@a.example").await.status(), StatusCode::ACCEPTED);
    let cooled = start("gil@b.example").await;
    let wait: u64 = cooled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(error_code(cooled).await, (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()));

    let app = app_with(
        &sink,
        &[
            ("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "0"),
            ("PROFILE_EMAIL_CHANGE_CODES_PER_USER_PER_HOUR", "2"),
            ("PROFILE_EMAIL_CHANGE_CODES_PER_ADDRESS_PER_HOUR", "1"),
        ],
    )
    .await;
    let hal = app.sign_in_by_smtp(&sink, "hal@example.com").await;
    let ivy = app.sign_in_by_smtp(&sink, "ivy@example.com").await;
    let path = "/v1/me/email-change";
    let r = app.post_as(&hal, path, json!({ "new_email": "shared@x.example" })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = app.post_as(&ivy, path, json!({ "new_email": "shared@x.example" })).await;
    assert_eq!(error_code(r).await.1, "rate_limited", "per destination");
    let r = app.post_as(&hal, path, json!({ "new_email": "hal@y.example" })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = app.post_as(&hal, path, json!({ "new_email": "hal@z.example" })).await;
    assert_eq!(error_code(r).await.1, "rate_limited", "per user");
}

async fn wait_for_log(app: &App, needle: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !app.log().contains(needle) {
        assert!(std::time::Instant::now() < deadline, "the log never said {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// 64 characters before the @ and 190 after: one over the limit of 254.
fn address_of_255_characters() -> String {
    let address = format!("{}@{}.{}.{}.com", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(58));
    assert_eq!(address.len(), 255);
    address
}
