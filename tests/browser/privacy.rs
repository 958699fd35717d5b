//! The Privacy section: downloading the export, and the consent switches
//! (saved as they are switched, kept after a reload, keyboard-operable tabs).

use serde_json::{Value, json};

use crate::support::App;
use crate::webdriver::Browser;
use crate::{api_get, sign_in};

#[tokio::test]
async fn a_person_downloads_their_data_and_switches_consents() {
    let Some(browser) = Browser::start("privacy").await else { return };
    let app = App::start(&[]).await;
    sign_in(&browser, &app, "grace@example.com").await;
    browser.fill("#display-name", "Grace Hopper").await;
    browser.click("#save-name").await;
    browser
        .wait_for("the name to be saved", "document.querySelector('#name-status').innerText.includes('saved')")
        .await;

    browser.click("#menu-privacy").await;
    browser.wait_for("the privacy section", "!document.querySelector('#privacy-section').hidden").await;
    assert_eq!(
        browser.eval("document.querySelector('#menu-privacy').getAttribute('aria-current')").await,
        json!("page")
    );
    browser.screenshot("your-data").await;
    crate::accessibility::assert_accessible(&browser, "the your-data tab").await;

    // Download: a JSON file holding this person's data.
    browser.click("#download").await;
    browser
        .wait_for(
            "the download to be confirmed",
            "document.querySelector('#download-status').innerText.includes('saved as')",
        )
        .await;
    let file = browser.downloaded().await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("profile-export-") && name.ends_with(".json"), "{name}");
    let export: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let text = export.to_string();
    assert!(text.contains("grace@example.com") && text.contains("Grace Hopper"), "{text}");

    // Consents: grouped switches with their descriptions, off until given.
    browser.click("#tab-consents").await;
    browser.find("#consent-newsletter").await;
    let purposes: Vec<Value> =
        app.client.get(format!("{}/v1/consent-purposes", app.base)).send().await.unwrap().json().await.unwrap();
    for purpose in &purposes {
        let id = purpose["id"].as_str().unwrap();
        let kind = purpose["kind"].as_str().unwrap();
        let in_group = browser.eval(&format!("!!document.querySelector('#consents-{kind} #consent-{id}')")).await;
        assert_eq!(in_group, json!(true), "{id} is listed under {kind}");
        let described = browser.text(&format!("#consent-{id}-description")).await;
        assert_eq!(described, purpose["description"].as_str().unwrap());
        let label = browser.eval(&format!("document.querySelector('#consent-{id}').labels[0].innerText")).await;
        assert_eq!(label, purpose["title"]);
        assert_eq!(browser.eval(&format!("document.querySelector('#consent-{id}').checked")).await, json!(false));
    }
    browser.click("#consent-newsletter").await;
    browser
        .wait_for(
            "the switch to be saved",
            "document.querySelector('#consent-newsletter-status').innerText.includes('Saved')",
        )
        .await;
    let mine = api_get(&app, &browser, "/v1/me/consents").await;
    let granted: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["granted"] == true)
        .map(|c| c["purpose"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(granted, ["newsletter"]);
    browser.screenshot("consents").await;
    crate::accessibility::assert_accessible(&browser, "the consents tab").await;

    // Kept after a reload; switched off again just as easily.
    browser.goto(&format!("{}/profile#privacy/consents", app.base)).await;
    browser.reload().await;
    browser.wait_for("the consents tab", "document.querySelector('#consent-newsletter')?.checked === true").await;
    browser.click("#consent-newsletter").await;
    browser
        .wait_for(
            "the switch to be saved",
            "document.querySelector('#consent-newsletter-status').innerText.includes('Off')",
        )
        .await;
    let mine = api_get(&app, &browser, "/v1/me/consents").await;
    assert!(mine.as_array().unwrap().iter().all(|c| c["granted"] == false), "{mine}");

    // The tabs work from the keyboard: arrow keys move and select.
    browser.script("document.querySelector('#tab-consents').focus()", json!([])).await;
    browser.press("\u{e012}").await; // ArrowLeft
    browser
        .wait_for("the data tab", "document.querySelector('#tab-data').getAttribute('aria-selected') === 'true'")
        .await;
    assert_eq!(browser.eval("document.activeElement.id").await, json!("tab-data"));
    assert_eq!(browser.eval("document.querySelector('#panel-consents').hidden").await, json!(true));

    browser.resize(390, 844).await;
    browser.click("#tab-consents").await;
    browser.wait_for("the phone layout", "window.innerWidth < 500").await;
    assert_eq!(browser.eval("document.documentElement.scrollWidth > window.innerWidth").await, json!(false));
    browser.screenshot("consents-phone").await;
    browser.quit().await;
}
