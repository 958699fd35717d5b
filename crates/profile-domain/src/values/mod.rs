//! Value types with validating constructors: once built, a value is valid.

mod display_name;
mod email_address;
mod provider_id;
mod purpose_id;
mod user_id;

pub use display_name::{DisplayName, DisplayNameError, MAX_DISPLAY_NAME_CHARS};
pub use email_address::{EmailAddress, EmailAddressError, MAX_EMAIL_LENGTH};
pub use provider_id::{ProviderId, ProviderIdError};
pub use purpose_id::{PurposeId, PurposeIdError};
pub use user_id::UserId;
