//! `EmailChangeStore` on sea-orm: requests, the code log, and the two
//! transactions that apply and revert a change.

use async_trait::async_trait;
use profile_domain::ports::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, PutOutcome, RevertOutcome,
};
use profile_domain::{
    CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, OutgoingEmail, PortError,
    ProviderEvent, RecentCodes, SecretHash, SecurityEventKind, UserId,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, hash, to_count, to_ms};
use crate::entities::{account, email_change_code, email_change_history, email_change_request, session};
use crate::shared::queue_notices;
use crate::shared::rows::account_from_row;
use crate::shared::rows::{message_entity, queued_row};

fn parse_email(text: &str) -> Result<EmailAddress, PortError> {
    EmailAddress::parse(text).map_err(|e| PortError::new("stored email is invalid", e))
}

fn request_from_row(row: email_change_request::Model) -> Result<EmailChangeRequest, PortError> {
    Ok(EmailChangeRequest {
        user_id: UserId::from_uuid(row.user_id),
        new_email: parse_email(&row.new_email)?,
        code_hash: hash(&row.code_hash)?,
        created_at: from_ms(row.created_at_ms)?,
        expires_at: from_ms(row.expires_at_ms)?,
        attempts: count(row.attempts),
    })
}

fn record_from_row(row: email_change_history::Model) -> Result<EmailChangeRecord, PortError> {
    Ok(EmailChangeRecord {
        id: row.id,
        user_id: UserId::from_uuid(row.user_id),
        old_email: parse_email(&row.old_email)?,
        new_email: parse_email(&row.new_email)?,
        changed_at: from_ms(row.changed_at_ms)?,
        revert_hash: hash(&row.revert_hash)?,
        revert_expires_at: from_ms(row.revert_expires_at_ms)?,
        reverted_at: row.reverted_at_ms.map(from_ms).transpose()?,
        voided_at: row.voided_at_ms.map(from_ms).transpose()?,
    })
}

/// The codes sent since `since` by the user and to the destination of `sent`.
async fn recent_codes(
    txn: &DatabaseTransaction,
    sent: &EmailChangeCodeSent,
    since: OffsetDateTime,
) -> Result<RecentCodes, PortError> {
    let times = |filter: sea_orm::Condition| {
        email_change_code::Entity::find()
            .select_only()
            .column(email_change_code::Column::SentAtMs)
            .filter(filter)
            .filter(email_change_code::Column::SentAtMs.gte(to_ms(since)))
            .order_by_asc(email_change_code::Column::SentAtMs)
            .into_tuple::<i64>()
            .all(txn)
    };
    let user = sea_orm::Condition::all().add(email_change_code::Column::UserId.eq(sent.user_id.as_uuid()));
    let destination =
        sea_orm::Condition::all().add(email_change_code::Column::DestinationHash.eq(sent.destination.to_hex()));
    let for_user = times(user).await.map_err(db("reading the code log"))?;
    let for_destination = times(destination).await.map_err(db("reading the code log"))?;
    Ok(RecentCodes {
        for_user: for_user.into_iter().map(from_ms).collect::<Result<_, _>>()?,
        for_destination: for_destination.into_iter().map(from_ms).collect::<Result<_, _>>()?,
    })
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Sets the account's address; `Ok(false)` when another account holds it.
async fn set_email(
    txn: &DatabaseTransaction,
    user: UserId,
    email: &EmailAddress,
    now: OffsetDateTime,
) -> Result<bool, PortError> {
    let updated = account::Entity::update_many()
        .set(account::ActiveModel {
            email: Set(email.as_str().to_owned()),
            updated_at_ms: Set(to_ms(now)),
            ..Default::default()
        })
        .filter(account::Column::Id.eq(user.as_uuid()))
        .exec(txn)
        .await;
    match updated {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(db("changing an address")(e)),
    }
}

/// Locks the account row until the commit, so changes and reverts of one
/// account run one after the other (SQLite has one connection: serial
/// already); returns it, `None` when there is no such account.
async fn lock_account(txn: &DatabaseTransaction, user: UserId) -> Result<Option<account::Model>, PortError> {
    account::Entity::find_by_id(user.as_uuid()).lock_exclusive().one(txn).await.map_err(db("locking the account"))
}

/// `at`, or just after the account's latest change when that is not
/// earlier: a change is always later than the ones before it, whatever the
/// clocks of the instances that applied them, so a revert's "later
/// changes" are the ones committed later.
async fn after_the_last_change(txn: &DatabaseTransaction, user: UserId, at: i64) -> Result<i64, PortError> {
    let last: Option<i64> = email_change_history::Entity::find()
        .select_only()
        .column(email_change_history::Column::ChangedAtMs)
        .filter(email_change_history::Column::UserId.eq(user.as_uuid()))
        .order_by_desc(email_change_history::Column::ChangedAtMs)
        .limit(1)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db("reading the latest change"))?;
    Ok(last.map_or(at, |last| Ord::max(at, last.saturating_add(1))))
}

async fn queue(txn: &DatabaseTransaction, message: &OutgoingEmail) -> Result<(), PortError> {
    message_entity::insert(queued_row(message)).exec_without_returning(txn).await.map_err(db("queueing a message"))?;
    Ok(())
}

#[async_trait]
impl EmailChangeStore for SeaOrmStore {
    async fn owner_of(&self, email: &EmailAddress) -> Result<Option<UserId>, PortError> {
        let id: Option<Uuid> = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::Email.eq(email.as_str()))
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(db("finding an address's account"))?;
        Ok(id.map(UserId::from_uuid))
    }

    async fn put_request(
        &self,
        request: &EmailChangeRequest,
        sent: &EmailChangeCodeSent,
        message: &OutgoingEmail,
        limits: &CodeLimits,
    ) -> Result<PutOutcome, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        lock_account(&txn, request.user_id).await?;
        let recent = recent_codes(&txn, sent, sent.sent_at - limits.window).await?;
        if let Some(wait) = limits.wait(&recent, sent.sent_at) {
            return Ok(PutOutcome::Limited(wait));
        }
        email_change_request::Entity::insert(email_change_request::ActiveModel {
            user_id: Set(request.user_id.as_uuid()),
            new_email: Set(request.new_email.as_str().to_owned()),
            code_hash: Set(request.code_hash.to_hex()),
            created_at_ms: Set(to_ms(request.created_at)),
            expires_at_ms: Set(to_ms(request.expires_at)),
            attempts: Set(to_count(request.attempts)),
        })
        .on_conflict(
            OnConflict::column(email_change_request::Column::UserId)
                .update_columns([
                    email_change_request::Column::NewEmail,
                    email_change_request::Column::CodeHash,
                    email_change_request::Column::CreatedAtMs,
                    email_change_request::Column::ExpiresAtMs,
                    email_change_request::Column::Attempts,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db("storing a change request"))?;
        email_change_code::Entity::insert(email_change_code::ActiveModel {
            id: Set(sent.id),
            user_id: Set(sent.user_id.as_uuid()),
            destination_hash: Set(sent.destination.to_hex()),
            sent_at_ms: Set(to_ms(sent.sent_at)),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db("logging a code"))?;
        queue(&txn, message).await?;
        txn.commit().await.map_err(db("committing a change request"))?;
        Ok(PutOutcome::Stored)
    }

    async fn record_change_attempt(&self, user: UserId) -> Result<Option<EmailChangeRequest>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        email_change_request::Entity::update_many()
            .col_expr(email_change_request::Column::Attempts, Expr::col(email_change_request::Column::Attempts).add(1))
            .filter(email_change_request::Column::UserId.eq(user.as_uuid()))
            .exec(&txn)
            .await
            .map_err(db("counting a change attempt"))?;
        let row = email_change_request::Entity::find_by_id(user.as_uuid())
            .one(&txn)
            .await
            .map_err(db("reading a change request"))?;
        txn.commit().await.map_err(db("committing a change attempt"))?;
        row.map(request_from_row).transpose()
    }

    async fn apply(&self, application: &EmailChangeApplication) -> Result<ApplyOutcome, PortError> {
        let record = &application.record;
        let user = record.user_id.as_uuid();
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        if lock_account(&txn, record.user_id).await?.is_none() {
            return Ok(ApplyOutcome::RequestGone);
        }
        let consumed = email_change_request::Entity::delete_many()
            .filter(email_change_request::Column::UserId.eq(user))
            .filter(email_change_request::Column::CodeHash.eq(application.code_hash.to_hex()))
            .exec(&txn)
            .await
            .map_err(db("consuming a change request"))?;
        if consumed.rows_affected == 0 {
            return Ok(ApplyOutcome::RequestGone);
        }
        // One time for the change everywhere it is written: the history's,
        // moved past the latest change when this instance's clock is behind.
        let changed_at_ms = after_the_last_change(&txn, record.user_id, to_ms(record.changed_at)).await?;
        let changed_at = from_ms(changed_at_ms)?;
        if !set_email(&txn, record.user_id, &record.new_email, changed_at).await? {
            return Ok(ApplyOutcome::AddressTaken);
        }
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user))
            .filter(session::Column::Id.ne(application.keep_session.0))
            .exec(&txn)
            .await
            .map_err(db("ending other sessions"))?;
        email_change_history::Entity::insert(email_change_history::ActiveModel {
            id: Set(record.id),
            user_id: Set(user),
            old_email: Set(record.old_email.as_str().to_owned()),
            new_email: Set(record.new_email.as_str().to_owned()),
            changed_at_ms: Set(changed_at_ms),
            revert_hash: Set(record.revert_hash.to_hex()),
            revert_expires_at_ms: Set(to_ms(record.revert_expires_at)),
            reverted_at_ms: Set(None),
            voided_at_ms: Set(None),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db("recording a change"))?;
        queue(&txn, &application.notice).await?;
        let changed = ProviderEvent::EmailChanged { previous_email: record.old_email.clone(), at: changed_at };
        queue_notices(&txn, record.user_id, record.new_email.as_str(), &changed, &application.providers).await?;
        crate::shared::record_security_event(&txn, record.user_id, SecurityEventKind::EmailChanged, changed_at).await?;
        crate::cache::record(&txn, &self.caches, record.user_id).await?;
        let row = account::Entity::find_by_id(user).one(&txn).await.map_err(db("reading an account"))?;
        txn.commit().await.map_err(db("committing a change"))?;
        self.caches.changed(record.user_id);
        let account = row.ok_or(PortError::msg("the changed account vanished"))?;
        Ok(ApplyOutcome::Applied(account_from_row(account)?))
    }

    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError> {
        let row = email_change_history::Entity::find()
            .filter(email_change_history::Column::RevertHash.eq(revert_hash.to_hex()))
            .one(&self.db)
            .await
            .map_err(db("reading a change record"))?;
        row.map(record_from_row).transpose()
    }

    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError> {
        let user = reversal.user_id.as_uuid();
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let Some(current) = lock_account(&txn, reversal.user_id).await? else {
            return Ok(RevertOutcome::AlreadyReverted);
        };
        if current.email != reversal.replacing.as_str() {
            let current =
                EmailAddress::parse(&current.email).map_err(|e| PortError::new("stored email is invalid", e))?;
            return Ok(RevertOutcome::AddressMoved { current });
        }
        let reverted = email_change_history::Entity::find_by_id(reversal.record_id)
            .filter(email_change_history::Column::UserId.eq(user))
            .filter(email_change_history::Column::RevertedAtMs.is_null())
            .filter(email_change_history::Column::VoidedAtMs.is_null())
            .one(&txn)
            .await
            .map_err(db("reading a change record"))?;
        let Some(reverted) = reverted else { return Ok(RevertOutcome::AlreadyReverted) };
        email_change_history::Entity::update_many()
            .set(email_change_history::ActiveModel {
                reverted_at_ms: Set(Some(to_ms(reversal.now))),
                ..Default::default()
            })
            .filter(email_change_history::Column::Id.eq(reversal.record_id))
            .exec(&txn)
            .await
            .map_err(db("marking a change reverted"))?;
        // Only the links of later changes: an earlier link stays the way
        // back for whoever had the address before.
        email_change_history::Entity::update_many()
            .set(email_change_history::ActiveModel {
                voided_at_ms: Set(Some(to_ms(reversal.now))),
                ..Default::default()
            })
            .filter(email_change_history::Column::UserId.eq(user))
            .filter(email_change_history::Column::ChangedAtMs.gt(reverted.changed_at_ms))
            .filter(email_change_history::Column::RevertedAtMs.is_null())
            .filter(email_change_history::Column::VoidedAtMs.is_null())
            .exec(&txn)
            .await
            .map_err(db("voiding the later revert links"))?;
        if !set_email(&txn, reversal.user_id, &reversal.restore, reversal.now).await? {
            return Ok(RevertOutcome::AddressTaken);
        }
        let changed = ProviderEvent::EmailChanged { previous_email: reversal.replacing.clone(), at: reversal.now };
        queue_notices(&txn, reversal.user_id, reversal.restore.as_str(), &changed, &reversal.providers).await?;
        crate::shared::record_security_event(
            &txn,
            reversal.user_id,
            SecurityEventKind::EmailChangeReverted,
            reversal.now,
        )
        .await?;
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user))
            .exec(&txn)
            .await
            .map_err(db("ending every session"))?;
        email_change_request::Entity::delete_many()
            .filter(email_change_request::Column::UserId.eq(user))
            .exec(&txn)
            .await
            .map_err(db("dropping a pending change"))?;
        for notice in &reversal.notices {
            queue(&txn, notice).await?;
        }
        crate::cache::record(&txn, &self.caches, reversal.user_id).await?;
        txn.commit().await.map_err(db("committing a revert"))?;
        self.caches.changed(reversal.user_id);
        Ok(RevertOutcome::Reverted)
    }
}
