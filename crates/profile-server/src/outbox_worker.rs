//! The background workers that work through the two outboxes (mail and
//! provider notices) and the erasure jobs until told to stop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use profile_domain::error_chain;
use profile_domain::use_cases::{Erasures, OutboxDelivery, ProviderSync};
use tokio::sync::{Notify, watch};

/// What one pass found.
enum Pass {
    /// Work was done and nothing failed: more may be waiting.
    Busy,
    /// Nothing to do, or something failed and waits for its retry.
    Idle,
}

/// Runs `pass` every `poll_interval` until `stop` turns true. After a busy
/// pass, or when `wake` is notified (a change queued work), it looks again
/// at once. On stop it finishes the pass under way; with
/// `drain`, it then makes passes until one is idle, so what the last
/// requests queued goes out before the process ends (within the shutdown
/// grace time).
async fn drive<F, Fut>(
    name: &'static str,
    poll_interval: Duration,
    mut stop: watch::Receiver<bool>,
    drain: bool,
    wake: Option<Arc<Notify>>,
    pass: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Pass>,
{
    tracing::info!(worker = name, "worker started");
    loop {
        let stopping = *stop.borrow();
        let busy = matches!(pass().await, Pass::Busy);
        if stopping && (!busy || !drain) {
            break;
        }
        if !busy {
            let woken = async {
                match &wake {
                    Some(wake) => wake.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = tokio::time::sleep(poll_interval) => {}
                () = woken => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = name, "worker stopped");
}

/// Delivers due mail until `stop` turns true.
pub async fn run(
    delivery: Arc<OutboxDelivery>,
    worker_id: String,
    poll_interval: Duration,
    stop: watch::Receiver<bool>,
) {
    drive("outbox", poll_interval, stop, true, None, || async {
        match delivery.deliver_due(&worker_id).await {
            Ok(report) => {
                if report.handled() > 0 {
                    tracing::info!(
                        sent = report.sent,
                        retried = report.retried,
                        failed = report.failed,
                        expired = report.expired,
                        "outbox pass"
                    );
                }
                let clean = report.retried + report.failed + report.deferred == 0;
                if clean && report.handled() > 0 { Pass::Busy } else { Pass::Idle }
            }
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "outbox pass failed; will try again");
                Pass::Idle
            }
        }
    })
    .await;
}

/// Delivers due notices to providers and services until `stop` turns true,
/// at once when `wake` is notified. It does not drain on stop: notices wait
/// in the database, and a receiver that is down could hold the shutdown up.
pub async fn run_providers(
    sync: Arc<ProviderSync>,
    worker_id: String,
    poll_interval: Duration,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
) {
    drive("providers", poll_interval, stop, false, Some(wake), || async {
        match sync.deliver_due(&worker_id).await {
            Ok(report) => {
                if report.delivered + report.retried > 0 {
                    tracing::info!(delivered = report.delivered, retried = report.retried, "provider pass");
                }
                if report.delivered > 0 && report.retried + report.deferred == 0 { Pass::Busy } else { Pass::Idle }
            }
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "provider pass failed; will try again");
                Pass::Idle
            }
        }
    })
    .await;
}

/// Takes due erasure jobs as far as they can go until `stop` turns true. It
/// does not drain on stop: a job resumes from its last recorded step on
/// the next start (or on another instance).
pub async fn run_erasures(
    erasures: Arc<Erasures>,
    worker_id: String,
    poll_interval: Duration,
    stop: watch::Receiver<bool>,
) {
    drive("erasures", poll_interval, stop, false, None, || async {
        match erasures.run_due(&worker_id).await {
            Ok(report) => {
                if report.completed + report.failed > 0 {
                    tracing::info!(completed = report.completed, failed = report.failed, "erasure pass");
                }
                if report.completed > 0 && report.failed == 0 { Pass::Busy } else { Pass::Idle }
            }
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "erasure pass failed; will try again");
                Pass::Idle
            }
        }
    })
    .await;
}
