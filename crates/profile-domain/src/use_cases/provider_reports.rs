//! Reports from mailing-list providers: a subscriber unsubscribed at the
//! provider (its own unsubscribe link, a complaint), so the consent is
//! withdrawn here too, with the `provider` channel. Providers can only
//! withdraw: a consent is given by the user, to the text this service shows.

use std::sync::Arc;

use super::draw;
use crate::ports::{AccountStore, Clock, ConsentStore, ProviderReportLog, Randomness};
use crate::{
    ConsentChannel, ConsentEvent, EmailAddress, PortError, ProviderId, ProviderRoutes, PurposeCatalogue, PurposeId,
};

/// How long report ids are remembered: longer than webhook senders keep
/// retrying (Standard Webhooks senders re-sign each retry with a fresh
/// timestamp for up to a few days), so a retry of a handled report is
/// always recognised.
pub const REPORT_ID_RETENTION: time::Duration = time::Duration::days(7);

/// Why a report was refused; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderReportError {
    /// No provider with this id is configured.
    #[error("there is no provider with that id")]
    UnknownProvider,
    /// The purpose is not one the provider carries.
    #[error("that purpose is not one this provider carries")]
    UnknownPurpose,
    /// A report with this id from this provider was handled already.
    #[error("this report was received before")]
    Replayed,
    /// Storage failed; nothing was recorded, so the provider may retry.
    #[error("could not handle the report")]
    Unexpected(#[from] PortError),
}

/// An unsubscribe reported by a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsubscribed<'a> {
    /// The report's id (the `webhook-id`), unique per provider.
    pub report_id: &'a str,
    /// The subscriber's address as the provider has it.
    pub email: &'a str,
    /// One purpose, or `None` for every purpose the provider carries.
    pub purpose: Option<&'a str>,
}

/// The provider-report use case.
pub struct ProviderReports {
    accounts: Arc<dyn AccountStore>,
    consents: Arc<dyn ConsentStore>,
    log: Arc<dyn ProviderReportLog>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    catalogue: PurposeCatalogue,
    routes: ProviderRoutes,
}

impl ProviderReports {
    /// Builds the use case over its ports, the catalogue and the providers.
    pub fn new(
        accounts: Arc<dyn AccountStore>,
        consents: Arc<dyn ConsentStore>,
        log: Arc<dyn ProviderReportLog>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        catalogue: PurposeCatalogue,
        routes: ProviderRoutes,
    ) -> Self {
        Self { accounts, consents, log, clock, random, catalogue, routes }
    }

    /// Withdraws the reported consents that are granted now and returns the
    /// purposes withdrawn (none for an address that has no account). Every
    /// provider of each purpose is told, the reporting one too: it may still
    /// have older notices of the user on their way, and the new one puts the
    /// withdrawal after them. The report id is claimed first (so two copies
    /// arriving together are handled once) and given back when handling
    /// fails, so the provider's retry is not taken for a replay.
    ///
    /// # Errors
    /// See [`ProviderReportError`].
    pub async fn unsubscribed(
        &self,
        provider: &str,
        report: Unsubscribed<'_>,
    ) -> Result<Vec<PurposeId>, ProviderReportError> {
        let provider = ProviderId::parse(provider).map_err(|_| ProviderReportError::UnknownProvider)?;
        let route = self.routes.get(&provider).ok_or(ProviderReportError::UnknownProvider)?;
        let purposes = match report.purpose {
            Some(text) => {
                let id = PurposeId::parse(text).map_err(|_| ProviderReportError::UnknownPurpose)?;
                if !route.purposes.contains(&id) {
                    return Err(ProviderReportError::UnknownPurpose);
                }
                vec![id]
            }
            None => route.purposes.clone(),
        };
        if !self.log.claim(&provider, report.report_id, self.clock.now()).await? {
            return Err(ProviderReportError::Replayed);
        }
        match self.withdraw(report.email, purposes).await {
            Ok(withdrawn) => Ok(withdrawn),
            Err(error) => {
                // When the store is down, forgetting fails too; the report
                // failed either way and the provider sees a 500.
                let _ = self.log.forget(&provider, report.report_id).await;
                Err(error.into())
            }
        }
    }

    /// Withdraws each granted purpose of the account with this address.
    async fn withdraw(&self, email: &str, purposes: Vec<PurposeId>) -> Result<Vec<PurposeId>, PortError> {
        let account = match EmailAddress::parse(email) {
            Ok(email) => self.accounts.find_by_email(&email).await?,
            Err(_) => None,
        };
        let mut withdrawn = Vec::new();
        if let Some(account) = account {
            for id in purposes {
                let Some(purpose) = self.catalogue.get(&id) else { continue };
                let event = ConsentEvent::answer_to(
                    purpose,
                    account.id,
                    false,
                    ConsentChannel::Provider,
                    draw::uuid_v4(self.random.as_ref()),
                    draw::now_millis(self.clock.as_ref()),
                );
                let notify = draw::notices(self.random.as_ref(), &self.routes, &id);
                if self.consents.withdraw_if_granted(&event, &notify).await? {
                    withdrawn.push(id);
                }
            }
        }
        Ok(withdrawn)
    }
}

#[cfg(test)]
#[path = "provider_reports_tests.rs"]
mod tests;
