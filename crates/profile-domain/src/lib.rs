//! The pure domain of the profile service: value types, use cases and the ports
//! that adapters implement.
//!
//! This crate performs no I/O and knows nothing of HTTP, SQL, SMTP or any
//! async runtime. Everything outside the process is reached through the traits
//! in [`ports`]; the use cases in [`use_cases`] hold the rules.

pub mod account;
pub mod backoff;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod consent;
pub mod default_picture;
pub mod email;
pub mod email_change;
pub mod erasure;
mod error_chain;
pub mod export;
pub mod picture;
pub mod ports;
pub mod provider;
pub mod public_profile;
pub mod rate_limit;
pub mod secret;
pub mod security;
pub mod service_events;
pub mod session;
pub mod sign_in_challenge;
pub mod unsubscribe;
pub mod use_cases;
pub mod values;
pub mod webhook_signature;

pub use account::Account;
pub use consent::{
    CatalogueError, ConsentAnswer, ConsentChannel, ConsentEvent, ConsentView, OnNewVersion, Purpose, PurposeCatalogue,
    PurposeKind, TextChangedWithoutNewVersion,
};
pub use default_picture::{default_picture_name, default_picture_svg};
pub use email::{EmailContent, EmailId, OutgoingEmail};
pub use email_change::{CodeLimits, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, RecentCodes};
pub use error_chain::error_chain;
pub use picture::{ImageFormat, Picture, PictureFile, PictureSlot, blob_key};
pub use ports::PortError;
pub use provider::{NoticeFor, ProviderEvent, ProviderNotice, ProviderRoute, ProviderRoutes, ProviderRoutesError};
pub use public_profile::{PictureLinks, PublicProfile, ShownPicture, SizedUrl};
pub use rate_limit::{LimitName, RateLimit, RateLimitPolicy};
pub use secret::{SecretHash, SecretHasher, SecretKey, SecretToken};
pub use security::{SecurityEvent, SecurityEventKind};
pub use service_events::{EventSubscriptions, ServiceEvent};
pub use session::{SESSION_TOKEN_PURPOSE, Session, SessionId, SessionToken};
pub use sign_in_challenge::SignInChallenge;
pub use unsubscribe::UnsubscribeKey;
pub use values::{
    DisplayName, DisplayNameError, EmailAddress, EmailAddressError, MAX_DISPLAY_NAME_CHARS, MAX_EMAIL_LENGTH,
    ProviderId, ProviderIdError, PurposeId, PurposeIdError, UserId,
};
pub use webhook_signature::{SignatureError, WebhookSecret, WebhookSecretError};
