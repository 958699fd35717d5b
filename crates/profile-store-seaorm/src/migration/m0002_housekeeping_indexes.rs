//! Indexes for housekeeping, so purging expired rows reads (and on MariaDB
//! locks) only those rows, not whole tables.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, column)
const INDEXES: [(&str, &str, &str); 3] = [
    ("ix_challenges_expires", "sign_in_challenges", "expires_at_ms"),
    ("ix_sessions_expires", "sessions", "expires_at_ms"),
    ("ix_outbox_finished", "outbox_messages", "finished_at_ms"),
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
