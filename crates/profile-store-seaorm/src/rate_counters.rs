//! `RateCounterStore` on sea-orm: one upsert per event that starts a new
//! window or adds one to the current, and a read of the row in the same
//! transaction (the upsert holds the row until the commit, so the read
//! sees exactly this event's count).

use async_trait::async_trait;
use profile_domain::ports::{RateCounterStore, WindowCount};
use profile_domain::{PortError, RateLimit, SecretHash};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, TransactionTrait};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::rate_counter::{self, Column};

/// Tries of one count: MariaDB can answer two first upserts of one key at
/// once with a deadlock, which a second try resolves.
const TRIES: usize = 3;

fn window(row: &rate_counter::Model) -> Result<WindowCount, PortError> {
    Ok(WindowCount { count: u32::try_from(row.count).unwrap_or(u32::MAX), ends_at: from_ms(row.window_ends_at_ms)? })
}

impl SeaOrmStore {
    async fn count_once(
        &self,
        name: &str,
        key: &str,
        limit: &RateLimit,
        now: i64,
    ) -> Result<Option<rate_counter::Model>, DbErr> {
        let ends = now.saturating_add(i64::try_from(limit.window.whole_milliseconds()).unwrap_or(i64::MAX));
        let current = |c: Column| Expr::col((rate_counter::Entity, c));
        let ended = current(Column::WindowEndsAtMs).lte(now);
        // `count` is set before `window_ends_at_ms`: MySQL evaluates the
        // assignments in order, and both must see the old window.
        let upsert = OnConflict::column(Column::KeyHash)
            .value(Column::Count, Expr::case(ended.clone(), 1).finally(current(Column::Count).add(1)))
            .value(Column::WindowEndsAtMs, Expr::case(ended, ends).finally(current(Column::WindowEndsAtMs)))
            .to_owned();
        let txn = self.db.begin().await?;
        rate_counter::Entity::insert(rate_counter::ActiveModel {
            key_hash: Set(key.to_owned()),
            limit_name: Set(name.to_owned()),
            count: Set(1),
            window_ends_at_ms: Set(ends),
        })
        .on_conflict(upsert)
        .exec_without_returning(&txn)
        .await?;
        let row = rate_counter::Entity::find_by_id(key.to_owned()).one(&txn).await?;
        txn.commit().await?;
        Ok(row)
    }
}

#[async_trait]
impl RateCounterStore for SeaOrmStore {
    async fn count(
        &self,
        name: &str,
        key: &SecretHash,
        limit: &RateLimit,
        now: OffsetDateTime,
    ) -> Result<WindowCount, PortError> {
        let key = key.to_hex();
        let mut tries = 0;
        let row = loop {
            tries += 1;
            match self.count_once(name, &key, limit, to_ms(now)).await {
                Ok(row) => break row,
                Err(_) if tries < TRIES => {}
                Err(e) => return Err(db("counting a rate-limited event")(e)),
            }
        };
        window(&row.ok_or(PortError::msg("a rate counter vanished while it was counted"))?)
    }

    async fn uncount(&self, key: &SecretHash, now: OffsetDateTime) -> Result<(), PortError> {
        rate_counter::Entity::update_many()
            .col_expr(Column::Count, Expr::col(Column::Count).sub(1))
            .filter(Column::KeyHash.eq(key.to_hex()))
            .filter(Column::WindowEndsAtMs.gt(to_ms(now)))
            .filter(Column::Count.gt(0))
            .exec(&self.db)
            .await
            .map_err(db("taking back a rate-limited event"))?;
        Ok(())
    }

    async fn current(&self, key: &SecretHash, now: OffsetDateTime) -> Result<Option<WindowCount>, PortError> {
        let row = rate_counter::Entity::find_by_id(key.to_hex())
            .filter(Column::WindowEndsAtMs.gt(to_ms(now)))
            .one(&self.db)
            .await
            .map_err(db("reading a rate counter"))?;
        row.as_ref().map(window).transpose()
    }
}
