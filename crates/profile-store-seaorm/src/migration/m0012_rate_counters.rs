//! The shared rate-limit counters: one row per limit and subject (a keyed
//! hash, never the address or network itself), deleted once its window has
//! ended, so every instance on the database counts together.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateCounters {
    Table,
    KeyHash,
    LimitName,
    Count,
    WindowEndsAtMs,
}

const INDEXES: [(&str, &str, &str); 1] = [("ix_rate_counters_ends", "rate_counters", "window_ends_at_ms")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                super::new_table(manager, RateCounters::Table.into_iden())
                    .col(string_len(RateCounters::KeyHash, 64).primary_key())
                    .col(string_len(RateCounters::LimitName, 64))
                    .col(big_integer(RateCounters::Count))
                    .col(big_integer(RateCounters::WindowEndsAtMs))
                    .to_owned(),
            )
            .await?;
        super::create_indexes(manager, &INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateCounters::Table).to_owned()).await
    }
}
