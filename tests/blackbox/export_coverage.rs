//! Proof that an export is complete: every personal value the personal-data
//! registry lists, in every row of the user's, read straight from the
//! server's database, is found in the exported document; and no secret is.

use std::collections::HashSet;
use std::path::Path;

use profile_store_seaorm::registry::{Owner, TABLES, Table, Use};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Tables that hold a user's rows only while their account is being
/// erased, when no session is left to export with.
const ONLY_WHILE_ERASING: [&str; 1] = ["deletion_jobs"];

/// A stored value as text, with its SQLite storage class.
struct Cell {
    text: Option<String>,
    class: String,
}

async fn rows(db: &DatabaseConnection, table: &Table) -> Vec<Vec<Cell>> {
    let select: Vec<String> = table
        .columns
        .iter()
        .flat_map(|(c, _)| {
            [
                format!("CASE typeof({c}) WHEN 'blob' THEN lower(hex({c})) ELSE CAST({c} AS TEXT) END"),
                format!("typeof({c})"),
            ]
        })
        .collect();
    let sql = format!("SELECT {} FROM {}", select.join(", "), table.name);
    let found = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    found
        .iter()
        .map(|row| {
            (0..table.columns.len())
                .map(|i| Cell {
                    text: row.try_get_by_index(2 * i).unwrap(),
                    class: row.try_get_by_index(2 * i + 1).unwrap(),
                })
                .collect()
        })
        .collect()
}

fn strings(value: &Value, into: &mut HashSet<String>) {
    match value {
        Value::String(s) => {
            into.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    haystack == needle
        || match haystack {
            Value::Array(items) => items.iter().any(|v| contains(v, needle)),
            Value::Object(map) => map.values().any(|v| contains(v, needle)),
            _ => false,
        }
}

fn hyphenated(hex: &str) -> String {
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Whether the stored value of `column` is in the document, in the form the
/// document gives it.
fn exported(doc: &Value, all_strings: &HashSet<String>, times: &HashSet<i64>, column: &str, cell: &Cell) -> bool {
    let Some(text) = &cell.text else { return true };
    match column {
        // The slot is where the picture sits in the document.
        "slot" => {
            let key = if text == "pictures" { "current" } else { "pending" };
            !doc["profile"]["picture"][key].is_null()
        }
        // The renditions, by the hash that names each file.
        "files" => {
            let files: Vec<Value> = serde_json::from_str(text).unwrap();
            files.iter().all(|f| {
                let hash = f["hash"].as_str().unwrap();
                all_strings.iter().any(|s| s.starts_with(hash) && s.ends_with(f["format"].as_str().unwrap()))
            })
        }
        "payload" => contains(doc, &serde_json::from_str::<Value>(text).unwrap()),
        "granted" => contains(doc, &Value::Bool(text == "1")),
        _ if column.ends_with("_ms") => times.contains(&text.parse::<i64>().unwrap()),
        _ if cell.class == "blob" && text.len() == 32 => all_strings.contains(&hyphenated(text)),
        _ if cell.class == "integer" => contains(doc, &Value::from(text.parse::<i64>().unwrap())),
        _ => all_strings.contains(text),
    }
}

/// The user's id (32 hex digits) and every address they had.
async fn whose(db: &DatabaseConnection, doc: &Value) -> (String, HashSet<String>) {
    let user = doc["account"]["id"].as_str().unwrap().replace('-', "");
    let sql = format!(
        "SELECT email FROM accounts WHERE lower(hex(id)) = '{user}' UNION \
         SELECT old_email FROM email_change_history WHERE lower(hex(user_id)) = '{user}' UNION \
         SELECT new_email FROM email_change_history WHERE lower(hex(user_id)) = '{user}'"
    );
    let found = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    (user, found.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect())
}

async fn open(path: &Path) -> DatabaseConnection {
    Database::connect(format!("sqlite://{}?mode=ro", path.display())).await.unwrap()
}

/// Checks every personal column of every row of the user's in every table
/// the registry ties to users; each such table must hold at least one row
/// of the user's, so the seeding is proven to reach every table.
pub(crate) async fn assert_every_personal_value_is_exported(db_path: &Path, doc: &Value) {
    let db = open(db_path).await;
    let (user, addresses) = whose(&db, doc).await;
    let mut all_strings = HashSet::new();
    strings(doc, &mut all_strings);
    let times: HashSet<i64> = all_strings
        .iter()
        .filter_map(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap())
        .collect();
    let mut missing = Vec::new();
    for table in TABLES {
        // The export reads by the first owner column (the address, for
        // messages); the erasure's extra ways are checked by its own tests.
        let Some(&owner) = table.owner.columns().first() else { continue };
        if ONLY_WHILE_ERASING.contains(&table.name) {
            continue;
        }
        let at = table.columns.iter().position(|(c, _)| *c == owner).unwrap();
        let mine: Vec<Vec<Cell>> = rows(&db, table)
            .await
            .into_iter()
            .filter(|row| {
                let value = row[at].text.clone().unwrap_or_default();
                match table.owner {
                    Owner::Email { .. } | Owner::EmailOrAbout { .. } => addresses.contains(&value),
                    _ => value == user,
                }
            })
            .collect();
        assert!(!mine.is_empty(), "no row of the user's in {}: the test must seed it", table.name);
        for row in &mine {
            for ((column, use_), cell) in table.columns.iter().zip(row) {
                if *use_ == Use::Personal && !exported(doc, &all_strings, &times, column, cell) {
                    missing.push(format!("{}.{} = {:?}", table.name, column, cell.text));
                }
            }
        }
    }
    assert!(missing.is_empty(), "stored but not exported:\n{}", missing.join("\n"));
}

/// No secret and no bookkeeping text of any row (of any user) appears in
/// the document.
pub(crate) async fn assert_no_secret_is_exported(db_path: &Path, doc: &Value) {
    let db = open(db_path).await;
    let raw = doc.to_string();
    let mut checked = 0;
    for table in TABLES {
        for row in rows(&db, table).await {
            for ((column, use_), cell) in table.columns.iter().zip(&row) {
                let Some(text) = &cell.text else { continue };
                if matches!(use_, Use::Secret | Use::Internal) && cell.class == "text" && text.len() >= 16 {
                    assert!(!raw.contains(text.as_str()), "{}.{column} is in the export", table.name);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10, "only {checked} secrets were checked");
}
