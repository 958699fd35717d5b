//! `SignInStore` on sea-orm: challenges, and the one transaction that
//! completes a sign-in.

use async_trait::async_trait;
use profile_domain::ports::{CompletedSignIn, SignInCompletion, SignInOutcome, SignInStore};
use profile_domain::{EmailAddress, OutgoingEmail, PortError, SecurityEventKind, SignInChallenge};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter,
    QuerySelect, SqlErr, TransactionTrait,
};

use crate::SeaOrmStore;
use crate::convert::{count, db, from_ms, hash, to_count, to_ms};
use crate::entities::{account, email_change_history, session, sign_in_challenge};
use crate::shared::rows::queued_row;
use crate::shared::rows::{account_from_row, account_to_row};

/// Whether an account moved off this address recently and its revert link
/// still works.
async fn awaiting_revert(txn: &DatabaseTransaction, completion: &SignInCompletion) -> Result<bool, PortError> {
    let now = to_ms(completion.session.created_at);
    let pending = email_change_history::Entity::find()
        .filter(email_change_history::Column::OldEmail.eq(completion.email.as_str()))
        .filter(email_change_history::Column::RevertedAtMs.is_null())
        .filter(email_change_history::Column::VoidedAtMs.is_null())
        .filter(email_change_history::Column::RevertExpiresAtMs.gt(now))
        .count(txn)
        .await
        .map_err(db("checking recent address changes"))?;
    Ok(pending > 0)
}

fn challenge_from_row(row: sign_in_challenge::Model) -> Result<SignInChallenge, PortError> {
    Ok(SignInChallenge {
        email: EmailAddress::parse(&row.email).map_err(|e| PortError::new("stored email is invalid", e))?,
        code_hash: hash(&row.code_hash)?,
        created_at: from_ms(row.created_at_ms)?,
        expires_at: from_ms(row.expires_at_ms)?,
        attempts: count(row.attempts),
    })
}

#[async_trait]
impl SignInStore for SeaOrmStore {
    async fn put_challenge(&self, challenge: &SignInChallenge, message: &OutgoingEmail) -> Result<(), PortError> {
        // One upsert rather than delete-then-insert: two starts at once for
        // one address would otherwise collide on the key (PostgreSQL) or
        // deadlock on gap locks (MariaDB).
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        sign_in_challenge::Entity::insert(sign_in_challenge::ActiveModel {
            email: Set(challenge.email.as_str().to_owned()),
            code_hash: Set(challenge.code_hash.to_hex()),
            created_at_ms: Set(to_ms(challenge.created_at)),
            expires_at_ms: Set(to_ms(challenge.expires_at)),
            attempts: Set(to_count(challenge.attempts)),
        })
        .on_conflict(
            OnConflict::column(sign_in_challenge::Column::Email)
                .update_columns([
                    sign_in_challenge::Column::CodeHash,
                    sign_in_challenge::Column::CreatedAtMs,
                    sign_in_challenge::Column::ExpiresAtMs,
                    sign_in_challenge::Column::Attempts,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db("storing a sign-in challenge"))?;
        crate::shared::rows::message_entity::insert(queued_row(message))
            .exec_without_returning(&txn)
            .await
            .map_err(db("queueing a message"))?;
        txn.commit().await.map_err(db("committing a sign-in challenge"))
    }

    async fn record_attempt(&self, email: &EmailAddress) -> Result<Option<SignInChallenge>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        sign_in_challenge::Entity::update_many()
            .col_expr(sign_in_challenge::Column::Attempts, Expr::col(sign_in_challenge::Column::Attempts).add(1))
            .filter(sign_in_challenge::Column::Email.eq(email.as_str()))
            .exec(&txn)
            .await
            .map_err(db("counting a sign-in attempt"))?;
        let row = sign_in_challenge::Entity::find_by_id(email.as_str())
            .one(&txn)
            .await
            .map_err(db("reading a sign-in challenge"))?;
        txn.commit().await.map_err(db("committing a sign-in attempt"))?;
        row.map(challenge_from_row).transpose()
    }

    async fn complete_sign_in(&self, completion: &SignInCompletion) -> Result<SignInOutcome, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let consumed = sign_in_challenge::Entity::delete_many()
            .filter(sign_in_challenge::Column::Email.eq(completion.email.as_str()))
            .filter(sign_in_challenge::Column::CodeHash.eq(completion.code_hash.to_hex()))
            .exec(&txn)
            .await
            .map_err(db("consuming a sign-in challenge"))?;
        if consumed.rows_affected == 0 {
            return Ok(SignInOutcome::ChallengeGone);
        }
        // Locked, so a deletion request cannot commit between this check
        // and the new session.
        let existing = account::Entity::find()
            .filter(account::Column::Email.eq(completion.email.as_str()))
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db("finding an account"))?;
        let (account, created) = match existing {
            Some(row) if crate::shared::erasure_started(&txn, row.id, completion.session.created_at).await? => {
                // The code is used up all the same.
                txn.commit().await.map_err(db("committing a used sign-in code"))?;
                return Ok(SignInOutcome::AccountBeingDeleted);
            }
            Some(row) => (account_from_row(row)?, false),
            None if awaiting_revert(&txn, completion).await? => return Ok(SignInOutcome::AddressAwaitingRevert),
            None => {
                let inserted =
                    account::Entity::insert(account_to_row(&completion.new_account)).exec_without_returning(&txn).await;
                match inserted {
                    Ok(_) => (completion.new_account.clone(), true),
                    // Only one challenge per address exists, so this needs an
                    // account created for the address by another path at the
                    // same moment; the sign-in is refused rather than merged.
                    Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                        return Ok(SignInOutcome::ChallengeGone);
                    }
                    Err(e) => return Err(db("creating an account")(e)),
                }
            }
        };
        let s = &completion.session;
        session::Entity::insert(session::ActiveModel {
            id: Set(s.id.0),
            user_id: Set(account.id.as_uuid()),
            token_hash: Set(s.token_hash.to_hex()),
            created_at_ms: Set(to_ms(s.created_at)),
            expires_at_ms: Set(to_ms(s.expires_at)),
            last_seen_at_ms: Set(to_ms(s.created_at)),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db("opening a session"))?;
        crate::shared::record_security_event(&txn, account.id, SecurityEventKind::SignedIn, s.created_at).await?;
        txn.commit().await.map_err(db("committing a sign-in"))?;
        Ok(SignInOutcome::Completed(CompletedSignIn { account, created }))
    }
}
