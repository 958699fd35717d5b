//! The invalidation feed in the database: a change writes a row in its own
//! transaction; every instance reads the recent rows to drop what it
//! cached; housekeeping deletes the old ones.

use std::time::Instant;

use profile_domain::{PortError, SessionId, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Caches;
use crate::convert::{db, to_ms};
use crate::entities::cache_invalidation as row;
use crate::entities::session;

/// Writes, inside the caller's transaction, that `user`'s sessions or
/// profile changed. Nothing is written by a store without a cache key.
pub(crate) async fn record(conn: &impl ConnectionTrait, caches: &Caches, user: UserId) -> Result<(), PortError> {
    let (Some(subject), Some(policy)) = (caches.subject(user), caches.policy()) else { return Ok(()) };
    row::Entity::insert(row::ActiveModel {
        id: Set(Uuid::new_v4()),
        subject: Set(subject),
        at_ms: Set(to_ms(policy.clock.now())),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db("recording a change for the caches"))?;
    Ok(())
}

/// Reads the feed's recent rows and drops what they name from `caches`.
pub(crate) async fn poll(conn: &impl ConnectionTrait, caches: &Caches) -> Result<(), PortError> {
    let Some(policy) = caches.policy() else { return Ok(()) };
    let started = Instant::now();
    let now_ms = to_ms(policy.clock.now());
    let since = now_ms.saturating_sub(i64::try_from(policy.window.as_millis()).unwrap_or(i64::MAX));
    let rows: Vec<(Uuid, String, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::Id)
        .column(row::Column::Subject)
        .column(row::Column::AtMs)
        .filter(row::Column::AtMs.gte(since))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db("reading the cache feed"))?;
    caches.apply(&rows, started, now_ms);
    Ok(())
}

/// Writes the sessions' deferred last-seen times: one statement per
/// hundreds of sessions, each batch at its latest time (a touch is
/// a minute's mark, not an exact one). Touches whose write failed are kept
/// for the next flush.
pub(crate) async fn flush_touches(conn: &impl ConnectionTrait, caches: &Caches) -> Result<(), PortError> {
    let touches = caches.take_touches();
    if touches.is_empty() {
        return Ok(());
    }
    let entries: Vec<(SessionId, OffsetDateTime)> = touches.iter().map(|(id, at)| (*id, *at)).collect();
    for chunk in entries.chunks(500) {
        let Some(latest) = chunk.iter().map(|(_, at)| *at).max() else { continue };
        let written = session::Entity::update_many()
            .set(session::ActiveModel { last_seen_at_ms: Set(to_ms(latest)), ..Default::default() })
            .filter(session::Column::Id.is_in(chunk.iter().map(|(id, _)| id.0)))
            .exec(conn)
            .await;
        if let Err(e) = written {
            caches.return_touches(touches);
            return Err(db("writing sessions' last-seen times")(e));
        }
    }
    Ok(())
}

/// Deletes rows older than `before`; how many went.
pub(crate) async fn purge(conn: &impl ConnectionTrait, before: OffsetDateTime) -> Result<u64, PortError> {
    let deleted = row::Entity::delete_many()
        .filter(row::Column::AtMs.lt(to_ms(before)))
        .exec(conn)
        .await
        .map_err(db("purging the cache feed"))?;
    Ok(deleted.rows_affected)
}
