//! Schema migrations, applied in order at start-up (`profile-server migrate`
//! applies them alone). They run unchanged on SQLite, PostgreSQL and MariaDB.

use sea_orm_migration::prelude::*;

mod m0001_foundation;

/// Every migration of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_foundation::Migration)]
    }
}
