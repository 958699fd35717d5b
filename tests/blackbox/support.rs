//! Starting the built binary on a free port with its own data directory,
//! and reading what it sends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// A running `profile-server` process.
pub struct App {
    pub base: String,
    pub client: Client,
    port: u16,
    launches: u32,
    data: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl App {
    /// Starts the binary with a fresh data directory and extra `PROFILE_*` settings.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_owned();
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut app = Self {
            base: String::new(),
            client: Client::new(),
            port: 0,
            launches: 0,
            data,
            env,
            child: None,
            _dir: Some(dir),
        };
        app.launch().await;
        app
    }

    /// Starts the binary on port 0 and learns the port it bound from its log,
    /// so no other process can take the port in between.
    async fn launch(&mut self) {
        self.launches += 1;
        let log_path = self.data.join(format!("server-{}.log", self.launches));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_profile-server"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PROFILE_BIND", "127.0.0.1:0")
            .env("PROFILE_DATA_DIR", &self.data)
            .env("PROFILE_OUTBOX_POLL_INTERVAL_MS", "100")
            .env("RUST_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        // 60 s: once, under the full suite's load, a server relaunched after a
        // SIGKILL could not get its SQLite connection for 30 s (the pool's
        // acquire timeout) and then recovered; see the session notes.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("the server exited with {status}:\n{}", self.log());
            }
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = bound_port(&log) {
                self.port = port;
                self.base = format!("http://127.0.0.1:{port}");
                if let Ok(r) = self.client.get(format!("{}/readyz", self.base)).send().await
                    && r.status() == StatusCode::OK
                {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "the server did not become ready:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the server has logged, across restarts.
    pub fn log(&self) -> String {
        let mut text = String::new();
        for entry in std::fs::read_dir(&self.data).unwrap().flatten() {
            let name = entry.file_name().into_string().unwrap();
            if name.starts_with("server-") {
                text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        text
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Stops with SIGTERM and waits for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            let status = child.wait().unwrap();
            assert!(status.success(), "a graceful shutdown exits 0, got {status}");
        }
    }

    /// Kills the process outright (SIGKILL): no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts the binary again on the same data directory.
    pub async fn restart(&mut self) {
        self.stop();
        self.launch().await;
    }

    /// Changes one setting for the next launch.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Starts the binary again after a kill.
    pub async fn relaunch(&mut self) {
        self.launch().await;
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap()
    }

    /// The newest sign-in code the developer mailbox holds for `email`.
    pub async fn code_from_mailbox(&self, email: &str) -> String {
        let dir = self.data.join("mail");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(code) = newest_code(&dir, email) {
                return code;
            }
            assert!(Instant::now() < deadline, "no code arrived for the address");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many messages the developer mailbox holds.
    pub fn mailbox_count(&self) -> usize {
        let entries = std::fs::read_dir(self.data.join("mail"));
        entries.map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count()).unwrap_or(0)
    }

    /// Signs in through the mailbox and returns the session token.
    pub async fn sign_in(&self, email: &str) -> String {
        let verified = self.verify_from_mailbox(email).await;
        verified.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// Signs in through the mailbox and returns the session cookie
    /// (`profile_session=…`), as a browser would keep it.
    pub async fn sign_in_cookie(&self, email: &str) -> String {
        let verified = self.verify_from_mailbox(email).await;
        verified.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    }

    /// The CSRF token of a cookie session, as the web page reads it.
    pub async fn csrf_token(&self, cookie: &str) -> String {
        let session = self.client.get(format!("{}/v1/auth/session", self.base)).header("cookie", cookie).send().await;
        session.unwrap().json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned()
    }

    /// Asks for a code, waits for its message, and verifies it.
    async fn verify_from_mailbox(&self, email: &str) -> Response {
        let before = self.mailbox_count();
        let started = self.post("/v1/auth/sign-in", json!({ "email": email })).await;
        assert_eq!(started.status(), StatusCode::ACCEPTED);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.mailbox_count() <= before {
            assert!(Instant::now() < deadline, "no new message arrived for the sign-in");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let code = self.code_from_mailbox(email).await;
        let verified = self.post("/v1/auth/verify", json!({ "email": email, "code": code })).await;
        assert_eq!(verified.status(), StatusCode::OK);
        verified
    }

    pub async fn me(&self, token: &str) -> Response {
        self.client.get(format!("{}/v1/me", self.base)).bearer_auth(token).send().await.unwrap()
    }

    /// Asks for the account's deletion (`DELETE /v1/me`, confirmed with
    /// `email`); expects `202` and returns the receipt's id.
    pub async fn delete_account(&self, token: &str, email: &str) -> String {
        let asked = self
            .client
            .delete(format!("{}/v1/me", self.base))
            .bearer_auth(token)
            .json(&json!({ "confirm": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::ACCEPTED);
        asked.json::<Value>().await.unwrap()["receipt_id"].as_str().unwrap().to_owned()
    }

    /// The public deletion receipt.
    pub async fn receipt(&self, id: &str) -> Value {
        let url = format!("{}/v1/deletion-receipts/{id}", self.base);
        self.client.get(url).send().await.unwrap().json().await.unwrap()
    }

    /// Waits (up to `seconds`) until the erasure of receipt `id` completed.
    pub async fn wait_for_erasure(&self, id: &str, seconds: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let receipt = self.receipt(id).await;
            if !receipt["completed_at"].is_null() {
                return receipt;
            }
            assert!(Instant::now() < deadline, "the erasure did not complete: {receipt}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn rename(&self, token: &str, name: &str) -> Response {
        self.client
            .patch(format!("{}/v1/me", self.base))
            .bearer_auth(token)
            .json(&json!({ "display_name": name }))
            .send()
            .await
            .unwrap()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The port in the server's `listening … bound=127.0.0.1:PORT` log line.
fn bound_port(log: &str) -> Option<u16> {
    let line = log.lines().find(|l| l.contains("listening"))?;
    let after = line.split("bound=").nth(1)?;
    after.split_whitespace().next()?.rsplit(':').next()?.parse().ok()
}

/// The code in the newest `.eml` addressed to `email` (files are named by
/// creation time, so names sort in sending order).
fn newest_code(dir: &Path, email: &str) -> Option<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    names.iter().rev().find_map(|path| {
        let raw = std::fs::read_to_string(path).ok()?;
        raw.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {email}"))).then(|| code_in(&raw))?
    })
}

/// The six-digit code in a raw message's subject.
pub fn code_in(raw: &str) -> Option<String> {
    let subject = raw.lines().find_map(|l| l.strip_prefix("Subject: "))?;
    let code: String = subject.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then_some(code)
}

/// The error code of an error response.
pub async fn error_code(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// Undoes quoted-printable encoding (soft line breaks and `=XX` escapes), as
/// lettre uses for text parts.
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits for a message to `to` beyond the first `skip` ones sent to it.
pub fn wait_for_message_to(sink: &profile_testkit::SmtpSink, to: &str, skip: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mine: Vec<_> = sink.received().into_iter().filter(|m| m.to.iter().any(|t| t == to)).collect();
        if mine.len() > skip {
            return decode_quoted_printable(&mine[skip].raw);
        }
        assert!(Instant::now() < deadline, "no message {skip} arrived for the address");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The number of messages `sink` received for `to`.
pub fn count_to(sink: &profile_testkit::SmtpSink, to: &str) -> usize {
    sink.received().iter().filter(|m| m.to.iter().any(|t| t == to)).count()
}

impl App {
    /// Signs in with the code delivered to `sink` and returns the token.
    pub async fn sign_in_by_smtp(&self, sink: &profile_testkit::SmtpSink, email: &str) -> String {
        let mut seen = count_to(sink, email);
        let started = self.post("/v1/auth/sign-in", json!({ "email": email })).await;
        assert_eq!(started.status(), StatusCode::ACCEPTED);
        // Other messages to the address (notices) may come first.
        let code = loop {
            let raw = wait_for_message_to(sink, email, seen);
            if raw.lines().any(|l| l.starts_with("Subject: ") && l.contains("sign-in code")) {
                break code_in(&raw).unwrap();
            }
            seen += 1;
        };
        let verified = self.post("/v1/auth/verify", json!({ "email": email, "code": code })).await;
        assert_eq!(verified.status(), StatusCode::OK);
        verified.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// A POST with a bearer token and a JSON body.
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    /// Grants or withdraws a consent (200 expected).
    pub async fn set_consent(&self, token: &str, purpose: &str, granted: bool) {
        let r = self
            .client
            .put(format!("{}/v1/me/consents/{purpose}", self.base))
            .bearer_auth(token)
            .json(&json!({ "granted": granted }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// A new, empty database on the server named by `var` (`None` when the
/// variable is unset; a set but unreachable server fails the test).
pub async fn fresh_database(var: &str) -> Option<String> {
    let server = std::env::var(var).ok().filter(|u| !u.is_empty())?;
    let admin = Database::connect(&server).await.unwrap_or_else(|e| panic!("{var} is set but unreachable: {e}"));
    let name = format!("profile_t_{}", uuid::Uuid::from_u128(rand_u128()).simple());
    let options = if var.contains("MYSQL") { " CHARACTER SET latin1" } else { "" };
    admin.execute_unprepared(&format!("CREATE DATABASE {name}{options}")).await.unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

fn rand_u128() -> u128 {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    u128::from_le_bytes(bytes)
}
