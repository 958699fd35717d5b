//! Consent: the operator's catalogue of purposes, the user's answers, and the
//! ledger of every change.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{PurposeId, UserId};

/// The longest purpose title accepted.
pub const MAX_PURPOSE_TITLE_CHARS: usize = 200;
/// The longest purpose description accepted.
pub const MAX_PURPOSE_DESCRIPTION_CHARS: usize = 4000;

/// What a purpose asks consent for; written `email` or `data_use`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeKind {
    /// A kind of email the operator sends.
    Email,
    /// A use of the user's data.
    DataUse,
}

impl PurposeKind {
    /// The stable name (`email`, `data_use`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::DataUse => "data_use",
        }
    }
}

/// What happens to an answer given to an older version of a purpose;
/// written `keep` or `ask_again`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnNewVersion {
    /// The answer stands until the user answers again.
    #[default]
    Keep,
    /// The purpose is off until the user answers the new version.
    AskAgain,
}

/// A stored purpose version whose text differs from the catalogue's: the
/// text changed without a new version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the text of consent purpose {purpose} version {version} changed; give it a new version")]
pub struct TextChangedWithoutNewVersion {
    /// The purpose.
    pub purpose: String,
    /// The version whose text differs.
    pub version: u32,
}

/// One purpose of the operator's catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purpose {
    /// Its id.
    pub id: PurposeId,
    /// Email or data use.
    pub kind: PurposeKind,
    /// The short title shown next to the switch.
    pub title: String,
    /// The text that explains it.
    pub description: String,
    /// Its version; a new text means a new version.
    pub version: u32,
    /// What a new version does to earlier answers.
    pub on_new_version: OnNewVersion,
}

impl Purpose {
    /// The SHA-256 (hex) of the exact text shown, recorded with every answer
    /// to prove what the user saw: SHA-256 over the title's length as a
    /// big-endian u64, the title's UTF-8 bytes, the description's length as
    /// a big-endian u64 and the description's UTF-8 bytes.
    #[must_use]
    pub fn text_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.title.as_bytes(), self.description.as_bytes()] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        hex::encode(hasher.finalize())
    }
}

/// Why a catalogue is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// Two purposes share an id.
    #[error("the purpose id {0} appears twice")]
    DuplicateId(String),
    /// A version is 0.
    #[error("the purpose {0} needs a version of 1 or more")]
    ZeroVersion(String),
    /// A title is empty or too long.
    #[error("the purpose {0} needs a title of 1 to {MAX_PURPOSE_TITLE_CHARS} characters")]
    BadTitle(String),
    /// A description is too long.
    #[error("the description of the purpose {0} is longer than {MAX_PURPOSE_DESCRIPTION_CHARS} characters")]
    LongDescription(String),
    /// A version is larger than can be stored.
    #[error("the version of the purpose {0} is larger than {MAX_PURPOSE_VERSION}")]
    HugeVersion(String),
}

/// The largest purpose version accepted.
pub const MAX_PURPOSE_VERSION: u32 = i32::MAX as u32;

/// The operator's purposes, validated.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PurposeCatalogue {
    purposes: Vec<Purpose>,
}

impl PurposeCatalogue {
    /// A catalogue of `purposes`, in the order given.
    ///
    /// # Errors
    /// [`CatalogueError`] for the first rule broken.
    pub fn new(purposes: Vec<Purpose>) -> Result<Self, CatalogueError> {
        for (i, p) in purposes.iter().enumerate() {
            let id = || p.id.as_str().to_owned();
            if purposes[..i].iter().any(|q| q.id == p.id) {
                return Err(CatalogueError::DuplicateId(id()));
            }
            if p.version == 0 {
                return Err(CatalogueError::ZeroVersion(id()));
            }
            if p.version > MAX_PURPOSE_VERSION {
                return Err(CatalogueError::HugeVersion(id()));
            }
            let title = p.title.trim().chars().count();
            if title == 0 || title > MAX_PURPOSE_TITLE_CHARS {
                return Err(CatalogueError::BadTitle(id()));
            }
            if p.description.chars().count() > MAX_PURPOSE_DESCRIPTION_CHARS {
                return Err(CatalogueError::LongDescription(id()));
            }
        }
        Ok(Self { purposes })
    }

    /// Every purpose, in catalogue order.
    #[must_use]
    pub fn purposes(&self) -> &[Purpose] {
        &self.purposes
    }

    /// The purpose with this id.
    #[must_use]
    pub fn get(&self, id: &PurposeId) -> Option<&Purpose> {
        self.purposes.iter().find(|p| &p.id == id)
    }
}

/// Where a consent change came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentChannel {
    /// The profile web page (session cookie).
    Web,
    /// The JSON API (bearer token).
    Api,
    /// A one-click unsubscribe link.
    Unsubscribe,
    /// A mailing-list provider reporting an unsubscribe.
    Provider,
    /// The deletion of the account.
    Deletion,
}

impl ConsentChannel {
    /// The stable name, as stored.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Unsubscribe => "unsubscribe",
            Self::Provider => "provider",
            Self::Deletion => "deletion",
        }
    }

    /// The channel with this stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Web, Self::Api, Self::Unsubscribe, Self::Provider, Self::Deletion]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

/// One entry of the ledger: appended for every change, never updated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentEvent {
    /// The entry's id.
    pub id: Uuid,
    /// Whose answer.
    pub user_id: UserId,
    /// To which purpose.
    pub purpose_id: PurposeId,
    /// The version answered.
    pub version: u32,
    /// The hash of the exact text shown ([`Purpose::text_hash`]).
    pub text_hash: String,
    /// Granted (`true`) or withdrawn.
    pub granted: bool,
    /// When.
    pub at: OffsetDateTime,
    /// Through which channel.
    pub channel: ConsentChannel,
}

impl ConsentEvent {
    /// The entry for an answer to `purpose` in its current version and text.
    #[must_use]
    pub fn answer_to(
        purpose: &Purpose,
        user_id: UserId,
        granted: bool,
        channel: ConsentChannel,
        id: Uuid,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            user_id,
            purpose_id: purpose.id.clone(),
            version: purpose.version,
            text_hash: purpose.text_hash(),
            granted,
            at,
            channel,
        }
    }
}

/// The user's latest answer for one purpose, kept in step with the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentAnswer {
    /// The purpose.
    pub purpose_id: PurposeId,
    /// Granted or withdrawn.
    pub granted: bool,
    /// The version answered.
    pub version: u32,
    /// The hash of the text answered.
    pub text_hash: String,
    /// When.
    pub answered_at: OffsetDateTime,
}

/// A purpose as the user sees it: the answer in force and whether a new
/// version asks for a new answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentView {
    /// The purpose in its current version.
    pub purpose: Purpose,
    /// Whether the purpose is on for the user now.
    pub granted: bool,
    /// The version the user last answered, if any.
    pub answered_version: Option<u32>,
    /// When the user last answered, if ever.
    pub answered_at: Option<OffsetDateTime>,
    /// The user gave consent to an older version and should answer again
    /// (a withdrawal stands until the user changes it).
    pub needs_answer: bool,
}

impl ConsentView {
    /// The view of `purpose` given the user's latest answer. Nothing is on
    /// without an answer (opt-in).
    #[must_use]
    pub fn of(purpose: &Purpose, answer: Option<&ConsentAnswer>) -> Self {
        let outdated = answer.is_some_and(|a| a.version != purpose.version || a.text_hash != purpose.text_hash());
        let granted = match answer {
            None => false,
            Some(_) if outdated && purpose.on_new_version == OnNewVersion::AskAgain => false,
            Some(a) => a.granted,
        };
        Self {
            purpose: purpose.clone(),
            granted,
            answered_version: answer.map(|a| a.version),
            answered_at: answer.map(|a| a.answered_at),
            needs_answer: outdated && answer.is_some_and(|a| a.granted),
        }
    }
}
