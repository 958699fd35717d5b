//! Messages the domain asks to send, queued in the outbox with the change that
//! causes them.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::EmailAddress;

/// The identifier of a queued message; also the basis of its Message-ID, so a
/// retried message keeps its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EmailId(pub Uuid);

/// What a message says. The email adapter renders each kind into text and HTML.
#[derive(Clone, PartialEq, Eq)]
pub enum EmailContent {
    /// The one-time code that completes a sign-in.
    SignInCode {
        /// The six digits, in clear: they exist in clear only until delivery.
        code: String,
        /// How long the code stays valid, in minutes.
        valid_minutes: u32,
    },
    /// The code that confirms a new login address, sent to that address.
    EmailChangeCode {
        /// The six digits, in clear until delivery.
        code: String,
        /// How long the code stays valid, in minutes.
        valid_minutes: u32,
    },
    /// Sent instead of a code when the requested address already belongs to
    /// another account: someone tried to use it, and nothing changed.
    EmailChangeAddressInUse,
    /// The security notice to the old address after a change.
    EmailChanged {
        /// The new address, mostly hidden (`n***@example.com`).
        new_email_masked: String,
        /// The link that restores the old address, in clear until delivery.
        revert_url: String,
        /// How long the link works, in minutes (rendered as days, hours or minutes).
        revert_valid_minutes: u32,
    },
    /// Sent to the restored address after a revert.
    EmailChangeReverted,
    /// Sent after a revert to the address that was in force until then: the
    /// change that made it the login address was undone from the old one.
    EmailChangeUndone {
        /// The restored address, mostly hidden (`a***@example.com`).
        restored_masked: String,
    },
    /// Sent when an account was erased, with the link to its receipt.
    AccountDeleted {
        /// The public receipt's URL.
        receipt_url: String,
    },
}

impl EmailContent {
    /// The kind name of [`EmailContent::EmailChangeCode`].
    pub const EMAIL_CHANGE_CODE: &'static str = "email_change_code";

    /// A stable name of the kind of message, safe to log.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::SignInCode { .. } => "sign_in_code",
            Self::EmailChangeCode { .. } => Self::EMAIL_CHANGE_CODE,
            Self::EmailChangeAddressInUse => "email_change_address_in_use",
            Self::EmailChanged { .. } => "email_changed",
            Self::EmailChangeReverted => "email_change_reverted",
            Self::EmailChangeUndone { .. } => "email_change_undone",
            Self::AccountDeleted { .. } => "account_deleted",
        }
    }
}

impl std::fmt::Debug for EmailContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EmailContent::{}(<redacted>)", self.kind())
    }
}

/// A message waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The message's identifier.
    pub id: EmailId,
    /// The recipient.
    pub to: EmailAddress,
    /// What it says.
    pub content: EmailContent,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// After this moment the message is pointless (a code that has expired)
    /// and is no longer tried; `None` means it is tried until delivered.
    pub expires_at: Option<OffsetDateTime>,
    /// The account the message is about, when one is known: the message is
    /// exported and erased with that account even when it went to an
    /// address that never became (or is no longer) the account's.
    pub about: Option<crate::UserId>,
}
