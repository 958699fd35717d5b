//! Ports: the traits the domain owns and adapters implement.
//!
//! Every port is object-safe so an embedder can pass `Arc<dyn Port>`. With the
//! `mocks` feature each has a mockall mock (`MockClock`, `MockAccountStore` …).

mod accounts;
mod blobs;
mod clock;
mod consents;
mod directory;
mod email_change;
mod erasure;
mod export;
mod housekeeping;
mod mail;
mod outbox;
mod pictures;
mod providers;
mod randomness;
mod rate_counters;
mod security;
mod sessions;
mod sign_in;
mod signal;
mod unsubscribe;

pub use accounts::AccountStore;
pub use blobs::{BlobInfo, BlobStore};
pub use clock::Clock;
pub use consents::ConsentStore;
pub use directory::ProfileDirectory;
pub use email_change::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, PutOutcome, RevertOutcome,
};
pub use erasure::{CancelOutcome, ConfirmationState, ErasureRequested, ErasureStore};
pub use export::ExportSource;
pub use housekeeping::{HousekeepingStore, PurgeCutoffs, Purged};
pub use mail::{MailTransport, SendError};
pub use outbox::{DeliveryOutcome, OutboxStore, QueuedEmail};
pub use pictures::{Crop, PictureProcessor, PictureRejected, PictureStore, Rendition};
pub use providers::{
    NoticeOutcome, NoticeRefused, ProviderBacklog, ProviderOutbox, ProviderReportLog, ProviderTransport, QueuedNotice,
};
pub use randomness::Randomness;
pub use rate_counters::{RateCounterStore, WindowCount};
pub use security::{LimitedRecord, SecurityLog};
pub use sessions::SessionStore;
pub use sign_in::{CompletedSignIn, NewSession, SignInCompletion, SignInOutcome, SignInStore};
pub use signal::{NoSignal, WorkSignal};
pub use unsubscribe::{ConsentFilter, UnsubscribeStore};

#[cfg(any(test, feature = "mocks"))]
pub use {
    accounts::MockAccountStore,
    blobs::MockBlobStore,
    clock::MockClock,
    consents::MockConsentStore,
    directory::MockProfileDirectory,
    email_change::MockEmailChangeStore,
    erasure::MockErasureStore,
    export::MockExportSource,
    housekeeping::MockHousekeepingStore,
    mail::MockMailTransport,
    outbox::MockOutboxStore,
    pictures::{MockPictureProcessor, MockPictureStore},
    providers::{MockProviderOutbox, MockProviderReportLog, MockProviderTransport},
    randomness::MockRandomness,
    rate_counters::MockRateCounterStore,
    security::MockSecurityLog,
    sessions::MockSessionStore,
    sign_in::MockSignInStore,
    signal::MockWorkSignal,
    unsubscribe::MockUnsubscribeStore,
};

/// An infrastructure failure behind a port (a database down, a connection
/// reset). Adapters wrap their own error in it; the domain never looks inside.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct PortError {
    context: &'static str,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl PortError {
    /// Wraps an adapter's error with a short, personal-data-free context.
    pub fn new(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { context, source: Some(Box::new(source)) }
    }

    /// A failure with no underlying error value.
    #[must_use]
    pub const fn msg(context: &'static str) -> Self {
        Self { context, source: None }
    }
}
