//! The background worker that runs housekeeping at an interval until told to stop.

use std::sync::Arc;
use std::time::Duration;

use profile_domain::error_chain;
use profile_domain::ports::Purged;
use profile_domain::use_cases::{Housekeeping, Pictures, SweepReport};
use tokio::sync::watch;

/// Runs housekeeping and the picture sweeper once at start and then every
/// `interval`.
pub async fn run(
    housekeeping: Arc<Housekeeping>,
    pictures: Arc<Pictures>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        match pictures.sweep().await {
            Ok(report) if report != SweepReport::default() => {
                tracing::info!(expired = report.expired, orphans = report.orphans, "picture sweep deleted files");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error_chain(&error), "picture sweep failed; will try again"),
        }
        match housekeeping.run().await {
            Ok(purged) if purged != Purged::default() => {
                tracing::info!(
                    challenges = purged.challenges,
                    sessions = purged.sessions,
                    messages = purged.messages,
                    change_requests = purged.change_requests,
                    code_log = purged.code_log,
                    provider_notices = purged.provider_notices,
                    provider_reports = purged.provider_reports,
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
