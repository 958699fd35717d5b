//! `cargo xtask bench`, export: a user with a saved picture and 10,000 or
//! 100,000 consent-ledger entries exported through `GET /v1/me/export` of
//! the release server (SQLite), side by side with `sqlite3 -json` dumping
//! the same ledger rows from the same database file: median wall time of
//! each, and the server's peak memory for each size (streaming keeps it
//! flat).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::bench::{Running, save_picture, sign_in, start_server};
use crate::bench_picture::{median, timed};
use crate::{Result, load, root};

const SIZES: [u64; 2] = [10_000, 100_000];
const RUNS: usize = 5;
pub(crate) const SQLITE3: &str = "/usr/bin/sqlite3";

/// The server's peak resident memory so far (`VmHWM`), in KiB.
pub(crate) fn peak_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or("no VmHWM line")?;
    Ok(line.split_whitespace().nth(1).ok_or("no VmHWM value")?.parse()?)
}

/// Appends `entries` ledger entries for the only account, straight into
/// the database file (as years of consent changes would have).
fn seed_ledger(db: &Path, entries: u64) -> Result<()> {
    let sql = format!(
        "INSERT INTO consent_ledger (id, user_id, purpose_id, version, text_hash, granted, at_ms, channel, seq) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {entries}) \
         SELECT randomblob(16), (SELECT id FROM accounts), v.purpose_id, v.version, v.text_hash, i % 2, \
                1700000000000 + i * 1000, 'web', i \
         FROM n, (SELECT purpose_id, version, text_hash FROM consent_purpose_versions \
                  WHERE purpose_id = 'product_news') v;"
    );
    let status = Command::new(SQLITE3).arg(db).arg(sql).status()?;
    if status.success() { Ok(()) } else { Err(format!("seeding the ledger failed: {status}").into()) }
}

/// The export's median wall time, its size, and the server's peak memory
/// before and after.
struct Measured {
    export_s: f64,
    bytes: usize,
    peak_before_kib: u64,
    peak_after_kib: u64,
    dump_s: f64,
    dump_peak_kib: u64,
}

async fn export_once(addr: SocketAddr, token: &str) -> Result<(f64, usize)> {
    let started = Instant::now();
    let (status, body) = load::request_with(addr, "GET", "/v1/me/export", Some(token), None).await?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.is_success() {
        return Err(format!("the export answered {status}").into());
    }
    let doc: serde_json::Value = serde_json::from_slice(&body)?;
    if doc["consents"]["ledger"].as_array().map(Vec::len).is_none() {
        return Err("the export has no ledger".into());
    }
    Ok((seconds, body.len()))
}

/// A release server on a fresh data directory `data` with one signed-in
/// user who has a saved picture and `entries` ledger entries: the server,
/// its address and the user's session token.
pub(crate) async fn user_with_history(data: &Path, entries: u64) -> Result<(Running, SocketAddr, String)> {
    let _ = std::fs::remove_dir_all(data);
    let (server, addr) = start_server(data, &[("PROFILE_LIMITS_EXPORTS_PER_USER_MAX", "1000")]).await?;
    let token = sign_in(addr, data).await?;
    save_picture(addr, &token).await?;
    seed_ledger(&data.join("profile.db"), entries)?;
    Ok((server, addr, token))
}

async fn measure(entries: u64) -> Result<Measured> {
    let data = std::env::temp_dir().join(format!("profile-bench-export-{}-{entries}", std::process::id()));
    let (server, addr, token) = user_with_history(&data, entries).await?;
    let db = data.join("profile.db");
    let pid = server.0.id();
    let peak_before_kib = peak_kib(pid)?;
    let (mut times, mut bytes) = (Vec::new(), 0);
    let (mut dump_times, mut dump_peak_kib) = (Vec::new(), 0);
    let scratch = root().join("target").join("bench-export");
    std::fs::create_dir_all(&scratch)?;
    let dump_sql = "SELECT hex(id) AS id, seq, purpose_id, version, granted, at_ms, channel FROM consent_ledger \
                    WHERE user_id = (SELECT id FROM accounts) ORDER BY seq;";
    let db_text = db.to_string_lossy().into_owned();
    let out = scratch.join("dump.json").to_string_lossy().into_owned();
    for _ in 0..RUNS {
        let (seconds, size) = export_once(addr, &token).await?;
        times.push(seconds);
        bytes = size;
        let shell = format!("{SQLITE3} -json '{db_text}' \"{dump_sql}\" > '{out}'");
        let (seconds, peak) = timed(Path::new("/bin/sh"), &["-c", &shell], &scratch)?;
        dump_times.push(seconds);
        dump_peak_kib = dump_peak_kib.max(peak);
    }
    let peak_after_kib = peak_kib(pid)?;
    drop(server);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&data);
    Ok(Measured {
        export_s: median(&mut times),
        bytes,
        peak_before_kib,
        peak_after_kib,
        dump_s: median(&mut dump_times),
        dump_peak_kib,
    })
}

/// Prints the side-by-side figures.
pub async fn run() -> Result<()> {
    if !Path::new(SQLITE3).is_file() || !Path::new("/usr/bin/time").is_file() {
        println!("export: skipped (needs sqlite3 from Debian's sqlite3 and /usr/bin/time from time)");
        return Ok(());
    }
    println!(
        "Export: GET /v1/me/export of a user with a saved picture, release server on SQLite, vs sqlite3 -json \
         dumping the same ledger rows; median of {RUNS} runs each, alternating"
    );
    println!(
        "{:>8} | {:>10} {:>9} | {:>11} | {:>6} | {:>15} {:>15} | {:>13}",
        "entries", "export ms", "MiB", "sqlite3 ms", "ratio", "server peak MiB", "growth MiB", "sqlite3 MiB"
    );
    let mut growth = Vec::new();
    for entries in SIZES {
        let m = measure(entries).await?;
        let mib = |kib: u64| kib as f64 / 1024.0;
        let grew = m.peak_after_kib.saturating_sub(m.peak_before_kib);
        growth.push(grew);
        println!(
            "{entries:>8} | {:>10.1} {:>9.1} | {:>11.1} | {:>5.2}x | {:>15.1} {:>15.1} | {:>13.1}",
            m.export_s * 1000.0,
            m.bytes as f64 / 1_048_576.0,
            m.dump_s * 1000.0,
            m.export_s / m.dump_s,
            mib(m.peak_after_kib),
            mib(grew),
            mib(m.dump_peak_kib),
        );
    }
    println!(
        "server peak growth while exporting, 100,000 vs 10,000 entries: {:.1} MiB vs {:.1} MiB",
        growth[1] as f64 / 1024.0,
        growth[0] as f64 / 1024.0
    );
    Ok(())
}
