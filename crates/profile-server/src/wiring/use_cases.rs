//! Each use case built from the shared parts and its policy, one function
//! each, in the order a request meets them.

use std::sync::Arc;

use profile_domain::ports::{BlobStore, MailTransport, ProviderTransport, WorkSignal};
use profile_domain::use_cases::{
    Consents, EmailChanges, Erasures, Exports, Housekeeping, OutboxDelivery, Pictures, ProfileEvents, Profiles,
    ProviderReports, ProviderSync, PublicProfiles, RateLimits, SessionPolicy, Sessions, SignIn, Unsubscribes,
};
use profile_domain::{ProviderId, ProviderRoutes, PurposeCatalogue};

use super::{Parts, WiringError, policies};
use crate::config::Config;

pub(super) fn rate_limits(p: &Parts, config: &Config) -> RateLimits {
    RateLimits::new(p.store.clone(), p.clock.clone(), p.hasher.clone(), policies::rate_limits(config))
}

pub(super) fn sign_in(p: &Parts, config: &Config) -> SignIn {
    SignIn::new(p.store.clone(), p.clock.clone(), p.random.clone(), p.hasher.clone(), policies::sign_in(config))
}

pub(super) fn sessions(p: &Parts) -> Sessions {
    Sessions::new(p.store.clone(), p.clock.clone(), p.hasher.clone(), SessionPolicy::default())
}

pub(super) fn profiles(p: &Parts, events: ProfileEvents) -> Profiles {
    Profiles::new(p.store.clone(), p.clock.clone()).with_events(events)
}

pub(super) fn public_profiles(p: &Parts, config: &Config) -> PublicProfiles {
    PublicProfiles::new(p.store.clone(), policies::directory(config))
}

pub(super) fn pictures(
    p: &Parts,
    config: &Config,
    blobs: Arc<dyn BlobStore>,
    events: ProfileEvents,
) -> Result<Pictures, WiringError> {
    let processor = profile_image::ImageProcessor::new(config.pictures.limits(), config.pictures.parallelism())
        .map_err(WiringError::PictureThreads)?;
    let pictures =
        Pictures::new(p.store.clone(), blobs, Arc::new(processor), p.clock.clone(), policies::pictures(config));
    Ok(pictures.with_events(events))
}

pub(super) fn email_changes(
    p: &Parts,
    config: &Config,
    routes: &ProviderRoutes,
    signal: Arc<dyn WorkSignal>,
) -> EmailChanges {
    let (changes, accounts) = (p.store.clone(), p.store.clone());
    EmailChanges::new(
        changes,
        accounts,
        p.clock.clone(),
        p.random.clone(),
        p.hasher.clone(),
        policies::email_change(config),
    )
    .with_providers(routes.clone(), p.store.clone(), signal)
}

pub(super) fn consents(
    p: &Parts,
    catalogue: &PurposeCatalogue,
    routes: &ProviderRoutes,
    signal: Arc<dyn WorkSignal>,
) -> Consents {
    Consents::new(p.store.clone(), p.clock.clone(), p.random.clone(), catalogue.clone())
        .with_providers(routes.clone(), signal)
}

pub(super) fn unsubscribes(
    p: &Parts,
    config: &Config,
    catalogue: &PurposeCatalogue,
    routes: &ProviderRoutes,
    signal: Arc<dyn WorkSignal>,
) -> Unsubscribes {
    let (links, consents) = (p.store.clone(), p.store.clone());
    let public_url = config.public_url();
    Unsubscribes::new(
        links,
        consents,
        p.clock.clone(),
        p.random.clone(),
        p.hasher.clone(),
        catalogue.clone(),
        &public_url,
    )
    .with_providers(routes.clone(), signal)
}

pub(super) fn provider_reports(p: &Parts, catalogue: PurposeCatalogue, routes: ProviderRoutes) -> ProviderReports {
    let (accounts, consents, log) = (p.store.clone(), p.store.clone(), p.store.clone());
    ProviderReports::new(accounts, consents, log, p.clock.clone(), p.random.clone(), catalogue, routes)
}

pub(super) fn provider_sync(
    p: &Parts,
    config: &Config,
    transport: Arc<dyn ProviderTransport>,
    receivers: Vec<ProviderId>,
) -> ProviderSync {
    ProviderSync::new(p.store.clone(), transport, p.clock.clone(), receivers, policies::notice_retry(config))
}

pub(super) fn exports(p: &Parts, config: &Config, blobs: Arc<dyn BlobStore>) -> Exports {
    Exports::new(p.store.clone(), p.store.clone(), blobs, p.clock.clone(), policies::export(config))
}

pub(super) fn erasures(
    p: &Parts,
    config: &Config,
    blobs: Arc<dyn BlobStore>,
    providers: Vec<ProviderId>,
    services: Vec<ProviderId>,
) -> Erasures {
    let policy = policies::erasure(config, providers, services);
    let erasures = Erasures::new(p.store.clone(), p.store.clone(), blobs, p.clock.clone(), p.random.clone(), policy);
    if config.deletion.suppress_erased_addresses { erasures.with_suppression(p.hasher.clone()) } else { erasures }
}

pub(super) fn delivery(p: &Parts, config: &Config, transport: Arc<dyn MailTransport>) -> OutboxDelivery {
    OutboxDelivery::new(p.store.clone(), transport, p.clock.clone(), policies::mail_retry(config))
}

pub(super) fn housekeeping(p: &Parts, config: &Config) -> Housekeeping {
    Housekeeping::new(p.store.clone(), p.clock.clone(), policies::retention(config))
}
