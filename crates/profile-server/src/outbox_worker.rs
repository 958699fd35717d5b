//! The background worker that delivers the outbox until told to stop.

use std::sync::Arc;
use std::time::Duration;

use profile_domain::use_cases::OutboxDelivery;
use tokio::sync::watch;

/// Delivers due messages every `poll_interval` until `stop` turns true. After
/// a pass that delivered messages without failure it looks again at once, as
/// more may be waiting. On stop it finishes the pass under way and makes
/// passes until nothing more is delivered, so messages queued by the last
/// requests go out before the process ends (within the shutdown grace time).
pub async fn run(
    delivery: Arc<OutboxDelivery>,
    worker_id: String,
    poll_interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %worker_id, "outbox worker started");
    loop {
        let stopping = *stop.borrow();
        let busy = match delivery.deliver_due(&worker_id).await {
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
                report.retried + report.failed + report.deferred == 0 && report.handled() > 0
            }
            Err(error) => {
                tracing::warn!(error = %error, "outbox pass failed; will try again");
                false
            }
        };
        if stopping && !busy {
            break;
        }
        if !busy {
            tokio::select! {
                () = tokio::time::sleep(poll_interval) => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = %worker_id, "outbox worker stopped");
}
