//! The personal-data registry against the live schema of a migrated
//! database: every table and column must be entered, and nothing entered may
//! be missing, so a migration cannot add a place for user data unnoticed.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use std::collections::BTreeSet;

use profile_store_seaorm::registry::TABLES;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use support::TestDb;

/// Every (table, column) of the live schema.
async fn live_columns(db: &TestDb) -> BTreeSet<(String, String)> {
    let conn = Database::connect(&db.url).await.unwrap();
    let backend = conn.get_database_backend();
    let query = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let mut found = BTreeSet::new();
    match backend {
        DbBackend::Sqlite => {
            let tables = conn
                .query_all_raw(query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                ))
                .await
                .unwrap();
            for row in tables {
                let table: String = row.try_get("", "name").unwrap();
                let columns = conn.query_all_raw(query(&format!("PRAGMA table_info(\"{table}\")"))).await.unwrap();
                for column in columns {
                    found.insert((table.clone(), column.try_get::<String>("", "name").unwrap()));
                }
            }
        }
        _ => {
            let schema = if backend == DbBackend::Postgres { "current_schema()" } else { "DATABASE()" };
            let sql = format!(
                "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = {schema}"
            );
            for row in conn.query_all_raw(query(&sql)).await.unwrap() {
                found.insert((row.try_get("", "t").unwrap(), row.try_get("", "c").unwrap()));
            }
        }
    }
    found
}

on_every_backend!(the_registry_covers_every_table_and_column_of_the_schema, |db: TestDb| async move {
    let live = live_columns(&db).await;
    let entered: BTreeSet<(String, String)> =
        TABLES.iter().flat_map(|t| t.columns.iter().map(|(c, _)| (t.name.to_owned(), (*c).to_owned()))).collect();
    let unregistered: Vec<_> = live.difference(&entered).collect();
    assert!(unregistered.is_empty(), "columns missing from the personal-data registry: {unregistered:?}");
    let stale: Vec<_> = entered.difference(&live).collect();
    assert!(stale.is_empty(), "registry entries the schema does not have: {stale:?}");
});

#[test]
fn every_owner_column_is_one_of_its_tables_columns() {
    for table in TABLES {
        for column in table.owner.columns() {
            assert!(table.columns.iter().any(|(name, _)| *name == column), "{}.{column}", table.name);
        }
    }
    let names: BTreeSet<&str> = TABLES.iter().map(|t| t.name).collect();
    assert_eq!(names.len(), TABLES.len(), "each table once");
}
