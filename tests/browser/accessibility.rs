//! Accessibility checks of what the page shows, by axe-core (Deque's rules
//! for WCAG 2.1 A and AA), run inside the browser. axe-core is a test-only
//! tool installed from npm with its lock file (`npm ci` in `tests/browser`,
//! as CI does); it is never served with the page.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::webdriver::Browser;

fn axe_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser/node_modules/axe-core/axe.min.js"))
}

/// The axe-core script, or `None` (with a note) when it is not installed;
/// with `PROFILE_TEST_REQUIRE_BROWSER` set, a missing axe-core fails.
fn axe_source() -> Option<String> {
    match std::fs::read_to_string(axe_path()) {
        Ok(source) => Some(source),
        Err(_) if std::env::var_os("PROFILE_TEST_REQUIRE_BROWSER").is_some() => {
            panic!("PROFILE_TEST_REQUIRE_BROWSER is set but axe-core is missing: run `npm ci` in tests/browser")
        }
        Err(_) => {
            eprintln!("skipping the accessibility checks: run `npm ci` in tests/browser to install axe-core");
            None
        }
    }
}

/// Fails when axe-core finds any WCAG 2.1 A or AA problem in what the page
/// shows now (`what` names the state, for the failure message).
pub async fn assert_accessible(browser: &Browser, what: &str) {
    let Some(source) = axe_source() else { return };
    browser.script(&format!("{source}\nreturn typeof axe;"), json!([])).await;
    let run = "const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then((result) => done(result.violations.map((v) => ({
            rule: v.id, impact: v.impact, help: v.help,
            where: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
          }))))
          .catch((error) => done([{ rule: 'axe-failed', help: String(error) }]));";
    let violations = browser.script_async(run, json!([])).await;
    if violations.as_array().is_some_and(|v| !v.is_empty()) {
        browser.screenshot(&format!("inaccessible-{}", what.replace(' ', "-"))).await;
        panic!("accessibility problems in {what}:\n{}", serde_json::to_string_pretty(&violations).unwrap_or_default());
    }
    assert!(matches!(violations, Value::Array(_)), "axe gave no answer for {what}: {violations}");
}
