//! Keyed hashing of secrets (codes and tokens) so that only hashes are stored,
//! and constant-time comparison of those hashes.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The shortest server secret accepted, in bytes.
pub const MIN_SECRET_KEY_BYTES: usize = 32;

/// The server's secret key for hashing codes and tokens (HMAC-SHA-256).
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

/// Why bytes cannot serve as a secret key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the secret key must be at least {MIN_SECRET_KEY_BYTES} bytes")]
pub struct SecretKeyTooShort;

impl SecretKey {
    /// Wraps key material of at least [`MIN_SECRET_KEY_BYTES`] bytes.
    ///
    /// # Errors
    /// [`SecretKeyTooShort`] when the key is shorter.
    pub fn new(bytes: Vec<u8>) -> Result<Self, SecretKeyTooShort> {
        if bytes.len() < MIN_SECRET_KEY_BYTES {
            return Err(SecretKeyTooShort);
        }
        Ok(Self(bytes))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The keyed hash of a secret: what is stored instead of the secret. Equality
/// is constant-time, so `==` is as safe as [`SecretHash::matches`].
#[derive(Clone, Eq)]
pub struct SecretHash([u8; 32]);

impl PartialEq for SecretHash {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

impl SecretHash {
    /// Compares two hashes in constant time.
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// The hash's 32 bytes (to key an in-memory index; compare with
    /// [`matches`](Self::matches)).
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The hash as 64 lower-case hex digits, as stored.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads a hash back from its stored hex form.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({}…)", &self.to_hex()[..8])
    }
}

/// A random 256-bit secret handed to a client once (a session token, a
/// revert link), written as 64 hex digits. Only its keyed hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken([u8; 32]);

impl SecretToken {
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

    /// The keyed hash under which the token is stored, for one `purpose`.
    #[must_use]
    pub fn hash(&self, hasher: &SecretHasher, purpose: &str) -> SecretHash {
        hasher.hash(purpose, &[&self.0])
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

/// Hashes secrets with the server key. Each kind of secret has its own
/// purpose label, so a hash of one kind never matches another kind.
#[derive(Clone)]
pub struct SecretHasher {
    /// HMAC-SHA-256 with the key already absorbed, cloned for each hash.
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for SecretHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHasher(<redacted>)")
    }
}

impl SecretHasher {
    /// A hasher using `key`.
    #[must_use]
    pub fn new(key: SecretKey) -> Self {
        let Ok(keyed) = Hmac::<Sha256>::new_from_slice(&key.0) else { unreachable!("HMAC accepts keys of any length") };
        Self { keyed }
    }

    /// HMAC-SHA-256 over the purpose label and the given parts, each
    /// length-prefixed so that no two inputs collide.
    #[must_use]
    pub fn hash(&self, purpose: &str, parts: &[&[u8]]) -> SecretHash {
        let mut mac = self.keyed.clone();
        for part in std::iter::once(purpose.as_bytes()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        SecretHash(mac.finalize().into_bytes().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(byte: u8) -> SecretHasher {
        SecretHasher::new(SecretKey::new(vec![byte; 32]).unwrap())
    }

    #[test]
    fn the_same_secret_hashes_the_same_way_twice() {
        let h = hasher(1);
        assert!(h.hash("code", &[b"123456"]).matches(&h.hash("code", &[b"123456"])));
    }

    #[test]
    fn another_key_another_purpose_or_another_split_gives_another_hash() {
        let base = hasher(1).hash("code", &[b"ab", b"c"]);
        assert!(!base.matches(&hasher(2).hash("code", &[b"ab", b"c"])));
        assert!(!base.matches(&hasher(1).hash("token", &[b"ab", b"c"])));
        assert!(!base.matches(&hasher(1).hash("code", &[b"a", b"bc"])));
    }

    #[test]
    fn a_key_shorter_than_32_bytes_is_refused() {
        assert_eq!(SecretKey::new(vec![0; 31]).err(), Some(SecretKeyTooShort));
    }

    #[test]
    fn a_token_reads_back_from_what_the_client_is_given() {
        let token = SecretToken::from_random([0xAB; 32]);
        assert_eq!(SecretToken::parse(&token.reveal()), Some(token));
    }

    #[test]
    fn a_token_that_is_not_64_hex_digits_is_refused() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65)] {
            assert_eq!(SecretToken::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_token_hashes_differently_for_each_purpose_and_never_to_itself() {
        let token = SecretToken::from_random([1; 32]);
        let h = hasher(9);
        assert_ne!(token.hash(&h, "session-token").to_hex(), token.reveal());
        assert!(!token.hash(&h, "session-token").matches(&token.hash(&h, "revert-link")));
    }

    #[test]
    fn a_hash_survives_its_hex_form() {
        let hash = hasher(3).hash("x", &[b"y"]);
        assert_eq!(SecretHash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(SecretHash::from_hex("zz"), None);
    }
}
