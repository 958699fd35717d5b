//! The provider ports on sea-orm: the outbox of notices (queued inside the
//! consent transaction, claimed head-first per provider and user), and the
//! log of reports received.

use async_trait::async_trait;
use profile_domain::ports::{NoticeOutcome, ProviderBacklog, ProviderOutbox, ProviderReportLog, QueuedNotice};
use profile_domain::{
    ConsentChannel, DisplayName, EmailAddress, PortError, ProviderEvent, ProviderId, ProviderNotice, PublicProfile,
    PurposeId, UserId,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, to_count, to_ms};
use crate::entities::provider_notice as notice;
use crate::entities::provider_report_seen as seen;
use crate::shared::NOTICE_LEASE as LEASE;

const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
/// Stored error texts are cut to this many characters.
const MAX_ERROR_LEN: usize = 500;

fn notice_from_row(row: notice::Model) -> Result<QueuedNotice, PortError> {
    let payload = row.payload.as_deref().ok_or(PortError::msg("queued notice has no content"))?;
    let value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| PortError::new("queued notice content is not JSON", e))?;
    let missing = || PortError::msg("a field of a queued notice is missing");
    let text = |key: &str| value[key].as_str().ok_or_else(missing);
    let address =
        |key: &str| EmailAddress::parse(text(key)?).map_err(|e| PortError::new("queued address is invalid", e));
    let at = from_ms(value["at_ms"].as_i64().ok_or_else(missing)?)?;
    let user_id = UserId::from_uuid(row.user_id);
    let event = match row.kind.as_str() {
        ProviderEvent::CONSENT_CHANGED => ProviderEvent::ConsentChanged {
            purpose: PurposeId::parse(text("purpose")?).map_err(|e| PortError::new("queued purpose is invalid", e))?,
            granted: value["granted"].as_bool().ok_or_else(missing)?,
            version: value["version"].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(missing)?,
            channel: ConsentChannel::parse(text("channel")?).ok_or_else(missing)?,
            at,
        },
        ProviderEvent::EMAIL_CHANGED => ProviderEvent::EmailChanged { previous_email: address("previous_email")?, at },
        ProviderEvent::ACCOUNT_ERASED => ProviderEvent::AccountErased { at },
        ProviderEvent::PROFILE_UPDATED => ProviderEvent::ProfileUpdated {
            profile: PublicProfile {
                id: user_id,
                display_name: value["display_name"]
                    .as_str()
                    .map(DisplayName::parse)
                    .transpose()
                    .map_err(|e| PortError::new("queued display name is invalid", e))?,
                picture: match &value["picture"] {
                    serde_json::Value::String(files) => Some(crate::shared::rows::files_from_json(files)?),
                    _ => None,
                },
                updated_at: at,
            },
        },
        _ => return Err(PortError::msg("queued notice has an unknown kind")),
    };
    Ok(QueuedNotice {
        notice: ProviderNotice {
            id: row.id,
            provider: ProviderId::parse(&row.provider).map_err(|e| PortError::new("queued provider is invalid", e))?,
            user_id,
            email: if value.get("email").is_some() { Some(address("email")?) } else { None },
            sequence: u64::try_from(row.sequence).unwrap_or(0),
            event,
        },
        attempts: count(row.attempts),
    })
}

#[async_trait]
impl ProviderOutbox for SeaOrmStore {
    async fn claim_due_notices(
        &self,
        providers: &[ProviderId],
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedNotice>, PortError> {
        let now_ms = to_ms(now);
        let earlier = Alias::new("earlier");
        let outer = |c: notice::Column| Expr::col((notice::Entity, c));
        let an_earlier_one_is_pending = Query::select()
            .expr(Expr::val(1))
            .from_as(notice::Entity, earlier.clone())
            .and_where(Expr::col((earlier.clone(), notice::Column::Provider)).eq(outer(notice::Column::Provider)))
            .and_where(Expr::col((earlier.clone(), notice::Column::UserId)).eq(outer(notice::Column::UserId)))
            .and_where(Expr::col((earlier.clone(), notice::Column::Status)).eq(PENDING))
            .and_where(Expr::col((earlier, notice::Column::Sequence)).lt(outer(notice::Column::Sequence)))
            .to_owned();
        let names: Vec<&str> = providers.iter().map(ProviderId::as_str).collect();
        let candidates: Vec<Uuid> = notice::Entity::find()
            .select_only()
            .column(notice::Column::Id)
            .filter(notice::Column::Status.eq(PENDING))
            .filter(notice::Column::Provider.is_in(names))
            .filter(notice::Column::NextAttemptAtMs.lte(now_ms))
            .filter(LEASE.free(now_ms))
            .filter(Expr::not_exists(an_earlier_one_is_pending))
            .order_by_asc(notice::Column::QueuedAtMs)
            .limit(u64::from(limit))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("finding due provider notices"))?;
        let still_pending = Condition::all().add(notice::Column::Status.eq(PENDING));
        let claimed = LEASE.claim(&self.db, candidates, &still_pending, worker, now_ms, to_ms(lease_until)).await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let rows = notice::Entity::find()
            .filter(notice::Column::Id.is_in(claimed))
            .filter(notice::Column::LeaseOwner.eq(worker))
            .order_by_asc(notice::Column::QueuedAtMs)
            .all(&self.db)
            .await
            .map_err(db("reading leased provider notices"))?;
        let mut queued = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, attempts) = (row.id, row.attempts);
            match notice_from_row(row) {
                Ok(notice) => queued.push(notice),
                Err(error) => {
                    // It stays pending (dropping it would break the order)
                    // and holds back only its own user's later notices; the
                    // operator sees the error in the backlog.
                    tracing::error!(error = %profile_domain::error_chain(&error), "a provider notice cannot be read");
                    let outcome = NoticeOutcome::Retry {
                        attempts: count(attempts) + 1,
                        next_attempt_at: now + time::Duration::hours(1),
                        status: None,
                        error: "the stored notice cannot be read".into(),
                    };
                    self.record_notice_outcome(id, worker, &outcome, now).await?;
                }
            }
        }
        Ok(queued)
    }

    async fn record_notice_outcome(
        &self,
        id: Uuid,
        worker: &str,
        outcome: &NoticeOutcome,
        now: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut update =
            notice::ActiveModel { lease_owner: Set(None), lease_until_ms: Set(None), ..Default::default() };
        match outcome {
            NoticeOutcome::Delivered { status } => {
                update.status = Set(DELIVERED.to_owned());
                update.payload = Set(None);
                update.delivered_at_ms = Set(Some(to_ms(now)));
                update.last_status = Set(Some(i32::from(*status)));
            }
            NoticeOutcome::Retry { attempts, next_attempt_at, status, error } => {
                update.attempts = Set(to_count(*attempts));
                update.next_attempt_at_ms = Set(to_ms(*next_attempt_at));
                update.last_status = Set(status.map(i32::from));
                update.last_error = Set(Some(error.chars().take(MAX_ERROR_LEN).collect()));
            }
        }
        notice::Entity::update_many()
            .set(update)
            .filter(notice::Column::Id.eq(id))
            .filter(notice::Column::LeaseOwner.eq(worker))
            .exec(&self.db)
            .await
            .map_err(db("recording a provider delivery"))?;
        Ok(())
    }

    async fn backlog(&self) -> Result<Vec<ProviderBacklog>, PortError> {
        let counts: Vec<(String, String, i64, Option<i64>)> = notice::Entity::find()
            .select_only()
            .column(notice::Column::Provider)
            .column(notice::Column::Status)
            .column_as(notice::Column::Id.count(), "n")
            .column_as(notice::Column::QueuedAtMs.min(), "oldest")
            .group_by(notice::Column::Provider)
            .group_by(notice::Column::Status)
            .order_by_asc(notice::Column::Provider)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("counting provider notices"))?;
        let mut out: Vec<ProviderBacklog> = Vec::new();
        for (provider, status, n, oldest) in counts {
            let provider = ProviderId::parse(&provider).map_err(|e| PortError::new("stored provider is invalid", e))?;
            if out.last().is_none_or(|b| b.provider != provider) {
                out.push(ProviderBacklog {
                    provider: provider.clone(),
                    pending: 0,
                    delivered: 0,
                    oldest_pending_at: None,
                    last_error: None,
                });
            }
            let Some(entry) = out.last_mut() else { continue };
            let n = u64::try_from(n).unwrap_or(0);
            if status == PENDING {
                entry.pending = n;
                entry.oldest_pending_at = oldest.map(from_ms).transpose()?;
                entry.last_error = notice::Entity::find()
                    .select_only()
                    .column(notice::Column::LastError)
                    .filter(notice::Column::Provider.eq(provider.as_str()))
                    .filter(notice::Column::Status.eq(PENDING))
                    .filter(notice::Column::LastError.is_not_null())
                    .order_by_desc(notice::Column::NextAttemptAtMs)
                    .limit(1)
                    .into_tuple::<Option<String>>()
                    .one(&self.db)
                    .await
                    .map_err(db("reading a provider's last error"))?
                    .flatten();
            } else {
                entry.delivered = n;
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl ProviderReportLog for SeaOrmStore {
    async fn claim(&self, provider: &ProviderId, report_id: &str, at: OffsetDateTime) -> Result<bool, PortError> {
        let inserted = seen::Entity::insert(seen::ActiveModel {
            provider: Set(provider.as_str().to_owned()),
            report_id: Set(report_id.to_owned()),
            received_at_ms: Set(to_ms(at)),
        })
        .exec_without_returning(&self.db)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
            Err(e) => Err(db("writing the provider report log")(e)),
        }
    }

    async fn forget(&self, provider: &ProviderId, report_id: &str) -> Result<(), PortError> {
        seen::Entity::delete_many()
            .filter(seen::Column::Provider.eq(provider.as_str()))
            .filter(seen::Column::ReportId.eq(report_id))
            .exec(&self.db)
            .await
            .map_err(db("clearing the provider report log"))?;
        Ok(())
    }
}
