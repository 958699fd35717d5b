//! A real S3-compatible server for tests: `s3s-fs` serving a temporary
//! directory (each bucket is a folder).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The access key the server accepts.
pub const S3_ACCESS_KEY: &str = "profile-test-access";
/// The secret key the server accepts.
pub const S3_SECRET_KEY: &str = "profile-test-secret";

/// A running `s3s-fs`, stopped when dropped.
pub struct S3Server {
    child: Child,
    port: u16,
    root: PathBuf,
}

/// The `s3s-fs` binary: `PROFILE_TEST_S3S_FS`, else on `PATH`, else in
/// `~/.cargo/bin`.
fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PROFILE_TEST_S3S_FS") {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("s3s-fs"))
        .find(|p| p.is_file());
    on_path.or_else(|| {
        let home = PathBuf::from(std::env::var_os("HOME")?);
        Some(home.join(".cargo/bin/s3s-fs")).filter(|p| p.is_file())
    })
}

impl S3Server {
    /// Starts a server with an empty `bucket` under `root`, or returns
    /// `None` when `s3s-fs` is not installed and `PROFILE_TEST_REQUIRE_S3`
    /// is not set (CI sets it, so there a missing server fails the test).
    ///
    /// # Panics
    /// When the server is required but missing, or does not start.
    #[must_use]
    pub fn start(root: PathBuf, bucket: &str) -> Option<Self> {
        let Some(binary) = binary() else {
            assert!(
                std::env::var_os("PROFILE_TEST_REQUIRE_S3").is_none(),
                "s3s-fs is required: cargo install s3s-fs --version 0.14.1 --features binary --locked"
            );
            eprintln!(
                "s3s-fs not found: skipping the S3 run (cargo install s3s-fs --version 0.14.1 --features binary --locked)"
            );
            return None;
        };
        std::fs::create_dir_all(root.join(bucket)).expect("create the bucket folder");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        let server = Self { child, port, root };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    /// The endpoint URL (`http://127.0.0.1:PORT`).
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The directory the server keeps its buckets in.
    #[must_use]
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Stops the server, as an outage would.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
