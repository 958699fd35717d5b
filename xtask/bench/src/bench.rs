//! `cargo xtask bench`: `GET /v1/me` on the release server (SQLite, signed in
//! with a real session) against a bare poem endpoint returning a constant
//! JSON body of the same size, at several concurrency levels, in one run.
//! The figures that matter are the ratios; absolute numbers depend on the
//! machine (and the load generator shares it).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::load::{self, Measured};
use crate::{Result, root};

const CONCURRENCY: [usize; 4] = [1, 8, 32, 128];
pub(crate) const WARMUP: Duration = Duration::from_secs(1);

/// Kills the child process when dropped.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_addr() -> Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// The release server on a free port over the data directory `data`, with
/// `settings` (`PROFILE_*` variables) beside the bind address, logging
/// warnings only to nowhere; answering once this returns.
pub(crate) async fn start_server(data: &Path, settings: &[(&str, &str)]) -> Result<(Running, SocketAddr)> {
    let addr = free_addr()?;
    let server = Running(
        Command::new(root().join("target").join("release").join("profile-server"))
            .arg("serve")
            .env("PROFILE_BIND", addr.to_string())
            .env("PROFILE_DATA_DIR", data)
            .env("RUST_LOG", "warn")
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_ready(addr, "/healthz").await?;
    Ok((server, addr))
}

/// The parts of the benchmark, in the order they run.
const PARTS: [&str; 6] = ["api", "reads", "pictures", "uploads", "export", "erasure"];

pub fn run(args: &[String]) -> Result<()> {
    let usage = || format!("usage: cargo xtask bench [--seconds N] [--only {}]", PARTS.join("|"));
    let (mut seconds, mut only) = (5, None);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match (flag.as_str(), rest.next()) {
            ("--seconds", Some(n)) => seconds = n.parse()?,
            ("--only", Some(part)) if PARTS.contains(&part.as_str()) => only = Some(part.clone()),
            _ => return Err(usage().into()),
        }
    }
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    install_comparison_tools(&runs);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if runs("api") {
        runtime.block_on(measure(Duration::from_secs(seconds)))?;
        println!();
    }
    if runs("reads") {
        runtime.block_on(crate::bench_reads::run(Duration::from_secs(seconds)))?;
        println!();
    }
    if runs("pictures") {
        crate::bench_picture::run()?;
        println!();
    }
    if runs("uploads") {
        runtime.block_on(crate::bench_uploads::run())?;
        println!();
    }
    if runs("export") {
        runtime.block_on(crate::bench_export::run())?;
        println!();
    }
    if runs("erasure") {
        runtime.block_on(crate::bench_erasure::run())?;
    }
    Ok(())
}

/// The Debian programs the comparisons run beside ours: installed with
/// `apt-get` when missing (the benchmark runs as root on Debian), so a part
/// is skipped only where they cannot be installed.
fn install_comparison_tools(runs: &impl Fn(&str) -> bool) {
    let mut wanted = Vec::new();
    if runs("pictures") || runs("export") || runs("uploads") {
        wanted.push(("/usr/bin/time", "time"));
    }
    if runs("pictures") {
        wanted.push(("/usr/bin/vipsthumbnail", "libvips-tools"));
    }
    if runs("export") || runs("erasure") || runs("reads") {
        wanted.push(("/usr/bin/sqlite3", "sqlite3"));
    }
    let missing: Vec<&str> =
        wanted.into_iter().filter(|(program, _)| !Path::new(program).is_file()).map(|(_, package)| package).collect();
    if missing.is_empty() {
        return;
    }
    println!("installing {} with apt-get", missing.join(", "));
    let installed = Command::new("apt-get").arg("update").arg("-qq").status().is_ok_and(|s| s.success())
        && Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
    if !installed {
        println!("could not install {}; the parts that need them are skipped", missing.join(", "));
    }
}

async fn measure(duration: Duration) -> Result<()> {
    let release = root().join("target").join("release");
    let data = std::env::temp_dir().join(format!("profile-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    // BENCH_DATABASE_URL measures another database (an empty one) instead
    // of the embedded SQLite default.
    let database = std::env::var("BENCH_DATABASE_URL").ok();
    let mut settings = vec![
        ("PROFILE_OUTBOX_POLL_INTERVAL_MS", "100"),
        // The limits' cost is measured, not their refusals.
        ("PROFILE_LIMITS_VERIFY_PER_IP_MAX", "4000000000"),
        ("PROFILE_LIMITS_VERIFY_PER_ADDRESS_MAX", "4000000000"),
    ];
    if let Some(url) = &database {
        settings.push(("PROFILE_DATABASE_URL", url));
    }
    let (_server, server_addr) = start_server(&data, &settings).await?;
    let token = sign_in(server_addr, &data).await?;
    let name = r#"{"display_name":"Ada Lovelace"}"#;
    let (_, profile) = load::request(server_addr, "PATCH", "/v1/me", Some(&token), Some(name.to_owned())).await?;
    let body_bytes = profile.len();

    let baseline_addr = free_addr()?;
    let _baseline = Running(
        Command::new(release.join("bench-baseline"))
            .args([baseline_addr.port().to_string(), body_bytes.to_string()])
            .stdout(Stdio::null())
            .spawn()?,
    );
    wait_ready(baseline_addr, "/v1/me").await?;

    println!(
        "GET /v1/me, {body_bytes}-byte JSON body, {} s per run after {} s warm-up",
        duration.as_secs(),
        WARMUP.as_secs()
    );
    let backend = database.as_deref().and_then(|u| u.split(':').next()).unwrap_or("sqlite (embedded default)");
    println!("profile: release server on {backend} with a bearer session; baseline: bare poem, constant body");
    println!();
    println!(
        "{:>5} | {:>10} {:>9} {:>9} | {:>10} {:>9} {:>9} | {:>10} {:>8} {:>8}",
        "conns", "profile/s", "p50 µs", "p99 µs", "base/s", "p50 µs", "p99 µs", "ratio r/s", "p50 x", "p99 x"
    );
    for connections in CONCURRENCY {
        let ours = load::run(server_addr, "/v1/me", &token, connections, WARMUP, duration).await?;
        let base = load::run(baseline_addr, "/v1/me", "unused", connections, WARMUP, duration).await?;
        print_row(connections, &ours, &base);
        if ours.errors > 0 || base.errors > 0 {
            println!("      errors: profile {}, baseline {}", ours.errors, base.errors);
        }
    }
    picture_serving(server_addr, &token, duration).await?;
    crate::bench_limits::run(server_addr, duration).await?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

/// Uploads a photo and saves it as the picture; the answer's JSON.
pub(crate) async fn save_picture(server: SocketAddr, token: &str) -> Result<serde_json::Value> {
    let photo = crate::bench_picture::small_photo()?;
    let boundary = "profile-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&photo);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, _) =
        load::request_with(server, "POST", "/v1/me/avatar/pending", Some(token), Some((content_type, body))).await?;
    if status.as_u16() != 201 {
        return Err(format!("the upload answered {status}").into());
    }
    let (status, saved) = load::request(server, "POST", "/v1/me/avatar/pending/save", Some(token), None).await?;
    if !status.is_success() {
        return Err(format!("save answered {status}").into());
    }
    Ok(serde_json::from_str(&saved)?)
}

/// Requests per second for a 128 px picture, uploaded and saved first,
/// against the bare baseline serving a body of the same size.
async fn picture_serving(server: SocketAddr, token: &str, duration: Duration) -> Result<()> {
    let saved = save_picture(server, token).await?;
    let url = saved["urls"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["size"] == 128))
        .and_then(|u| u["url"].as_str())
        .ok_or("no 128 px URL")?
        .to_owned();
    let path = url.find("/v1/").map(|i| url[i..].to_owned()).ok_or("a picture URL without /v1/")?;
    let (_, bytes) = load::request_with(server, "GET", &path, None, None).await?;
    let baseline_addr = free_addr()?;
    let release = root().join("target").join("release");
    let _baseline = Running(
        Command::new(release.join("bench-baseline"))
            .args([baseline_addr.port().to_string(), bytes.len().to_string()])
            .stdout(Stdio::null())
            .spawn()?,
    );
    wait_ready(baseline_addr, "/v1/me").await?;
    println!();
    println!(
        "GET a 128 px picture (public, immutable), about {} bytes; baseline: bare poem, constant body",
        bytes.len()
    );
    println!(
        "{:>5} | {:>10} {:>9} {:>9} | {:>10} {:>9} {:>9} | {:>10} {:>8} {:>8}",
        "conns", "profile/s", "p50 µs", "p99 µs", "base/s", "p50 µs", "p99 µs", "ratio r/s", "p50 x", "p99 x"
    );
    for connections in [1, 32] {
        let ours = load::run(server, &path, "unused", connections, WARMUP, duration).await?;
        let base = load::run(baseline_addr, "/v1/me", "unused", connections, WARMUP, duration).await?;
        print_row(connections, &ours, &base);
        if ours.errors > 0 || base.errors > 0 {
            println!("      errors: profile {}, baseline {}", ours.errors, base.errors);
        }
    }
    Ok(())
}

pub(crate) fn print_row(connections: usize, ours: &Measured, base: &Measured) {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    println!(
        "{connections:>5} | {:>10.0} {:>9} {:>9} | {:>10.0} {:>9} {:>9} | {:>10.2} {:>8.2} {:>8.2}",
        ours.per_second(),
        ours.p50_us,
        ours.p99_us,
        base.per_second(),
        base.p50_us,
        base.p99_us,
        ratio(ours.per_second(), base.per_second()),
        ratio(ours.p50_us as f64, base.p50_us as f64),
        ratio(ours.p99_us as f64, base.p99_us as f64),
    );
}

pub(crate) async fn wait_ready(addr: SocketAddr, path: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok((status, _)) = load::request(addr, "GET", path, None, None).await
            && status.is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{addr} did not become ready").into())
}

/// Signs in as a bench user, reading the code from the developer mailbox.
pub(crate) async fn sign_in(addr: SocketAddr, data: &Path) -> Result<String> {
    let email = "bench@example.com";
    let (status, _) =
        load::request(addr, "POST", "/v1/auth/sign-in", None, Some(format!(r#"{{"email":"{email}"}}"#))).await?;
    if status.as_u16() != 202 {
        return Err(format!("sign-in answered {status}").into());
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(code) = code_in_mailbox(&data.join("mail")) {
            break code;
        }
        if Instant::now() > deadline {
            return Err("no sign-in code arrived in the mailbox".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let body = format!(r#"{{"email":"{email}","code":"{code}"}}"#);
    let (status, answer) = load::request(addr, "POST", "/v1/auth/verify", None, Some(body)).await?;
    if status.as_u16() != 200 {
        return Err(format!("verify answered {status}").into());
    }
    let json: serde_json::Value = serde_json::from_str(&answer)?;
    json["token"].as_str().map(str::to_owned).ok_or_else(|| "no token in the answer".into())
}

fn code_in_mailbox(dir: &Path) -> Option<String> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
        let raw = std::fs::read_to_string(entry.path()).ok()?;
        let subject = raw.lines().find_map(|l| l.strip_prefix("Subject: "))?;
        let code: String = subject.chars().take_while(char::is_ascii_digit).collect();
        (code.len() == 6).then_some(code)
    })
}
