//! `cargo xtask bench`, reads: the read path against the server's own
//! ceiling. 10,000 users with a session each are written straight into the
//! database; then `GET /v1/me`, `GET /v1/profiles/{id}` (with a service
//! key) and `POST /v1/profiles/batch` of 100 ids are measured, each request
//! for a different user, beside `/healthz` of the same server and a bare
//! poem endpoint, at 1, 8, 32 and 128 connections, on the embedded SQLite
//! and on PostgreSQL (a fresh `profile_bench` database on the local server,
//! or the server named by `BENCH_POSTGRES_URL`; skipped when none answers).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use profile_domain::{SESSION_TOKEN_PURPOSE, SecretHasher, SecretKey, SessionToken, UserId};

use crate::bench::{Running, WARMUP, free_addr, wait_ready};
use crate::load::{self, Measured, Probe, Target};
use crate::{Result, root};

const USERS: usize = 10_000;
const BATCH: usize = 100;
const CONCURRENCY: [usize; 4] = [1, 8, 32, 128];
const SERVICE_KEY: &str = "bench-rooms-service-key-0123456789";
const ADMIN_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// One seeded user: its id and its session token.
struct User {
    id: UserId,
    token: String,
}

/// The users, and the SQL that writes them (accounts with a display name,
/// one live session each) for `backend`.
fn users(hasher: &SecretHasher, postgres: bool) -> Result<(Vec<User>, String)> {
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let day_ms = 86_400_000;
    let uuid = |id: uuid::Uuid| {
        if postgres { format!("'{id}'") } else { format!("X'{}'", id.simple()) }
    };
    let mut sql = String::from("BEGIN;\n");
    let mut users = Vec::with_capacity(USERS);
    for n in 0..USERS {
        let mut random = [0_u8; 42];
        getrandom::fill(&mut random).map_err(|e| e.to_string())?;
        let id = UserId::new_v7(u64::try_from(now_ms)? - 1000, random[..10].try_into()?);
        let token = SessionToken::from_random(random[10..42].try_into()?);
        let hash = token.hash(hasher, SESSION_TOKEN_PURPOSE).to_hex();
        let session = uuid::Uuid::from_u128(u128::from_be_bytes(random[10..26].try_into()?));
        writeln!(
            sql,
            "INSERT INTO accounts (id, email, display_name, created_at_ms, updated_at_ms, notice_seq) \
             VALUES ({}, 'bench-{n}@example.com', 'Bench User {n}', {now_ms}, {now_ms}, 0);",
            uuid(id.as_uuid())
        )?;
        writeln!(
            sql,
            "INSERT INTO sessions (id, user_id, token_hash, created_at_ms, expires_at_ms, last_seen_at_ms) \
             VALUES ({}, {}, '{hash}', {now_ms}, {}, {now_ms});",
            uuid(session),
            uuid(id.as_uuid()),
            now_ms + 30 * day_ms
        )?;
        users.push(User { id, token: token.reveal() });
    }
    sql.push_str("COMMIT;\n");
    Ok((users, sql))
}

/// Runs `program args` with `input` on its standard input.
fn feed(program: &str, args: &[&str], input: &str) -> Result<()> {
    use std::io::Write;
    let mut child = Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::null()).spawn()?;
    child.stdin.take().ok_or("no stdin")?.write_all(input.as_bytes())?;
    let status = child.wait()?;
    if status.success() { Ok(()) } else { Err(format!("{program} failed: {status}").into()) }
}

/// A fresh PostgreSQL database for the run, or `None` when no server answers.
fn fresh_postgres() -> Option<String> {
    let admin = std::env::var("BENCH_POSTGRES_URL").unwrap_or_else(|_| ADMIN_POSTGRES.to_owned());
    let drop = "DROP DATABASE IF EXISTS profile_bench WITH (FORCE)";
    let made = Command::new("psql")
        .args([admin.as_str(), "-q", "-c", drop, "-c", "CREATE DATABASE profile_bench"])
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return None;
    }
    let (base, _) = admin.rsplit_once('/')?;
    Some(format!("{base}/profile_bench"))
}

/// The configuration file: one service client, `rooms`, allowed to read profiles.
fn config_file(dir: &Path) -> Result<String> {
    use sha2::Digest;
    let path = dir.join("bench.toml");
    let hash = hex::encode(sha2::Sha256::digest(SERVICE_KEY.as_bytes()));
    std::fs::write(
        &path,
        format!("[[services]]\nid = \"rooms\"\nscopes = [\"profiles:read\"]\nkey_sha256 = \"{hash}\"\n"),
    )?;
    Ok(path.to_string_lossy().into_owned())
}

/// Starts the release server on `database` (SQLite in `data` when `None`)
/// with the users written in: the server, its address and the users.
async fn seeded_server(data: &Path, database: Option<&str>) -> Result<(Running, SocketAddr, Vec<User>)> {
    let release = root().join("target").join("release");
    let _ = std::fs::remove_dir_all(data);
    std::fs::create_dir_all(data)?;
    let mut key = [0_u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    let key_hex = hex::encode(key);
    let config = config_file(data)?;
    let env = |command: &mut Command| {
        command
            .env("PROFILE_DATA_DIR", data)
            .env("PROFILE_SECRET_KEY", &key_hex)
            .env("PROFILE_CONFIG", &config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = database {
            command.env("PROFILE_DATABASE_URL", url);
        }
    };
    let mut migrate = Command::new(release.join("profile-server"));
    env(&mut migrate);
    let status = migrate.arg("migrate").status()?;
    if !status.success() {
        return Err(format!("migrate failed: {status}").into());
    }
    let hasher = SecretHasher::new(SecretKey::new(key.to_vec()).map_err(|e| e.to_string())?);
    let (users, sql) = users(&hasher, database.is_some())?;
    match database {
        Some(url) => feed("psql", &[url, "-q", "-v", "ON_ERROR_STOP=1"], &sql)?,
        None => feed(crate::bench_export::SQLITE3, &[&data.join("profile.db").to_string_lossy()], &sql)?,
    }
    let addr = free_addr()?;
    let mut serve = Command::new(release.join("profile-server"));
    env(&mut serve);
    let server = Running(serve.arg("serve").env("PROFILE_BIND", addr.to_string()).spawn()?);
    wait_ready(addr, "/healthz").await?;
    Ok((server, addr, users))
}

/// The four probes of the read path.
fn probes(users: &[User]) -> [(&'static str, Probe); 3] {
    let me = users.iter().map(|u| Target { path: "/v1/me".into(), token: Some(u.token.clone()), json: None }).collect();
    let profiles = users
        .iter()
        .map(|u| Target { path: format!("/v1/profiles/{}", u.id), token: Some(SERVICE_KEY.into()), json: None })
        .collect();
    let batches = users
        .chunks(BATCH)
        .map(|chunk| {
            let ids: Vec<String> = chunk.iter().map(|u| format!("\"{}\"", u.id)).collect();
            Target {
                path: "/v1/profiles/batch".into(),
                token: Some(SERVICE_KEY.into()),
                json: Some(format!("{{\"ids\":[{}]}}", ids.join(","))),
            }
        })
        .collect();
    [
        ("GET /v1/me", Probe::gets(me)),
        ("GET /v1/profiles/{id}", Probe::gets(profiles)),
        ("POST /v1/profiles/batch (100)", Probe::posts(batches, 200)),
    ]
}

fn row(name: &str, m: &Measured, healthz: &Measured, bare: &Measured) {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    println!(
        "  {name:<30} {:>9.0} {:>8} {:>8} | {:>8.2} {:>8.2}{}",
        m.per_second(),
        m.p50_us,
        m.p99_us,
        ratio(m.per_second(), healthz.per_second()),
        ratio(m.per_second(), bare.per_second()),
        if m.errors > 0 { format!("  ({} errors)", m.errors) } else { String::new() }
    );
}

async fn measure(backend: &str, database: Option<&str>, duration: Duration) -> Result<()> {
    let data = std::env::temp_dir().join(format!("profile-bench-reads-{}-{backend}", std::process::id()));
    let (server, addr, users) = seeded_server(&data, database).await?;
    let (_, sample) = load::request(addr, "GET", "/v1/me", Some(&users[0].token), None).await?;
    let baseline_addr = free_addr()?;
    let release = root().join("target").join("release");
    let _baseline = Running(
        Command::new(release.join("bench-baseline"))
            .args([baseline_addr.port().to_string(), sample.len().to_string()])
            .stdout(Stdio::null())
            .spawn()?,
    );
    wait_ready(baseline_addr, "/v1/me").await?;
    println!();
    println!(
        "Reads on {backend}: {USERS} users signed in, each request for another one; each user read once before; \
         {} s per run after {} s warm-up",
        duration.as_secs(),
        WARMUP.as_secs()
    );
    println!("  (x healthz: against the mean of /healthz run before and after the probes)");
    println!("  {:<30} {:>9} {:>8} {:>8} | {:>8} {:>8}", "", "req/s", "p50 µs", "p99 µs", "x healthz", "x bare");
    // BENCH_READS_FILTER (a part of the probes' names), BENCH_READS_CONNS
    // (a comma list) and BENCH_READS_BACKENDS (`sqlite`) narrow the run, to
    // profile one case at length.
    let filter = std::env::var("BENCH_READS_FILTER").unwrap_or_default();
    let levels: Vec<usize> = std::env::var("BENCH_READS_CONNS")
        .ok()
        .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| CONCURRENCY.to_vec());
    let probes: Vec<(&str, Probe)> = probes(&users).into_iter().filter(|(name, _)| name.contains(&filter)).collect();
    for (_, probe) in &probes {
        load::prime(addr, probe, 32).await?;
    }
    for connections in levels {
        println!("  {connections} connections");
        let health = Probe::gets(vec![health()]);
        let before = load::run_probe(addr, &health, connections, WARMUP, duration).await?;
        let bare = load::run(baseline_addr, "/v1/me", "unused", connections, WARMUP, duration).await?;
        let mut rows = Vec::new();
        for (name, probe) in &probes {
            rows.push((*name, load::run_probe(addr, probe, connections, WARMUP, duration).await?));
        }
        // /healthz before and after the probes, averaged: the figure the
        // ratios use, steadier than one run.
        let after = load::run_probe(addr, &health, connections, WARMUP, duration).await?;
        let healthz = Measured {
            requests: (before.requests + after.requests) / 2,
            errors: before.errors + after.errors,
            seconds: before.seconds,
            p50_us: (before.p50_us + after.p50_us) / 2,
            p99_us: (before.p99_us + after.p99_us) / 2,
        };
        row("/healthz (before)", &before, &healthz, &bare);
        row("/healthz (after)", &after, &healthz, &bare);
        row("bare poem, constant body", &bare, &healthz, &bare);
        let mut single_p50 = 0;
        for (name, m) in &rows {
            row(name, m, &healthz, &bare);
            if name.starts_with("GET /v1/profiles") {
                single_p50 = m.p50_us;
            } else if name.starts_with("POST") && single_p50 > 0 {
                let times = m.p50_us as f64 / single_p50 as f64;
                println!("  {:<30} {times:.2}x the p50 of one profile read", "  batch of 100:");
            }
        }
    }
    drop(server);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

fn health() -> Target {
    Target { path: "/healthz".into(), token: None, json: None }
}

/// Measures the read path on SQLite, then on PostgreSQL when one answers.
pub async fn run(duration: Duration) -> Result<()> {
    measure("sqlite (embedded default)", None, duration).await?;
    if std::env::var("BENCH_READS_BACKENDS").is_ok_and(|b| !b.contains("postgres")) {
        return Ok(());
    }
    match fresh_postgres() {
        Some(url) => measure("postgres", Some(&url), duration).await?,
        None => println!("\nReads on postgres: skipped (no PostgreSQL server answered; set BENCH_POSTGRES_URL)"),
    }
    Ok(())
}
