//! The records of the export document: one struct per kind of stored thing,
//! with field names in plain English and every time in RFC 3339 UTC. Nothing
//! here carries a hash, a key or delivery bookkeeping.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// Serialises times as RFC 3339 in UTC (`2026-11-30T10:15:00.123Z`).
pub(crate) mod utc {
    use serde::Serializer;
    use time::{OffsetDateTime, UtcOffset};

    /// The longest text: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
    const LONGEST: usize = 30;

    /// Written for the epoch when a year does not fit RFC 3339's four digits.
    const OUT_OF_RANGE: &str = "1970-01-01T00:00:00Z";

    /// RFC 3339 text in UTC, written on the stack: the same text as `time`'s
    /// `Rfc3339` (fraction only when not zero, trailing zeros dropped), at
    /// a fraction of its cost, since the export writes two per ledger entry.
    struct Text {
        bytes: [u8; LONGEST],
        len: usize,
    }

    impl Text {
        fn of(at: OffsetDateTime) -> Self {
            let at = at.to_offset(UtcOffset::UTC);
            let mut text = Self { bytes: [0; LONGEST], len: 0 };
            let year = at.year();
            if !(0..=9999).contains(&year) {
                text.push(OUT_OF_RANGE.as_bytes());
                return text;
            }
            text.digits(year.unsigned_abs(), 4);
            text.push(b"-");
            text.digits(u32::from(u8::from(at.month())), 2);
            text.push(b"-");
            text.digits(u32::from(at.day()), 2);
            text.push(b"T");
            text.digits(u32::from(at.hour()), 2);
            text.push(b":");
            text.digits(u32::from(at.minute()), 2);
            text.push(b":");
            text.digits(u32::from(at.second()), 2);
            let mut nanos = at.nanosecond();
            if nanos != 0 {
                let mut width = 9;
                while nanos.is_multiple_of(10) {
                    nanos /= 10;
                    width -= 1;
                }
                text.push(b".");
                text.digits(nanos, width);
            }
            text.push(b"Z");
            text
        }

        fn push(&mut self, bytes: &[u8]) {
            self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }

        /// `value` in `width` decimal digits, zero-padded.
        fn digits(&mut self, mut value: u32, width: usize) {
            for place in (0..width).rev() {
                self.bytes[self.len + place] = b'0' + (value % 10) as u8;
                value /= 10;
            }
            self.len += width;
        }

        fn as_str(&self) -> &str {
            // Only ASCII digits and punctuation are ever written.
            std::str::from_utf8(&self.bytes[..self.len]).unwrap_or(OUT_OF_RANGE)
        }
    }

    /// The time as RFC 3339 in UTC.
    pub(crate) fn text(at: OffsetDateTime) -> String {
        Text::of(at).as_str().to_owned()
    }

    pub(crate) fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(Text::of(*at).as_str())
    }

    pub(crate) mod option {
        use serde::Serializer;
        use time::OffsetDateTime;

        pub(crate) fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, s),
                None => s.serialize_none(),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use time::format_description::well_known::Rfc3339;
        use time::{Duration, OffsetDateTime, UtcOffset};

        use super::text;

        fn by_time(at: OffsetDateTime) -> String {
            at.to_offset(UtcOffset::UTC).format(&Rfc3339).unwrap_or_else(|_| super::OUT_OF_RANGE.to_owned())
        }

        #[test]
        fn the_text_is_the_same_as_the_time_crates() {
            let mut at = OffsetDateTime::UNIX_EPOCH;
            let steps = [
                Duration::nanoseconds(1),
                Duration::nanoseconds(1_234_567),
                Duration::milliseconds(999),
                Duration::milliseconds(10),
                Duration::seconds(59),
                Duration::days(397),
                Duration::nanoseconds(120_000_000),
            ];
            for round in 0..2_000 {
                at += steps[round % steps.len()] * (1 + (round % 13) as i32);
                assert_eq!(text(at), by_time(at));
            }
            let offset = UtcOffset::from_hms(5, 30, 0).expect("a valid offset");
            let shifted = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid time").to_offset(offset);
            assert_eq!(text(shifted), "2023-11-14T22:13:20Z");
            for edge in [OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH - Duration::days(800_000)] {
                assert_eq!(text(edge), by_time(edge));
            }
        }
    }
}

/// The account: who the user is to the service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRecord {
    /// The user's id.
    pub id: Uuid,
    /// The address the user signs in with.
    pub login_email: String,
    /// When the account was created (the first sign-in).
    #[serde(with = "utc")]
    pub created_at: OffsetDateTime,
    /// When the account last changed.
    #[serde(with = "utc")]
    pub updated_at: OffsetDateTime,
}

/// One stored file of a picture, with its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PictureFileRecord {
    /// The file's name, as in its URL.
    pub file_name: String,
    /// Width and height in pixels.
    pub size_px: u32,
    /// `image/jpeg` or `image/png`.
    pub media_type: &'static str,
    /// Length in bytes.
    pub length_bytes: u64,
    /// The file itself, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// A picture: the one in use, or an upload waiting for Save.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PictureRecord {
    /// When it was uploaded.
    #[serde(with = "utc")]
    pub uploaded_at: OffsetDateTime,
    /// For an upload not saved yet, when it is dropped.
    #[serde(with = "utc::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Each stored size, largest first.
    pub files: Vec<PictureFileRecord>,
}

/// A login-address change waiting for its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingEmailChangeRecord {
    /// The address asked for.
    pub new_email: String,
    /// When the code was sent.
    #[serde(with = "utc")]
    pub requested_at: OffsetDateTime,
    /// When the code stops working.
    #[serde(with = "utc")]
    pub expires_at: OffsetDateTime,
    /// Wrong codes entered so far.
    pub attempts: u32,
}

/// When an address-change code was sent (the address itself is kept only
/// as a keyed hash, which the export leaves out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeCodeSentRecord {
    /// When.
    #[serde(with = "utc")]
    pub sent_at: OffsetDateTime,
}

/// A change of login address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressChangeRecord {
    /// The change's id.
    pub id: Uuid,
    /// The address before.
    pub old_email: String,
    /// The address after.
    pub new_email: String,
    /// When it took effect.
    #[serde(with = "utc")]
    pub changed_at: OffsetDateTime,
    /// Until when the link sent to the old address could undo it.
    #[serde(with = "utc")]
    pub undo_possible_until: OffsetDateTime,
    /// When it was undone from that link, if it was.
    #[serde(with = "utc::option")]
    pub undone_at: Option<OffsetDateTime>,
    /// When the link stopped working early (an earlier change was undone), if it did.
    #[serde(with = "utc::option")]
    pub undo_link_cancelled_at: Option<OffsetDateTime>,
}

/// A sign-in code not used yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignInCodeRecord {
    /// The address it was sent to.
    pub email: String,
    /// When it was sent.
    #[serde(with = "utc")]
    pub sent_at: OffsetDateTime,
    /// When it stops working.
    #[serde(with = "utc")]
    pub expires_at: OffsetDateTime,
    /// Wrong codes entered so far.
    pub attempts: u32,
}

/// A signed-in session (a browser or an app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    /// The session's id.
    pub id: Uuid,
    /// When it was opened.
    #[serde(with = "utc")]
    pub signed_in_at: OffsetDateTime,
    /// When it was last used (to the minute).
    #[serde(with = "utc")]
    pub last_seen_at: OffsetDateTime,
    /// When it ends unless the user signs out first.
    #[serde(with = "utc")]
    pub expires_at: OffsetDateTime,
    /// Whether this is the session the export was made with.
    pub current: bool,
}

/// The wording of a purpose as the user saw it, once per version answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurposeTextRecord {
    /// The purpose's id.
    pub purpose: String,
    /// The version of its wording.
    pub version: u32,
    /// `email` or `data_use`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
}

/// The answer in force for one purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentAnswerRecord {
    /// The purpose's id.
    pub purpose: String,
    /// Whether the user agreed.
    pub granted: bool,
    /// The version of the wording answered.
    pub version: u32,
    /// When.
    #[serde(with = "utc")]
    pub answered_at: OffsetDateTime,
}

/// An unsubscribe link made for the user (the link's secret is left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnsubscribeLinkRecord {
    /// The purpose it withdraws.
    pub purpose: String,
    /// When it was first made.
    #[serde(with = "utc")]
    pub created_at: OffsetDateTime,
}

/// One change in the consent ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerEntryRecord {
    /// The entry's id.
    pub id: Uuid,
    /// Its place in the user's ledger, from 1.
    pub sequence: i64,
    /// The purpose's id.
    pub purpose: String,
    /// The version of its wording.
    pub version: u32,
    /// Granted (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// When.
    #[serde(with = "utc")]
    pub at: OffsetDateTime,
    /// How: `web` (the profile page), `api`, `unsubscribe` (a link in an email), `provider` (a mailing-list provider reported it) or `deletion`.
    pub channel: String,
}

/// An email the service sent, or is sending, to one of the user's addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EmailRecord {
    /// The message's id.
    pub id: Uuid,
    /// The address.
    pub to: String,
    /// What it is about (`sign_in_code`, `email_change_code` …).
    pub kind: String,
    /// `pending` (queued), `sent`, `failed` or `expired`.
    pub status: String,
    /// When it was queued.
    #[serde(with = "utc")]
    pub queued_at: OffsetDateTime,
    /// When it was sent or given up.
    #[serde(with = "utc::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// A notice about the user for a mailing-list provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderNoticeRecord {
    /// The notice's id.
    pub id: Uuid,
    /// The provider's id in the service's configuration.
    pub provider: String,
    /// Its place among the notices about the user.
    pub sequence: i64,
    /// `consent.changed` or `email.changed`.
    pub kind: String,
    /// What is (or was) sent, while it is waiting; erased once delivered.
    pub content: Option<serde_json::Value>,
    /// `pending` or `delivered`.
    pub status: String,
    /// When it was queued.
    #[serde(with = "utc")]
    pub queued_at: OffsetDateTime,
    /// When the provider accepted it.
    #[serde(with = "utc::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

/// One entry of the security history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecurityEventRecord {
    /// Where the entry stands in the history (for paging; not exported).
    #[serde(skip)]
    pub position: i64,
    /// What happened (`signed_in`, `signed_out`, `email_changed`,
    /// `email_change_reverted`, `data_exported`, `deletion_requested`,
    /// `deletion_cancelled`).
    pub kind: String,
    /// When.
    #[serde(with = "utc")]
    pub at: OffsetDateTime,
}
