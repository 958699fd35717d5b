//! A chain of login-address changes and its revert links, tried as an
//! attacker with one stolen session would: the first owner's link always
//! restores the first address, a revert voids only the links of later
//! changes, both addresses hear of every revert, and a revert racing a new
//! change on another connection leaves no link behind that could undo it.

use profile_testkit::SmtpSink;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::email_change::{email_of, revert_link};
use crate::support::{App, code_in, count_to, error_code, fresh_database, wait_for_message_to};

async fn app_on(sink: &SmtpSink, database: Option<&str>) -> App {
    let url = sink.url();
    let mut env = vec![
        ("PROFILE_SMTP_URL", url.as_str()),
        ("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "0"),
        ("PROFILE_EMAIL_CHANGE_CODES_PER_USER_PER_HOUR", "100"),
    ];
    if let Some(database) = database {
        env.push(("PROFILE_DATABASE_URL", database));
    }
    App::start(&env).await
}

/// Asks to move the account of `token` from `from` to `to` and returns the
/// code the new address received.
async fn code_for(app: &App, sink: &SmtpSink, token: &str, to: &str) -> String {
    let seen = count_to(sink, to);
    let started = app.post_as(token, "/v1/me/email-change", json!({ "new_email": to })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    code_in(&wait_for_message_to(sink, to, seen)).unwrap()
}

/// Moves the account of `token` from `from` to `to`; returns the token of
/// the revert link that the notice to `from` carries.
async fn change(app: &App, sink: &SmtpSink, token: &str, from: &str, to: &str) -> String {
    let notices = count_to(sink, from);
    let code = code_for(app, sink, token, to).await;
    let confirmed = app.post_as(token, "/v1/me/email-change/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    link_token(&wait_for_message_to(sink, from, notices))
}

fn link_token(notice: &str) -> String {
    revert_link(notice).rsplit('=').next().unwrap().to_owned()
}

async fn revert(app: &App, link: &str) -> Response {
    app.post("/v1/email-change/revert", json!({ "token": link })).await
}

/// The subject of the message `skip` to `to`.
fn subject(sink: &SmtpSink, to: &str, skip: usize) -> String {
    let raw = wait_for_message_to(sink, to, skip);
    raw.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default().to_owned()
}

/// Signs in with `email` and returns the account's id and login address.
async fn whose(app: &App, sink: &SmtpSink, email: &str) -> (String, String) {
    let token = app.sign_in_by_smtp(sink, email).await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    (me["id"].as_str().unwrap().to_owned(), email_of(app, &token).await)
}

#[tokio::test]
async fn the_owners_link_restores_the_first_address_after_an_attacker_reverts_a_later_change() {
    let sink = SmtpSink::start();
    let app = app_on(&sink, None).await;
    let (a, x1, x2) = ("ann@example.com", "x1@evil.example", "x2@evil.example");
    let stolen = app.sign_in_by_smtp(&sink, a).await;
    let me: Value = app.me(&stolen).await.json().await.unwrap();
    let owner_id = me["id"].as_str().unwrap().to_owned();

    let owners_link = change(&app, &sink, &stolen, a, x1).await;
    let attackers_link = change(&app, &sink, &stolen, x1, x2).await;
    let (to_a, to_x1, to_x2) = (count_to(&sink, a), count_to(&sink, x1), count_to(&sink, x2));

    // The attacker undoes their own later change: it restores x1 …
    assert_eq!(revert(&app, &attackers_link).await.status(), StatusCode::NO_CONTENT);
    assert!(subject(&sink, x1, to_x1).contains("restored"), "the restored address is told");
    assert!(subject(&sink, x2, to_x2).contains("undone"), "the address that was in force is told");
    assert_eq!(error_code(app.me(&stolen).await).await, (StatusCode::UNAUTHORIZED, "session_invalid".into()));

    // … but the owner's link, sent before it, still works for its whole life.
    let owners = revert(&app, &owners_link).await;
    assert_eq!(owners.status(), StatusCode::NO_CONTENT, "{:?}", owners.text().await);
    assert!(subject(&sink, a, to_a).contains("restored"));
    let undone = wait_for_message_to(&sink, x1, to_x1 + 1);
    assert!(undone.contains("undone from the old address"), "{undone}");
    assert!(undone.contains("a***@example.com"), "the restored address, partly masked:\n{undone}");

    let again = revert(&app, &attackers_link).await;
    assert_eq!(error_code(again).await, (StatusCode::CONFLICT, "revert_link_used".into()));
    let used = revert(&app, &owners_link).await;
    assert_eq!(error_code(used).await, (StatusCode::CONFLICT, "revert_link_used".into()));
    assert_eq!(whose(&app, &sink, a).await, (owner_id, a.to_owned()), "the owner has the account back");
}

#[tokio::test]
async fn in_a_chain_of_three_a_revert_voids_only_the_links_of_later_changes() {
    let sink = SmtpSink::start();
    let app = app_on(&sink, None).await;
    let (a, x1, x2, x3) = ("bo@example.com", "x1@evil.example", "x2@evil.example", "x3@evil.example");
    let stolen = app.sign_in_by_smtp(&sink, a).await;
    let me: Value = app.me(&stolen).await.json().await.unwrap();
    let owner_id = me["id"].as_str().unwrap().to_owned();
    let first = change(&app, &sink, &stolen, a, x1).await;
    let second = change(&app, &sink, &stolen, x1, x2).await;
    let third = change(&app, &sink, &stolen, x2, x3).await;

    assert_eq!(revert(&app, &second).await.status(), StatusCode::NO_CONTENT, "back to x1");
    let later = revert(&app, &third).await;
    assert_eq!(error_code(later).await, (StatusCode::CONFLICT, "revert_link_used".into()), "voided by the revert");
    assert_eq!(revert(&app, &first).await.status(), StatusCode::NO_CONTENT, "the earliest link still works");
    for link in [&first, &second, &third] {
        assert_eq!(error_code(revert(&app, link).await).await, (StatusCode::CONFLICT, "revert_link_used".into()));
    }
    assert_eq!(whose(&app, &sink, a).await, (owner_id, a.to_owned()));
}

/// The owner's revert and the attacker's next change, sent at once on two
/// connections, several times: whichever commits first, the account ends
/// on the owner's address and no link is left that could move it again.
async fn a_revert_racing_a_new_change(database: Option<&str>) {
    let sink = SmtpSink::start();
    let app = app_on(&sink, database).await;
    for round in 0..4 {
        let (a, x1, x2) =
            (format!("r{round}@example.com"), format!("r{round}@x1.example"), format!("r{round}@x2.example"));
        let stolen = app.sign_in_by_smtp(&sink, &a).await;
        let me: Value = app.me(&stolen).await.json().await.unwrap();
        let owner_id = me["id"].as_str().unwrap().to_owned();
        let owners_link = change(&app, &sink, &stolen, &a, &x1).await;
        let code = code_for(&app, &sink, &stolen, &x2).await;
        let notices_to_x1 = count_to(&sink, &x1);

        let (reverted, confirmed) = tokio::join!(
            revert(&app, &owners_link),
            app.post_as(&stolen, "/v1/me/email-change/confirm", json!({ "code": code })),
        );
        assert_eq!(reverted.status(), StatusCode::NO_CONTENT, "round {round}; the server's log:\n{}", app.log());
        let confirmed = confirmed.status();
        if confirmed == StatusCode::OK {
            // The change committed first: its link went to x1, and the
            // owner's revert, which came after it, voided it.
            let notice = wait_for_message_to(&sink, &x1, notices_to_x1);
            let later = revert(&app, &link_token(&notice)).await;
            assert_eq!(error_code(later).await, (StatusCode::CONFLICT, "revert_link_used".into()), "round {round}");
        } else {
            assert!(confirmed.is_client_error(), "round {round}: {confirmed}");
        }
        assert_eq!(whose(&app, &sink, &a).await, (owner_id, a.clone()), "round {round}");
    }
}

#[tokio::test]
async fn a_revert_racing_a_new_change_on_sqlite() {
    a_revert_racing_a_new_change(None).await;
}

#[tokio::test]
async fn a_revert_racing_a_new_change_on_postgres() {
    let Some(url) = fresh_database("PROFILE_TEST_POSTGRES_URL").await else { return };
    a_revert_racing_a_new_change(Some(&url)).await;
}

#[tokio::test]
async fn a_revert_racing_a_new_change_on_mysql() {
    let Some(url) = fresh_database("PROFILE_TEST_MYSQL_URL").await else { return };
    a_revert_racing_a_new_change(Some(&url)).await;
}
