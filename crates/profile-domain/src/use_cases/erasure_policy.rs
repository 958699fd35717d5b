//! The rules of deletion: how recent a sign-in must be, the grace period,
//! retries and leases of the job, and who is told.

use time::Duration;

use crate::ProviderId;

/// The rules of deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasurePolicy {
    /// How recent the sign-in must be to ask (default 15 minutes).
    pub recent_sign_in: Duration,
    /// How long after the request the erasure starts, during which signing
    /// in again and cancelling is possible (default none: at once).
    pub grace: Duration,
    /// The wait after a step's first failure, doubled after each further
    /// one (default 5 s) …
    pub retry_base: Duration,
    /// … up to this (default 10 minutes). A step is never given up.
    pub retry_max: Duration,
    /// How often a step that waits on someone else (a provider, the mail
    /// server) looks again (default 2 s).
    pub poll: Duration,
    /// How long a worker holds a claimed job (default 2 minutes).
    pub lease: Duration,
    /// Jobs claimed per pass (default 10).
    pub batch_size: u32,
    /// The service's public URL, for the receipt link in the email.
    pub public_url: String,
    /// Every configured mailing-list provider: each is told (with the
    /// address, so it can drop it from its lists).
    pub providers: Vec<ProviderId>,
    /// Every service subscribed to `account.erased`: each is told (the id
    /// only), and the erasure waits for each as for a provider.
    pub services: Vec<ProviderId>,
}

impl ErasurePolicy {
    /// Everyone told of an erasure: the providers, then the services.
    pub(super) fn receivers(&self) -> Vec<ProviderId> {
        self.providers.iter().chain(&self.services).cloned().collect()
    }

    /// The defaults, with the service's public URL.
    #[must_use]
    pub fn with_public_url(public_url: &str) -> Self {
        Self {
            recent_sign_in: Duration::minutes(15),
            grace: Duration::ZERO,
            retry_base: Duration::seconds(5),
            retry_max: Duration::minutes(10),
            poll: Duration::seconds(2),
            lease: Duration::minutes(2),
            batch_size: 10,
            public_url: public_url.trim_end_matches('/').to_owned(),
            providers: Vec::new(),
            services: Vec::new(),
        }
    }
}
