//! Deleting the profile from the page: the dialog asks for the login email,
//! shows the receipt's progress, sign-in is refused while the erasure runs
//! (held here by a mailing-list provider that is down), and the receipt
//! page shows the deletion complete once the provider answers.

use serde_json::json;

use crate::support::App;
use crate::webdriver::Browser;
use crate::{SIGN_IN_READY, sign_in, wait_for_mail};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn a_person_deletes_their_profile_and_can_no_longer_sign_in() {
    let Some(browser) = Browser::start("deletion").await else { return };
    let provider = profile_testkit::WebhookReceiver::start();
    provider.answer_with(503);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("profile.toml");
    std::fs::write(
        &config,
        format!(
            "[providers]\npoll_interval_ms = 100\nretry_base_secs = 1\nretry_max_secs = 1\nlease_secs = 16\n\n\
             [[providers.endpoints]]\nid = \"lists\"\nurl = \"{}\"\nsecret = \"{SECRET}\"\npurposes = [\"newsletter\"]\n",
            provider.url("/hooks")
        ),
    )
    .unwrap();
    let app = App::start(&[("PROFILE_CONFIG", config.to_str().unwrap())]).await;
    sign_in(&browser, &app, "linus@example.com").await;
    browser.goto(&format!("{}/profile#privacy", app.base)).await;
    browser.click("#delete-profile").await;
    browser.wait_for("the deletion dialog", "document.querySelector('#delete-dialog').open").await;
    assert_eq!(browser.text("#delete-address").await, "linus@example.com");

    // Keep my profile closes the dialog; a wrong address deletes nothing.
    browser.click("#keep-profile").await;
    browser.wait_for("the dialog to close", "!document.querySelector('#delete-dialog').open").await;
    browser.click("#delete-profile").await;
    browser.fill("#delete-confirm", "someone@example.com").await;
    browser.click("#confirm-delete").await;
    browser
        .wait_for(
            "the mismatch message",
            "document.querySelector('#delete-error').innerText.includes(\"isn't your login email\")",
        )
        .await;
    browser.screenshot("confirm-mismatch").await;
    crate::accessibility::assert_accessible(&browser, "the deletion dialog with an error").await;

    browser.fill("#delete-confirm", "Linus@Example.com").await;
    browser.click("#confirm-delete").await;
    browser.wait_for("the progress", "!document.querySelector('#delete-progress').hidden").await;
    browser
        .wait_for(
            "the first steps done",
            "document.querySelector('#receipt-steps li[data-step=\"end_sessions\"]')?.className === 'done'",
        )
        .await;
    browser
        .wait_for(
            "the providers step waiting",
            "document.querySelector('#receipt-steps li[data-step=\"tell_providers\"]')?.className === 'waiting'",
        )
        .await;
    let receipt = browser.eval("document.querySelector('#receipt-link').getAttribute('href')").await;
    let receipt = receipt.as_str().unwrap().to_owned();
    assert!(receipt.starts_with("/deletion-receipts/"), "{receipt}");
    browser.screenshot("progress").await;
    crate::accessibility::assert_accessible(&browser, "the deletion progress").await;

    // Close leads to sign-in, where the account can no longer be entered.
    browser.click("#delete-done").await;
    browser.wait_for("the sign-in page", SIGN_IN_READY).await;
    browser.fill("#email", "linus@example.com").await;
    let before = app.mailbox_count();
    browser.click("#send-code").await;
    browser.find("#code").await;
    wait_for_mail(&app, before).await;
    let code = app.code_from_mailbox("linus@example.com").await;
    browser.fill("#code", &code).await;
    browser.click("#verify").await;
    browser.wait_for("the refusal", "document.querySelector('#code-error').innerText.includes('being deleted')").await;
    assert_eq!(browser.eval("location.pathname").await, json!("/sign-in"));
    browser.screenshot("sign-in-refused").await;
    crate::accessibility::assert_accessible(&browser, "the refused sign-in").await;

    // The provider answers again: the receipt page shows the deletion done.
    provider.answer_with(204);
    browser.goto(&format!("{}{receipt}", app.base)).await;
    browser
        .wait_for(
            "the completed receipt",
            "document.querySelector('#receipt-status').innerText.includes('was deleted')",
        )
        .await;
    let steps = browser.eval("[...document.querySelectorAll('#receipt-steps li')].map(li => li.className)").await;
    assert_eq!(steps, json!(["done", "done", "done", "done", "done"]));
    browser.screenshot("receipt").await;
    crate::accessibility::assert_accessible(&browser, "the receipt page").await;
    browser.resize(390, 844).await;
    browser.wait_for("the phone layout", "window.innerWidth < 500").await;
    assert_eq!(browser.eval("document.documentElement.scrollWidth > window.innerWidth").await, json!(false));
    browser.screenshot("receipt-phone").await;
    browser.quit().await;
}

#[tokio::test]
async fn during_a_grace_period_a_person_can_sign_in_again_and_keep_their_profile() {
    let Some(browser) = Browser::start("grace").await else { return };
    let app = App::start(&[("PROFILE_DELETION_GRACE_SECS", "3600")]).await;
    sign_in(&browser, &app, "ken@example.com").await;
    browser.goto(&format!("{}/profile#privacy", app.base)).await;
    browser.click("#delete-profile").await;
    browser.fill("#delete-confirm", "ken@example.com").await;
    browser.click("#confirm-delete").await;
    browser
        .wait_for(
            "the scheduled deletion",
            "document.querySelector('#receipt-status').innerText.includes('will be deleted on')",
        )
        .await;
    browser.screenshot("scheduled").await;
    browser.click("#delete-done").await;
    browser.wait_for("the sign-in page", SIGN_IN_READY).await;

    // Signing in still works until the grace period ends; the page says
    // when the profile goes and offers to keep it.
    sign_in(&browser, &app, "ken@example.com").await;
    browser.wait_for("the banner", "!document.querySelector('#deletion-banner').hidden").await;
    assert!(browser.text("#deletion-banner-text").await.contains("will be deleted on"));
    browser.screenshot("banner").await;
    crate::accessibility::assert_accessible(&browser, "the pending-deletion banner").await;
    browser.click("#cancel-deletion").await;
    browser.wait_for("the banner to go", "document.querySelector('#deletion-banner').hidden").await;
    let cookie = crate::cookie_of(&browser).await;
    let pending = app.client.get(format!("{}/v1/me/deletion", app.base)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(crate::support::error_code(pending).await.1, "no_deletion_pending", "the deletion was cancelled");
    browser.reload().await;
    browser
        .wait_for("the page again", "location.pathname === '/profile' && document.body.dataset.ready === 'true'")
        .await;
    assert_eq!(browser.eval("document.querySelector('#deletion-banner').hidden").await, json!(true));
    browser.quit().await;
}
