//! The search behind `profile-server verify-erasure`: every column of every
//! table of the schema (the registry lists them all, and a test keeps it so)
//! searched for a user's id, addresses and name.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use crate::SeaOrmStore;
use crate::registry::TABLES;

/// Something to look for, and what it is (the label is reported; the text
/// never is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needle {
    /// What it is: `user id`, `email address`, `display name` …
    pub label: &'static str,
    /// The text; matched without regard to case.
    pub text: String,
}

/// Where a needle was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// The needle's label.
    pub what: &'static str,
    /// How many rows hold it.
    pub rows: i64,
}

impl SeaOrmStore {
    /// Every column that holds any of `needles`, in how many rows. Binary
    /// columns (ids) are searched as hex, everything else as text.
    ///
    /// # Errors
    /// [`DbErr`] when the database cannot be read.
    pub async fn find_traces(&self, needles: &[Needle]) -> Result<Vec<Trace>, DbErr> {
        let backend = self.db.get_database_backend();
        let needles: Vec<&Needle> = needles.iter().filter(|n| !n.text.trim().is_empty()).collect();
        let mut found = Vec::new();
        for table in TABLES {
            let binary = if backend == DbBackend::MySql { self.binary_columns(table.name).await? } else { Vec::new() };
            for (column, _) in table.columns {
                let haystack = haystack(backend, column, binary.iter().any(|b| b == column));
                let mut sums = Vec::new();
                let mut values: Vec<Value> = Vec::new();
                for needle in &needles {
                    // SQLite's `lower` (and PostgreSQL's in the C locale)
                    // folds ASCII only: the needle is tried folded both ways.
                    let mut forms = vec![needle.text.to_lowercase(), needle.text.to_ascii_lowercase()];
                    forms.dedup();
                    let mut any = Vec::new();
                    for form in forms {
                        values.push(form.into());
                        let place =
                            if backend == DbBackend::Postgres { format!("${}", values.len()) } else { "?".to_owned() };
                        any.push(match backend {
                            DbBackend::Postgres => format!("strpos({haystack}, {place}) > 0"),
                            DbBackend::MySql => format!("LOCATE({place}, {haystack}) > 0"),
                            _ => format!("instr({haystack}, {place}) > 0"),
                        });
                    }
                    // A sum is NUMERIC on PostgreSQL and DECIMAL on MariaDB:
                    // cast back to a whole number.
                    let sum = format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", any.join(" OR "));
                    sums.push(match backend {
                        DbBackend::Postgres => format!("CAST({sum} AS BIGINT)"),
                        DbBackend::MySql => format!("CAST({sum} AS SIGNED)"),
                        _ => sum,
                    });
                }
                if sums.is_empty() {
                    continue;
                }
                let sql = format!("SELECT {} FROM {}", sums.join(", "), quoted(backend, table.name));
                let row = self.db.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
                let Some(row) = row else { continue };
                for (i, needle) in needles.iter().enumerate() {
                    let rows = row.try_get_by_index::<Option<i64>>(i)?.unwrap_or(0);
                    if rows > 0 {
                        found.push(Trace { table: table.name, column, what: needle.label, rows });
                    }
                }
            }
        }
        Ok(found)
    }

    /// The binary columns of a MySQL/MariaDB table (where ids are kept).
    async fn binary_columns(&self, table: &str) -> Result<Vec<String>, DbErr> {
        let sql = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() \
                   AND table_name = ? AND data_type IN ('binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob')";
        let rows = self.db.query_all_raw(Statement::from_sql_and_values(DbBackend::MySql, sql, [table.into()])).await?;
        rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect()
    }
}

/// A column as lower-case searchable text.
fn haystack(backend: DbBackend, column: &str, binary: bool) -> String {
    let c = quoted(backend, column);
    match backend {
        DbBackend::Postgres => format!("lower(CAST({c} AS TEXT))"),
        DbBackend::MySql if binary => format!("lower(HEX({c}))"),
        DbBackend::MySql => format!("lower(CAST({c} AS CHAR))"),
        _ => format!("lower(CASE typeof({c}) WHEN 'blob' THEN hex({c}) ELSE CAST({c} AS TEXT) END)"),
    }
}

fn quoted(backend: DbBackend, name: &str) -> String {
    if backend == DbBackend::MySql { format!("`{name}`") } else { format!("\"{name}\"") }
}
