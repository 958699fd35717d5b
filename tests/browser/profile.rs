//! The Profile section: sign-in with its messages, the picture (upload,
//! preview, Cancel, Save, Reset), the display name and the login email
//! through the code dialog, at desktop and phone widths.

use serde_json::json;

use crate::support::App;
use crate::webdriver::Browser;
use crate::{SIGN_IN_READY, api_get, wait_for_mail};

/// The colour at the top of the picture shown in `css`, read from its pixels.
async fn top_colour(browser: &Browser, css: &str) -> Vec<u8> {
    browser
        .wait_for(
            &format!("{css} to load"),
            &format!("document.querySelector('{css}').complete && document.querySelector('{css}').naturalWidth > 0"),
        )
        .await;
    let script = "const img = document.querySelector(arguments[0]);
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return Array.from(context.getImageData(Math.floor(img.naturalWidth / 2), 2, 1, 1).data.slice(0, 3));";
    serde_json::from_value(browser.script(script, json!([css])).await).unwrap()
}

fn close_to(actual: &[u8], expected: [u8; 3]) -> bool {
    actual.iter().zip(expected).all(|(a, e)| a.abs_diff(e) < 40)
}

#[tokio::test]
async fn a_person_signs_in_and_edits_picture_name_and_email_on_the_page() {
    let Some(browser) = Browser::start("profile").await else { return };
    let app = App::start(&[("PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS", "0")]).await;

    // Signed out, the page leads to sign-in; a wrong code is explained.
    browser.goto(&format!("{}/", app.base)).await;
    browser.wait_for("the sign-in page", SIGN_IN_READY).await;
    browser.click("#send-code").await;
    browser
        .wait_for(
            "an empty address to be refused",
            "document.querySelector('#email-error').innerText.includes('Enter your email')",
        )
        .await;
    browser.fill("#email", "ada@example.com").await;
    let before = app.mailbox_count();
    browser.click("#send-code").await;
    browser.find("#code").await;
    wait_for_mail(&app, before).await;
    let code = app.code_from_mailbox("ada@example.com").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    browser.fill("#code", wrong).await;
    browser.click("#verify").await;
    browser
        .wait_for(
            "the wrong code to be explained",
            "document.querySelector('#code-error').innerText.includes(\"isn't right\")",
        )
        .await;
    assert_eq!(browser.eval("document.querySelector('#code').getAttribute('aria-invalid')").await, json!("true"));
    browser.screenshot("sign-in-wrong-code").await;
    crate::accessibility::assert_accessible(&browser, "the sign-in page with a wrong code").await;
    browser.fill("#code", &code).await;
    browser.click("#verify").await;
    browser
        .wait_for("the profile page", "location.pathname === '/profile' && document.body.dataset.ready === 'true'")
        .await;
    assert_eq!(browser.text("#menu-profile").await, "Profile");
    assert_eq!(
        browser.eval("document.querySelector('#menu-profile').getAttribute('aria-current')").await,
        json!("page")
    );
    let default_src = browser.eval("document.querySelector('#picture').src").await;
    assert!(default_src.as_str().unwrap().ends_with(".svg"), "the default picture: {default_src}");
    browser.screenshot("desktop").await;
    crate::accessibility::assert_accessible(&browser, "the profile page").await;

    // A file that is not a picture is explained next to the picture.
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.jpg");
    std::fs::write(&notes, "these are not pixels").unwrap();
    browser.choose_file("#picture-file", &notes).await;
    browser
        .wait_for("the refusal", "document.querySelector('#picture-error').innerText.includes(\"can't be used\")")
        .await;
    assert_eq!(browser.eval("document.querySelector('#picture-pending').hidden").await, json!(true));

    // Upload: a preview of the processed picture; Cancel keeps the old one.
    let photo = dir.path().join("holiday.jpg");
    let red_over_blue = profile_testkit::pictures::two_colour(900, 600, [210, 30, 30], [30, 30, 210]);
    std::fs::write(&photo, profile_testkit::pictures::jpeg(&red_over_blue)).unwrap();
    browser.choose_file("#picture-file", &photo).await;
    browser.find("#preview-large").await;
    assert!(close_to(&top_colour(&browser, "#preview-large").await, [210, 30, 30]), "the preview shows the upload");
    let preview_src = browser.eval("document.querySelector('#preview-large').src").await;
    assert!(preview_src.as_str().unwrap().contains("/v1/me/avatar/pending/preview/"), "{preview_src}");
    browser.screenshot("picture-preview").await;
    crate::accessibility::assert_accessible(&browser, "the picture preview").await;
    browser.click("#cancel-picture").await;
    browser.wait_for("the current picture again", "!document.querySelector('#picture-current').hidden").await;
    assert_eq!(browser.eval("document.querySelector('#picture').src").await, default_src);
    assert_eq!(api_get(&app, &browser, "/v1/me").await["picture"]["is_default"], json!(true), "Cancel saved nothing");

    // Upload again and Save: the picture is the upload, here and in the API.
    browser.choose_file("#picture-file", &photo).await;
    browser.click("#save-picture").await;
    browser.wait_for("the saved picture", "!document.querySelector('#reset-picture').hidden").await;
    assert!(close_to(&top_colour(&browser, "#picture").await, [210, 30, 30]), "the saved picture is the upload");
    let me = api_get(&app, &browser, "/v1/me").await;
    assert_eq!(me["picture"]["is_default"], json!(false));
    let shown = browser.eval("document.querySelector('#picture').src").await;
    assert!(me["picture"]["urls"].as_array().unwrap().iter().any(|u| u["url"] == shown), "{shown} in {me}");
    browser.screenshot("picture-saved").await;

    // Reset: back to the initials.
    browser.click("#reset-picture").await;
    browser.wait_for("the default picture", "document.querySelector('#reset-picture').hidden").await;
    assert!(browser.eval("document.querySelector('#picture').src").await.as_str().unwrap().ends_with(".svg"));
    assert_eq!(api_get(&app, &browser, "/v1/me").await["picture"]["is_default"], json!(true));

    // Display name: a bad one is explained next to the field; a good one is kept.
    browser.fill("#display-name", "   ").await;
    browser.click("#save-name").await;
    browser.wait_for("the name error", "document.querySelector('#name-error').innerText.includes('1 to 64')").await;
    let initials_before = browser.eval("document.querySelector('#picture').src").await;
    browser.fill("#display-name", "Ada Lovelace").await;
    browser.click("#save-name").await;
    browser
        .wait_for("the name to be saved", "document.querySelector('#name-status').innerText.includes('saved')")
        .await;
    assert_eq!(browser.text("#top-name").await, "Ada Lovelace");
    let initials_after = browser.eval("document.querySelector('#picture').src").await;
    assert_ne!(initials_before, initials_after, "the default picture shows the new initials at once");
    browser.reload().await;
    browser.wait_for("the page again", "document.body.dataset.ready === 'true'").await;
    assert_eq!(browser.eval("document.querySelector('#display-name').value").await, json!("Ada Lovelace"));

    // Login email: the code goes to the new address; the dialog takes it.
    browser.fill("#login-email", "ada.new@example.com").await;
    let before = app.mailbox_count();
    browser.click("#save-email").await;
    browser.wait_for("the code dialog", "document.querySelector('#email-dialog').open").await;
    assert!(browser.text("#email-dialog-text").await.contains("ada.new@example.com"));
    wait_for_mail(&app, before).await;
    let code = app.code_from_mailbox("ada.new@example.com").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    browser.fill("#email-code", wrong).await;
    browser.click("#confirm-email").await;
    browser
        .wait_for("the wrong code in the dialog", "document.querySelector('#email-code-error').innerText.length > 0")
        .await;
    assert_eq!(api_get(&app, &browser, "/v1/me").await["email"], json!("ada@example.com"), "nothing changed yet");
    browser.screenshot("email-dialog").await;
    crate::accessibility::assert_accessible(&browser, "the code dialog with an error").await;
    browser.fill("#email-code", &code).await;
    browser.click("#confirm-email").await;
    browser.wait_for("the dialog to close", "!document.querySelector('#email-dialog').open").await;
    assert!(browser.text("#email-status").await.contains("ada.new@example.com"));
    assert_eq!(api_get(&app, &browser, "/v1/me").await["email"], json!("ada.new@example.com"));

    // Escape closes the dialog and changes nothing.
    browser.fill("#login-email", "ada.third@example.com").await;
    browser.click("#save-email").await;
    browser.wait_for("the code dialog", "document.querySelector('#email-dialog').open").await;
    browser.press("\u{e00c}").await;
    browser.wait_for("Escape to close the dialog", "!document.querySelector('#email-dialog').open").await;
    // The dialog's close event (queued after it closes) puts the address back.
    browser
        .wait_for(
            "the address in force shown again",
            "document.querySelector('#login-email').value === 'ada.new@example.com' &&              document.querySelector('#email-status').innerText.includes('Nothing changed')",
        )
        .await;
    assert_eq!(api_get(&app, &browser, "/v1/me").await["email"], json!("ada.new@example.com"));

    browser.resize(390, 844).await;
    browser.wait_for("the phone layout", "window.innerWidth < 500").await;
    let overflow = browser.eval("document.documentElement.scrollWidth > window.innerWidth").await;
    assert_eq!(overflow, json!(false), "nothing is wider than a phone screen");
    browser.screenshot("phone").await;
    crate::accessibility::assert_accessible(&browser, "the profile page at phone width").await;
    browser.quit().await;
}

#[tokio::test]
async fn an_old_sign_in_is_offered_a_fresh_one_before_changing_the_login_email() {
    let Some(browser) = Browser::start("reauthenticate").await else { return };
    let app = App::start(&[("PROFILE_EMAIL_CHANGE_RECENT_SIGN_IN_SECS", "1")]).await;
    crate::sign_in(&browser, &app, "mary@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    browser.fill("#login-email", "mary.new@example.com").await;
    let before = app.mailbox_count();
    browser.click("#save-email").await;
    browser
        .wait_for(
            "the request to sign in again",
            "document.querySelector('#email-error').innerText.includes('sign in again')",
        )
        .await;
    assert_eq!(browser.eval("document.querySelector('#email-dialog').open").await, json!(false));
    assert_eq!(app.mailbox_count(), before, "no code was sent");
    browser.screenshot("asked").await;
    crate::accessibility::assert_accessible(&browser, "the request to sign in again").await;
    let old_session = crate::cookie_of(&browser).await;
    browser.click("#email-error button").await;
    browser.wait_for("the sign-in page", SIGN_IN_READY).await;
    let ended = app.client.get(format!("{}/v1/auth/session", app.base)).header("cookie", old_session).send().await;
    assert_eq!(ended.unwrap().status(), reqwest::StatusCode::UNAUTHORIZED, "the old session was signed out");
    browser.resize(390, 844).await;
    browser.wait_for("the phone layout", "window.innerWidth < 500").await;
    assert_eq!(browser.eval("document.documentElement.scrollWidth > window.innerWidth").await, json!(false));
    browser.screenshot("sign-in-phone").await;
    browser.resize(1280, 900).await;
    crate::sign_in(&browser, &app, "mary@example.com").await;
    browser.fill("#login-email", "mary.new@example.com").await;
    browser.click("#save-email").await;
    browser.wait_for("the code dialog after a fresh sign-in", "document.querySelector('#email-dialog').open").await;
    browser.quit().await;
}
