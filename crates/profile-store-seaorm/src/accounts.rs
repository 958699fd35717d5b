//! `AccountStore` on sea-orm.

use async_trait::async_trait;
use profile_domain::ports::AccountStore;
use profile_domain::{Account, DisplayName, EmailAddress, NoticeFor, PortError, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, from_ms, to_ms};
use crate::entities::account;

/// A stored row back as the domain's account.
pub(crate) fn account_from_row(row: account::Model) -> Result<Account, PortError> {
    let email = EmailAddress::parse(&row.email).map_err(|e| PortError::new("stored email is invalid", e))?;
    let display_name = row
        .display_name
        .map(|n| DisplayName::parse(&n))
        .transpose()
        .map_err(|e| PortError::new("stored display name is invalid", e))?;
    Ok(Account {
        id: UserId::from_uuid(row.id),
        email,
        display_name,
        created_at: from_ms(row.created_at_ms)?,
        updated_at: from_ms(row.updated_at_ms)?,
    })
}

/// The domain's account as a row to insert.
pub(crate) fn account_to_row(account: &Account) -> account::ActiveModel {
    account::ActiveModel {
        id: Set(account.id.as_uuid()),
        email: Set(account.email.as_str().to_owned()),
        display_name: Set(account.display_name.as_ref().map(|n| n.as_str().to_owned())),
        created_at_ms: Set(to_ms(account.created_at)),
        updated_at_ms: Set(to_ms(account.updated_at)),
        notice_seq: sea_orm::ActiveValue::NotSet,
    }
}

#[async_trait]
impl AccountStore for SeaOrmStore {
    async fn get(&self, id: UserId) -> Result<Option<Account>, PortError> {
        let ticket = self.caches.ticket();
        if ticket.is_some()
            && let Some(account) = self.caches.account(id)
        {
            return Ok(Some(account));
        }
        // Boxed: the query's future is made only on a miss.
        let account = Box::pin(async {
            let row = account::Entity::find_by_id(id.as_uuid()).one(&self.db).await;
            row.map_err(db("reading an account"))?.map(account_from_row).transpose()
        })
        .await?;
        if let (Some(ticket), Some(account)) = (ticket, &account) {
            self.caches.keep_account(ticket, account);
        }
        Ok(account)
    }

    async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, PortError> {
        let row = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await
            .map_err(db("finding an account by address"))?;
        row.map(account_from_row).transpose()
    }

    async fn set_display_name(
        &self,
        id: UserId,
        name: &DisplayName,
        now: OffsetDateTime,
        notify: &[NoticeFor],
    ) -> Result<Option<Account>, PortError> {
        let txn = self.db.begin().await.map_err(db("starting a transaction"))?;
        let updated = account::Entity::update_many()
            .set(account::ActiveModel {
                display_name: Set(Some(name.as_str().to_owned())),
                updated_at_ms: Set(to_ms(now)),
                ..Default::default()
            })
            .filter(account::Column::Id.eq(id.as_uuid()))
            .exec(&txn)
            .await
            .map_err(db("renaming an account"))?;
        if updated.rows_affected == 0 {
            return Ok(None);
        }
        crate::providers::queue_profile_updated(&txn, id, notify).await?;
        crate::cache::record(&txn, &self.caches, id).await?;
        let row = account::Entity::find_by_id(id.as_uuid()).one(&txn).await.map_err(db("reading an account"))?;
        txn.commit().await.map_err(db("committing a rename"))?;
        self.caches.changed(id);
        row.map(account_from_row).transpose()
    }
}
