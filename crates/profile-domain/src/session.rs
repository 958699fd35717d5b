//! Sessions: what a successful sign-in opens, and the bearer token that names one.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{SecretHash, SecretHasher, UserId};

/// Purpose label of session-token hashes.
const SESSION_TOKEN_PURPOSE: &str = "session-token";

/// The identifier of a session, safe to show (unlike its token).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(pub Uuid);

/// A session token in clear: 256 random bits, written as 64 hex digits.
/// It is given to the client once and only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken([u8; 32]);

impl SessionToken {
    /// A token made of the given random bytes.
    #[must_use]
    pub const fn from_random(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads a token presented by a client; `None` when it is not 64 hex digits.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The token as the client sends it back.
    #[must_use]
    pub fn reveal(&self) -> String {
        hex::encode(self.0)
    }

    /// The keyed hash under which the session is stored.
    #[must_use]
    pub fn hash(&self, hasher: &SecretHasher) -> SecretHash {
        hasher.hash(SESSION_TOKEN_PURPOSE, &[&self.0])
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKey;

    #[test]
    fn a_token_reads_back_from_what_the_client_is_given() {
        let token = SessionToken::from_random([0xAB; 32]);
        assert_eq!(SessionToken::parse(&token.reveal()), Some(token));
    }

    #[test]
    fn a_token_that_is_not_64_hex_digits_is_refused() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65)] {
            assert_eq!(SessionToken::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_stored_hash_differs_from_the_token() {
        let hasher = SecretHasher::new(SecretKey::new(vec![9; 32]).unwrap());
        let token = SessionToken::from_random([1; 32]);
        assert_ne!(token.hash(&hasher).to_hex(), token.reveal());
    }
}
