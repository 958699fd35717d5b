//! Receipts as stored: the progress of each step and recipient as JSON.

use profile_domain::erasure::{DeletionReceipt, ErasureStep, ReceiptId, RecipientProgress, StepProgress};
use profile_domain::{PortError, ProviderId};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};

use crate::convert::{from_ms, to_ms};
use crate::entities::deletion_receipt as receipt;

/// The receipt's progress as stored.
pub(crate) fn progress_json(r: &DeletionReceipt) -> String {
    let steps: Vec<Value> = r
        .steps
        .iter()
        .map(|s| {
            json!({
                "step": s.step.as_str(),
                "failures": s.failures,
                "last_problem": s.last_problem,
                "done_at_ms": s.done_at.map(to_ms),
            })
        })
        .collect();
    let recipients: Vec<Value> = r
        .recipients
        .iter()
        .map(|p| json!({ "provider": p.provider.as_str(), "told_at_ms": p.told_at.map(to_ms) }))
        .collect();
    json!({
        "steps": steps,
        "recipients": recipients,
        "erase_after_ms": to_ms(r.erase_after),
        "cancelled_at_ms": r.cancelled_at.map(to_ms),
    })
    .to_string()
}

/// The row of a receipt.
pub(crate) fn receipt_row(r: &DeletionReceipt) -> receipt::ActiveModel {
    receipt::ActiveModel {
        id: Set(r.id.0),
        requested_at_ms: Set(to_ms(r.requested_at)),
        completed_at_ms: Set(r.completed_at.map(to_ms)),
        progress: Set(progress_json(r)),
    }
}

fn time_of(value: &Value) -> Result<Option<time::OffsetDateTime>, PortError> {
    value.as_i64().map(from_ms).transpose()
}

/// A stored receipt back as a receipt.
pub(crate) fn receipt_from_row(row: receipt::Model) -> Result<DeletionReceipt, PortError> {
    let bad = || PortError::msg("stored receipt progress is malformed");
    let progress: Value = serde_json::from_str(&row.progress).map_err(|_| bad())?;
    let steps = progress["steps"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|s| {
            Ok(StepProgress {
                step: ErasureStep::parse(s["step"].as_str().ok_or_else(bad)?).ok_or_else(bad)?,
                failures: s["failures"].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(bad)?,
                last_problem: s["last_problem"].as_str().map(str::to_owned),
                done_at: time_of(&s["done_at_ms"])?,
            })
        })
        .collect::<Result<_, PortError>>()?;
    let recipients = progress["recipients"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|p| {
            Ok(RecipientProgress {
                provider: ProviderId::parse(p["provider"].as_str().ok_or_else(bad)?).map_err(|_| bad())?,
                told_at: time_of(&p["told_at_ms"])?,
            })
        })
        .collect::<Result<_, PortError>>()?;
    let requested_at = from_ms(row.requested_at_ms)?;
    Ok(DeletionReceipt {
        id: ReceiptId(row.id),
        requested_at,
        erase_after: time_of(&progress["erase_after_ms"])?.unwrap_or(requested_at),
        completed_at: row.completed_at_ms.map(from_ms).transpose()?,
        cancelled_at: time_of(&progress["cancelled_at_ms"])?,
        steps,
        recipients,
    })
}
