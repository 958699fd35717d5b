//! The service API: another service of the product (the meeting-room
//! service) reads public profiles with a key of its own, one or many at
//! once, never sees an address, and stops seeing an account once its
//! deletion is asked for.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{App, error_code};

const ROOMS_KEY: &str = "rooms-service-key-0123456789";
const AUDIT_KEY: &str = "audit-service-key-0123456789";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// A configuration file with two service clients: `rooms` may read
/// profiles, `audit` has no scope.
fn services_file(dir: &tempfile::TempDir) -> String {
    let file = dir.path().join("profile.toml");
    let text = format!(
        "[[services]]\nid = \"rooms\"\nscopes = [\"profiles:read\"]\nkey_sha256 = \"{}\"\n\n\
         [[services]]\nid = \"audit\"\nkey_sha256 = \"{}\"\n",
        sha256_hex(ROOMS_KEY),
        sha256_hex(AUDIT_KEY)
    );
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

async fn start(dir: &tempfile::TempDir, extra: &[(&str, &str)]) -> App {
    let config = services_file(dir);
    let mut env = vec![("PROFILE_CONFIG", config.as_str())];
    env.extend_from_slice(extra);
    App::start(&env).await
}

async fn read(app: &App, key: Option<&str>, id: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/v1/profiles/{id}", app.base));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

/// A read with `If-None-Match: etag`.
async fn read_unless(app: &App, id: &str, etag: &str) -> reqwest::Response {
    let url = format!("{}/v1/profiles/{id}", app.base);
    app.client.get(url).bearer_auth(ROOMS_KEY).header("if-none-match", etag).send().await.unwrap()
}

async fn batch(app: &App, key: &str, body: Value) -> reqwest::Response {
    app.client.post(format!("{}/v1/profiles/batch", app.base)).bearer_auth(key).json(&body).send().await.unwrap()
}

async fn user_id(app: &App, token: &str) -> String {
    app.me(token).await.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_service_reads_a_public_profile_with_its_tag_and_never_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, &[("PROFILE_PROFILES_CACHE_MAX_AGE_SECS", "7")]).await;
    let token = app.sign_in("ada@example.com").await;
    app.rename(&token, "Ada Lovelace").await;
    let id = user_id(&app, &token).await;

    let first = read(&app, Some(ROOMS_KEY), &id).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["cache-control"], "private, max-age=7");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let text = first.text().await.unwrap();
    assert!(!text.contains("ada@example.com") && !text.contains('@'), "no address: {text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["display_name", "id", "picture", "updated_at"]);
    assert_eq!((body["id"].as_str(), body["display_name"].as_str()), (Some(id.as_str()), Some("Ada Lovelace")));
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(body["picture"], me["picture"], "the same picture as the owner sees");
    assert_eq!(body["updated_at"], me["updated_at"]);

    let again = read_unless(&app, &id, &etag).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);

    app.rename(&token, "Ada King").await;
    let renamed = read_unless(&app, &id, &etag).await;
    assert_eq!(renamed.status(), StatusCode::OK, "a rename is a new version");
    assert_ne!(renamed.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(renamed.json::<Value>().await.unwrap()["display_name"], "Ada King");

    let (status, code) = error_code(read(&app, Some(ROOMS_KEY), "not-a-uuid").await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_user_id"));
    let unknown = "0190e2c4-7c2a-7000-8000-000000000000";
    let (status, code) = error_code(read(&app, Some(ROOMS_KEY), unknown).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "profile_not_found"));
}

#[tokio::test]
async fn keys_are_checked_scopes_enforced_and_wrong_keys_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(
        &dir,
        &[
            ("PROFILE_LIMITS_SERVICE_KEY_FAILURES_PER_IP_MAX", "3"),
            ("PROFILE_LIMITS_SERVICE_KEY_FAILURES_PER_IP_WINDOW_SECS", "600"),
        ],
    )
    .await;
    let token = app.sign_in("ada@example.com").await;
    let id = user_id(&app, &token).await;

    let (status, code) = error_code(read(&app, Some(AUDIT_KEY), &id).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "scope_missing"), "a right key without the scope");
    let (status, code) = error_code(read(&app, None, &id).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "service_key_invalid"));
    let session = read(&app, Some(&token), &id).await;
    assert_eq!(error_code(session).await.1, "service_key_invalid", "a user's session is not a service key");
    let (status, code) = error_code(read(&app, Some("wrong-key"), &id).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "service_key_invalid"));
    assert_eq!(read(&app, Some(ROOMS_KEY), &id).await.status(), StatusCode::OK, "right keys are not counted");
    let refused = read(&app, Some("wrong-again"), &id).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the fourth failure is past the limit of 3");
    assert!(refused.headers().contains_key("retry-after"));
    let blocked = read(&app, Some(ROOMS_KEY), &id).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS, "until the window ends, no key is compared");
}

#[tokio::test]
async fn a_batch_answers_in_order_up_to_its_limit_and_refuses_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, &[("PROFILE_PROFILES_BATCH_MAX_IDS", "4")]).await;
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    app.rename(&bob, "Bob").await;
    let (ada_id, bob_id) = (user_id(&app, &ada).await, user_id(&app, &bob).await);
    let never = "0190e2c4-7c2a-7000-8000-000000000000";
    let nil = "00000000-0000-0000-0000-000000000000";

    let answer = batch(&app, ROOMS_KEY, json!({ "ids": [bob_id, never, ada_id, nil] })).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let text = answer.text().await.unwrap();
    assert!(!text.contains('@'), "no address: {text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let entries = body["profiles"].as_array().unwrap();
    let shape: Vec<(&str, bool)> =
        entries.iter().map(|e| (e["id"].as_str().unwrap(), e["found"].as_bool().unwrap())).collect();
    assert_eq!(shape, [(bob_id.as_str(), true), (never, false), (ada_id.as_str(), true), (nil, false)]);
    assert_eq!(entries[0]["profile"]["display_name"], "Bob");
    assert_eq!(entries[2]["profile"]["display_name"], Value::Null);
    assert!(entries[1].get("profile").is_none());
    let single: Value = read(&app, Some(ROOMS_KEY), &bob_id).await.json().await.unwrap();
    assert_eq!(entries[0]["profile"], single, "the same profile as read alone");

    let five = json!({ "ids": [bob_id, never, ada_id, nil, "0190e2c4-7c2a-7000-8000-000000000001"] });
    let (status, code) = error_code(batch(&app, ROOMS_KEY, five).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "too_many_ids"));
    let twice = json!({ "ids": [ada_id, bob_id, ada_id] });
    let (status, code) = error_code(batch(&app, ROOMS_KEY, twice).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "duplicate_ids"));
    let (status, code) = error_code(batch(&app, ROOMS_KEY, json!({ "ids": ["ada"] })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_body"));
    let empty: Value = batch(&app, ROOMS_KEY, json!({ "ids": [] })).await.json().await.unwrap();
    assert_eq!(empty, json!({ "profiles": [] }));
    let (status, code) = error_code(batch(&app, AUDIT_KEY, json!({ "ids": [] })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "scope_missing"));
}

#[tokio::test]
async fn an_account_deleted_between_two_reads_is_no_longer_found_even_in_its_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, &[("PROFILE_DELETION_GRACE_SECS", "3600")]).await;
    let ada = app.sign_in("ada@example.com").await;
    let bob = app.sign_in("bob@example.com").await;
    let (ada_id, bob_id) = (user_id(&app, &ada).await, user_id(&app, &bob).await);
    assert_eq!(read(&app, Some(ROOMS_KEY), &ada_id).await.status(), StatusCode::OK);

    app.delete_account(&ada, "ada@example.com").await;
    let (status, code) = error_code(read(&app, Some(ROOMS_KEY), &ada_id).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "profile_not_found"), "pending deletion hides it");
    let body: Value = batch(&app, ROOMS_KEY, json!({ "ids": [ada_id, bob_id] })).await.json().await.unwrap();
    assert_eq!(body["profiles"][0], json!({ "id": ada_id, "found": false }));
    assert_eq!(body["profiles"][1]["found"], true);
}

#[tokio::test]
async fn an_erased_account_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, &[]).await;
    let ada = app.sign_in("ada@example.com").await;
    let id = user_id(&app, &ada).await;
    assert_eq!(read(&app, Some(ROOMS_KEY), &id).await.status(), StatusCode::OK);
    let receipt = app.delete_account(&ada, "ada@example.com").await;
    app.wait_for_erasure(&receipt, 20).await;
    let (status, code) = error_code(read(&app, Some(ROOMS_KEY), &id).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "profile_not_found"));
}
