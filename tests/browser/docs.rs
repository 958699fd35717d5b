//! The API documentation page: Swagger UI renders the operations with its
//! styles under the page's own Content-Security-Policy (its inline script
//! and stylesheet allowed by their hashes, nothing else).

use crate::support::App;
use crate::webdriver::Browser;

#[tokio::test]
async fn the_api_docs_render_under_their_content_security_policy() {
    let Some(browser) = Browser::start("docs").await else { return };
    let app = App::start(&[]).await;
    let response = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'sha256-") && !policy.contains("unsafe-inline"), "{policy}");

    browser.goto(&format!("{}/docs", app.base)).await;
    // The operations are drawn (the script ran) …
    browser.wait_for("the operations", "document.querySelectorAll('.opblock').length > 20").await;
    // … and styled (the stylesheet applied): Swagger UI colours each
    // operation's method badge.
    let badge = browser.eval("getComputedStyle(document.querySelector('.opblock-summary-method')).color").await;
    assert_eq!(badge, "rgb(255, 255, 255)", "the method badge is styled");
    let title = browser.eval("document.querySelector('.info .title').innerText").await;
    assert!(title.as_str().unwrap_or_default().contains("Profile"), "{title}");
    browser.screenshot("api-docs").await;
    browser.quit().await;
}
