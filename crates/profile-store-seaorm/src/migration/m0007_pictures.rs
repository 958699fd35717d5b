//! Profile pictures: each user's current and pending picture, with the
//! renditions stored in the blob store.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Pictures {
    Table,
    UserId,
    Slot,
    Files,
    CreatedAtMs,
    ExpiresAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, Pictures::Table.into_iden())
                    .col(uuid(Pictures::UserId))
                    .col(string_len(Pictures::Slot, 16))
                    .col(text(Pictures::Files))
                    .col(big_integer(Pictures::CreatedAtMs))
                    .col(big_integer_null(Pictures::ExpiresAtMs))
                    .primary_key(Index::create().col(Pictures::UserId).col(Pictures::Slot))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_pictures_user",
                        Pictures::Table.into_iden(),
                        Pictures::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_pictures_expires")
                    .table(Pictures::Table)
                    .col(Pictures::ExpiresAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Pictures::Table).to_owned()).await
    }
}
