//! The security history: sign-ins, sign-outs, address changes and reverts,
//! per user.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    Seq,
    UserId,
    Kind,
    AtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, SecurityEvents::Table.into_iden())
                    .col(pk_auto(SecurityEvents::Seq).big_integer())
                    .col(uuid(SecurityEvents::UserId))
                    .col(string_len(SecurityEvents::Kind, 32))
                    .col(big_integer(SecurityEvents::AtMs))
                    .foreign_key(&mut super::owned_by_account(
                        "fk_security_events_user",
                        SecurityEvents::Table.into_iden(),
                        SecurityEvents::UserId.into_iden(),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_security_events_user")
                    .table(SecurityEvents::Table)
                    .col(SecurityEvents::UserId)
                    .col(SecurityEvents::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SecurityEvents::Table).to_owned()).await
    }
}
