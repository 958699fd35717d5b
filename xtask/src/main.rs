//! Project automation, run as `cargo xtask <task>`:
//!
//! - `ci`: formatting, lints and the whole test suite, as CI runs them;
//! - `openapi`: regenerate `docs/openapi.json` from the code;
//! - `bench [--seconds N]`: throughput and latency of `GET /v1/me` against
//!   a bare poem baseline measured in the same run, picture serving and
//!   processing, the data export against `sqlite3 -json`, and an erasure
//!   against bare SQL `DELETE`s.

mod bench;
mod bench_erasure;
mod bench_export;
mod bench_limits;
mod bench_picture;
mod bench_reads;
mod bench_uploads;
mod load;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, BoxError>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("openapi") => openapi(),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <ci | openapi | bench [--seconds N] [--only PART]>");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `cargo` with `args` in the workspace root, failing on a non-zero exit.
fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()?;
    if status.success() { Ok(()) } else { Err(format!("cargo {} failed: {status}", args.join(" ")).into()) }
}

fn ci() -> Result<()> {
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], &[])?;
    cargo(&["test", "--workspace"], &[])
}

fn openapi() -> Result<()> {
    cargo(
        &["test", "--quiet", "-p", "profile-http", "--test", "api", "the_openapi_document_in_docs_is_up_to_date"],
        &[("UPDATE_OPENAPI", "1")],
    )?;
    println!("docs/openapi.json regenerated");
    Ok(())
}
