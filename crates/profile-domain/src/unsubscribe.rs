//! One-click unsubscribe links: a token per user and email purpose, derived
//! from a stored random nonce under the server key, so the same link can be
//! listed again without storing the token, and rotating the nonce revokes it.

use time::OffsetDateTime;

use crate::{PurposeId, SecretHash, SecretHasher, UserId};

const TOKEN_PURPOSE: &str = "unsubscribe-token";
const LOOKUP_PURPOSE: &str = "unsubscribe-lookup";

/// What is stored for one user's link to one purpose: never the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsubscribeKey {
    /// Whose link.
    pub user_id: UserId,
    /// For which purpose.
    pub purpose_id: PurposeId,
    /// Random bytes the token is derived from; a new nonce revokes the old link.
    pub nonce: [u8; 16],
    /// The keyed hash the token is found by.
    pub lookup: SecretHash,
    /// When the link was made.
    pub created_at: OffsetDateTime,
}

impl UnsubscribeKey {
    /// A key with `nonce` for `user` and `purpose`.
    #[must_use]
    pub fn new(
        hasher: &SecretHasher,
        user_id: UserId,
        purpose_id: PurposeId,
        nonce: [u8; 16],
        created_at: OffsetDateTime,
    ) -> Self {
        let lookup = lookup_hash(hasher, &token_text(hasher, user_id, &purpose_id, &nonce));
        Self { user_id, purpose_id, nonce, lookup, created_at }
    }

    /// The token of the link, in clear (64 hex digits).
    #[must_use]
    pub fn token(&self, hasher: &SecretHasher) -> String {
        token_text(hasher, self.user_id, &self.purpose_id, &self.nonce)
    }
}

fn token_text(hasher: &SecretHasher, user: UserId, purpose: &PurposeId, nonce: &[u8; 16]) -> String {
    hasher.hash(TOKEN_PURPOSE, &[user.as_uuid().as_bytes(), purpose.as_str().as_bytes(), nonce]).to_hex()
}

/// The keyed hash a presented token is looked up by.
#[must_use]
pub fn lookup_hash(hasher: &SecretHasher, token: &str) -> SecretHash {
    hasher.hash(LOOKUP_PURPOSE, &[token.as_bytes()])
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::SecretKey;

    fn hasher() -> SecretHasher {
        SecretHasher::new(SecretKey::new(vec![4; 32]).unwrap())
    }

    #[test]
    fn the_same_key_gives_the_same_token_and_a_new_nonce_another() {
        let user = UserId::new_v7(1, [1; 10]);
        let news = PurposeId::parse("news").unwrap();
        let at = datetime!(2026-11-29 12:00 UTC);
        let a = UnsubscribeKey::new(&hasher(), user, news.clone(), [1; 16], at);
        let again = UnsubscribeKey::new(&hasher(), user, news.clone(), [1; 16], at);
        let rotated = UnsubscribeKey::new(&hasher(), user, news, [2; 16], at);
        assert_eq!(a.token(&hasher()), again.token(&hasher()));
        assert_ne!(a.token(&hasher()), rotated.token(&hasher()));
        assert_eq!(a.token(&hasher()).len(), 64);
        assert_eq!(lookup_hash(&hasher(), &a.token(&hasher())), a.lookup);
        assert_ne!(a.lookup.to_hex(), a.token(&hasher()), "the token itself is not what is stored");
    }
}
