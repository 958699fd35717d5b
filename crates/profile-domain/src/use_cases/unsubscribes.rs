//! One-click unsubscribe and the operator's list of recipients: the links
//! that withdraw one email consent with no session, and who may be mailed.

use std::sync::Arc;

use super::draw;
use crate::ports::{Clock, ConsentFilter, ConsentStore, Randomness, UnsubscribeStore};
use crate::unsubscribe::lookup_hash;
use crate::{
    ConsentChannel, ConsentEvent, EmailAddress, OnNewVersion, PortError, ProviderRoutes, Purpose, PurposeCatalogue,
    PurposeId, PurposeKind, SecretHasher, UnsubscribeKey, UserId,
};

/// Why an unsubscribe link did not work.
#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// The token is malformed, unknown or revoked, or its purpose is gone.
    #[error("the unsubscribe link is not valid")]
    InvalidLink,
    /// Storage failed; nothing changed.
    #[error("could not unsubscribe")]
    Unexpected(#[from] PortError),
}

/// Why recipients could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListRecipientsError {
    /// The catalogue has no such purpose.
    #[error("there is no purpose with that id")]
    UnknownPurpose,
    /// The purpose is a use of data, not a kind of email.
    #[error("that purpose is not a kind of email")]
    NotAnEmailPurpose,
    /// Storage failed.
    #[error("could not list the recipients")]
    Unexpected(#[from] PortError),
}

/// Someone who may be sent mail of a purpose, with the link that stops it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The user's id (to revoke the link with).
    pub user_id: UserId,
    /// The address to send to.
    pub email: EmailAddress,
    /// The one-click unsubscribe URL (for `List-Unsubscribe`).
    pub unsubscribe_url: String,
}

/// A page of recipients and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientPage {
    /// The recipients, in a stable order.
    pub recipients: Vec<Recipient>,
    /// Pass to get the next page; `None` after the last.
    pub next: Option<UserId>,
}

/// What an unsubscribe link is for, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkView {
    /// The purpose the link unsubscribes from.
    pub purpose: Purpose,
    /// Whether the account gets no more of these emails already: the
    /// consent is not granted, or the account is being deleted.
    pub withdrawn: bool,
}

/// The unsubscribe use case.
pub struct Unsubscribes {
    store: Arc<dyn UnsubscribeStore>,
    consents: Arc<dyn ConsentStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    hasher: SecretHasher,
    catalogue: PurposeCatalogue,
    url_base: String,
    routes: ProviderRoutes,
    signal: Arc<dyn crate::ports::WorkSignal>,
}

impl Unsubscribes {
    /// Builds the use case; links are `{public_url}/v1/unsubscribe/{token}`.
    pub fn new(
        store: Arc<dyn UnsubscribeStore>,
        consents: Arc<dyn ConsentStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        hasher: SecretHasher,
        catalogue: PurposeCatalogue,
        public_url: &str,
    ) -> Self {
        let url_base = format!("{}/v1/unsubscribe/", public_url.trim_end_matches('/'));
        let (routes, signal) = (ProviderRoutes::default(), Arc::new(crate::ports::NoSignal));
        Self { store, consents, clock, random, hasher, catalogue, url_base, routes, signal }
    }

    /// Tells these mailing-list providers of every unsubscribe from the
    /// purposes they carry (none by default), waking the delivery workers
    /// through `signal` when one queued a notice for them.
    #[must_use]
    pub fn with_providers(mut self, routes: ProviderRoutes, signal: Arc<dyn crate::ports::WorkSignal>) -> Self {
        self.routes = routes;
        self.signal = signal;
        self
    }

    /// Up to `limit` users who consent to the email purpose now, with their
    /// unsubscribe URL, after the cursor `after`.
    ///
    /// # Errors
    /// See [`ListRecipientsError`].
    pub async fn recipients(
        &self,
        purpose: &str,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<RecipientPage, ListRecipientsError> {
        let id = PurposeId::parse(purpose).map_err(|_| ListRecipientsError::UnknownPurpose)?;
        let purpose = self.catalogue.get(&id).ok_or(ListRecipientsError::UnknownPurpose)?;
        if purpose.kind != PurposeKind::Email {
            return Err(ListRecipientsError::NotAnEmailPurpose);
        }
        let filter = ConsentFilter {
            purpose_id: id.clone(),
            version: purpose.version,
            text_hash: purpose.text_hash(),
            older_versions_count: purpose.on_new_version == OnNewVersion::Keep,
        };
        let mut users = self.store.consenting(&filter, after, limit).await?;
        let next = (users.len() == limit as usize).then(|| users.last().map(|(u, _)| *u)).flatten();
        // From the moment a deletion is asked for, the account is mailed
        // no more (its grants are kept, for a cancellation to restore).
        let ids: Vec<UserId> = users.iter().map(|(user, _)| *user).collect();
        let deleting = self.store.being_deleted(&ids).await?;
        users.retain(|(user, _)| !deleting.contains(user));
        let mut recipients = Vec::with_capacity(users.len());
        let ids: Vec<UserId> = users.iter().map(|(user, _)| *user).collect();
        let stored = self.store.keys_for(&id, &ids).await?;
        for (user, email) in users {
            let mut key = match stored.iter().find(|k| k.user_id == user) {
                Some(key) => key.clone(),
                None => self.store.key_or_insert(&self.fresh_key(user, &id)).await?,
            };
            if lookup_hash(&self.hasher, &key.token(&self.hasher)) != key.lookup {
                // Made under another server key: its links could never be
                // found again, so a new one replaces it.
                key = self.store.replace(&key.lookup, &self.fresh_key(user, &id)).await?;
            }
            let unsubscribe_url = format!("{}{}", self.url_base, key.token(&self.hasher));
            recipients.push(Recipient { user_id: user, email, unsubscribe_url });
        }
        Ok(RecipientPage { recipients, next })
    }

    fn fresh_key(&self, user: UserId, purpose: &PurposeId) -> UnsubscribeKey {
        let mut nonce = [0_u8; 16];
        self.random.fill(&mut nonce);
        UnsubscribeKey::new(&self.hasher, user, purpose.clone(), nonce, draw::now_millis(self.clock.as_ref()))
    }

    /// What a link is for and whether its consent is withdrawn already,
    /// without changing anything (for the page a `GET` shows). An account
    /// whose deletion is under way counts as withdrawn from every email.
    ///
    /// # Errors
    /// [`UnsubscribeError::InvalidLink`] for a bad link.
    pub async fn look_up(&self, token: &str) -> Result<LinkView, UnsubscribeError> {
        let (key, purpose) = self.resolve(token).await?;
        let withdrawn = self.is_being_deleted(key.user_id).await?
            || !self.consents.answers(key.user_id).await?.iter().any(|a| a.purpose_id == purpose.id && a.granted);
        Ok(LinkView { purpose, withdrawn })
    }

    /// Withdraws the consent the link is for, recording it in the ledger
    /// with the `unsubscribe` channel and telling the providers that carry
    /// it. Using a link again changes nothing. While the account is being
    /// deleted the link still withdraws: the person asked for it, and the
    /// providers, which hear of the deletion only when the erasure runs,
    /// stop mailing now.
    ///
    /// # Errors
    /// [`UnsubscribeError::InvalidLink`] for a bad link.
    pub async fn unsubscribe(&self, token: &str) -> Result<Purpose, UnsubscribeError> {
        let (key, purpose) = self.resolve(token).await?;
        // Any stored grant is withdrawn, even one to an older version that
        // is suspended now: it must not count again later.
        let event = ConsentEvent::answer_to(
            &purpose,
            key.user_id,
            false,
            ConsentChannel::Unsubscribe,
            draw::uuid_v4(self.random.as_ref()),
            draw::now_millis(self.clock.as_ref()),
        );
        let notify = draw::notices(self.random.as_ref(), &self.routes, &purpose.id);
        self.consents.withdraw_if_granted(&event, &notify).await?;
        self.signal.queued_any(&notify);
        Ok(purpose)
    }

    async fn is_being_deleted(&self, user: UserId) -> Result<bool, PortError> {
        Ok(!self.store.being_deleted(&[user]).await?.is_empty())
    }

    /// Revokes the user's link for the purpose; the next listing makes a new one.
    ///
    /// # Errors
    /// [`UnsubscribeError::Unexpected`] when storage fails.
    pub async fn revoke(&self, user: UserId, purpose: &str) -> Result<bool, UnsubscribeError> {
        let Ok(purpose) = PurposeId::parse(purpose) else { return Ok(false) };
        Ok(self.store.revoke(user, &purpose).await?)
    }

    async fn resolve(&self, token: &str) -> Result<(UnsubscribeKey, Purpose), UnsubscribeError> {
        let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(UnsubscribeError::InvalidLink);
        }
        let key = self
            .store
            .find(&lookup_hash(&self.hasher, &token.to_ascii_lowercase()))
            .await?
            .ok_or(UnsubscribeError::InvalidLink)?;
        let purpose = self.catalogue.get(&key.purpose_id).ok_or(UnsubscribeError::InvalidLink)?.clone();
        Ok((key, purpose))
    }
}

#[cfg(test)]
#[path = "unsubscribes_tests.rs"]
mod tests;
