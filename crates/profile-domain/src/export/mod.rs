//! The export: everything stored about a user as one versioned JSON
//! document (`docs/export.md`, `docs/export.schema.json`), written piece by
//! piece so its size in memory does not grow with the user's history.

mod document;
mod records;

use time::OffsetDateTime;

pub use document::ExportDocument;
pub use records::{
    AccountRecord, AddressChangeRecord, ChangeCodeSentRecord, ConsentAnswerRecord, EmailRecord, LedgerEntryRecord,
    PendingEmailChangeRecord, PictureFileRecord, PictureRecord, ProviderNoticeRecord, PurposeTextRecord,
    SecurityEventRecord, SessionRecord, SignInCodeRecord, UnsubscribeLinkRecord,
};

use crate::Picture;

/// The document's `format` field.
pub const FORMAT: &str = "profile-export";

/// The document's `version` field: raised when a field changes meaning or
/// goes away (new fields may appear within a version).
pub const VERSION: u32 = 1;

/// What the store reads in one transaction: everything but the entries of
/// the two histories, and how far each history reached at that moment.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSnapshot {
    /// The account.
    pub account: AccountRecord,
    /// The display name, if one was set.
    pub display_name: Option<String>,
    /// The current picture and any upload waiting for Save.
    pub pictures: Vec<Picture>,
    /// An address change waiting for its code.
    pub pending_email_change: Option<PendingEmailChangeRecord>,
    /// When address-change codes were sent (within the hour they count).
    pub change_codes_sent: Vec<ChangeCodeSentRecord>,
    /// Every change of login address, oldest first.
    pub address_changes: Vec<AddressChangeRecord>,
    /// Sign-in codes not used yet, for any of the user's addresses.
    pub sign_in_codes: Vec<SignInCodeRecord>,
    /// Open sessions, oldest first.
    pub sessions: Vec<SessionRecord>,
    /// The wording of every purpose version the user answered.
    pub purposes: Vec<PurposeTextRecord>,
    /// The answers in force.
    pub consent_answers: Vec<ConsentAnswerRecord>,
    /// Unsubscribe links made for the user.
    pub unsubscribe_links: Vec<UnsubscribeLinkRecord>,
    /// Emails to any of the user's addresses still on record.
    pub emails: Vec<EmailRecord>,
    /// Notices about the user for mailing-list providers still on record.
    pub provider_notices: Vec<ProviderNoticeRecord>,
    /// The last ledger sequence number at the snapshot (0 for none).
    pub ledger_through: i64,
    /// The last security-history position at the snapshot (0 for none).
    pub security_through: i64,
}

/// When the document was made, and for which session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    /// When.
    pub at: OffsetDateTime,
    /// The session that asked, marked `current` among the sessions.
    pub session: Option<crate::SessionId>,
}
