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

/// Wraps a database error for the domain.
pub(crate) fn db(context: &'static str) -> impl FnOnce(DbErr) -> PortError {
    move |e| PortError::new(context, e)
}
