//! `UserId`: the identifier of an account, a UUID version 7.

use std::fmt;

use uuid::Uuid;

/// The identifier of an account: a UUID v7, so ids sort by creation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Uuid);

impl UserId {
    /// Builds a v7 id from a Unix time in milliseconds and ten random bytes.
    #[must_use]
    pub fn new_v7(unix_millis: u64, random: [u8; 10]) -> Self {
        Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
    }

    /// Wraps an id read back from storage or a trusted source.
    #[must_use]
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The id as a UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_id_is_a_version_7_uuid() {
        let id = UserId::new_v7(1_700_000_000_000, [7; 10]);
        assert_eq!(id.as_uuid().get_version_num(), 7);
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = UserId::new_v7(1_700_000_000_000, [255; 10]);
        let second = UserId::new_v7(1_700_000_000_001, [0; 10]);
        assert!(first < second);
    }
}
