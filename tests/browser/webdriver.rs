//! A small W3C WebDriver client for Debian's headless Chromium through
//! chromedriver: just what the page tests need (navigate, find, click,
//! type, run a script, wait for a condition, screenshots, downloads).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a wait for the page lasts before the test fails.
const WAIT: Duration = Duration::from_secs(20);

/// One headless Chromium, driven through its own chromedriver.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    name: String,
    driver: Child,
    profile: tempfile::TempDir,
    downloads: tempfile::TempDir,
}

/// Where the browser and its driver are, or why the tests cannot run.
fn programs() -> Result<(PathBuf, PathBuf), String> {
    let chromium = PathBuf::from(std::env::var("PROFILE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let driver = std::env::var("PROFILE_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    if !chromium.exists() {
        return Err(format!("{} is not installed", chromium.display()));
    }
    let found = Command::new(&driver).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !found.is_ok_and(|s| s.success()) {
        return Err(format!("{driver} is not installed"));
    }
    Ok((chromium, PathBuf::from(driver)))
}

impl Browser {
    /// Starts a browser for the test `name` (used for screenshots), or
    /// `None` when Chromium is missing and `PROFILE_TEST_REQUIRE_BROWSER` is
    /// not set; with it set (as CI does), a missing browser fails the test.
    pub async fn start(name: &str) -> Option<Self> {
        let (chromium, driver) = match programs() {
            Ok(found) => found,
            Err(why) if std::env::var_os("PROFILE_TEST_REQUIRE_BROWSER").is_some() => {
                panic!("PROFILE_TEST_REQUIRE_BROWSER is set but {why} (apt-get install chromium chromium-driver)")
            }
            Err(why) => {
                eprintln!("skipping the browser test {name}: {why}");
                return None;
            }
        };
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let http = reqwest::Client::new();
        let (driver, port) = start_driver(&driver, &http).await;
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--lang=en-GB", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let answer: Value = http
            .post(format!("http://127.0.0.1:{port}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}"));
        let browser = Self {
            http,
            session: format!("http://127.0.0.1:{port}/session/{id}"),
            name: name.to_owned(),
            driver,
            profile,
            downloads,
        };
        let allow = json!({ "cmd": "Browser.setDownloadBehavior",
            "params": { "behavior": "allow", "downloadPath": browser.downloads.path() } });
        browser.command("POST", "/goog/cdp/execute", allow).await;
        Some(browser)
    }

    /// Sends one command; panics with the driver's message when it fails.
    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = answer["value"]["error"].as_str() {
            panic!("webdriver {method} {path}: {error}: {}", answer["value"]["message"]);
        }
        answer["value"].clone()
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url })).await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.command("POST", "/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs the asynchronous `script` (it calls its last argument with the
    /// result) and returns what it passed.
    pub async fn script_async(&self, script: &str, args: Value) -> Value {
        self.command("POST", "/execute/async", json!({ "script": script, "args": args })).await
    }

    /// Waits until the JavaScript expression `condition` is true; on time-out
    /// saves a screenshot and fails with `what` and the page's text.
    pub async fn wait_for(&self, what: &str, condition: &str) {
        let script = format!("try {{ return Boolean({condition}); }} catch (e) {{ return false; }}");
        let deadline = Instant::now() + WAIT;
        loop {
            if self.script(&script, json!([])).await == json!(true) {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot("timed-out").await;
                let text = self.script("return document.body ? document.body.innerText : ''", json!([])).await;
                let url = self.script("return location.href", json!([])).await;
                panic!(
                    "waited {WAIT:?} for {what} ({condition}) at {url}; the page says:\n{}",
                    text.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a visible element matching `css` and returns its reference.
    pub async fn find(&self, css: &str) -> String {
        let selector = serde_json::to_string(css).unwrap();
        self.wait_for(
            &format!("{css} to be visible"),
            &format!("document.querySelector({selector})?.checkVisibility()"),
        )
        .await;
        let found = self.command("POST", "/element", json!({ "using": "css selector", "value": css })).await;
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    /// Clicks the visible element `css`, as a person would.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command("POST", &format!("/element/{element}/click"), json!({})).await;
    }

    /// Empties the field `css` and types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command("POST", &format!("/element/{element}/clear"), json!({})).await;
        self.command("POST", &format!("/element/{element}/value"), json!({ "text": text })).await;
    }

    /// Presses keys (WebDriver key codes allowed) in the focused element.
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| [json!({ "type": "keyDown", "value": c }), json!({ "type": "keyUp", "value": c })])
            .collect();
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.command("POST", "/actions", body).await;
    }

    /// Chooses `file` in the file input `css` (which may be hidden).
    pub async fn choose_file(&self, css: &str, file: &Path) {
        let found = self.command("POST", "/element", json!({ "using": "css selector", "value": css })).await;
        let element = found[ELEMENT].as_str().unwrap().to_owned();
        self.command("POST", &format!("/element/{element}/value"), json!({ "text": file.display().to_string() })).await;
    }

    /// The text of the element `css` (empty when there is none).
    pub async fn text(&self, css: &str) -> String {
        let selector = serde_json::to_string(css).unwrap();
        let value =
            self.script(&format!("return document.querySelector({selector})?.innerText ?? ''"), json!([])).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The current value of the script expression `expression`.
    pub async fn eval(&self, expression: &str) -> Value {
        self.script(&format!("return {expression}"), json!([])).await
    }

    /// Reloads the page.
    pub async fn reload(&self) {
        self.command("POST", "/refresh", json!({})).await;
    }

    /// Resizes the window (the page's layout width follows).
    pub async fn resize(&self, width: u32, height: u32) {
        self.command("POST", "/window/rect", json!({ "width": width, "height": height })).await;
    }

    /// The value of a cookie the page holds (HttpOnly ones too).
    pub async fn cookie(&self, name: &str) -> String {
        let cookie = self.command("GET", &format!("/cookie/{name}"), json!({})).await;
        cookie["value"].as_str().unwrap().to_owned()
    }

    /// Saves a screenshot as `target/browser-screenshots/{test}-{step}.png`.
    pub async fn screenshot(&self, step: &str) {
        let png = self.command("GET", "/screenshot", json!({})).await;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}-{step}.png", self.name)), bytes).unwrap();
    }

    /// Waits for a finished download and returns its path.
    pub async fn downloaded(&self) -> PathBuf {
        let deadline = Instant::now() + WAIT;
        loop {
            let files: Vec<PathBuf> = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| !p.extension().is_some_and(|x| x == "crdownload" || x == "tmp"))
                .collect();
            if let [file] = files.as_slice() {
                return file.clone();
            }
            assert!(Instant::now() < deadline, "no download finished: {files:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the browser session.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A browser left by a failed test dies with its own profile folder.
        let _ = Command::new("pkill").arg("-f").arg(self.profile.path()).status();
    }
}

/// `target/browser-screenshots`, beside the binary under test.
pub fn screenshot_dir() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_profile-server"));
    binary.parent().and_then(Path::parent).unwrap().join("browser-screenshots")
}

/// Starts chromedriver on a port of its own choosing (`--port=0`), learns
/// the port from the line it prints, and waits until it answers.
async fn start_driver(driver: &Path, http: &reqwest::Client) -> (Child, u16) {
    let mut child = Command::new(driver).arg("--port=0").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (found, port) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let number = line.strip_prefix("ChromeDriver was started successfully on port ");
            if let Some(Ok(number)) = number.map(|n| n.trim_end_matches('.').parse::<u16>()) {
                let _ = found.send(number);
            }
        }
    });
    let Ok(port) = port.recv_timeout(Duration::from_secs(15)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromedriver printed no port");
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = http.get(format!("http://127.0.0.1:{port}/status")).send().await;
        if let Ok(r) = ready
            && let Ok(status) = r.json::<Value>().await
            && status["value"]["ready"] == json!(true)
        {
            return (child, port);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromedriver did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
