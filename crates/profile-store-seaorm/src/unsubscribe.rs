//! `UnsubscribeStore` on sea-orm: unsubscribe keys, and the consenting users
//! of a purpose read from the answers in force.

use async_trait::async_trait;
use profile_domain::ports::{ConsentFilter, UnsubscribeStore};
use profile_domain::{EmailAddress, PortError, PurposeId, SecretHash, UnsubscribeKey, UserId};
use sea_orm::sea_query::{Condition, Expr, Order, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect, SqlErr,
};
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, hash, to_ms};
use crate::entities::{account, consent_answer, deletion_job, unsubscribe_key};

fn key_from_row(row: unsubscribe_key::Model) -> Result<UnsubscribeKey, PortError> {
    let mut nonce = [0_u8; 16];
    hex_decode(&row.nonce, &mut nonce)?;
    Ok(UnsubscribeKey {
        user_id: UserId::from_uuid(row.user_id),
        purpose_id: PurposeId::parse(&row.purpose_id).map_err(|e| PortError::new("stored purpose id is invalid", e))?,
        nonce,
        lookup: hash(&row.lookup_hash)?,
        created_at: from_ms(row.created_at_ms)?,
    })
}

fn hex_decode(text: &str, out: &mut [u8; 16]) -> Result<(), PortError> {
    if text.len() != 32 {
        return Err(PortError::msg("stored nonce is malformed"));
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .map_err(|e| PortError::new("stored nonce is malformed", e))?;
    }
    Ok(())
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[async_trait]
impl UnsubscribeStore for SeaOrmStore {
    async fn keys_for(&self, purpose: &PurposeId, users: &[UserId]) -> Result<Vec<UnsubscribeKey>, PortError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let rows = unsubscribe_key::Entity::find()
            .filter(unsubscribe_key::Column::PurposeId.eq(purpose.as_str()))
            .filter(unsubscribe_key::Column::UserId.is_in(users.iter().map(UserId::as_uuid)))
            .all(&self.db)
            .await
            .map_err(db("reading unsubscribe keys"))?;
        rows.into_iter().map(key_from_row).collect()
    }

    async fn key_or_insert(&self, key: &UnsubscribeKey) -> Result<UnsubscribeKey, PortError> {
        let id = (key.user_id.as_uuid(), key.purpose_id.as_str().to_owned());
        let existing = || unsubscribe_key::Entity::find_by_id(id.clone()).one(&self.db);
        if let Some(row) = existing().await.map_err(db("reading an unsubscribe key"))? {
            return key_from_row(row);
        }
        let inserted = unsubscribe_key::Entity::insert(unsubscribe_key::ActiveModel {
            user_id: Set(id.0),
            purpose_id: Set(id.1.clone()),
            nonce: Set(hex_encode(&key.nonce)),
            lookup_hash: Set(key.lookup.to_hex()),
            created_at_ms: Set(to_ms(key.created_at)),
        })
        .exec_without_returning(&self.db)
        .await;
        match inserted {
            Ok(_) => Ok(key.clone()),
            // Another listing stored one a moment ago: that one is in force.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                let row = existing().await.map_err(db("reading an unsubscribe key"))?;
                key_from_row(row.ok_or(PortError::msg("the unsubscribe key vanished"))?)
            }
            Err(e) => Err(db("storing an unsubscribe key")(e)),
        }
    }

    async fn replace(&self, stale: &SecretHash, key: &UnsubscribeKey) -> Result<UnsubscribeKey, PortError> {
        unsubscribe_key::Entity::update_many()
            .set(unsubscribe_key::ActiveModel {
                nonce: Set(hex_encode(&key.nonce)),
                lookup_hash: Set(key.lookup.to_hex()),
                created_at_ms: Set(to_ms(key.created_at)),
                ..Default::default()
            })
            .filter(unsubscribe_key::Column::UserId.eq(key.user_id.as_uuid()))
            .filter(unsubscribe_key::Column::PurposeId.eq(key.purpose_id.as_str()))
            .filter(unsubscribe_key::Column::LookupHash.eq(stale.to_hex()))
            .exec(&self.db)
            .await
            .map_err(db("replacing an unsubscribe key"))?;
        let row = unsubscribe_key::Entity::find_by_id((key.user_id.as_uuid(), key.purpose_id.as_str().to_owned()))
            .one(&self.db)
            .await
            .map_err(db("reading an unsubscribe key"))?;
        key_from_row(row.ok_or(PortError::msg("the unsubscribe key vanished"))?)
    }

    async fn find(&self, lookup: &SecretHash) -> Result<Option<UnsubscribeKey>, PortError> {
        let row = unsubscribe_key::Entity::find()
            .filter(unsubscribe_key::Column::LookupHash.eq(lookup.to_hex()))
            .one(&self.db)
            .await
            .map_err(db("finding an unsubscribe key"))?;
        row.map(key_from_row).transpose()
    }

    async fn revoke(&self, user: UserId, purpose: &PurposeId) -> Result<bool, PortError> {
        let deleted = unsubscribe_key::Entity::delete_many()
            .filter(unsubscribe_key::Column::UserId.eq(user.as_uuid()))
            .filter(unsubscribe_key::Column::PurposeId.eq(purpose.as_str()))
            .exec(&self.db)
            .await
            .map_err(db("revoking an unsubscribe key"))?;
        Ok(deleted.rows_affected > 0)
    }

    async fn being_deleted(&self, users: &[UserId]) -> Result<Vec<UserId>, PortError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        // A deletion job exists from the request until the erasure's last
        // step or a cancellation removes it.
        let found: Vec<Uuid> = deletion_job::Entity::find()
            .select_only()
            .column(deletion_job::Column::UserId)
            .filter(deletion_job::Column::UserId.is_in(users.iter().map(|u| u.as_uuid())))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("reading deletions under way"))?;
        Ok(found.into_iter().map(UserId::from_uuid).collect())
    }

    async fn consenting(
        &self,
        filter: &ConsentFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, EmailAddress)>, PortError> {
        let answer = |c: consent_answer::Column| Expr::col((consent_answer::Entity, c));
        let current = Condition::all()
            .add(answer(consent_answer::Column::Version).eq(i64::from(filter.version)))
            .add(answer(consent_answer::Column::TextHash).eq(filter.text_hash.as_str()));
        let counts = if filter.older_versions_count { Condition::all() } else { current };
        let mut query = Query::select();
        query
            .column((account::Entity, account::Column::Id))
            .column((account::Entity, account::Column::Email))
            .from(consent_answer::Entity)
            .inner_join(
                account::Entity,
                Expr::col((account::Entity, account::Column::Id))
                    .equals((consent_answer::Entity, consent_answer::Column::UserId)),
            )
            .cond_where(
                Condition::all()
                    .add(answer(consent_answer::Column::PurposeId).eq(filter.purpose_id.as_str()))
                    .add(answer(consent_answer::Column::Granted).eq(true))
                    .add(counts),
            )
            .order_by((consent_answer::Entity, consent_answer::Column::UserId), Order::Asc)
            .limit(u64::from(limit));
        if let Some(cursor) = after {
            query.and_where(answer(consent_answer::Column::UserId).gt(cursor.as_uuid()));
        }
        let statement = self.db.get_database_backend().build(&query);
        let rows = self.db.query_all_raw(statement).await.map_err(db("listing consenting users"))?;
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get("", "id").map_err(db("reading a consenting user"))?;
                let email: String = row.try_get("", "email").map_err(db("reading a consenting user"))?;
                let email = EmailAddress::parse(&email).map_err(|e| PortError::new("stored email is invalid", e))?;
                Ok((UserId::from_uuid(id), email))
            })
            .collect()
    }
}
