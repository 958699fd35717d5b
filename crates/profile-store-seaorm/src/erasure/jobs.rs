//! The erasure's jobs: the request that locks an account, leases for
//! competing workers, progress, renewal, cancellation and the receipts.

use profile_domain::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use profile_domain::ports::{CancelOutcome, ErasureRequested, ErasureStore};
use profile_domain::{EmailAddress, PortError, SecurityEventKind, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::receipts::{progress_json, receipt_from_row, receipt_row};
use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::{account, deletion_job as job, deletion_receipt as receipt, session};
use crate::shared::lease::LeaseColumns;

async fn job_of(store: &SeaOrmStore, row: job::Model) -> Result<ErasureJob, PortError> {
    let stored = receipt::Entity::find_by_id(row.receipt_id)
        .one(&store.db)
        .await
        .map_err(db("reading a deletion receipt"))?
        .ok_or(PortError::msg("a deletion job has no receipt"))?;
    Ok(ErasureJob {
        receipt: receipt_from_row(stored)?,
        user_id: UserId::from_uuid(row.user_id),
        email: EmailAddress::parse(&row.email).map_err(|e| PortError::new("stored address is invalid", e))?,
        next_attempt_at: from_ms(row.next_attempt_at_ms)?,
    })
}

const LEASE: LeaseColumns<job::Entity> =
    LeaseColumns { id: job::Column::ReceiptId, owner: job::Column::LeaseOwner, until_ms: job::Column::LeaseUntilMs };

/// Jobs due at `now` (their lease aside).
fn due(now: i64) -> Condition {
    Condition::all().add(job::Column::NextAttemptAtMs.lte(now))
}

pub(super) async fn request(store: &SeaOrmStore, erasure: &ErasureJob) -> Result<ErasureRequested, PortError> {
    let user = erasure.user_id.as_uuid();
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
    let locked =
        account::Entity::find_by_id(user).lock_exclusive().one(&txn).await.map_err(db("locking the account"))?;
    if locked.is_none() {
        return Ok(ErasureRequested::NoAccount);
    }
    let existing = job::Entity::find()
        .filter(job::Column::UserId.eq(user))
        .one(&txn)
        .await
        .map_err(db("reading a deletion job"))?;
    if let Some(existing) = existing {
        return Ok(ErasureRequested::AlreadyRequested(ReceiptId(existing.receipt_id)));
    }
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user))
        .exec(&txn)
        .await
        .map_err(db("ending the sessions"))?;
    if erasure.receipt.erase_after > erasure.receipt.requested_at {
        // Within the grace period the user may sign in again to cancel;
        // the record says so.
        crate::shared::record_security_event(
            &txn,
            erasure.user_id,
            SecurityEventKind::DeletionRequested,
            erasure.receipt.requested_at,
        )
        .await?;
    }
    receipt::Entity::insert(receipt_row(&erasure.receipt))
        .exec_without_returning(&txn)
        .await
        .map_err(db("storing a deletion receipt"))?;
    job::Entity::insert(job::ActiveModel {
        receipt_id: Set(erasure.receipt.id.0),
        user_id: Set(user),
        email: Set(erasure.email.as_str().to_owned()),
        cancellable_until_ms: Set(to_ms(erasure.receipt.erase_after)),
        next_attempt_at_ms: Set(to_ms(erasure.next_attempt_at)),
        lease_owner: Set(None),
        lease_until_ms: Set(None),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(db("storing a deletion job"))?;
    crate::cache::record(&txn, &store.caches, erasure.user_id).await?;
    txn.commit().await.map_err(db("committing a deletion request"))?;
    store.caches.changed(erasure.user_id);
    Ok(ErasureRequested::Started)
}

pub(super) async fn claim_due(
    store: &SeaOrmStore,
    now: OffsetDateTime,
    worker: &str,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Result<Vec<ErasureJob>, PortError> {
    let now = to_ms(now);
    let candidates: Vec<Uuid> = job::Entity::find()
        .select_only()
        .column(job::Column::ReceiptId)
        .filter(due(now))
        .filter(LEASE.free(now))
        .order_by_asc(job::Column::NextAttemptAtMs)
        .limit(u64::from(limit))
        .into_tuple()
        .all(&store.db)
        .await
        .map_err(db("finding due deletion jobs"))?;
    let taken = LEASE.claim(&store.db, candidates, &due(now), worker, now, to_ms(lease_until)).await?;
    let mut claimed = Vec::with_capacity(taken.len());
    for id in taken {
        if let Some(row) = job::Entity::find_by_id(id).one(&store.db).await.map_err(db("reading a deletion job"))? {
            claimed.push(job_of(store, row).await?);
        }
    }
    Ok(claimed)
}

pub(super) async fn save_progress(store: &SeaOrmStore, erasure: &ErasureJob, worker: &str) -> Result<(), PortError> {
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
    let released = job::Entity::update_many()
        .col_expr(job::Column::NextAttemptAtMs, Expr::value(to_ms(erasure.next_attempt_at)))
        .col_expr(job::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LeaseUntilMs, Expr::value(Option::<i64>::None))
        .filter(job::Column::ReceiptId.eq(erasure.receipt.id.0))
        .filter(job::Column::LeaseOwner.eq(worker))
        .exec(&txn)
        .await
        .map_err(db("saving a deletion job"))?;
    if released.rows_affected == 1 {
        receipt::Entity::update_many()
            .col_expr(receipt::Column::Progress, Expr::value(progress_json(&erasure.receipt)))
            .filter(receipt::Column::Id.eq(erasure.receipt.id.0))
            .exec(&txn)
            .await
            .map_err(db("saving a deletion receipt"))?;
    }
    txn.commit().await.map_err(db("committing a deletion job's progress"))
}

pub(super) async fn end_sessions(store: &SeaOrmStore, user: UserId) -> Result<(), PortError> {
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.as_uuid()))
        .exec(&txn)
        .await
        .map_err(db("ending the sessions"))?;
    crate::cache::record(&txn, &store.caches, user).await?;
    txn.commit().await.map_err(db("committing ended sessions"))?;
    store.caches.changed(user);
    Ok(())
}

pub(super) async fn cancel(store: &SeaOrmStore, user: UserId, now: OffsetDateTime) -> Result<CancelOutcome, PortError> {
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
    let Some(row) = job::Entity::find()
        .filter(job::Column::UserId.eq(user.as_uuid()))
        .one(&txn)
        .await
        .map_err(db("reading a deletion job"))?
    else {
        return Ok(CancelOutcome::NothingToCancel);
    };
    let deleted = job::Entity::delete_many()
        .filter(job::Column::ReceiptId.eq(row.receipt_id))
        .filter(job::Column::CancellableUntilMs.gt(to_ms(now)))
        .filter(job::Column::LeaseOwner.is_null())
        .exec(&txn)
        .await
        .map_err(db("cancelling a deletion job"))?;
    if deleted.rows_affected == 0 {
        return Ok(CancelOutcome::TooLate);
    }
    let stored = receipt::Entity::find_by_id(row.receipt_id)
        .one(&txn)
        .await
        .map_err(db("reading a deletion receipt"))?
        .ok_or(PortError::msg("a deletion job has no receipt"))?;
    let mut cancelled = receipt_from_row(stored)?;
    cancelled.cancelled_at = Some(now);
    receipt::Entity::update(receipt_row(&cancelled)).exec(&txn).await.map_err(db("cancelling a receipt"))?;
    crate::shared::record_security_event(&txn, user, SecurityEventKind::DeletionCancelled, now).await?;
    crate::cache::record(&txn, &store.caches, user).await?;
    txn.commit().await.map_err(db("committing a cancellation"))?;
    store.caches.changed(user);
    Ok(CancelOutcome::Cancelled(Box::new(cancelled)))
}

pub(super) async fn pending(store: &SeaOrmStore, user: UserId) -> Result<Option<DeletionReceipt>, PortError> {
    let Some(row) = job::Entity::find()
        .filter(job::Column::UserId.eq(user.as_uuid()))
        .one(&store.db)
        .await
        .map_err(db("reading a deletion job"))?
    else {
        return Ok(None);
    };
    store.receipt(ReceiptId(row.receipt_id)).await
}

pub(super) async fn renew_lease(
    store: &SeaOrmStore,
    receipt: ReceiptId,
    worker: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<bool, PortError> {
    let renewed = job::Entity::update_many()
        .col_expr(job::Column::LeaseUntilMs, Expr::value(to_ms(until)))
        .filter(job::Column::ReceiptId.eq(receipt.0))
        .filter(job::Column::LeaseOwner.eq(worker))
        .filter(job::Column::LeaseUntilMs.gt(to_ms(now)))
        .exec(&store.db)
        .await
        .map_err(db("renewing a deletion job's lease"))?;
    Ok(renewed.rows_affected == 1)
}

pub(super) async fn receipt(store: &SeaOrmStore, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError> {
    receipt::Entity::find_by_id(id.0)
        .one(&store.db)
        .await
        .map_err(db("reading a deletion receipt"))?
        .map(receipt_from_row)
        .transpose()
}

pub(super) async fn receipts(store: &SeaOrmStore, limit: u32) -> Result<Vec<DeletionReceipt>, PortError> {
    receipt::Entity::find()
        .order_by_desc(receipt::Column::RequestedAtMs)
        .limit(u64::from(limit))
        .all(&store.db)
        .await
        .map_err(db("listing deletion receipts"))?
        .into_iter()
        .map(receipt_from_row)
        .collect()
}
