//! The background worker that runs housekeeping at an interval until told to stop.

use std::sync::Arc;
use std::time::Duration;

use profile_domain::use_cases::Housekeeping;
use tokio::sync::watch;

/// Runs housekeeping once at start and then every `interval`.
pub async fn run(housekeeping: Arc<Housekeeping>, interval: Duration, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        match housekeeping.run().await {
            Ok(purged) if purged.challenges + purged.sessions + purged.messages > 0 => {
                tracing::info!(
                    challenges = purged.challenges,
                    sessions = purged.sessions,
                    messages = purged.messages,
                    "housekeeping deleted expired rows"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "housekeeping failed; will try again"),
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => {}
        }
    }
}
