//! Unit tests of provider reports: unsubscribes withdraw, replays and
//! strangers do not.

use std::sync::Arc;

use time::{OffsetDateTime, macros::datetime};

use super::*;
use crate::use_cases::Consents;
use crate::use_cases::fakes::providers::email_purpose;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::{Account, ProviderRoute, UserId};

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn id(text: &str) -> PurposeId {
    PurposeId::parse(text).unwrap()
}

fn user() -> UserId {
    UserId::new_v7(1, [1; 10])
}

fn setup() -> (Arc<InMemoryStore>, Consents, ProviderReports) {
    let store = Arc::new(InMemoryStore::default());
    let account = Account::new(user(), EmailAddress::parse("ada@example.com").unwrap(), T0);
    store.state().accounts.insert(account.id, account);
    let clock = Arc::new(FixedClock::at(T0));
    let random = Arc::new(SeqRandom::from_words(&[]));
    let catalogue =
        PurposeCatalogue::new(vec![email_purpose("news"), email_purpose("events"), email_purpose("offers")]).unwrap();
    let routes = ProviderRoutes::new(
        vec![
            ProviderRoute { provider: ProviderId::parse("lists").unwrap(), purposes: vec![id("news"), id("events")] },
            ProviderRoute { provider: ProviderId::parse("crm").unwrap(), purposes: vec![id("news")] },
        ],
        &catalogue,
    )
    .unwrap();
    let consents = Consents::new(store.clone(), clock.clone(), random.clone(), catalogue.clone())
        .with_providers(routes.clone(), Arc::new(crate::ports::NoSignal));
    let reports = ProviderReports::new(store.clone(), store.clone(), store.clone(), clock, random, catalogue, routes);
    (store, consents, reports)
}

fn report<'a>(report_id: &'a str, email: &'a str, purpose: Option<&'a str>) -> Unsubscribed<'a> {
    Unsubscribed { report_id, email, purpose }
}

#[tokio::test]
async fn an_unsubscribe_withdraws_with_the_provider_channel_and_every_provider_hears_of_it_in_order() {
    let (store, consents, reports) = setup();
    consents.set(user(), "news", true, None, ConsentChannel::Web).await.unwrap();
    let withdrawn = reports.unsubscribed("lists", report("m1", "ADA@example.com", Some("news"))).await.unwrap();
    assert_eq!(withdrawn, [id("news")]);
    let ledger = consents.ledger(user()).await.unwrap();
    assert_eq!((ledger[1].granted, ledger[1].channel), (false, ConsentChannel::Provider));
    let told: Vec<(String, u64)> =
        store.state().notices.iter().map(|r| (r.notice.provider.to_string(), r.notice.sequence)).collect();
    assert_eq!(
        told,
        [("lists".into(), 1), ("crm".into(), 1), ("lists".into(), 2), ("crm".into(), 2)],
        "the reporting provider too: the withdrawal must land after the grant it may not have yet"
    );
}

#[tokio::test]
async fn without_a_purpose_every_purpose_of_the_provider_is_withdrawn_and_others_are_kept() {
    let (_, consents, reports) = setup();
    for p in ["news", "events", "offers"] {
        consents.set(user(), p, true, None, ConsentChannel::Web).await.unwrap();
    }
    let withdrawn = reports.unsubscribed("lists", report("m1", "ada@example.com", None)).await.unwrap();
    assert_eq!(withdrawn, [id("news"), id("events")]);
    let granted: Vec<bool> = consents.list(user()).await.unwrap().iter().map(|v| v.granted).collect();
    assert_eq!(granted, [false, false, true]);
}

#[tokio::test]
async fn a_replayed_report_is_refused_and_changes_nothing() {
    let (_, consents, reports) = setup();
    reports.unsubscribed("lists", report("m1", "ada@example.com", Some("news"))).await.unwrap();
    consents.set(user(), "news", true, None, ConsentChannel::Web).await.unwrap();
    let again = reports.unsubscribed("lists", report("m1", "ada@example.com", Some("news"))).await;
    assert!(matches!(again, Err(ProviderReportError::Replayed)));
    assert!(consents.list(user()).await.unwrap()[0].granted, "the grant made after the report stands");
    let other = reports.unsubscribed("crm", report("m1", "ada@example.com", Some("news"))).await;
    assert!(other.is_ok(), "ids are per provider");
}

#[tokio::test]
async fn unknown_providers_and_purposes_are_refused_and_unknown_addresses_change_nothing() {
    let (store, consents, reports) = setup();
    let r = report("m1", "ada@example.com", Some("news"));
    assert!(matches!(reports.unsubscribed("nobody", r.clone()).await, Err(ProviderReportError::UnknownProvider)));
    assert!(matches!(reports.unsubscribed("Bad Id", r).await, Err(ProviderReportError::UnknownProvider)));
    for purpose in ["offers", "missing", "Bad"] {
        let r = report("m2", "ada@example.com", Some(purpose));
        assert!(matches!(reports.unsubscribed("crm", r).await, Err(ProviderReportError::UnknownPurpose)), "{purpose}");
    }
    assert!(store.state().consent_ledger.is_empty(), "refused reports change nothing");
    consents.set(user(), "news", true, None, ConsentChannel::Web).await.unwrap();
    for (n, email) in ["bob@example.com", "not an address"].into_iter().enumerate() {
        let r = report(["m3", "m4"][n], email, None);
        assert_eq!(reports.unsubscribed("lists", r).await.unwrap(), [], "{email}");
    }
    assert!(consents.list(user()).await.unwrap()[0].granted, "ada's grant is untouched");
}

#[tokio::test]
async fn a_report_that_fails_gives_its_id_back_so_the_retry_is_not_a_replay() {
    let (store, consents, reports) = setup();
    consents.set(user(), "news", true, None, ConsentChannel::Web).await.unwrap();
    let failing = ProviderReports::new(
        store.clone(),
        Arc::new(FailingConsents),
        store.clone(),
        Arc::new(FixedClock::at(T0)),
        Arc::new(SeqRandom::from_words(&[])),
        PurposeCatalogue::new(vec![email_purpose("news")]).unwrap(),
        ProviderRoutes::new(
            vec![ProviderRoute { provider: ProviderId::parse("lists").unwrap(), purposes: vec![id("news")] }],
            &PurposeCatalogue::new(vec![email_purpose("news")]).unwrap(),
        )
        .unwrap(),
    );
    let r = report("m1", "ada@example.com", Some("news"));
    assert!(matches!(failing.unsubscribed("lists", r.clone()).await, Err(ProviderReportError::Unexpected(_))));
    assert_eq!(reports.unsubscribed("lists", r).await.unwrap(), [id("news")], "the retry is handled");
}

/// A consent store whose every write fails.
struct FailingConsents;

#[async_trait::async_trait]
impl crate::ports::ConsentStore for FailingConsents {
    async fn register(
        &self,
        _: &PurposeCatalogue,
        _: OffsetDateTime,
    ) -> Result<Result<(), crate::TextChangedWithoutNewVersion>, PortError> {
        Ok(Ok(()))
    }
    async fn answers(&self, _: UserId) -> Result<Vec<crate::ConsentAnswer>, PortError> {
        Ok(Vec::new())
    }
    async fn record(&self, _: &crate::ConsentEvent, _: &[crate::NoticeFor]) -> Result<(), PortError> {
        Err(PortError::msg("down"))
    }
    async fn withdraw_if_granted(&self, _: &crate::ConsentEvent, _: &[crate::NoticeFor]) -> Result<bool, PortError> {
        Err(PortError::msg("down"))
    }
    async fn ledger(&self, _: UserId) -> Result<Vec<crate::ConsentEvent>, PortError> {
        Ok(Vec::new())
    }
}
