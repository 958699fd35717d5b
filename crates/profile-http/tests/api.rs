//! The HTTP adapter over mocked use-case ports: what clients see when a
//! dependency fails, and the OpenAPI document kept in `docs/`.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use poem::http::StatusCode;
use poem::test::TestClient;
use poem::{Endpoint, IntoEndpoint};
use profile_domain::ports::{
    MockAccountStore, MockBlobStore, MockClock, MockConsentStore, MockEmailChangeStore, MockErasureStore,
    MockExportSource, MockPictureProcessor, MockPictureStore, MockProviderOutbox, MockProviderReportLog,
    MockProviderTransport, MockRandomness, MockRateCounterStore, MockSecurityLog, MockSessionStore, MockSignInStore,
    MockUnsubscribeStore,
};
use profile_domain::use_cases::{
    Consents, EmailChangePolicy, EmailChanges, ErasurePolicy, Erasures, ExportPolicy, Exports, PicturePolicy, Pictures,
    Profiles, ProviderReports, ProviderSync, SessionPolicy, Sessions, SignIn, SignInPolicy, Unsubscribes,
};
use profile_domain::{PortError, SecretHasher, SecretKey};
use profile_http::{HttpConfig, Readiness, UseCases};

struct Ready(bool);

#[async_trait]
impl Readiness for Ready {
    async fn check(&self) -> Result<(), String> {
        if self.0 { Ok(()) } else { Err("database down".into()) }
    }
}

fn config() -> HttpConfig {
    HttpConfig {
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy_headers: false,
        max_body_bytes: 16 * 1024,
        code_ttl: Duration::from_secs(600),
        session_ttl: Duration::from_secs(30 * 24 * 3600),
        operator_key_sha256: None,
        provider_report_secrets: std::collections::HashMap::new(),
        report_tolerance: Duration::from_secs(300),
        max_picture_bytes: 10 * 1024 * 1024,
        picture_sizes: vec![512, 256, 128, 64],
        upload_slots: 4,
        upload_wait: Duration::from_secs(10),
        upload_read_timeout: Duration::from_secs(120),
        service_clients: Vec::new(),
        profile_max_age: Duration::from_secs(5),
    }
}

fn use_cases(sessions: MockSessionStore, sign_in: MockSignInStore) -> UseCases {
    let hasher = SecretHasher::new(SecretKey::new(vec![3; 32]).unwrap());
    let mut clock = MockClock::new();
    clock.expect_now().returning(time::OffsetDateTime::now_utc);
    let clock = Arc::new(clock);
    let mut random = MockRandomness::new();
    random.expect_fill().returning(|buf| buf.fill(7));
    let random = Arc::new(random);
    let email_changes = Arc::new(EmailChanges::new(
        Arc::new(MockEmailChangeStore::new()),
        Arc::new(MockAccountStore::new()),
        clock.clone(),
        random.clone(),
        hasher.clone(),
        EmailChangePolicy::with_public_url("http://127.0.0.1:8080"),
    ));
    // Every event is the first of its window: nothing here is rate-limited.
    let mut counters = MockRateCounterStore::new();
    counters
        .expect_count()
        .returning(|_, _, limit, now| Ok(profile_domain::ports::WindowCount { count: 1, ends_at: now + limit.window }));
    counters.expect_current().returning(|_, _| Ok(None));
    UseCases {
        clock: clock.clone(),
        public_profiles: Arc::new(profile_domain::use_cases::PublicProfiles::new(
            Arc::new(profile_domain::ports::MockProfileDirectory::new()),
            profile_domain::use_cases::DirectoryPolicy::default(),
        )),
        rate_limits: Arc::new(profile_domain::use_cases::RateLimits::new(
            Arc::new(counters),
            clock.clone(),
            hasher.clone(),
            profile_domain::RateLimitPolicy::default(),
        )),
        sign_in: Arc::new(SignIn::new(
            Arc::new(sign_in),
            clock.clone(),
            random,
            hasher.clone(),
            SignInPolicy::default(),
        )),
        sessions: Arc::new(Sessions::new(Arc::new(sessions), clock.clone(), hasher.clone(), SessionPolicy::default())),
        profiles: Arc::new(Profiles::new(Arc::new(MockAccountStore::new()), clock)),
        email_changes,
        consents: Arc::new(Consents::new(
            Arc::new(MockConsentStore::new()),
            Arc::new(MockClock::new()),
            Arc::new(MockRandomness::new()),
            profile_domain::PurposeCatalogue::default(),
        )),
        unsubscribes: Arc::new(Unsubscribes::new(
            Arc::new(MockUnsubscribeStore::new()),
            Arc::new(MockConsentStore::new()),
            Arc::new(MockClock::new()),
            Arc::new(MockRandomness::new()),
            hasher.clone(),
            profile_domain::PurposeCatalogue::default(),
            "http://127.0.0.1:8080",
        )),
        provider_reports: Arc::new(ProviderReports::new(
            Arc::new(MockAccountStore::new()),
            Arc::new(MockConsentStore::new()),
            Arc::new(MockProviderReportLog::new()),
            Arc::new(MockClock::new()),
            Arc::new(MockRandomness::new()),
            profile_domain::PurposeCatalogue::default(),
            profile_domain::ProviderRoutes::default(),
        )),
        provider_sync: Arc::new(ProviderSync::new(
            Arc::new(MockProviderOutbox::new()),
            Arc::new(MockProviderTransport::new()),
            Arc::new(MockClock::new()),
            Vec::new(),
            profile_domain::use_cases::RetryPolicy::default(),
        )),
        pictures: Arc::new(Pictures::new(
            Arc::new(MockPictureStore::new()),
            Arc::new(MockBlobStore::new()),
            Arc::new(MockPictureProcessor::new()),
            Arc::new(MockClock::new()),
            PicturePolicy::default(),
        )),
        erasures: Arc::new(Erasures::new(
            Arc::new(MockErasureStore::new()),
            Arc::new(MockAccountStore::new()),
            Arc::new(MockBlobStore::new()),
            Arc::new(MockClock::new()),
            Arc::new(MockRandomness::new()),
            ErasurePolicy::with_public_url("http://127.0.0.1:8080"),
        )),
        exports: Arc::new(Exports::new(
            Arc::new(MockExportSource::new()),
            Arc::new(MockSecurityLog::new()),
            Arc::new(MockBlobStore::new()),
            Arc::new(MockClock::new()),
            ExportPolicy::default(),
        )),
    }
}

fn client(use_cases: &UseCases, ready: bool) -> TestClient<impl Endpoint + use<>> {
    TestClient::new(profile_http::app(use_cases, &config(), Arc::new(Ready(ready))).unwrap().into_endpoint())
}

#[tokio::test]
async fn a_failing_store_gives_a_500_that_reveals_nothing() {
    let mut sessions = MockSessionStore::new();
    sessions.expect_find().returning(|_| Err(PortError::msg("connection refused by db.internal:5432")));
    let mut sign_in = MockSignInStore::new();
    sign_in.expect_put_challenge().returning(|_, _| Err(PortError::msg("disk full at /var/lib/db")));
    let cli = client(&use_cases(sessions, sign_in), true);

    let me = cli.get("/v1/me").header("authorization", format!("Bearer {}", "ab".repeat(32))).send().await;
    me.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    let body = me.0.into_body().into_string().await.unwrap();
    assert!(body.contains("\"code\":\"internal\"") && !body.contains("db.internal"), "{body}");

    let start = cli
        .post("/v1/auth/sign-in")
        .content_type("application/json")
        .body(r#"{"email":"ada@example.com"}"#)
        .send()
        .await;
    start.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    let body = start.0.into_body().into_string().await.unwrap();
    assert!(!body.contains("disk full"), "{body}");
}

#[tokio::test]
async fn readiness_follows_the_database() {
    let up = client(&use_cases(MockSessionStore::new(), MockSignInStore::new()), true);
    up.get("/readyz").send().await.assert_status_is_ok();
    let down = client(&use_cases(MockSessionStore::new(), MockSignInStore::new()), false);
    down.get("/readyz").send().await.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    down.get("/healthz").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let cli = client(&use_cases(MockSessionStore::new(), MockSignInStore::new()), true);
    for path in ["/healthz", "/v1/me", "/nothing"] {
        let response = cli.get(path).send().await;
        response.assert_header("x-content-type-options", "nosniff");
        response.assert_header("cache-control", "no-store");
    }
}

/// `docs/openapi.json` is what the service serves; run with
/// `UPDATE_OPENAPI=1` (or `cargo xtask openapi`) to refresh it.
#[test]
fn the_openapi_document_in_docs_is_up_to_date() {
    let spec =
        profile_http::openapi_json(&use_cases(MockSessionStore::new(), MockSignInStore::new()), &config()).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, format!("{spec}\n")).unwrap();
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(stored.trim_end() == spec, "docs/openapi.json is stale: run `cargo xtask openapi`");
}

/// A JSON value read only to find an object that names a key twice, which
/// serde_json (and most readers of the document) would silently collapse.
struct NoDuplicateKeys;

impl<'de> serde::de::DeserializeSeed<'de> for NoDuplicateKeys {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("the key {key:?} appears twice in one object")));
            }
            map.next_value_seed(NoDuplicateKeys)?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoDuplicateKeys)?.is_some() {}
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// One path must be declared in one API group, and one status once per
/// operation: otherwise the document repeats a key and readers lose all but
/// one of the operations (as happened to `GET`/`PATCH /v1/me`).
#[test]
fn the_openapi_document_names_no_key_twice() {
    use serde::de::DeserializeSeed;
    let spec =
        profile_http::openapi_json(&use_cases(MockSessionStore::new(), MockSignInStore::new()), &config()).unwrap();
    let mut reader = serde_json::Deserializer::from_str(&spec);
    NoDuplicateKeys.deserialize(&mut reader).unwrap();
    let duplicated = "{\"paths\": {\"/v1/me\": {\"get\": {}}, \"/v1/me\": {\"delete\": {}}}}";
    let caught = NoDuplicateKeys.deserialize(&mut serde_json::Deserializer::from_str(duplicated));
    assert!(caught.is_err(), "the check itself finds a repeated key");
}

/// A session store that finds one live session for any token, and counts
/// how often it is asked: mockall fails the test on a second lookup.
fn one_lookup_only() -> MockSessionStore {
    let mut sessions = MockSessionStore::new();
    sessions.expect_find().times(1).returning(|hash| {
        let now = time::OffsetDateTime::now_utc();
        Ok(Some(profile_domain::Session {
            id: profile_domain::SessionId(uuid::Uuid::from_u128(1)),
            user_id: profile_domain::UserId::from_uuid(uuid::Uuid::from_u128(2)),
            token_hash: hash.clone(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
            last_seen_at: now,
        }))
    });
    sessions
}

#[tokio::test]
async fn an_upload_checks_the_session_once() {
    let cli = client(&use_cases(one_lookup_only(), MockSignInStore::new()), true);
    let boundary = "x-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\nnot a picture\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--{boundary}--\r\n"
    );
    let response = cli
        .post("/v1/me/avatar/pending")
        .header("authorization", format!("Bearer {}", "ab".repeat(32)))
        .content_type(format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    let answer = response.0.into_body().into_string().await.unwrap();
    assert!(answer.contains("\"code\":\"picture_bad_crop\""), "{answer}");
}
