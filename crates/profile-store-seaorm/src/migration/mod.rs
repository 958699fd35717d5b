//! Schema migrations, applied in order at start-up (`profile-server migrate`
//! applies them alone). They run unchanged on SQLite, PostgreSQL and MariaDB.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_housekeeping_indexes;
mod m0003_email_change;
mod m0004_consents;
mod m0005_unsubscribe_keys;
mod m0006_provider_notices;
mod m0007_pictures;
mod m0008_security_events;
mod m0009_export_indexes;
mod m0010_erasure;
mod m0011_outbox_about;
mod m0012_rate_counters;
mod m0013_cache_invalidations;

/// A `CREATE TABLE` for `name`; on MySQL/MariaDB with the utf8mb4 character
/// set whatever the server's default, so any Unicode text fits.
fn new_table(manager: &SchemaManager, name: DynIden) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(name);
    if manager.get_database_backend() == sea_orm::DbBackend::MySql {
        table.character_set("utf8mb4").collate("utf8mb4_bin");
    }
    table
}

/// A foreign key from `table.column` to `accounts.id` that deletes the row
/// with its account.
fn owned_by_account(name: &str, table: DynIden, column: DynIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Alias::new("accounts"), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Creates single-column indexes, each given as (index name, table, column).
async fn create_indexes(manager: &SchemaManager<'_>, indexes: &[(&str, &str, &str)]) -> Result<(), DbErr> {
    for (name, table, column) in indexes {
        manager
            .create_index(Index::create().name(*name).table(Alias::new(*table)).col(Alias::new(*column)).to_owned())
            .await?;
    }
    Ok(())
}

/// Drops the indexes [`create_indexes`] made.
async fn drop_indexes(manager: &SchemaManager<'_>, indexes: &[(&str, &str, &str)]) -> Result<(), DbErr> {
    for (name, table, _) in indexes {
        manager.drop_index(Index::drop().name(*name).table(Alias::new(*table)).to_owned()).await?;
    }
    Ok(())
}

/// Every migration of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_housekeeping_indexes::Migration),
            Box::new(m0003_email_change::Migration),
            Box::new(m0004_consents::Migration),
            Box::new(m0005_unsubscribe_keys::Migration),
            Box::new(m0006_provider_notices::Migration),
            Box::new(m0007_pictures::Migration),
            Box::new(m0008_security_events::Migration),
            Box::new(m0009_export_indexes::Migration),
            Box::new(m0010_erasure::Migration),
            Box::new(m0011_outbox_about::Migration),
            Box::new(m0012_rate_counters::Migration),
            Box::new(m0013_cache_invalidations::Migration),
        ]
    }
}
