//! `cargo xtask bench`, erasure: a user with a saved picture and 100,000
//! consent-ledger entries erased by the real job (`bench-erasure`: every
//! step, the picture files and the confirmation email included), beside the
//! bare SQL `DELETE` statements for the same rows run by `sqlite3` on a copy
//! of the same database; median of a few runs, and the ratio.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use profile_store_seaorm::registry::{Owner, erasure_order};

use crate::bench_export::{SQLITE3, user_with_history};
use crate::bench_picture::median;
use crate::{Result, load, root};

const ENTRIES: u64 = 100_000;
const RUNS: usize = 3;

fn sqlite(db: &Path, sql: &str) -> Result<String> {
    let out = Command::new(SQLITE3).arg(db).arg(sql).output()?;
    if !out.status.success() {
        return Err(format!("sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The `DELETE` statements for the user's rows, in one transaction: by id
/// where the registry ties rows to the id, by address where to an address.
fn bare_deletes(user_hex: &str, addresses: &[String]) -> String {
    let list = addresses.iter().map(|a| format!("'{}'", a.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    let mut sql = String::from("BEGIN;");
    // The same tables in the same order as the real erasure.
    for table in erasure_order() {
        match table.owner {
            Owner::Itself(c) | Owner::UserId(c) => {
                sql.push_str(&format!("DELETE FROM {} WHERE {c} = X'{user_hex}';", table.name))
            }
            Owner::Email { email: c, .. } => {
                sql.push_str(&format!("DELETE FROM {} WHERE {c} IN ({list});", table.name))
            }
            Owner::EmailOrAbout { email, about, .. } => sql
                .push_str(&format!("DELETE FROM {} WHERE {email} IN ({list}) OR {about} = X'{user_hex}';", table.name)),
            Owner::Nobody => {}
        }
    }
    sql.push_str("COMMIT;");
    sql
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(to);
    let status = Command::new("cp").arg("-r").arg(from).arg(to).status()?;
    if status.success() { Ok(()) } else { Err("copying the data directory failed".into()) }
}

/// Prints the side-by-side figures.
pub async fn run() -> Result<()> {
    if !Path::new(SQLITE3).is_file() {
        println!("erasure: skipped (needs sqlite3 from Debian's sqlite3)");
        return Ok(());
    }
    let scratch = std::env::temp_dir().join(format!("profile-bench-erasure-{}", std::process::id()));
    let prepared = scratch.join("prepared");
    let (server, addr, token) = user_with_history(&prepared, ENTRIES).await?;
    let (_, me) = load::request(addr, "GET", "/v1/me", Some(&token), None).await?;
    let me: serde_json::Value = serde_json::from_str(&me)?;
    let user = me["id"].as_str().ok_or("no user id")?.to_owned();
    drop(server);
    let db = prepared.join("profile.db");
    sqlite(&db, "PRAGMA wal_checkpoint(TRUNCATE);")?;
    let addresses: Vec<String> = vec![me["email"].as_str().ok_or("no email")?.to_owned()];
    let statements = bare_deletes(&user.replace('-', ""), &addresses);
    let ours_bin = root().join("target").join("release").join("bench-erasure");
    let (mut ours, mut last, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let copy = scratch.join(format!("ours-{run}"));
        copy_dir(&prepared, &copy)?;
        let out = Command::new(&ours_bin).arg(&copy).arg(&user).output()?;
        if !out.status.success() {
            return Err(format!("bench-erasure failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut figures = text.split_whitespace().map(str::parse::<f64>);
        ours.push(figures.next().ok_or("no figure")??);
        last.push(figures.next().ok_or("no figure")??);
        let left = sqlite(&copy.join("profile.db"), "SELECT count(*) FROM consent_ledger;")?;
        if left != "0" {
            return Err(format!("{left} ledger entries left after the erasure").into());
        }
        let plain = scratch.join(format!("bare-{run}"));
        copy_dir(&prepared, &plain)?;
        let started = Instant::now();
        sqlite(&plain.join("profile.db"), &statements)?;
        bare.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let (ours, last, bare) = (median(&mut ours), median(&mut last), median(&mut bare));
    println!("Erasure: a user with a saved picture and {ENTRIES} ledger entries, SQLite; median of {RUNS} runs each");
    println!(
        "  the whole job (5 steps, files, email, receipt): {ours:.1} ms; its last pass (the email checked, every row erased): {last:.1} ms"
    );
    println!("  bare SQL DELETEs of the same rows with sqlite3 (one process, one transaction): {bare:.1} ms");
    println!("  ratio, whole job / bare SQL: {:.2}x; last step / bare SQL: {:.2}x", ours / bare, last / bare);
    Ok(())
}
