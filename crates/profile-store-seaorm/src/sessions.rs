//! `SessionStore` on sea-orm.

use async_trait::async_trait;
use profile_domain::ports::SessionStore;
use profile_domain::{PortError, SecretHash, SecurityEventKind, Session, SessionId, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, hash, to_ms};
use crate::entities::session;

fn session_from_row(row: session::Model) -> Result<Session, PortError> {
    Ok(Session {
        id: SessionId(row.id),
        user_id: UserId::from_uuid(row.user_id),
        token_hash: hash(&row.token_hash)?,
        created_at: from_ms(row.created_at_ms)?,
        expires_at: from_ms(row.expires_at_ms)?,
        last_seen_at: from_ms(row.last_seen_at_ms)?,
    })
}

impl SeaOrmStore {
    async fn session_by_hash(&self, key: &str) -> Result<Option<Session>, PortError> {
        let row = session::Entity::find()
            .filter(session::Column::TokenHash.eq(key))
            .one(&self.db)
            .await
            .map_err(db("reading a session"))?;
        row.map(session_from_row).transpose()
    }
}

#[async_trait]
impl SessionStore for SeaOrmStore {
    async fn find(&self, token_hash: &SecretHash) -> Result<Option<Session>, PortError> {
        let ticket = self.caches.ticket();
        if ticket.is_some()
            && let Some(session) = self.caches.session(token_hash.as_bytes())
        {
            return Ok(Some(session));
        }
        // Boxed: the query's (large) future is made only on a miss, so a
        // hit neither allocates nor moves it.
        let session = Box::pin(self.session_by_hash(&token_hash.to_hex())).await?;
        if let (Some(ticket), Some(session)) = (ticket, &session) {
            self.caches.keep_session(ticket, session);
        }
        Ok(session)
    }

    async fn touch(&self, id: SessionId, now: OffsetDateTime) -> Result<(), PortError> {
        // With the caches on, written in batches at the next read of the
        // feed (a quarter second later); the cached copy has it at once.
        if self.caches.defer_touch(id, now) {
            return Ok(());
        }
        session::Entity::update_many()
            .set(session::ActiveModel { last_seen_at_ms: Set(to_ms(now)), ..Default::default() })
            .filter(session::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(db("touching a session"))?;
        self.caches.touched(id, now);
        Ok(())
    }

    async fn delete(&self, id: SessionId) -> Result<bool, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let Some(row) = session::Entity::find_by_id(id.0).one(&txn).await.map_err(db("reading a session"))? else {
            return Ok(false);
        };
        let user = UserId::from_uuid(row.user_id);
        let deleted = session::Entity::delete_by_id(id.0).exec(&txn).await.map_err(db("ending a session"))?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing an ended session"))?;
        self.caches.changed(user);
        Ok(deleted.rows_affected > 0)
    }

    async fn sign_out(&self, id: SessionId, now: OffsetDateTime) -> Result<bool, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let Some(row) = session::Entity::find_by_id(id.0).one(&txn).await.map_err(db("reading a session"))? else {
            return Ok(false);
        };
        let deleted = session::Entity::delete_by_id(id.0).exec(&txn).await.map_err(db("ending a session"))?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        let user = UserId::from_uuid(row.user_id);
        crate::shared::record_security_event(&txn, user, SecurityEventKind::SignedOut, now).await?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing a sign-out"))?;
        self.caches.changed(user);
        Ok(true)
    }
}
