//! The cost of the shared rate limits per request: `POST /v1/auth/verify`
//! with a malformed code (both of its limits, per client and per address,
//! counted in the database, then refused as `invalid_code_format`) against
//! the same request with a malformed address (refused as `invalid_email`
//! before any counter), on the same server in the same run.

use std::net::SocketAddr;
use std::time::Duration;

use crate::Result;
use crate::bench::{WARMUP, print_row};
use crate::load::{self, Probe};

pub async fn run(server: SocketAddr, duration: Duration) -> Result<()> {
    let counted = Probe::post("/v1/auth/verify", r#"{"email":"bench@example.com","code":"12ab56"}"#, 400);
    let uncounted = Probe::post("/v1/auth/verify", r#"{"email":"not-an-address","code":"12ab56"}"#, 400);
    println!();
    println!("POST /v1/auth/verify refused: after counting its two shared limits, against before any counter");
    println!(
        "{:>5} | {:>10} {:>9} {:>9} | {:>10} {:>9} {:>9} | {:>10} {:>8} {:>8}",
        "conns", "counted/s", "p50 µs", "p99 µs", "none/s", "p50 µs", "p99 µs", "ratio r/s", "p50 x", "p99 x"
    );
    for connections in [1, 32] {
        let ours = load::run_probe(server, &counted, connections, WARMUP, duration).await?;
        let base = load::run_probe(server, &uncounted, connections, WARMUP, duration).await?;
        print_row(connections, &ours, &base);
        let cost = ours.p50_us.saturating_sub(base.p50_us);
        println!("      two counters cost {cost} µs at the median ({} µs each)", cost / 2);
        if ours.errors > 0 || base.errors > 0 {
            println!("      errors: counted {}, uncounted {}", ours.errors, base.errors);
        }
    }
    Ok(())
}
