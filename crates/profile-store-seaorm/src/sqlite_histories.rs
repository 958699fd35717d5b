//! The export's two long histories (the consent ledger and the security
//! history) read on SQLite through read-only connections of their own,
//! beside sea-orm's one pooled connection. A page is read and turned into
//! records on a blocking thread straight from SQLite's row, without the
//! copy of every column value and the channel between SQLite's thread and
//! the reader that the pooled path costs; and no other request waits for
//! the pooled connection while a long export reads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use profile_domain::PortError;
use profile_domain::export::{LedgerEntryRecord, SecurityEventRecord};
use rusqlite::{Connection, OpenFlags, Row, params};
use uuid::Uuid;

use crate::convert::{count, from_ms};

/// Read connections kept open between pages; more are opened while
/// several exports read at once, and closed after.
const IDLE_CONNECTIONS: usize = 4;

/// How long a read waits for SQLite's lock (held only briefly by a
/// checkpoint in WAL mode).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const LEDGER_PAGE: &str = "SELECT id, seq, purpose_id, version, granted, at_ms, channel FROM consent_ledger \
                           WHERE user_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4";

const SECURITY_PAGE: &str = "SELECT seq, kind, at_ms FROM security_events \
                             WHERE user_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4";

/// Read-only connections to one SQLite database file.
#[derive(Debug)]
pub(crate) struct SqliteHistories {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// The file a `sqlite:` URL names, unless it names a database in memory
/// (which another connection cannot see).
fn file_of(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

fn read_err(e: rusqlite::Error) -> PortError {
    PortError::new("reading a page of the export's history", e)
}

impl SqliteHistories {
    /// Read connections to the database `url` names, checked by opening
    /// one; `None` for a database in memory or a file that cannot be
    /// opened so (the pooled connection then reads the histories).
    pub(crate) fn open(url: &str) -> Option<Arc<Self>> {
        let histories = Self { path: file_of(url)?, idle: Mutex::new(Vec::new()) };
        match histories.connect() {
            Ok(first) => {
                histories.give_back(first);
                Some(Arc::new(histories))
            }
            Err(e) => {
                tracing::warn!(error = %e, "the export's histories will be read on the pooled connection");
                None
            }
        }
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        Ok(connection)
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(connection);
        }
    }

    /// The rows `sql` selects for the user after `after` up to `through`,
    /// at most `limit`, each turned into a record by `record`; read on an
    /// idle connection (or a new one) on a blocking thread.
    async fn page<T: Send + 'static>(
        self: &Arc<Self>,
        sql: &'static str,
        (user, after, through, limit): (Uuid, i64, i64, u32),
        record: fn(&Row<'_>) -> Result<T, PortError>,
    ) -> Result<Vec<T>, PortError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let idle = this.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let connection = match idle {
                Some(connection) => connection,
                None => this.connect().map_err(read_err)?,
            };
            let page = read_page(&connection, sql, params![&user.as_bytes()[..], after, through, limit], limit, record);
            this.give_back(connection);
            page
        })
        .await
        .map_err(|e| PortError::new("reading a page of the export's history", e))?
    }

    /// The user's ledger entries after `after` up to `through`, at most
    /// `limit`, in order.
    pub(crate) async fn ledger_page(
        self: &Arc<Self>,
        user: Uuid,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<LedgerEntryRecord>, PortError> {
        self.page(LEDGER_PAGE, (user, after, through, limit), ledger_entry).await
    }

    /// The user's security events after `after` up to `through`, at most
    /// `limit`, in order.
    pub(crate) async fn security_page(
        self: &Arc<Self>,
        user: Uuid,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<SecurityEventRecord>, PortError> {
        self.page(SECURITY_PAGE, (user, after, through, limit), security_event).await
    }
}

fn read_page<T>(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    limit: u32,
    record: fn(&Row<'_>) -> Result<T, PortError>,
) -> Result<Vec<T>, PortError> {
    let mut statement = connection.prepare(sql).map_err(read_err)?;
    let mut rows = statement.query(params).map_err(read_err)?;
    let mut page = Vec::with_capacity(limit.min(10_000) as usize);
    while let Some(row) = rows.next().map_err(read_err)? {
        page.push(record(row)?);
    }
    Ok(page)
}

fn security_event(row: &Row<'_>) -> Result<SecurityEventRecord, PortError> {
    Ok(SecurityEventRecord {
        position: row.get(0).map_err(read_err)?,
        kind: row.get(1).map_err(read_err)?,
        at: from_ms(row.get(2).map_err(read_err)?)?,
    })
}

fn ledger_entry(row: &Row<'_>) -> Result<LedgerEntryRecord, PortError> {
    let id = row.get_ref(0).and_then(|v| v.as_blob().map_err(Into::into)).map_err(read_err)?;
    Ok(LedgerEntryRecord {
        id: Uuid::from_slice(id).map_err(|e| PortError::new("a stored ledger id is malformed", e))?,
        sequence: row.get(1).map_err(read_err)?,
        purpose: row.get(2).map_err(read_err)?,
        version: count(row.get(3).map_err(read_err)?),
        granted: row.get(4).map_err(read_err)?,
        at: from_ms(row.get(5).map_err(read_err)?)?,
        channel: row.get(6).map_err(read_err)?,
    })
}

#[cfg(test)]
mod tests {
    use super::file_of;
    use std::path::PathBuf;

    #[test]
    fn a_file_url_names_its_file_and_a_memory_url_none() {
        assert_eq!(file_of("sqlite://./data/profile.db?mode=rwc"), Some(PathBuf::from("./data/profile.db")));
        assert_eq!(file_of("sqlite:/var/lib/p.db"), Some(PathBuf::from("/var/lib/p.db")));
        assert_eq!(file_of("sqlite::memory:"), None);
        assert_eq!(file_of("sqlite://shared.db?mode=memory&cache=shared"), None);
        assert_eq!(file_of("postgres://localhost/db"), None);
    }
}
