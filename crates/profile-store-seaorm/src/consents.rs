//! `ConsentStore` on sea-orm: the ledger row and the answer it makes current,
//! written in one transaction.

use async_trait::async_trait;
use profile_domain::ports::ConsentStore;
use profile_domain::{ConsentAnswer, ConsentChannel, ConsentEvent, PortError, PurposeId, UserId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, to_count, to_ms};
use crate::entities::{consent_answer, consent_event};

fn purpose(text: &str) -> Result<PurposeId, PortError> {
    PurposeId::parse(text).map_err(|e| PortError::new("stored purpose id is invalid", e))
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

#[async_trait]
impl ConsentStore for SeaOrmStore {
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
                    answered_at: from_ms(row.answered_at_ms)?,
                })
            })
            .collect()
    }

    async fn record(&self, event: &ConsentEvent) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        consent_event::Entity::insert(consent_event::ActiveModel {
            id: Set(event.id),
            user_id: Set(event.user_id.as_uuid()),
            purpose_id: Set(event.purpose_id.as_str().to_owned()),
            version: Set(to_count(event.version)),
            text_hash: Set(event.text_hash.clone()),
            granted: Set(event.granted),
            at_ms: Set(to_ms(event.at)),
            channel: Set(event.channel.as_str().to_owned()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db("appending to the consent ledger"))?;
        consent_answer::Entity::insert(consent_answer::ActiveModel {
            user_id: Set(event.user_id.as_uuid()),
            purpose_id: Set(event.purpose_id.as_str().to_owned()),
            granted: Set(event.granted),
            version: Set(to_count(event.version)),
            answered_at_ms: Set(to_ms(event.at)),
        })
        .on_conflict(
            OnConflict::columns([consent_answer::Column::UserId, consent_answer::Column::PurposeId])
                .update_columns([
                    consent_answer::Column::Granted,
                    consent_answer::Column::Version,
                    consent_answer::Column::AnsweredAtMs,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db("updating a consent answer"))?;
        txn.commit().await.map_err(db("committing a consent"))
    }

    async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, PortError> {
        let rows = consent_event::Entity::find()
            .filter(consent_event::Column::UserId.eq(user.as_uuid()))
            .order_by_asc(consent_event::Column::AtMs)
            .order_by_asc(consent_event::Column::Id)
            .all(&self.db)
            .await
            .map_err(db("reading the consent ledger"))?;
        rows.into_iter().map(event_from_row).collect()
    }
}
