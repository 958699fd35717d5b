//! Webhook signatures in the Standard Webhooks scheme: an HMAC-SHA256 over
//! `"{id}.{timestamp}.{body}"`, sent base64-encoded as `v1,<signature>` in
//! the `webhook-signature` header beside `webhook-id` and
//! `webhook-timestamp`. Outbound notices are signed with it; inbound
//! provider reports are checked with it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

/// The prefix of a secret's text form.
const SECRET_PREFIX: &str = "whsec_";
/// The fewest secret bytes accepted.
pub const MIN_SECRET_BYTES: usize = 24;
/// The most secret bytes accepted.
pub const MAX_SECRET_BYTES: usize = 64;
/// The most signatures one header may carry (several while a secret is
/// being rotated).
const MAX_SIGNATURES: usize = 8;

/// A shared webhook secret: `whsec_` followed by 24 to 64 bytes in base64.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// Why a secret's text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a webhook secret is whsec_ followed by {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes in base64")]
pub struct WebhookSecretError;

/// Why a received webhook is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is missing or malformed.
    #[error("the webhook-id, webhook-timestamp and webhook-signature headers are required and well formed")]
    Malformed,
    /// The timestamp is too far from now, so it may be a replay.
    #[error("the webhook timestamp is too far from the current time")]
    Stale,
    /// No signature matches.
    #[error("no webhook signature matches")]
    Mismatch,
}

impl WebhookSecret {
    /// Parses the text form.
    ///
    /// # Errors
    /// [`WebhookSecretError`] for a missing prefix, bad base64 or a wrong length.
    pub fn parse(text: &str) -> Result<Self, WebhookSecretError> {
        let encoded = text.trim().strip_prefix(SECRET_PREFIX).ok_or(WebhookSecretError)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| WebhookSecretError)?;
        if (MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&bytes.len()) {
            Ok(Self(bytes))
        } else {
            Err(WebhookSecretError)
        }
    }

    /// The MAC over the id, the timestamp exactly as sent, and the body.
    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else { return [0; 32] };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// The `webhook-signature` header value for a message.
    #[must_use]
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, &timestamp.to_string(), body)))
    }

    /// Checks a received message: the timestamp (whole seconds since the
    /// epoch) within `tolerance` of `now` either way, and one of the
    /// space-separated `v1,` signatures matching, compared in constant time.
    ///
    /// # Errors
    /// [`SignatureError`] saying which check failed.
    pub fn verify(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: OffsetDateTime,
        tolerance: Duration,
    ) -> Result<(), SignatureError> {
        let well_formed_id = !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic());
        if !well_formed_id {
            return Err(SignatureError::Malformed);
        }
        let digits = !timestamp.is_empty() && timestamp.len() <= 12 && timestamp.bytes().all(|b| b.is_ascii_digit());
        if !digits {
            return Err(SignatureError::Malformed);
        }
        let seconds: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
        let sent = OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| SignatureError::Malformed)?;
        if (now - sent).abs() > tolerance {
            return Err(SignatureError::Stale);
        }
        let expected = self.mac(id, timestamp, body);
        let mut matched = false;
        for candidate in signatures.split_ascii_whitespace().take(MAX_SIGNATURES) {
            let Some(encoded) = candidate.strip_prefix("v1,") else { continue };
            let Ok(given) = STANDARD.decode(encoded) else { continue };
            matched |= bool::from(given.ct_eq(&expected));
        }
        if matched { Ok(()) } else { Err(SignatureError::Mismatch) }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const NOW: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

    fn secret() -> WebhookSecret {
        WebhookSecret::parse(SECRET).unwrap()
    }

    #[test]
    fn the_signature_is_the_standard_webhooks_hmac_of_id_timestamp_and_body() {
        // Worked out independently with Python's hmac module:
        // base64(hmac.new(b64decode(key), b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}", sha256))
        let signature = secret().sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_signed_message_verifies_and_any_change_to_it_does_not() {
        let at = NOW.unix_timestamp();
        let header = secret().sign("msg_1", at, b"{}");
        let ts = at.to_string();
        let check =
            |id: &str, ts: &str, sig: &str, body: &[u8]| secret().verify(id, ts, sig, body, NOW, Duration::minutes(5));
        assert_eq!(check("msg_1", &ts, &header, b"{}"), Ok(()));
        assert_eq!(check("msg_1", &ts, &format!("v1,AAAA {header}"), b"{}"), Ok(()), "one of several");
        assert_eq!(check("msg_2", &ts, &header, b"{}"), Err(SignatureError::Mismatch));
        assert_eq!(check("msg_1", &(at + 1).to_string(), &header, b"{}"), Err(SignatureError::Mismatch));
        assert_eq!(check("msg_1", &ts, &header, b"{ }"), Err(SignatureError::Mismatch));
        assert_eq!(check("msg_1", &ts, &header.replace("v1,", "v2,"), b"{}"), Err(SignatureError::Mismatch));
        assert_eq!(check("msg_1", &ts, "v1,not base64!", b"{}"), Err(SignatureError::Mismatch));
        assert_eq!(check("", &ts, &header, b"{}"), Err(SignatureError::Malformed));
        assert_eq!(check("msg_1", "soon", &header, b"{}"), Err(SignatureError::Malformed));
        assert_eq!(check("msg_1", &format!("+{ts}"), &header, b"{}"), Err(SignatureError::Malformed));
        assert_eq!(check("msg_1", &format!("0{ts}"), &header, b"{}"), Err(SignatureError::Mismatch), "as sent");
    }

    #[test]
    fn timestamps_are_accepted_up_to_the_tolerance_either_way() {
        let tolerance = Duration::minutes(5);
        for (offset, ok) in [(-300, true), (300, true), (-301, false), (301, false)] {
            let at = NOW.unix_timestamp() + offset;
            let header = secret().sign("m", at, b"x");
            let result = secret().verify("m", &at.to_string(), &header, b"x", NOW, tolerance);
            assert_eq!(result.is_ok(), ok, "offset {offset}");
            if !ok {
                assert_eq!(result, Err(SignatureError::Stale));
            }
        }
    }

    #[test]
    fn secrets_need_the_prefix_valid_base64_and_a_sound_length() {
        assert!(WebhookSecret::parse(SECRET).is_ok());
        for bad in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_***", "whsec_c2hvcnQ=", ""] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad}");
        }
        assert!(!format!("{:?}", secret()).contains("MfKQ"), "Debug hides the secret");
    }
}
