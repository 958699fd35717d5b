//! The server's own small adapters: the system clock, the operating
//! system's randomness, and the readiness check.

use async_trait::async_trait;
use profile_domain::ports::{Clock, Randomness};
use profile_store_seaorm::SeaOrmStore;
use time::OffsetDateTime;

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The operating system's CSPRNG.
pub struct OsRandom;

impl Randomness for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        if getrandom::fill(buf).is_err() {
            // Without entropy no code or token can be made safely.
            tracing::error!("the operating system gave no random bytes; stopping");
            std::process::abort();
        }
    }
}

/// Ready when the database answers.
pub struct DatabaseReadiness(pub SeaOrmStore);

#[async_trait]
impl profile_http::Readiness for DatabaseReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|_| "the database does not answer".to_owned())
    }
}
