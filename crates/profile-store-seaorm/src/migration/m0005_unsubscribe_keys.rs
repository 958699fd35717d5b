//! Unsubscribe links: the nonce each token is derived from, and its lookup hash.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnsubscribeKeys {
    Table,
    UserId,
    PurposeId,
    Nonce,
    LookupHash,
    CreatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, UnsubscribeKeys::Table.into_iden())
                    .col(uuid(UnsubscribeKeys::UserId))
                    .col(string_len(UnsubscribeKeys::PurposeId, 64))
                    .col(string_len(UnsubscribeKeys::Nonce, 32))
                    .col(string_len_uniq(UnsubscribeKeys::LookupHash, 64))
                    .col(big_integer(UnsubscribeKeys::CreatedAtMs))
                    .primary_key(Index::create().col(UnsubscribeKeys::UserId).col(UnsubscribeKeys::PurposeId))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_unsubscribe_keys_user",
                        UnsubscribeKeys::Table.into_iden(),
                        UnsubscribeKeys::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UnsubscribeKeys::Table).to_owned()).await
    }
}
