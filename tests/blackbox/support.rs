//! Starting the built binary on a free port with its own data directory,
//! and reading what it sends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

/// A running `profile-server` process.
pub struct App {
    pub base: String,
    pub client: Client,
    port: u16,
    data: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl App {
    /// Starts the binary with a fresh data directory and extra `PROFILE_*` settings.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_owned();
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut app =
            Self { base: String::new(), client: Client::new(), port: 0, data, env, child: None, _dir: Some(dir) };
        app.launch().await;
        app
    }

    async fn launch(&mut self) {
        self.port = free_port();
        self.base = format!("http://127.0.0.1:{}", self.port);
        let log = std::fs::File::create(self.data.join(format!("server-{}.log", self.port))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_profile-server"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PROFILE_BIND", format!("127.0.0.1:{}", self.port))
            .env("PROFILE_DATA_DIR", &self.data)
            .env("PROFILE_OUTBOX_POLL_INTERVAL_MS", "100")
            .env("RUST_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.client.get(format!("{}/readyz", self.base)).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("the server exited with {status}:\n{}", self.log());
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
        std::fs::read_dir(self.data.join("mail")).map(|d| d.count()).unwrap_or(0)
    }

    /// Signs in through the mailbox and returns the session token.
    pub async fn sign_in(&self, email: &str) -> String {
        let before = newest_code(&self.data.join("mail"), email);
        let started = self.post("/v1/auth/sign-in", json!({ "email": email })).await;
        assert_eq!(started.status(), StatusCode::ACCEPTED);
        let code = loop {
            let code = self.code_from_mailbox(email).await;
            if Some(&code) != before.as_ref() {
                break code;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let verified = self.post("/v1/auth/verify", json!({ "email": email, "code": code })).await;
        assert_eq!(verified.status(), StatusCode::OK);
        verified.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn me(&self, token: &str) -> Response {
        self.client.get(format!("{}/v1/me", self.base)).bearer_auth(token).send().await.unwrap()
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
