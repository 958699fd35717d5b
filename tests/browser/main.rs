//! Browser tests of the profile web page: Debian's Chromium, headless,
//! driven through chromedriver against the real `profile-server` binary.
//! Each test saves screenshots under `target/browser-screenshots/`.
//!
//! Without Chromium the tests are skipped, unless
//! `PROFILE_TEST_REQUIRE_BROWSER` is set (CI sets it): then they fail.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

#[path = "../blackbox/support.rs"]
#[allow(dead_code, reason = "the black-box helpers are shared; these tests use some")]
mod support;

mod accessibility;
mod deletion;
mod docs;
mod privacy;
mod profile;
mod webdriver;

use support::App;
use webdriver::Browser;

/// True once the sign-in page's script is wired up.
pub const SIGN_IN_READY: &str = "location.pathname === '/sign-in' && document.body.dataset.ready === 'true'";

/// Signs in on the page as a person would: the address, then the code
/// from the developer mailbox; ends on the loaded profile page.
pub async fn sign_in(browser: &Browser, app: &App, email: &str) {
    browser.goto(&format!("{}/sign-in", app.base)).await;
    browser.wait_for("the sign-in page", SIGN_IN_READY).await;
    browser.fill("#email", email).await;
    let before = app.mailbox_count();
    browser.click("#send-code").await;
    browser.find("#code").await;
    wait_for_mail(app, before).await;
    let code = app.code_from_mailbox(email).await;
    browser.fill("#code", &code).await;
    browser.click("#verify").await;
    browser
        .wait_for("the profile page", "location.pathname === '/profile' && document.body.dataset.ready === 'true'")
        .await;
}

/// Waits until the mailbox holds more than `before` messages.
pub async fn wait_for_mail(app: &App, before: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.mailbox_count() <= before {
        assert!(std::time::Instant::now() < deadline, "no new message arrived");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The session cookie the browser holds, as a `Cookie` header value.
pub async fn cookie_of(browser: &Browser) -> String {
    format!("profile_session={}", browser.cookie("profile_session").await)
}

/// `GET path` with the browser's session cookie, as JSON.
pub async fn api_get(app: &App, browser: &Browser, path: &str) -> serde_json::Value {
    let cookie = cookie_of(browser).await;
    let response = app.client.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap();
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.json().await.unwrap()
}
