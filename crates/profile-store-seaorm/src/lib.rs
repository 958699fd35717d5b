//! Storage adapter of the profile service: sea-orm entities, migrations and
//! the repositories behind the domain's storage ports, on SQLite (the embedded
//! default), PostgreSQL and MySQL/MariaDB.
//!
//! Entities are private to this crate; everything public speaks in
//! `profile-domain` types.

mod accounts;
mod cache;
mod consents;
mod convert;
mod directory;
mod email_change;
mod entities;
mod erasure;
mod export;
mod housekeeping;
mod migration;
mod outbox;
mod ownership;
mod pictures;
mod providers;
mod rate_counters;
pub mod registry;
mod security;
mod sessions;
mod shared;
mod sign_in;
mod sqlite_histories;
mod traces;
mod unsubscribe;

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use cache::CachePolicy;
pub use migration::Migrator;
/// The database error type, for callers of [`SeaOrmStore::migrate`] and friends.
pub use sea_orm::DbErr;
pub use traces::{Needle, Trace};

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database URL's scheme is not one this adapter speaks.
    #[error("unsupported database URL scheme (use sqlite:, postgres: or mysql:)")]
    UnsupportedScheme,
    /// The database could not be reached or prepared.
    #[error("could not open the database")]
    Database(#[from] DbErr),
}

/// The sea-orm store: one connection pool implementing every storage port,
/// with the caches of its read path (off until [`with_caches`]).
///
/// [`with_caches`]: SeaOrmStore::with_caches
#[derive(Clone, Debug)]
pub struct SeaOrmStore {
    db: DatabaseConnection,
    caches: std::sync::Arc<cache::Caches>,
    /// The export's histories read beside the pool, on a SQLite file.
    histories: Option<std::sync::Arc<sqlite_histories::SqliteHistories>>,
}

/// Rows SQLite's worker thread may hold ready for the reader.
const SQLITE_ROW_BUFFER: usize = 1024;

impl SeaOrmStore {
    /// Connects to `url` (`sqlite://path?mode=rwc`, `postgres://…`, `mysql://…`).
    ///
    /// # Errors
    /// [`OpenError`] when the URL is unsupported or the database unreachable.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, OpenError> {
        let is_sqlite = url.starts_with("sqlite:");
        if !(is_sqlite || url.starts_with("postgres") || url.starts_with("mysql:") || url.starts_with("mariadb:")) {
            return Err(OpenError::UnsupportedScheme);
        }
        let url = url.replacen("mariadb:", "mysql:", 1);
        let histories_url = url.clone();
        let mut options = ConnectOptions::new(url);
        options
            // SQLite allows one writer; one pooled connection avoids lock errors
            // (opening several connections at once also failed with CANTOPEN).
            .max_connections(if is_sqlite { 1 } else { max_connections })
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            // SQLite's rows come from a worker thread through a channel;
            // room for a page of them lets it run ahead of the reader
            // instead of waking it every 50 rows (sqlx's default).
            .map_sqlx_sqlite_opts(|sqlite| sqlite.row_buffer_size(SQLITE_ROW_BUFFER))
            // sqlx pings a pooled connection before each use by default: for
            // SQLite, a file in this process, that is a round trip to its
            // worker thread before every query that can find nothing wrong.
            .test_before_acquire(!is_sqlite);
        let db = Database::connect(options).await?;
        let mut histories = None;
        if db.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
            db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
            histories = sqlite_histories::SqliteHistories::open(&histories_url);
        }
        Ok(Self { db, caches: std::sync::Arc::new(cache::Caches::off()), histories })
    }

    /// The store with the caches of its read path (see [`CachePolicy`]);
    /// the server must then call [`poll_caches`](Self::poll_caches) every
    /// few hundred milliseconds, and the caches are trusted only while it
    /// does.
    #[must_use]
    pub fn with_caches(mut self, policy: CachePolicy) -> Self {
        self.caches = std::sync::Arc::new(cache::Caches::with(Some(policy)));
        self
    }

    /// Writes the sessions' last-seen times deferred since the last call,
    /// then reads the invalidation feed and drops what other instances
    /// changed.
    ///
    /// # Errors
    /// [`profile_domain::PortError`] when the feed cannot be read; the
    /// caches then stop being trusted once `trust_for` has passed.
    pub async fn poll_caches(&self) -> Result<(), profile_domain::PortError> {
        let flushed = cache::flush_touches(&self.db, &self.caches).await;
        cache::poll(&self.db, &self.caches).await?;
        flushed
    }

    /// Applies every migration not yet applied.
    ///
    /// # Errors
    /// [`DbErr`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.db, None).await
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`DbErr`] when it does not.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }

    /// Closes the pool.
    ///
    /// # Errors
    /// [`DbErr`] when closing fails.
    pub async fn close(self) -> Result<(), DbErr> {
        self.db.close().await
    }
}
