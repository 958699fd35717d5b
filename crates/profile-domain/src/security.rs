//! The security history: what happened to an account that its owner may
//! want to see (sign-ins and sign-outs, address changes, exports), kept
//! for the export.

use time::OffsetDateTime;

use crate::UserId;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEventKind {
    /// A sign-in with a code opened a session.
    SignedIn,
    /// The user signed out of a session.
    SignedOut,
    /// The login address changed.
    EmailChanged,
    /// An address change was undone from the emailed link.
    EmailChangeReverted,
    /// The user downloaded the export of their data.
    DataExported,
    /// The user asked for their account's deletion, with a grace period.
    DeletionRequested,
    /// The user cancelled that deletion within the grace period.
    DeletionCancelled,
}

impl SecurityEventKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::SignedIn,
        Self::SignedOut,
        Self::EmailChanged,
        Self::EmailChangeReverted,
        Self::DataExported,
        Self::DeletionRequested,
        Self::DeletionCancelled,
    ];

    /// The stable name, as stored and exported.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::SignedOut => "signed_out",
            Self::EmailChanged => "email_changed",
            Self::EmailChangeReverted => "email_change_reverted",
            Self::DataExported => "data_exported",
            Self::DeletionRequested => "deletion_requested",
            Self::DeletionCancelled => "deletion_cancelled",
        }
    }

    /// The kind with this stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One entry of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityEvent {
    /// Whose account.
    pub user_id: UserId,
    /// What happened.
    pub kind: SecurityEventKind,
    /// When.
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_survive_their_stored_names() {
        for kind in SecurityEventKind::ALL {
            assert_eq!(SecurityEventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SecurityEventKind::parse("exported"), None);
        assert_eq!(SecurityEventKind::parse("DATA_EXPORTED"), None);
    }
}
