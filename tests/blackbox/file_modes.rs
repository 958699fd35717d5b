//! What the server writes to disk is for its owner only: the data
//! directory it makes, the SQLite database (and its journal files), the
//! server key, the picture files and the developer mailbox are created
//! 0600 (files) and 0700 (directories).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use profile_testkit::pictures::{jpeg, two_colour};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::support::{App, code_in};

/// Signs in with the code from the mailbox under the server's own data
/// directory (not the harness's).
async fn sign_in(app: &App, mail: &Path) -> String {
    let email = "modes@example.com";
    let started = app.post("/v1/auth/sign-in", serde_json::json!({ "email": email })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let code = loop {
        let found = std::fs::read_dir(mail).into_iter().flatten().flatten().find_map(|e| {
            e.path().extension().is_some_and(|x| x == "eml").then(|| std::fs::read_to_string(e.path()).ok()).flatten()
        });
        if let Some(code) = found.as_deref().and_then(code_in) {
            break code;
        }
        assert!(std::time::Instant::now() < deadline, "no code arrived");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let verified = app.post("/v1/auth/verify", serde_json::json!({ "email": email, "code": code })).await;
    verified.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

/// Every file and directory under `dir` with a mode other than 0600/0700.
fn too_open(dir: &Path, found: &mut Vec<String>, checked: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        *checked += 1;
        if path.is_dir() {
            if mode != 0o700 {
                found.push(format!("{} {mode:o}", path.display()));
            }
            too_open(&path, found, checked);
        } else if mode != 0o600 {
            found.push(format!("{} {mode:o}", path.display()));
        }
    }
}

#[tokio::test]
async fn everything_the_server_writes_is_readable_by_its_owner_only() {
    let outer = tempfile::tempdir().unwrap();
    let data = outer.path().join("made-by-the-server");
    let app = App::start(&[("PROFILE_DATA_DIR", data.to_str().unwrap())]).await;
    let token = sign_in(&app, &data.join("mail")).await;
    let picture = jpeg(&two_colour(120, 80, [200, 20, 20], [20, 20, 200]));
    let form = Form::new().part("file", Part::bytes(picture).file_name("p.jpg"));
    let uploaded =
        app.client.post(format!("{}/v1/me/avatar/pending", app.base)).bearer_auth(&token).multipart(form).send().await;
    assert_eq!(uploaded.unwrap().status(), StatusCode::CREATED);
    let saved = app.post_as(&token, "/v1/me/avatar/pending/save", serde_json::json!({})).await;
    assert_eq!(saved.status(), StatusCode::OK);

    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data directory");
    let (mut found, mut checked) = (Vec::new(), 0);
    too_open(&data, &mut found, &mut checked);
    for expected in ["profile.db", "secret.key", "mail", "blobs"] {
        assert!(data.join(expected).exists(), "{expected} was written");
    }
    assert!(checked > 8, "only {checked} entries");
    assert!(found.is_empty(), "readable by others:\n{}", found.join("\n"));
}
