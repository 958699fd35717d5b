//! `SecurityLog` on sea-orm, and the one way entries are written: inside the
//! transaction of the change they record.

use async_trait::async_trait;
use profile_domain::ports::{LimitedRecord, SecurityLog};
use profile_domain::{PortError, SecurityEvent, SecurityEventKind, UserId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::{account, security_event as event};

#[async_trait]
impl SecurityLog for SeaOrmStore {
    async fn history(&self, user: UserId) -> Result<Vec<SecurityEvent>, PortError> {
        let rows = event::Entity::find()
            .filter(event::Column::UserId.eq(user.as_uuid()))
            .order_by_asc(event::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db("reading the security history"))?;
        rows.into_iter()
            .map(|row| {
                Ok(SecurityEvent {
                    user_id: UserId::from_uuid(row.user_id),
                    kind: SecurityEventKind::parse(&row.kind)
                        .ok_or(PortError::msg("stored security event is unknown"))?,
                    at: from_ms(row.at_ms)?,
                })
            })
            .collect()
    }

    async fn record_limited(
        &self,
        entry: &SecurityEvent,
        since: OffsetDateTime,
        max: u32,
    ) -> Result<LimitedRecord, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let locked = account::Entity::find_by_id(entry.user_id.as_uuid())
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db("locking the account"))?;
        if locked.is_none() {
            return Ok(LimitedRecord::NoAccount);
        }
        let counted: Vec<i64> = event::Entity::find()
            .select_only()
            .column(event::Column::AtMs)
            .filter(event::Column::UserId.eq(entry.user_id.as_uuid()))
            .filter(event::Column::Kind.eq(entry.kind.as_str()))
            .filter(event::Column::AtMs.gt(to_ms(since)))
            .order_by_asc(event::Column::AtMs)
            .limit(u64::from(max))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db("counting security events"))?;
        if counted.len() >= max as usize {
            let oldest = from_ms(counted.first().copied().unwrap_or_else(|| to_ms(since)))?;
            return Ok(LimitedRecord::Limited { oldest });
        }
        crate::shared::record_security_event(&txn, entry.user_id, entry.kind, entry.at).await?;
        txn.commit().await.map_err(db("committing a security event"))?;
        Ok(LimitedRecord::Recorded)
    }
}
