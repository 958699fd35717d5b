//! Conversions between stored columns and domain values.

use profile_domain::{PortError, SecretHash};
use sea_orm::DbErr;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch, as stored.
pub(crate) fn to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A stored time back as a moment.
pub(crate) fn from_ms(ms: i64) -> Result<OffsetDateTime, PortError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| PortError::new("stored time out of range", e))
}

/// A stored hex hash back as a hash.
pub(crate) fn hash(hex: &str) -> Result<SecretHash, PortError> {
    SecretHash::from_hex(hex).ok_or(PortError::msg("stored hash is malformed"))
}

/// A stored count back as a count.
pub(crate) fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A count to store.
pub(crate) fn to_count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Wraps a database error for the domain, keeping only its kind: driver
/// messages can quote the values of a row (an address in a duplicate-key
/// error), and whatever reaches the domain may be logged.
pub(crate) fn db(context: &'static str) -> impl FnOnce(DbErr) -> PortError {
    move |e| PortError::new(context, DbFailure::of(&e))
}

/// What kind of database failure happened, without any of its text.
#[derive(Debug, thiserror::Error)]
#[error("database {kind} failure{}", constraint.map(|c| format!(" ({c} constraint)")).unwrap_or_default())]
pub(crate) struct DbFailure {
    kind: &'static str,
    constraint: Option<&'static str>,
}

impl DbFailure {
    fn of(error: &DbErr) -> Self {
        let kind = match error {
            DbErr::ConnectionAcquire(_) => "pool",
            DbErr::Conn(_) => "connection",
            DbErr::Exec(_) => "statement",
            DbErr::Query(_) => "query",
            DbErr::RecordNotFound(_) | DbErr::RecordNotInserted | DbErr::RecordNotUpdated => "record",
            DbErr::Type(_) | DbErr::TryIntoErr { .. } | DbErr::Json(_) => "conversion",
            _ => "other",
        };
        let constraint = match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Some("unique"),
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => Some("foreign key"),
            _ => None,
        };
        Self { kind, constraint }
    }
}
