//! `PictureStore` on sea-orm: one row per user and slot.

use async_trait::async_trait;
use profile_domain::ports::PictureStore;
use profile_domain::{NoticeFor, Picture, PictureSlot, PortError, UserId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, to_ms};
use crate::entities::{account, picture};
use crate::shared::rows::{files_json, picture_from_row};

fn row_of(picture: &Picture) -> picture::ActiveModel {
    picture::ActiveModel {
        user_id: Set(picture.user_id.as_uuid()),
        slot: Set(picture.slot.as_str().to_owned()),
        files: Set(files_json(&picture.files)),
        created_at_ms: Set(to_ms(picture.created_at)),
        expires_at_ms: Set(picture.expires_at.map(to_ms)),
    }
}

async fn read(
    conn: &impl ConnectionTrait,
    user: UserId,
    slot: PictureSlot,
    lock: bool,
) -> Result<Option<Picture>, PortError> {
    let mut query = picture::Entity::find_by_id((user.as_uuid(), slot.as_str().to_owned()));
    if lock {
        query = query.lock_exclusive();
    }
    query.one(conn).await.map_err(db("reading a picture"))?.map(picture_from_row).transpose()
}

async fn upsert(conn: &impl ConnectionTrait, picture: &Picture) -> Result<(), PortError> {
    picture::Entity::insert(row_of(picture))
        .on_conflict(
            OnConflict::columns([picture::Column::UserId, picture::Column::Slot])
                .update_columns([picture::Column::Files, picture::Column::CreatedAtMs, picture::Column::ExpiresAtMs])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map_err(db("storing a picture"))?;
    Ok(())
}

/// Sets the account's `updated_at`, which also locks its row until the
/// transaction ends.
async fn touch_account(conn: &impl ConnectionTrait, user: UserId, at: OffsetDateTime) -> Result<(), PortError> {
    account::Entity::update_many()
        .set(account::ActiveModel { updated_at_ms: Set(to_ms(at)), ..Default::default() })
        .filter(account::Column::Id.eq(user.as_uuid()))
        .exec(conn)
        .await
        .map_err(db("updating a profile's time"))?;
    Ok(())
}

async fn remove(conn: &impl ConnectionTrait, user: UserId, slot: PictureSlot) -> Result<(), PortError> {
    picture::Entity::delete_by_id((user.as_uuid(), slot.as_str().to_owned()))
        .exec(conn)
        .await
        .map_err(db("removing a picture"))?;
    Ok(())
}

#[async_trait]
impl PictureStore for SeaOrmStore {
    async fn picture(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError> {
        if slot != PictureSlot::Current {
            return read(&self.db, user, slot, false).await;
        }
        let ticket = self.caches.ticket();
        if ticket.is_some()
            && let Some(picture) = self.caches.current_picture(user)
        {
            return Ok(picture);
        }
        // Boxed: the query's future is made only on a miss.
        let picture = Box::pin(read(&self.db, user, slot, false)).await?;
        if let Some(ticket) = ticket {
            self.caches.keep_current_picture(ticket, user, picture.as_ref());
        }
        Ok(picture)
    }

    async fn put(&self, picture: &Picture) -> Result<Option<Picture>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let replaced = read(&txn, picture.user_id, picture.slot, true).await?;
        upsert(&txn, picture).await?;
        if picture.slot == PictureSlot::Current {
            crate::cache::record(&txn, &self.caches, picture.user_id).await?;
        }
        txn.commit().await.map_err(db("committing a picture"))?;
        self.caches.changed(picture.user_id);
        Ok(replaced)
    }

    async fn promote_pending(
        &self,
        pending: &Picture,
        current: &Picture,
        notify: &[NoticeFor],
    ) -> Result<Option<Option<Picture>>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        // The account row first: changes of one profile are serialised, so
        // the notice numbers follow their order.
        touch_account(&txn, current.user_id, current.created_at).await?;
        let stored = read(&txn, pending.user_id, PictureSlot::Pending, true).await?;
        if stored.is_none_or(|p| p.files != pending.files) {
            return Ok(None);
        }
        let previous = read(&txn, current.user_id, PictureSlot::Current, true).await?;
        remove(&txn, pending.user_id, PictureSlot::Pending).await?;
        upsert(&txn, current).await?;
        crate::shared::queue_profile_updated(&txn, current.user_id, notify).await?;
        crate::cache::record(&txn, &self.caches, current.user_id).await?;
        txn.commit().await.map_err(db("committing a saved picture"))?;
        self.caches.changed(current.user_id);
        Ok(Some(previous))
    }

    async fn reset_current(
        &self,
        user: UserId,
        now: OffsetDateTime,
        notify: &[NoticeFor],
    ) -> Result<Option<Picture>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        touch_account(&txn, user, now).await?;
        let Some(taken) = read(&txn, user, PictureSlot::Current, true).await? else {
            // Nothing to reset: the rollback leaves updated_at as it was.
            return Ok(None);
        };
        remove(&txn, user, PictureSlot::Current).await?;
        crate::shared::queue_profile_updated(&txn, user, notify).await?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing a reset picture"))?;
        self.caches.changed(user);
        Ok(Some(taken))
    }

    async fn take(&self, user: UserId, slot: PictureSlot) -> Result<Option<Picture>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let taken = read(&txn, user, slot, true).await?;
        if taken.is_some() {
            remove(&txn, user, slot).await?;
            if slot == PictureSlot::Current {
                crate::cache::record(&txn, &self.caches, user).await?;
            }
        }
        txn.commit().await.map_err(db("committing a removed picture"))?;
        self.caches.changed(user);
        Ok(taken)
    }

    async fn take_expired(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<Picture>, PortError> {
        let rows = picture::Entity::find()
            .filter(picture::Column::Slot.eq(PictureSlot::Pending.as_str()))
            .filter(picture::Column::ExpiresAtMs.lte(to_ms(now)))
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db("finding expired pictures"))?;
        let mut taken = Vec::with_capacity(rows.len());
        for row in rows {
            // Only if it is still that upload: a newer one may have replaced it.
            let deleted = picture::Entity::delete_many()
                .filter(picture::Column::UserId.eq(row.user_id))
                .filter(picture::Column::Slot.eq(row.slot.clone()))
                .filter(picture::Column::CreatedAtMs.eq(row.created_at_ms))
                .filter(picture::Column::ExpiresAtMs.lte(to_ms(now)))
                .exec(&self.db)
                .await
                .map_err(db("dropping an expired picture"))?;
            if deleted.rows_affected == 1 {
                taken.push(picture_from_row(row)?);
            }
        }
        Ok(taken)
    }
}
