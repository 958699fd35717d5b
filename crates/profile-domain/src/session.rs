//! Sessions: what a successful sign-in opens, and the bearer token that names one.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{SecretHash, SecretToken, UserId};

/// Purpose label of session-token hashes.
pub const SESSION_TOKEN_PURPOSE: &str = "session-token";

/// The identifier of a session, safe to show (unlike its token).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(pub Uuid);

/// A session token in clear; only its hash (purpose
/// [`SESSION_TOKEN_PURPOSE`]) is stored.
pub type SessionToken = SecretToken;

/// A signed-in session as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The session's identifier.
    pub id: SessionId,
    /// Whose session it is.
    pub user_id: UserId,
    /// The keyed hash of the session token.
    pub token_hash: SecretHash,
    /// When the user signed in; also tells how recent the sign-in is.
    pub created_at: OffsetDateTime,
    /// When the session ends, however active it is.
    pub expires_at: OffsetDateTime,
    /// When the session was last used (updated at most once a minute).
    pub last_seen_at: OffsetDateTime,
}

impl Session {
    /// Whether the session is still valid at `now`.
    #[must_use]
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}
