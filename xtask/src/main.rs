//! Project automation, run as `cargo xtask <task>`:
//!
//! - `ci`: formatting, lints, the tidy check, the domain's documentation
//!   and the whole test suite, as CI runs them;
//! - `openapi`: regenerate `docs/openapi.json` from the code;
//! - `tidy`: the house rules no compiler checks (see `tidy/mod.rs`);
//! - `bench [--seconds N] [--only PART]`: the benchmark, the `xtask-bench`
//!   package built and run optimised.
//!
//! This package uses the standard library only, so `cargo xtask tidy`
//! builds in seconds.

mod tidy;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("openapi") => openapi(),
        Some("tidy") => tidy::run(&root()),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <ci | openapi | tidy | bench [--seconds N] [--only PART]>");
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

/// The workspace root, as a plain path (cargo run from `xtask/..` would
/// see other paths than a build from the root, and rebuild).
fn root() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Runs `cargo` with `args` in the workspace root, failing on a non-zero exit.
fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let status = clean_cargo()
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cargo could not be started: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cargo {} failed: {status}", args.join(" "))) }
}

/// `cargo`, without the variables cargo set for this program's own run
/// (`CARGO_PKG_NAME` …): some build scripts watch them, so a nested build
/// that kept them would rebuild their crates (ring and all above it) every
/// time.
fn clean_cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (key, _) in std::env::vars() {
        let set_for_a_run = key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || key.starts_with("CARGO_BIN_")
            || key == "CARGO_CRATE_NAME"
            || key == "CARGO_PRIMARY_PACKAGE";
        if set_for_a_run {
            command.env_remove(key);
        }
    }
    command
}

fn ci() -> Result<()> {
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], &[])?;
    tidy::run(&root())?;
    cargo(
        &["doc", "--quiet", "-p", "profile-domain", "--features", "conformance", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
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

/// The benchmark runs optimised (its load generator must not be the
/// bottleneck): the release server and the benchmark's programs are built
/// here, then `xtask-bench` runs them.
fn bench(args: &[String]) -> Result<()> {
    cargo(&["build", "--release", "-p", "profile-server", "--bin", "profile-server"], &[])?;
    cargo(&["build", "--release", "-p", "xtask-bench", "--bins"], &[])?;
    let program = root().join("target").join("release").join("xtask-bench");
    let status = Command::new(&program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("{} could not be started: {e}", program.display()))?;
    if status.success() { Ok(()) } else { Err(format!("the benchmark failed: {status}")) }
}
