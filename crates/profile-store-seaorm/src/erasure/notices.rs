//! The erasure's messages: the `account.erased` notices to providers and
//! services, and the confirmation email.

use profile_domain::ports::ConfirmationState;
use profile_domain::{NoticeFor, OutgoingEmail, PortError, ProviderEvent, ProviderId, UserId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::provider_notice as notice;

const PENDING: &str = "pending";

pub(super) async fn queue_erasure_notices(
    store: &SeaOrmStore,
    user: UserId,
    email: &str,
    notices: &[NoticeFor],
    at: OffsetDateTime,
) -> Result<(), PortError> {
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
    notice::Entity::delete_many()
        .filter(notice::Column::UserId.eq(user.as_uuid()))
        .filter(notice::Column::Status.eq(PENDING))
        .filter(notice::Column::Kind.ne(ProviderEvent::ACCOUNT_ERASED))
        // One being sent now stays, so the erasure queues behind it.
        .filter(crate::shared::NOTICE_LEASE.free(to_ms(at)))
        .exec(&txn)
        .await
        .map_err(db("dropping superseded provider notices"))?;
    let queued: Vec<Uuid> = notice::Entity::find()
        .select_only()
        .column(notice::Column::Id)
        .filter(notice::Column::Id.is_in(notices.iter().map(|n| n.id)))
        .into_tuple()
        .all(&txn)
        .await
        .map_err(db("reading queued erasure notices"))?;
    let missing: Vec<NoticeFor> = notices.iter().filter(|n| !queued.contains(&n.id)).cloned().collect();
    crate::shared::queue_notices(&txn, user, email, &ProviderEvent::AccountErased { at }, &missing).await?;
    txn.commit().await.map_err(db("committing erasure notices"))
}

pub(super) async fn erasure_notices(
    store: &SeaOrmStore,
    user: UserId,
) -> Result<Vec<(ProviderId, Option<OffsetDateTime>)>, PortError> {
    let rows: Vec<(String, Option<i64>)> = notice::Entity::find()
        .select_only()
        .column(notice::Column::Provider)
        .column(notice::Column::DeliveredAtMs)
        .filter(notice::Column::UserId.eq(user.as_uuid()))
        .filter(notice::Column::Kind.eq(ProviderEvent::ACCOUNT_ERASED))
        .into_tuple()
        .all(&store.db)
        .await
        .map_err(db("reading erasure notices"))?;
    rows.into_iter()
        .map(|(provider, delivered)| {
            let provider = ProviderId::parse(&provider).map_err(|e| PortError::new("stored provider is invalid", e))?;
            Ok((provider, delivered.map(from_ms).transpose()?))
        })
        .collect()
}

pub(super) async fn confirmation(store: &SeaOrmStore, message: &OutgoingEmail) -> Result<ConfirmationState, PortError> {
    use crate::shared::rows::{message, message_entity, queued_row};
    let status: Option<String> = message_entity::find_by_id(message.id.0)
        .select_only()
        .column(message::Column::Status)
        .into_tuple()
        .one(&store.db)
        .await
        .map_err(db("reading the confirmation email"))?;
    match status.as_deref() {
        None => {
            message_entity::insert(queued_row(message))
                .exec_without_returning(&store.db)
                .await
                .map_err(db("queueing the confirmation email"))?;
            Ok(ConfirmationState::Waiting)
        }
        Some(PENDING) => Ok(ConfirmationState::Waiting),
        Some(_) => Ok(ConfirmationState::Finished),
    }
}
