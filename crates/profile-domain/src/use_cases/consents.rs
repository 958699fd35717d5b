//! Consents: the user's choices per purpose, opt-in, each change appended to
//! the ledger.

use std::sync::Arc;

use super::draw;
use crate::ports::{Clock, ConsentStore, Randomness};
use crate::{
    ConsentChannel, ConsentEvent, ConsentView, PortError, ProviderRoutes, PurposeCatalogue, PurposeId, UserId,
};

/// Why a consent could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// The catalogue has no such purpose.
    #[error("there is no purpose with that id")]
    UnknownPurpose,
    /// The purpose has a new version since the user saw it; nothing was
    /// recorded. Show the new text and ask again.
    #[error("the purpose changed since it was shown; show the new text and ask again")]
    PurposeChanged,
    /// Storage failed; nothing changed.
    #[error("could not read or record the consent")]
    Unexpected(#[from] PortError),
}

/// Why the catalogue could not be registered at start-up.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueRegistrationError {
    /// A purpose's text changed without a new version.
    #[error(transparent)]
    TextChanged(#[from] crate::TextChangedWithoutNewVersion),
    /// Storage failed.
    #[error("could not register the consent catalogue")]
    Unexpected(#[from] PortError),
}

/// The consent use case.
pub struct Consents {
    store: Arc<dyn ConsentStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    catalogue: PurposeCatalogue,
    routes: ProviderRoutes,
    signal: Arc<dyn crate::ports::WorkSignal>,
}

impl Consents {
    /// Builds the use case over its ports and the operator's catalogue.
    pub fn new(
        store: Arc<dyn ConsentStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        catalogue: PurposeCatalogue,
    ) -> Self {
        let signal = Arc::new(crate::ports::NoSignal);
        Self { store, clock, random, catalogue, routes: ProviderRoutes::default(), signal }
    }

    /// Tells these mailing-list providers of every change to the purposes
    /// they carry (none by default), waking the delivery workers through
    /// `signal` when a change queued a notice for them.
    #[must_use]
    pub fn with_providers(mut self, routes: ProviderRoutes, signal: Arc<dyn crate::ports::WorkSignal>) -> Self {
        self.routes = routes;
        self.signal = signal;
        self
    }

    /// Stores the catalogue's texts (each purpose version once), refusing a
    /// text that changed under the same version. Run at start-up.
    ///
    /// # Errors
    /// [`CatalogueRegistrationError`] naming the purpose whose text changed.
    pub async fn register_catalogue(&self) -> Result<(), CatalogueRegistrationError> {
        self.store.register(&self.catalogue, self.clock.now()).await??;
        Ok(())
    }

    /// The operator's catalogue.
    #[must_use]
    pub fn catalogue(&self) -> &PurposeCatalogue {
        &self.catalogue
    }

    /// Every purpose with the user's answer in force, in catalogue order.
    ///
    /// # Errors
    /// [`ConsentError::Unexpected`] when storage fails.
    pub async fn list(&self, user: UserId) -> Result<Vec<ConsentView>, ConsentError> {
        let answers = self.store.answers(user).await?;
        Ok(self
            .catalogue
            .purposes()
            .iter()
            .map(|p| ConsentView::of(p, answers.iter().find(|a| a.purpose_id == p.id)))
            .collect())
    }

    /// Grants or withdraws one purpose in its current version, recording the
    /// change in the ledger with the hash of the text shown.
    ///
    /// # Errors
    /// [`ConsentError::UnknownPurpose`] for an id not in the catalogue.
    /// `shown_version`, when given, is the version the user saw; a newer
    /// one refuses the change.
    pub async fn set(
        &self,
        user: UserId,
        purpose: &str,
        granted: bool,
        shown_version: Option<u32>,
        channel: ConsentChannel,
    ) -> Result<ConsentView, ConsentError> {
        let id = PurposeId::parse(purpose).map_err(|_| ConsentError::UnknownPurpose)?;
        let purpose = self.catalogue.get(&id).ok_or(ConsentError::UnknownPurpose)?;
        if shown_version.is_some_and(|v| v != purpose.version) {
            return Err(ConsentError::PurposeChanged);
        }
        let event = ConsentEvent::answer_to(
            purpose,
            user,
            granted,
            channel,
            draw::uuid_v4(self.random.as_ref()),
            draw::now_millis(self.clock.as_ref()),
        );
        let notify = draw::notices(self.random.as_ref(), &self.routes, &id);
        self.store.record(&event, &notify).await?;
        self.signal.queued_any(&notify);
        let answer = crate::ConsentAnswer {
            purpose_id: event.purpose_id,
            granted,
            version: event.version,
            text_hash: event.text_hash,
            answered_at: event.at,
        };
        Ok(ConsentView::of(purpose, Some(&answer)))
    }

    /// The user's whole ledger, in the order it was written.
    ///
    /// # Errors
    /// [`ConsentError::Unexpected`] when storage fails.
    pub async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, ConsentError> {
        Ok(self.store.ledger(user).await?)
    }
}

#[cfg(test)]
#[path = "consents_tests.rs"]
mod tests;
