//! `ConsentStore` on sea-orm: the ledger row and the answer it makes current,
//! written in one transaction serialised per user; and the texts of every
//! purpose version.

use async_trait::async_trait;
use profile_domain::ports::ConsentStore;
use profile_domain::{
    ConsentAnswer, ConsentChannel, ConsentEvent, NoticeFor, PortError, ProviderEvent, PurposeCatalogue, PurposeId,
    TextChangedWithoutNewVersion, UserId,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    TransactionTrait,
};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, to_ms};
use crate::entities::{account, consent_answer, consent_event, consent_purpose_version};
use crate::shared::ledger_end;

fn purpose(text: &str) -> Result<PurposeId, PortError> {
    PurposeId::parse(text).map_err(|e| PortError::new("stored purpose id is invalid", e))
}

fn version(v: u32) -> Result<i32, PortError> {
    i32::try_from(v).map_err(|e| PortError::new("purpose version too large to store", e))
}

fn event_from_row(row: consent_event::Model) -> Result<ConsentEvent, PortError> {
    Ok(ConsentEvent {
        id: row.id,
        user_id: UserId::from_uuid(row.user_id),
        purpose_id: purpose(&row.purpose_id)?,
        version: count(row.version),
        text_hash: row.text_hash,
        granted: row.granted,
        at: from_ms(row.at_ms)?,
        channel: ConsentChannel::parse(&row.channel).ok_or(PortError::msg("stored consent channel is unknown"))?,
    })
}

/// Locks the account row until the transaction ends, so one user's consent
/// writes happen one after another (SQLite is serial already), and returns
/// the account's address.
async fn lock_user(txn: &DatabaseTransaction, user: UserId) -> Result<String, PortError> {
    let account = account::Entity::find_by_id(user.as_uuid())
        .lock_exclusive()
        .one(txn)
        .await
        .map_err(db("locking the account"))?
        .ok_or(PortError::msg("no account to record a consent for"))?;
    Ok(account.email)
}

/// Appends `event` with the user's next sequence number, makes it the
/// answer in force and queues the provider notices with the user's address
/// `email`; the caller holds the user's lock.
async fn append(
    txn: &DatabaseTransaction,
    event: &ConsentEvent,
    email: &str,
    notify: &[NoticeFor],
) -> Result<(), PortError> {
    let user = event.user_id.as_uuid();
    let last = ledger_end(txn, user).await?;
    consent_event::Entity::insert(consent_event::ActiveModel {
        id: Set(event.id),
        user_id: Set(user),
        purpose_id: Set(event.purpose_id.as_str().to_owned()),
        version: Set(version(event.version)?),
        text_hash: Set(event.text_hash.clone()),
        granted: Set(event.granted),
        at_ms: Set(to_ms(event.at)),
        channel: Set(event.channel.as_str().to_owned()),
        seq: Set(last.unwrap_or(0) + 1),
    })
    .exec_without_returning(txn)
    .await
    .map_err(db("appending to the consent ledger"))?;
    crate::shared::queue_notices(txn, event.user_id, email, &ProviderEvent::from(event), notify).await?;
    consent_answer::Entity::insert(consent_answer::ActiveModel {
        user_id: Set(user),
        purpose_id: Set(event.purpose_id.as_str().to_owned()),
        granted: Set(event.granted),
        version: Set(version(event.version)?),
        text_hash: Set(event.text_hash.clone()),
        answered_at_ms: Set(to_ms(event.at)),
    })
    .on_conflict(
        OnConflict::columns([consent_answer::Column::UserId, consent_answer::Column::PurposeId])
            .update_columns([
                consent_answer::Column::Granted,
                consent_answer::Column::Version,
                consent_answer::Column::TextHash,
                consent_answer::Column::AnsweredAtMs,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await
    .map_err(db("updating a consent answer"))?;
    Ok(())
}

#[async_trait]
impl ConsentStore for SeaOrmStore {
    async fn register(
        &self,
        catalogue: &PurposeCatalogue,
        now: OffsetDateTime,
    ) -> Result<Result<(), TextChangedWithoutNewVersion>, PortError> {
        for p in catalogue.purposes() {
            let key = (p.id.as_str().to_owned(), version(p.version)?);
            let stored = consent_purpose_version::Entity::find_by_id(key.clone())
                .one(&self.db)
                .await
                .map_err(db("reading purpose texts"))?;
            let text_hash = p.text_hash();
            let changed = || TextChangedWithoutNewVersion { purpose: p.id.as_str().to_owned(), version: p.version };
            match stored {
                Some(row) if row.text_hash != text_hash => return Ok(Err(changed())),
                Some(_) => {}
                None => {
                    let inserted = consent_purpose_version::Entity::insert(consent_purpose_version::ActiveModel {
                        purpose_id: Set(key.0),
                        version: Set(key.1),
                        kind: Set(p.kind.as_str().to_owned()),
                        title: Set(p.title.clone()),
                        description: Set(p.description.clone()),
                        text_hash: Set(text_hash),
                        first_seen_at_ms: Set(to_ms(now)),
                    })
                    .exec_without_returning(&self.db)
                    .await;
                    match inserted {
                        Ok(_) => {}
                        // Another instance stored it a moment ago: check theirs.
                        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                            return Box::pin(self.register(catalogue, now)).await;
                        }
                        Err(e) => return Err(db("storing purpose texts")(e)),
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    async fn answers(&self, user: UserId) -> Result<Vec<ConsentAnswer>, PortError> {
        let rows = consent_answer::Entity::find()
            .filter(consent_answer::Column::UserId.eq(user.as_uuid()))
            .all(&self.db)
            .await
            .map_err(db("reading consent answers"))?;
        rows.into_iter()
            .map(|row| {
                Ok(ConsentAnswer {
                    purpose_id: purpose(&row.purpose_id)?,
                    granted: row.granted,
                    version: count(row.version),
                    text_hash: row.text_hash,
                    answered_at: from_ms(row.answered_at_ms)?,
                })
            })
            .collect()
    }

    async fn record(&self, event: &ConsentEvent, notify: &[NoticeFor]) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let email = lock_user(&txn, event.user_id).await?;
        append(&txn, event, &email, notify).await?;
        txn.commit().await.map_err(db("committing a consent"))
    }

    async fn withdraw_if_granted(&self, event: &ConsentEvent, notify: &[NoticeFor]) -> Result<bool, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let email = lock_user(&txn, event.user_id).await?;
        let answer =
            consent_answer::Entity::find_by_id((event.user_id.as_uuid(), event.purpose_id.as_str().to_owned()))
                .one(&txn)
                .await
                .map_err(db("reading a consent answer"))?;
        if !answer.is_some_and(|a| a.granted) {
            return Ok(false);
        }
        append(&txn, event, &email, notify).await?;
        txn.commit().await.map_err(db("committing a withdrawal"))?;
        Ok(true)
    }

    async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, PortError> {
        let rows = consent_event::Entity::find()
            .filter(consent_event::Column::UserId.eq(user.as_uuid()))
            .order_by_asc(consent_event::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db("reading the consent ledger"))?;
        rows.into_iter().map(event_from_row).collect()
    }
}
