//! The cache invalidation feed: one row per change to an account's
//! sessions or profile, named by a keyed hash of the account id (never the
//! id itself), read by every instance to drop what it cached, and deleted
//! within minutes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CacheInvalidations {
    Table,
    Id,
    Subject,
    AtMs,
}

const INDEXES: [(&str, &str, &str); 1] = [("ix_cache_invalidations_at", "cache_invalidations", "at_ms")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, CacheInvalidations::Table.into_iden())
                    .col(pk_uuid(CacheInvalidations::Id))
                    .col(string_len(CacheInvalidations::Subject, 32))
                    .col(big_integer(CacheInvalidations::AtMs))
                    .to_owned(),
            )
            .await?;
        super::create_indexes(manager, &INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CacheInvalidations::Table).to_owned()).await
    }
}
