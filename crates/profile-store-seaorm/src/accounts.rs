//! `AccountStore` on sea-orm.

use async_trait::async_trait;
use profile_domain::ports::AccountStore;
use profile_domain::{Account, DisplayName, EmailAddress, NoticeFor, PortError, UserId};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use time::OffsetDateTime;

use crate::SeaOrmStore;
use crate::convert::{db, to_ms};
use crate::entities::account;
use crate::shared::rows::account_from_row;

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
        crate::shared::queue_profile_updated(&txn, id, notify).await?;
        crate::cache::record(&txn, &self.caches, id).await?;
        let row = account::Entity::find_by_id(id.as_uuid()).one(&txn).await.map_err(db("reading an account"))?;
        txn.commit().await.map_err(db("committing a rename"))?;
        self.caches.changed(id);
        row.map(account_from_row).transpose()
    }
}
