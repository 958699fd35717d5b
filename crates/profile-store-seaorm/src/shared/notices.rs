//! Provider and service notices queued inside the transaction of the
//! change they tell of, numbered per user.

use profile_domain::{DisplayName, NoticeFor, PortError, ProviderEvent, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use crate::convert::{db, to_ms};
use crate::entities::account;
use crate::entities::provider_notice as notice;
use crate::shared::lease::LeaseColumns;

/// The lease columns of the notices.
pub(crate) const NOTICE_LEASE: LeaseColumns<notice::Entity> =
    LeaseColumns { id: notice::Column::Id, owner: notice::Column::LeaseOwner, until_ms: notice::Column::LeaseUntilMs };

/// The status of a notice waiting to be delivered.
pub(crate) const NOTICE_PENDING: &str = "pending";

/// Queues `event` about `user` (whose address is now `email`) for each
/// receiver in `notify`, inside the caller's transaction, numbered with the
/// user's next notice number. The address is stored only in the notices of
/// receivers that are told it (mailing-list providers, never services).
pub(crate) async fn queue_notices(
    txn: &DatabaseTransaction,
    user: UserId,
    email: &str,
    event: &ProviderEvent,
    notify: &[NoticeFor],
) -> Result<(), PortError> {
    if notify.is_empty() {
        return Ok(());
    }
    if !matches!(event, ProviderEvent::AccountErased { .. })
        && super::erasure_started(txn, user.as_uuid(), event.at()).await?
    {
        // The account's erasure has started (or is past its grace period):
        // the receivers are told of the erasure, which supersedes this.
        return Ok(());
    }
    let content = event_content(event);
    account::Entity::update_many()
        .col_expr(account::Column::NoticeSeq, Expr::col(account::Column::NoticeSeq).add(1))
        .filter(account::Column::Id.eq(user.as_uuid()))
        .exec(txn)
        .await
        .map_err(db("numbering a provider notice"))?;
    let sequence: Option<i64> = account::Entity::find_by_id(user.as_uuid())
        .select_only()
        .column(account::Column::NoticeSeq)
        .into_tuple()
        .one(txn)
        .await
        .map_err(db("numbering a provider notice"))?;
    let sequence = sequence.ok_or(PortError::msg("no account to notify providers about"))?;
    let at = to_ms(event.at());
    let rows = notify.iter().map(|n| {
        let mut payload = content.clone();
        if n.with_email {
            payload["email"] = json!(email);
        }
        notice::ActiveModel {
            id: Set(n.id),
            provider: Set(n.provider.as_str().to_owned()),
            user_id: Set(user.as_uuid()),
            sequence: Set(sequence),
            kind: Set(event.kind().to_owned()),
            payload: Set(Some(payload.to_string())),
            status: Set(NOTICE_PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at_ms: Set(at),
            lease_owner: Set(None),
            lease_until_ms: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            queued_at_ms: Set(at),
            delivered_at_ms: Set(None),
        }
    });
    notice::Entity::insert_many(rows).exec_without_returning(txn).await.map_err(db("queueing provider notices"))?;
    Ok(())
}

/// What is stored of `event` (the address is added per receiver).
fn event_content(event: &ProviderEvent) -> serde_json::Value {
    match event {
        ProviderEvent::ConsentChanged { purpose, granted, version, channel, at } => json!({
            "purpose": purpose.as_str(),
            "granted": granted,
            "version": version,
            "channel": channel.as_str(),
            "at_ms": to_ms(*at),
        }),
        ProviderEvent::EmailChanged { previous_email, at } => {
            json!({ "previous_email": previous_email.as_str(), "at_ms": to_ms(*at) })
        }
        ProviderEvent::AccountErased { at } => json!({ "at_ms": to_ms(*at) }),
        ProviderEvent::ProfileUpdated { profile } => json!({
            "display_name": profile.display_name.as_ref().map(DisplayName::as_str),
            "picture": profile.picture.as_deref().map(super::rows::files_json),
            "at_ms": to_ms(profile.updated_at),
        }),
    }
}

/// Queues `profile.updated` for each of `notify`, with the public profile
/// of `user` as this transaction sees it (after the change it made).
pub(crate) async fn queue_profile_updated(
    txn: &DatabaseTransaction,
    user: UserId,
    notify: &[NoticeFor],
) -> Result<(), PortError> {
    if notify.is_empty() {
        return Ok(());
    }
    let Some(profile) = super::public_profiles::read_public_profiles(txn, &[user]).await?.into_iter().next() else {
        // Being deleted: the erasure's notice supersedes this one.
        return Ok(());
    };
    // A public profile never travels with the address, whoever receives it.
    let notify: Vec<NoticeFor> = notify.iter().map(|n| NoticeFor { with_email: false, ..n.clone() }).collect();
    queue_notices(txn, user, "", &ProviderEvent::ProfileUpdated { profile }, &notify).await
}
