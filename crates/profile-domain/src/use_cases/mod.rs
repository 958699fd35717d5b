//! Use cases: small services over the ports, holding the business rules.

mod consents;
mod draw;
mod email_change;
mod email_change_errors;
mod erasure_policy;
mod erasures;
mod exports;
mod housekeeping;
mod outbox_delivery;
mod pictures;
mod profile;
mod provider_reports;
mod provider_sync;
mod public_profiles;
mod rate_limits;
mod sessions;
mod sign_in;
mod unsubscribes;

#[cfg(test)]
pub(crate) mod fakes;

pub use consents::{CatalogueRegistrationError, ConsentError, Consents};
pub use email_change::{CODE_LIMIT_WINDOW, EmailChangePolicy, EmailChanges, REVERT_TOKEN_PURPOSE};
pub use email_change_errors::{ConfirmEmailChangeError, RevertEmailChangeError, StartEmailChangeError};
pub use erasures::{CancelDeletionError, DeleteAccountError, ErasurePolicy, ErasureReport, Erasures};
pub use exports::{ExportError, ExportPolicy, Exports};
pub use housekeeping::{Housekeeping, HousekeepingError, RetentionPolicy};
pub use outbox_delivery::{DeliveryError, DeliveryReport, OutboxDelivery, RetryPolicy};
pub use pictures::{PictureError, PicturePolicy, Pictures, SweepReport};
pub use profile::{ProfileError, ProfileEvents, Profiles};
pub use provider_reports::{ProviderReportError, ProviderReports, REPORT_ID_RETENTION, Unsubscribed};
pub use provider_sync::{ProviderSync, ProviderSyncError, ProviderSyncReport};
pub use public_profiles::{DirectoryPolicy, PublicProfileError, PublicProfiles};
pub use rate_limits::{RateLimitError, RateLimits};
pub use sessions::{AuthError, Authenticated, SessionPolicy, Sessions, SignOutError};
pub use sign_in::{SignIn, SignInPolicy, SignedIn, StartSignInError, VerifySignInError};
pub use unsubscribes::{LinkView, ListRecipientsError, Recipient, RecipientPage, UnsubscribeError, Unsubscribes};
