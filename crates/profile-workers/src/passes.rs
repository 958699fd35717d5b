//! One pass of each worker over its use case, and what it logs: the counts
//! of what it did, never whom it concerned.

use profile_domain::error_chain;
use profile_domain::ports::Purged;
use profile_domain::use_cases::{Erasures, Housekeeping, OutboxDelivery, Pictures, ProviderSync, SweepReport};

use crate::driver::Pass;

/// Delivers the mail that is due.
pub(crate) async fn mail(delivery: &OutboxDelivery, worker_id: &str) -> Pass {
    match delivery.deliver_due(worker_id).await {
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
}

/// Delivers the notices to providers and services that are due.
pub(crate) async fn notices(sync: &ProviderSync, worker_id: &str) -> Pass {
    match sync.deliver_due(worker_id).await {
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
}

/// Takes the erasure jobs that are due as far as they can go.
pub(crate) async fn erasures(erasures: &Erasures, worker_id: &str) -> Pass {
    match erasures.run_due(worker_id).await {
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
}

/// Sweeps expired and orphaned picture files, then purges expired rows.
pub(crate) async fn housekeeping(housekeeping: &Housekeeping, pictures: &Pictures) -> Pass {
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
        Err(error) => tracing::warn!(error = %error_chain(&error), "housekeeping failed; will try again"),
    }
    Pass::Idle
}
