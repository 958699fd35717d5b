//! `ExportSource` on sea-orm: the snapshot in one read transaction
//! (repeatable read on PostgreSQL and MariaDB; SQLite's transactions are
//! snapshots already), and the two histories by keyset pages.

use async_trait::async_trait;
use profile_domain::export::{
    AccountRecord, AddressChangeRecord, ChangeCodeSentRecord, ConsentAnswerRecord, EmailRecord, ExportSnapshot,
    LedgerEntryRecord, PendingEmailChangeRecord, ProviderNoticeRecord, PurposeTextRecord, SecurityEventRecord,
    SessionRecord, SignInCodeRecord, UnsubscribeLinkRecord,
};
use profile_domain::ports::ExportSource;
use profile_domain::{PortError, UserId};
use sea_orm::{
    AccessMode, ColumnTrait, Condition, DatabaseTransaction, DbBackend, EntityTrait, IsolationLevel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::convert::{count, db, from_ms};
use crate::entities::{
    account, consent_answer, consent_event, consent_purpose_version, email_change_code, email_change_history,
    email_change_request, outbox_message, picture, provider_notice, security_event, session, sign_in_challenge,
    unsubscribe_key,
};
use crate::ownership::{Ownership, Reach};
use crate::shared::ledger_end;
use crate::shared::rows::picture_from_row;
use crate::{SeaOrmStore, registry};

fn optional_time(ms: Option<i64>) -> Result<Option<time::OffsetDateTime>, PortError> {
    ms.map(from_ms).transpose()
}

impl SeaOrmStore {
    async fn begin_snapshot(&self) -> Result<DatabaseTransaction, PortError> {
        let begun = if self.db.get_database_backend() == DbBackend::Sqlite {
            self.db.begin().await
        } else {
            self.db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await
        };
        begun.map_err(db("starting the export's transaction"))
    }
}

async fn address_changes(
    txn: &impl sea_orm::ConnectionTrait,
    user: Uuid,
) -> Result<Vec<email_change_history::Model>, PortError> {
    email_change_history::Entity::find()
        .filter(email_change_history::Column::UserId.eq(user))
        .order_by_asc(email_change_history::Column::ChangedAtMs)
        .all(txn)
        .await
        .map_err(db("reading the address changes"))
}

fn address_change(row: email_change_history::Model) -> Result<AddressChangeRecord, PortError> {
    Ok(AddressChangeRecord {
        id: row.id,
        old_email: row.old_email,
        new_email: row.new_email,
        changed_at: from_ms(row.changed_at_ms)?,
        undo_possible_until: from_ms(row.revert_expires_at_ms)?,
        undone_at: optional_time(row.reverted_at_ms)?,
        undo_link_cancelled_at: optional_time(row.voided_at_ms)?,
    })
}

async fn login_email_sections(
    txn: &DatabaseTransaction,
    user: Uuid,
) -> Result<(Option<PendingEmailChangeRecord>, Vec<ChangeCodeSentRecord>), PortError> {
    let pending = email_change_request::Entity::find_by_id(user)
        .one(txn)
        .await
        .map_err(db("reading the pending address change"))?
        .map(|row| {
            Ok::<_, PortError>(PendingEmailChangeRecord {
                new_email: row.new_email,
                requested_at: from_ms(row.created_at_ms)?,
                expires_at: from_ms(row.expires_at_ms)?,
                attempts: count(row.attempts),
            })
        })
        .transpose()?;
    let codes = email_change_code::Entity::find()
        .filter(email_change_code::Column::UserId.eq(user))
        .order_by_asc(email_change_code::Column::SentAtMs)
        .all(txn)
        .await
        .map_err(db("reading the address-change codes sent"))?
        .into_iter()
        .map(|row| Ok(ChangeCodeSentRecord { sent_at: from_ms(row.sent_at_ms)? }))
        .collect::<Result<_, PortError>>()?;
    Ok((pending, codes))
}

/// The rows of `table` that the export shows as the user's.
fn owned(ownership: &Ownership, table: &str) -> Result<Condition, PortError> {
    registry::owner_of(table)
        .and_then(|owner| ownership.condition(owner, Reach::Export))
        .ok_or(PortError::msg("the registry does not tie this table to users"))
}

async fn sign_in_sections(
    txn: &DatabaseTransaction,
    user: Uuid,
    ownership: &Ownership,
) -> Result<(Vec<SignInCodeRecord>, Vec<SessionRecord>), PortError> {
    let codes = sign_in_challenge::Entity::find()
        .filter(owned(ownership, "sign_in_challenges")?)
        .order_by_asc(sign_in_challenge::Column::CreatedAtMs)
        .all(txn)
        .await
        .map_err(db("reading the pending sign-in codes"))?
        .into_iter()
        .map(|row| {
            Ok(SignInCodeRecord {
                email: row.email,
                sent_at: from_ms(row.created_at_ms)?,
                expires_at: from_ms(row.expires_at_ms)?,
                attempts: count(row.attempts),
            })
        })
        .collect::<Result<_, PortError>>()?;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(user))
        .order_by_asc(session::Column::CreatedAtMs)
        .all(txn)
        .await
        .map_err(db("reading the sessions"))?
        .into_iter()
        .map(|row| {
            Ok(SessionRecord {
                id: row.id,
                signed_in_at: from_ms(row.created_at_ms)?,
                last_seen_at: from_ms(row.last_seen_at_ms)?,
                expires_at: from_ms(row.expires_at_ms)?,
                current: false,
            })
        })
        .collect::<Result<_, PortError>>()?;
    Ok((codes, sessions))
}

type ConsentSections = (Vec<PurposeTextRecord>, Vec<ConsentAnswerRecord>, Vec<UnsubscribeLinkRecord>);

async fn consent_sections(txn: &DatabaseTransaction, user: Uuid) -> Result<ConsentSections, PortError> {
    let answers = consent_answer::Entity::find()
        .filter(consent_answer::Column::UserId.eq(user))
        .order_by_asc(consent_answer::Column::PurposeId)
        .all(txn)
        .await
        .map_err(db("reading the consent answers"))?;
    let mut answered: Vec<(String, i32)> = consent_event::Entity::find()
        .select_only()
        .column(consent_event::Column::PurposeId)
        .column(consent_event::Column::Version)
        .distinct()
        .filter(consent_event::Column::UserId.eq(user))
        .into_tuple()
        .all(txn)
        .await
        .map_err(db("reading the purpose versions answered"))?;
    answered.extend(answers.iter().map(|a| (a.purpose_id.clone(), a.version)));
    answered.sort();
    answered.dedup();
    let mut purposes = Vec::with_capacity(answered.len());
    for (purpose, version) in answered {
        let text = consent_purpose_version::Entity::find_by_id((purpose, version))
            .one(txn)
            .await
            .map_err(db("reading a purpose's wording"))?;
        if let Some(text) = text {
            purposes.push(PurposeTextRecord {
                purpose: text.purpose_id,
                version: count(text.version),
                kind: text.kind,
                title: text.title,
                description: text.description,
            });
        }
    }
    let answers = answers
        .into_iter()
        .map(|row| {
            Ok(ConsentAnswerRecord {
                purpose: row.purpose_id,
                granted: row.granted,
                version: count(row.version),
                answered_at: from_ms(row.answered_at_ms)?,
            })
        })
        .collect::<Result<_, PortError>>()?;
    let links = unsubscribe_key::Entity::find()
        .filter(unsubscribe_key::Column::UserId.eq(user))
        .order_by_asc(unsubscribe_key::Column::PurposeId)
        .all(txn)
        .await
        .map_err(db("reading the unsubscribe links"))?
        .into_iter()
        .map(|row| Ok(UnsubscribeLinkRecord { purpose: row.purpose_id, created_at: from_ms(row.created_at_ms)? }))
        .collect::<Result<_, PortError>>()?;
    Ok((purposes, answers, links))
}

async fn message_sections(
    txn: &DatabaseTransaction,
    user: Uuid,
    ownership: &Ownership,
) -> Result<(Vec<EmailRecord>, Vec<ProviderNoticeRecord>), PortError> {
    let emails = outbox_message::Entity::find()
        .filter(owned(ownership, "outbox_messages")?)
        .order_by_asc(outbox_message::Column::CreatedAtMs)
        .all(txn)
        .await
        .map_err(db("reading the emails"))?
        .into_iter()
        .map(|row| {
            Ok(EmailRecord {
                id: row.id,
                to: row.recipient,
                kind: row.kind,
                status: row.status,
                queued_at: from_ms(row.created_at_ms)?,
                finished_at: optional_time(row.finished_at_ms)?,
            })
        })
        .collect::<Result<_, PortError>>()?;
    let notices = provider_notice::Entity::find()
        .filter(provider_notice::Column::UserId.eq(user))
        .order_by_asc(provider_notice::Column::Provider)
        .order_by_asc(provider_notice::Column::Sequence)
        .all(txn)
        .await
        .map_err(db("reading the provider notices"))?
        .into_iter()
        .map(|row| {
            let content =
                row.payload.map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)));
            Ok(ProviderNoticeRecord {
                id: row.id,
                provider: row.provider,
                sequence: row.sequence,
                kind: row.kind,
                content,
                status: row.status,
                queued_at: from_ms(row.queued_at_ms)?,
                delivered_at: optional_time(row.delivered_at_ms)?,
            })
        })
        .collect::<Result<_, PortError>>()?;
    Ok((emails, notices))
}

/// How far the two histories reach.
async fn history_marks(txn: &DatabaseTransaction, user: Uuid) -> Result<(i64, i64), PortError> {
    let ledger = ledger_end(txn, user).await?;
    let security: Option<i64> = security_event::Entity::find()
        .select_only()
        .column(security_event::Column::Seq)
        .filter(security_event::Column::UserId.eq(user))
        .order_by_desc(security_event::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db("reading the security history's end"))?;
    Ok((ledger.unwrap_or(0), security.unwrap_or(0)))
}

#[async_trait]
impl ExportSource for SeaOrmStore {
    async fn snapshot(&self, user: UserId) -> Result<Option<ExportSnapshot>, PortError> {
        let id = user.as_uuid();
        let txn = self.begin_snapshot().await?;
        let Some(account) = account::Entity::find_by_id(id).one(&txn).await.map_err(db("reading the account"))? else {
            return Ok(None);
        };
        let changes = address_changes(&txn, id).await?;
        let ownership = Ownership::of_account(&txn, &account, &changes).await?;
        let pictures = picture::Entity::find()
            .filter(picture::Column::UserId.eq(id))
            .all(&txn)
            .await
            .map_err(db("reading the pictures"))?
            .into_iter()
            .map(picture_from_row)
            .collect::<Result<_, _>>()?;
        let (pending_email_change, change_codes_sent) = login_email_sections(&txn, id).await?;
        let (sign_in_codes, sessions) = sign_in_sections(&txn, id, &ownership).await?;
        let (purposes, consent_answers, unsubscribe_links) = consent_sections(&txn, id).await?;
        let (emails, provider_notices) = message_sections(&txn, id, &ownership).await?;
        let (ledger_through, security_through) = history_marks(&txn, id).await?;
        txn.commit().await.map_err(db("ending the export's transaction"))?;
        Ok(Some(ExportSnapshot {
            account: AccountRecord {
                id,
                login_email: account.email,
                created_at: from_ms(account.created_at_ms)?,
                updated_at: from_ms(account.updated_at_ms)?,
            },
            display_name: account.display_name,
            pictures,
            pending_email_change,
            change_codes_sent,
            address_changes: changes.into_iter().map(address_change).collect::<Result<_, _>>()?,
            sign_in_codes,
            sessions,
            purposes,
            consent_answers,
            unsubscribe_links,
            emails,
            provider_notices,
            ledger_through,
            security_through,
        }))
    }

    async fn ledger_page(
        &self,
        user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<LedgerEntryRecord>, PortError> {
        if let Some(histories) = &self.histories {
            return histories.ledger_page(user.as_uuid(), after, through, limit).await;
        }
        // Only the columns the export shows (not the wording's hash), as
        // plain tuples: the ledger is the export's long part.
        type Row = (Uuid, i64, String, i32, bool, i64, String);
        let rows: Vec<Row> = consent_event::Entity::find()
            .select_only()
            .columns([
                consent_event::Column::Id,
                consent_event::Column::Seq,
                consent_event::Column::PurposeId,
                consent_event::Column::Version,
                consent_event::Column::Granted,
                consent_event::Column::AtMs,
                consent_event::Column::Channel,
            ])
            .filter(consent_event::Column::UserId.eq(user.as_uuid()))
            .filter(consent_event::Column::Seq.gt(after))
            .filter(consent_event::Column::Seq.lte(through))
            .order_by_asc(consent_event::Column::Seq)
            .limit(u64::from(limit))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db("reading a page of the ledger"))?;
        rows.into_iter()
            .map(|(id, sequence, purpose, version, granted, at_ms, channel)| {
                Ok(LedgerEntryRecord {
                    id,
                    sequence,
                    purpose,
                    version: count(version),
                    granted,
                    at: from_ms(at_ms)?,
                    channel,
                })
            })
            .collect()
    }

    async fn security_page(
        &self,
        user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<SecurityEventRecord>, PortError> {
        if let Some(histories) = &self.histories {
            return histories.security_page(user.as_uuid(), after, through, limit).await;
        }
        security_event::Entity::find()
            .filter(security_event::Column::UserId.eq(user.as_uuid()))
            .filter(security_event::Column::Seq.gt(after))
            .filter(security_event::Column::Seq.lte(through))
            .order_by_asc(security_event::Column::Seq)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db("reading a page of the security history"))?
            .into_iter()
            .map(|row| Ok(SecurityEventRecord { position: row.seq, kind: row.kind, at: from_ms(row.at_ms)? }))
            .collect()
    }
}
