//! The server's own small adapters: the system clock, the operating
//! system's randomness, the signal that wakes the delivery workers, and
//! the readiness check.

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

/// Wakes a delivery worker of this process (a permit is kept when it is
/// busy, so no wake-up is lost).
#[derive(Clone, Default)]
pub struct WakeWorker(pub std::sync::Arc<tokio::sync::Notify>);

impl profile_domain::ports::WorkSignal for WakeWorker {
    fn queued(&self) {
        self.0.notify_one();
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
