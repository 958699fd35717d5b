//! `OutboxStore` on sea-orm: queued rows, leases for competing workers, and
//! outcomes. A delivered or expired message keeps its row (for the record)
//! but loses its content.

use async_trait::async_trait;
use profile_domain::ports::{DeliveryOutcome, OutboxStore, QueuedEmail};
use profile_domain::{EmailAddress, EmailContent, EmailId, OutgoingEmail, PortError, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, to_count, to_ms};
use crate::shared::lease::LeaseColumns;
use crate::shared::rows::{message, message_entity};

const PENDING: &str = "pending";
const SENT: &str = "sent";
const FAILED: &str = "failed";
const EXPIRED: &str = "expired";
/// Stored error texts are cut to this many characters.
const MAX_ERROR_LEN: usize = 500;

fn content_from_row(kind: &str, payload: Option<&str>) -> Result<EmailContent, PortError> {
    let payload = payload.ok_or(PortError::msg("queued message has no content"))?;
    let value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| PortError::new("queued message content is not JSON", e))?;
    let text = |key: &str| {
        value[key].as_str().map(str::to_owned).ok_or(PortError::msg("a field of a queued message is missing"))
    };
    let number = |key: &str| {
        value[key]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(PortError::msg("a number of a queued message is missing"))
    };
    match kind {
        "sign_in_code" => Ok(EmailContent::SignInCode { code: text("code")?, valid_minutes: number("valid_minutes")? }),
        "email_change_code" => {
            Ok(EmailContent::EmailChangeCode { code: text("code")?, valid_minutes: number("valid_minutes")? })
        }
        "email_change_address_in_use" => Ok(EmailContent::EmailChangeAddressInUse),
        "email_changed" => Ok(EmailContent::EmailChanged {
            new_email_masked: text("new_email_masked")?,
            revert_url: text("revert_url")?,
            revert_valid_minutes: number("revert_valid_minutes")?,
        }),
        "email_change_reverted" => Ok(EmailContent::EmailChangeReverted),
        "email_change_undone" => Ok(EmailContent::EmailChangeUndone { restored_masked: text("restored_masked")? }),
        "account_deleted" => Ok(EmailContent::AccountDeleted { receipt_url: text("receipt_url")? }),
        _ => Err(PortError::msg("queued message has an unknown kind")),
    }
}

fn queued_from_row(row: message::Model) -> Result<QueuedEmail, PortError> {
    Ok(QueuedEmail {
        email: OutgoingEmail {
            id: EmailId(row.id),
            to: EmailAddress::parse(&row.recipient).map_err(|e| PortError::new("queued recipient is invalid", e))?,
            content: content_from_row(&row.kind, row.payload.as_deref())?,
            created_at: from_ms(row.created_at_ms)?,
            expires_at: row.expires_at_ms.map(from_ms).transpose()?,
            about: row.about_user_id.map(UserId::from_uuid),
        },
        attempts: count(row.attempts),
    })
}

const LEASE: LeaseColumns<message_entity> = LeaseColumns {
    id: message::Column::Id,
    owner: message::Column::LeaseOwner,
    until_ms: message::Column::LeaseUntilMs,
};

impl SeaOrmStore {
    /// Marks a row that cannot be read back as failed, so that it does not
    /// block the messages behind it.
    async fn set_aside(&self, id: Uuid, worker: &str, error: &PortError, now_ms: i64) -> Result<(), PortError> {
        tracing::error!(error = %error, "an outbox message cannot be read; it is marked failed");
        message_entity::update_many()
            .set(message::ActiveModel {
                status: Set(FAILED.to_owned()),
                payload: Set(None),
                last_error: Set(Some(format!("unreadable: {error}"))),
                finished_at_ms: Set(Some(now_ms)),
                lease_owner: Set(None),
                lease_until_ms: Set(None),
                ..Default::default()
            })
            .filter(message::Column::Id.eq(id))
            .filter(message::Column::LeaseOwner.eq(worker))
            .exec(&self.db)
            .await
            .map_err(db("setting aside an unreadable message"))?;
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for SeaOrmStore {
    async fn claim_due(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedEmail>, PortError> {
        let now_ms = to_ms(now);
        let candidates: Vec<Uuid> = message_entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(message::Column::Status.eq(PENDING))
            .filter(message::Column::NextAttemptAtMs.lte(now_ms))
            .filter(LEASE.free(now_ms))
            .order_by_asc(message::Column::NextAttemptAtMs)
            .limit(u64::from(limit))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("finding due messages"))?;
        let still_pending = Condition::all().add(message::Column::Status.eq(PENDING));
        let claimed = LEASE.claim(&self.db, candidates, &still_pending, worker, now_ms, to_ms(lease_until)).await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let rows = message_entity::find()
            .filter(message::Column::Id.is_in(claimed))
            .filter(message::Column::LeaseOwner.eq(worker))
            .order_by_asc(message::Column::NextAttemptAtMs)
            .all(&self.db)
            .await
            .map_err(db("reading leased messages"))?;
        let mut queued = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row.id;
            match queued_from_row(row) {
                Ok(message) => queued.push(message),
                Err(error) => self.set_aside(id, worker, &error, now_ms).await?,
            }
        }
        Ok(queued)
    }

    async fn record_outcome(
        &self,
        id: EmailId,
        worker: &str,
        outcome: &DeliveryOutcome,
        now: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut update =
            message::ActiveModel { lease_owner: Set(None), lease_until_ms: Set(None), ..Default::default() };
        let finished = |update: &mut message::ActiveModel, status: &str| {
            update.status = Set(status.to_owned());
            update.payload = Set(None);
            update.finished_at_ms = Set(Some(to_ms(now)));
        };
        match outcome {
            DeliveryOutcome::Sent => finished(&mut update, SENT),
            DeliveryOutcome::Expired => finished(&mut update, EXPIRED),
            DeliveryOutcome::Failed { attempts, error } => {
                finished(&mut update, FAILED);
                update.attempts = Set(to_count(*attempts));
                update.last_error = Set(Some(error.chars().take(MAX_ERROR_LEN).collect()));
            }
            DeliveryOutcome::Retry { attempts, next_attempt_at, error } => {
                update.attempts = Set(to_count(*attempts));
                update.next_attempt_at_ms = Set(to_ms(*next_attempt_at));
                update.last_error = Set(Some(error.chars().take(MAX_ERROR_LEN).collect()));
            }
        }
        message_entity::update_many()
            .set(update)
            .filter(message::Column::Id.eq(id.0))
            .filter(message::Column::LeaseOwner.eq(worker))
            .exec(&self.db)
            .await
            .map_err(db("recording a delivery"))?;
        Ok(())
    }
}
