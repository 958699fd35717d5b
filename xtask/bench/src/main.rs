//! `xtask-bench`, run by `cargo xtask bench [--seconds N] [--only PART]`
//! once the release server and this package's programs are built (so its
//! load generator is not the bottleneck): throughput and
//! latency of `GET /v1/me` against a bare poem baseline measured in the
//! same run, the service's reads, picture serving and processing, the data
//! export against `sqlite3 -json`, and an erasure against bare SQL
//! `DELETE`s.

mod bench;
mod bench_erasure;
mod bench_export;
mod bench_limits;
mod bench_picture;
mod bench_reads;
mod bench_uploads;
mod load;

use std::path::PathBuf;
use std::process::ExitCode;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, BoxError>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match bench::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, as a plain path: cargo run from `xtask/bench/../..`
/// would see other paths than a build from the root and rebuild the world.
fn root() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().nth(2).unwrap_or(manifest).to_path_buf()
}
