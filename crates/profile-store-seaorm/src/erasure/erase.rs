//! The erasure's last step: every row about the user, found through the
//! personal-data registry, deleted in one transaction by the worker that
//! holds the job; and the suppression list.

use profile_domain::erasure::DeletionReceipt;
use profile_domain::{PortError, SecretHash, UserId};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::receipts::receipt_row;
use crate::SeaOrmStore;
use crate::convert::{db, to_ms};
use crate::entities::{account, deletion_job as job, deletion_receipt as receipt, suppressed_address as suppressed};
use crate::ownership::{Ownership, Reach};
use crate::registry::erasure_order;

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

pub(super) async fn erase(
    store: &SeaOrmStore,
    user: UserId,
    suppress: &[SecretHash],
    done: &DeletionReceipt,
    worker: &str,
) -> Result<(), PortError> {
    let txn = store.db.begin().await.map_err(db("starting a transaction"))?;
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
        suppressed::Entity::insert(suppressed::ActiveModel { hash: Set(hash.to_hex()), erased_at_ms: Set(erased_at) })
            .on_conflict_do_nothing_on([suppressed::Column::Hash])
            .exec(&txn)
            .await
            .map_err(db("keeping an erased address's hash"))?;
    }
    receipt::Entity::update(receipt_row(done)).exec(&txn).await.map_err(db("completing a deletion receipt"))?;
    crate::cache::record(&txn, &store.caches, user).await?;
    txn.commit().await.map_err(db("committing an erasure"))?;
    store.caches.changed(user);
    Ok(())
}

pub(super) async fn is_suppressed(store: &SeaOrmStore, hash: &SecretHash) -> Result<bool, PortError> {
    let found = suppressed::Entity::find_by_id(hash.to_hex())
        .one(&store.db)
        .await
        .map_err(db("reading the suppression list"))?;
    Ok(found.is_some())
}

pub(super) async fn addresses(store: &SeaOrmStore, user: UserId) -> Result<Vec<String>, PortError> {
    let Some(ownership) = Ownership::of(&store.db, user.as_uuid()).await? else { return Ok(Vec::new()) };
    own_addresses(&store.db, user, &ownership.addresses()).await
}
