//! Messages name the account they are about, when one is known, so an
//! erasure finds them even when they went to an address that never became
//! (or is no longer) the account's, such as a code sent to an address the
//! user asked for and then gave up.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    AboutUserId,
}

const INDEXES: [(&str, &str, &str); 1] = [("ix_outbox_about", "outbox_messages", "about_user_id")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxMessages::Table)
                    .add_column(uuid_null(OutboxMessages::AboutUserId))
                    .to_owned(),
            )
            .await?;
        super::create_indexes(manager, &INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_indexes(manager, &INDEXES).await?;
        manager
            .alter_table(
                Table::alter().table(OutboxMessages::Table).drop_column(OutboxMessages::AboutUserId).to_owned(),
            )
            .await
    }
}
