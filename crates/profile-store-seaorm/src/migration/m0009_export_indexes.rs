//! Indexes for finding a user's rows by address, as the export (and
//! erasure) do: messages to any address the user had, and changes to one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, column)
const INDEXES: [(&str, &str, &str); 2] = [
    ("ix_outbox_recipient", "outbox_messages", "recipient"),
    ("ix_email_change_history_new", "email_change_history", "new_email"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::create_indexes(manager, &INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_indexes(manager, &INDEXES).await
    }
}
