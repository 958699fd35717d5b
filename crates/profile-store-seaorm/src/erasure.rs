//! `ErasureStore` on sea-orm: the request that locks an account, leased
//! jobs, and each step's storage side; the last step erases every row about
//! the user through the personal-data registry.

use async_trait::async_trait;
use profile_domain::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use profile_domain::ports::{CancelOutcome, ConfirmationState, ErasureRequested, ErasureStore};
use profile_domain::{
    EmailAddress, NoticeFor, OutgoingEmail, PortError, ProviderEvent, ProviderId, SecretHash, SecurityEventKind, UserId,
};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::{
    account, deletion_job as job, deletion_receipt as receipt, provider_notice as notice, session,
    suppressed_address as suppressed,
};
use crate::erasure_receipts::{progress_json, receipt_from_row, receipt_row};
use crate::ownership::{Ownership, Reach};
use crate::registry::erasure_order;

const PENDING: &str = "pending";

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

/// Whether the user's erasure has started, or can no longer be cancelled,
/// at `at`: from then on sign-in is refused and no notice but the
/// erasure's is queued.
pub(crate) async fn erasure_started(
    conn: &impl ConnectionTrait,
    user: Uuid,
    at: OffsetDateTime,
) -> Result<bool, PortError> {
    let job = job::Entity::find()
        .filter(job::Column::UserId.eq(user))
        .one(conn)
        .await
        .map_err(db("reading a deletion job"))?;
    Ok(job.is_some_and(|j| j.cancellable_until_ms <= to_ms(at)))
}

/// `addresses` without those that are now another account's login (an old
/// address someone else signed up with): the suppression list must not
/// name a living account's address.
async fn own_addresses(
    conn: &impl ConnectionTrait,
    user: UserId,
    addresses: &[String],
) -> Result<Vec<String>, PortError> {
    let others: Vec<String> = account::Entity::find()
        .select_only()
        .column(account::Column::Email)
        .filter(account::Column::Email.is_in(addresses.iter().cloned()))
        .filter(account::Column::Id.ne(user.as_uuid()))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db("reading other accounts' addresses"))?;
    Ok(addresses.iter().filter(|a| !others.contains(a)).cloned().collect())
}

/// Jobs due at `now` whose lease is free.
fn due(now: i64) -> Condition {
    Condition::all()
        .add(job::Column::NextAttemptAtMs.lte(now))
        .add(Condition::any().add(job::Column::LeaseUntilMs.is_null()).add(job::Column::LeaseUntilMs.lt(now)))
}

#[async_trait]
impl ErasureStore for SeaOrmStore {
    async fn request(&self, erasure: &ErasureJob) -> Result<ErasureRequested, PortError> {
        let user = erasure.user_id.as_uuid();
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
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
            crate::security::record(
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
        crate::cache::record(&txn, &self.caches, erasure.user_id).await?;
        txn.commit().await.map_err(db("committing a deletion request"))?;
        self.caches.changed(erasure.user_id);
        Ok(ErasureRequested::Started)
    }

    async fn claim_due(
        &self,
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
            .order_by_asc(job::Column::NextAttemptAtMs)
            .limit(u64::from(limit))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("finding due deletion jobs"))?;
        let mut claimed = Vec::new();
        for id in candidates {
            let taken = job::Entity::update_many()
                .col_expr(job::Column::LeaseOwner, Expr::value(worker))
                .col_expr(job::Column::LeaseUntilMs, Expr::value(to_ms(lease_until)))
                .filter(job::Column::ReceiptId.eq(id))
                .filter(due(now))
                .exec(&self.db)
                .await
                .map_err(db("leasing a deletion job"))?;
            if taken.rows_affected == 1
                && let Some(row) =
                    job::Entity::find_by_id(id).one(&self.db).await.map_err(db("reading a deletion job"))?
            {
                claimed.push(job_of(self, row).await?);
            }
        }
        Ok(claimed)
    }

    async fn save_progress(&self, erasure: &ErasureJob, worker: &str) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
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

    async fn end_sessions(&self, user: UserId) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user.as_uuid()))
            .exec(&txn)
            .await
            .map_err(db("ending the sessions"))?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing ended sessions"))?;
        self.caches.changed(user);
        Ok(())
    }

    async fn queue_erasure_notices(
        &self,
        user: UserId,
        email: &str,
        notices: &[NoticeFor],
        at: OffsetDateTime,
    ) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        notice::Entity::delete_many()
            .filter(notice::Column::UserId.eq(user.as_uuid()))
            .filter(notice::Column::Status.eq(PENDING))
            .filter(notice::Column::Kind.ne(ProviderEvent::ACCOUNT_ERASED))
            // One being sent now stays, so the erasure queues behind it.
            .filter(
                Condition::any()
                    .add(notice::Column::LeaseUntilMs.is_null())
                    .add(notice::Column::LeaseUntilMs.lt(to_ms(at))),
            )
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
        crate::providers::queue_notices(&txn, user, email, &ProviderEvent::AccountErased { at }, &missing).await?;
        txn.commit().await.map_err(db("committing erasure notices"))
    }

    async fn erasure_notices(&self, user: UserId) -> Result<Vec<(ProviderId, Option<OffsetDateTime>)>, PortError> {
        let rows: Vec<(String, Option<i64>)> = notice::Entity::find()
            .select_only()
            .column(notice::Column::Provider)
            .column(notice::Column::DeliveredAtMs)
            .filter(notice::Column::UserId.eq(user.as_uuid()))
            .filter(notice::Column::Kind.eq(ProviderEvent::ACCOUNT_ERASED))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("reading erasure notices"))?;
        rows.into_iter()
            .map(|(provider, delivered)| {
                let provider =
                    ProviderId::parse(&provider).map_err(|e| PortError::new("stored provider is invalid", e))?;
                Ok((provider, delivered.map(from_ms).transpose()?))
            })
            .collect()
    }

    async fn confirmation(&self, message: &OutgoingEmail) -> Result<ConfirmationState, PortError> {
        use crate::outbox::{message, message_entity, queued_row};
        let status: Option<String> = message_entity::find_by_id(message.id.0)
            .select_only()
            .column(message::Column::Status)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(db("reading the confirmation email"))?;
        match status.as_deref() {
            None => {
                message_entity::insert(queued_row(message))
                    .exec_without_returning(&self.db)
                    .await
                    .map_err(db("queueing the confirmation email"))?;
                Ok(ConfirmationState::Waiting)
            }
            Some(PENDING) => Ok(ConfirmationState::Waiting),
            Some(_) => Ok(ConfirmationState::Finished),
        }
    }

    async fn erase(
        &self,
        user: UserId,
        suppress: &[SecretHash],
        done: &DeletionReceipt,
        worker: &str,
    ) -> Result<(), PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        // The job row goes first, and only while this worker holds it: a
        // worker whose lease ran out changes nothing.
        let held = job::Entity::delete_many()
            .filter(job::Column::ReceiptId.eq(done.id.0))
            .filter(job::Column::LeaseOwner.eq(worker))
            .exec(&txn)
            .await
            .map_err(db("ending a deletion job"))?;
        if held.rows_affected == 0 {
            return Err(PortError::msg("the deletion job's lease was lost"));
        }
        let ownership =
            Ownership::of(&txn, user.as_uuid()).await?.ok_or(PortError::msg("the account to erase vanished"))?;
        for table in erasure_order() {
            let Some(filter) = ownership.condition(table.owner, Reach::Erasure) else { continue };
            let statement = Query::delete().from_table(Alias::new(table.name)).cond_where(filter).to_owned();
            txn.execute(&statement).await.map_err(db("erasing a user's rows"))?;
        }
        let erased_at = done.completed_at.map_or(0, to_ms);
        for hash in suppress {
            suppressed::Entity::insert(suppressed::ActiveModel {
                hash: Set(hash.to_hex()),
                erased_at_ms: Set(erased_at),
            })
            .on_conflict_do_nothing_on([suppressed::Column::Hash])
            .exec(&txn)
            .await
            .map_err(db("keeping an erased address's hash"))?;
        }
        receipt::Entity::update(receipt_row(done)).exec(&txn).await.map_err(db("completing a deletion receipt"))?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing an erasure"))?;
        self.caches.changed(user);
        Ok(())
    }

    async fn cancel(&self, user: UserId, now: OffsetDateTime) -> Result<CancelOutcome, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
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
        crate::security::record(&txn, user, SecurityEventKind::DeletionCancelled, now).await?;
        crate::cache::record(&txn, &self.caches, user).await?;
        txn.commit().await.map_err(db("committing a cancellation"))?;
        self.caches.changed(user);
        Ok(CancelOutcome::Cancelled(Box::new(cancelled)))
    }

    async fn pending(&self, user: UserId) -> Result<Option<DeletionReceipt>, PortError> {
        let Some(row) = job::Entity::find()
            .filter(job::Column::UserId.eq(user.as_uuid()))
            .one(&self.db)
            .await
            .map_err(db("reading a deletion job"))?
        else {
            return Ok(None);
        };
        self.receipt(ReceiptId(row.receipt_id)).await
    }

    async fn is_suppressed(&self, hash: &SecretHash) -> Result<bool, PortError> {
        let found = suppressed::Entity::find_by_id(hash.to_hex())
            .one(&self.db)
            .await
            .map_err(db("reading the suppression list"))?;
        Ok(found.is_some())
    }

    async fn addresses(&self, user: UserId) -> Result<Vec<String>, PortError> {
        let Some(ownership) = Ownership::of(&self.db, user.as_uuid()).await? else { return Ok(Vec::new()) };
        own_addresses(&self.db, user, &ownership.addresses()).await
    }

    async fn renew_lease(
        &self,
        receipt: ReceiptId,
        worker: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, PortError> {
        let renewed = job::Entity::update_many()
            .col_expr(job::Column::LeaseUntilMs, Expr::value(to_ms(until)))
            .filter(job::Column::ReceiptId.eq(receipt.0))
            .filter(job::Column::LeaseOwner.eq(worker))
            .filter(job::Column::LeaseUntilMs.gte(to_ms(now)))
            .exec(&self.db)
            .await
            .map_err(db("renewing a deletion job's lease"))?;
        Ok(renewed.rows_affected == 1)
    }

    async fn receipt(&self, id: ReceiptId) -> Result<Option<DeletionReceipt>, PortError> {
        receipt::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(db("reading a deletion receipt"))?
            .map(receipt_from_row)
            .transpose()
    }

    async fn receipts(&self, limit: u32) -> Result<Vec<DeletionReceipt>, PortError> {
        receipt::Entity::find()
            .order_by_desc(receipt::Column::RequestedAtMs)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db("listing deletion receipts"))?
            .into_iter()
            .map(receipt_from_row)
            .collect()
    }
}
