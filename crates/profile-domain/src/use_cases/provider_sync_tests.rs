//! Unit tests of provider notices: queued with each change, delivered in
//! order per user, retried with backoff, never given up.

use std::sync::Arc;

use time::{Duration, OffsetDateTime, macros::datetime};

use super::*;
use crate::ports::NoticeRefused;
use crate::use_cases::fakes::providers::RecordingProviders;
use crate::use_cases::fakes::providers::email_purpose;
use crate::use_cases::fakes::signal::CountingSignal;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::use_cases::{Consents, RetryPolicy};
use crate::{
    Account, ConsentChannel, EmailAddress, ProviderEvent, ProviderRoute, ProviderRoutes, PurposeCatalogue, PurposeId,
    UserId,
};

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

struct World {
    store: Arc<InMemoryStore>,
    clock: Arc<FixedClock>,
    transport: Arc<RecordingProviders>,
    consents: Consents,
    sync: ProviderSync,
    signal: Arc<CountingSignal>,
}

fn id(text: &str) -> PurposeId {
    PurposeId::parse(text).unwrap()
}

fn provider(text: &str) -> ProviderId {
    ProviderId::parse(text).unwrap()
}

fn user(n: u8) -> UserId {
    UserId::new_v7(1, [n; 10])
}

fn world() -> World {
    let store = Arc::new(InMemoryStore::default());
    for n in [1, 2] {
        let account = Account::new(user(n), EmailAddress::parse(&format!("u{n}@example.com")).unwrap(), T0);
        store.state().accounts.insert(account.id, account);
    }
    let clock = Arc::new(FixedClock::at(T0));
    let catalogue = PurposeCatalogue::new(vec![email_purpose("news"), email_purpose("events")]).unwrap();
    let routes = ProviderRoutes::new(
        vec![
            ProviderRoute { provider: provider("lists"), purposes: vec![id("news"), id("events")] },
            ProviderRoute { provider: provider("crm"), purposes: vec![id("events")] },
        ],
        &catalogue,
    )
    .unwrap();
    let signal = Arc::new(CountingSignal::default());
    let consents = Consents::new(store.clone(), clock.clone(), Arc::new(SeqRandom::from_words(&[])), catalogue)
        .with_providers(routes.clone(), signal.clone());
    let transport = Arc::new(RecordingProviders::default());
    let sync =
        ProviderSync::new(store.clone(), transport.clone(), clock.clone(), routes.providers(), RetryPolicy::default());
    World { store, clock, transport, consents, sync, signal }
}

fn granted(notice: &crate::ProviderNotice) -> bool {
    matches!(notice.event, ProviderEvent::ConsentChanged { granted: true, .. })
}

#[tokio::test]
async fn each_change_is_queued_for_the_providers_that_carry_its_purpose_with_address_and_sequence() {
    // The sequence counts notices about the user, so both notices of one
    // change share a number and it grows with every change.
    let w = world();
    w.consents.set(user(1), "news", true, None, ConsentChannel::Web).await.unwrap();
    w.consents.set(user(1), "events", true, None, ConsentChannel::Api).await.unwrap();
    let notices: Vec<_> = w.store.state().notices.iter().map(|r| r.notice.clone()).collect();
    let routed: Vec<(&str, u64)> = notices.iter().map(|n| (n.provider.as_str(), n.sequence)).collect();
    assert_eq!(routed, [("lists", 1), ("lists", 2), ("crm", 2)], "news only to lists; events to both");
    assert!(notices.iter().all(|n| n.email.as_ref().unwrap().as_str() == "u1@example.com" && n.user_id == user(1)));
    assert_ne!(notices[1].id, notices[2].id, "each delivery has its own id");
}

#[tokio::test]
async fn notices_are_delivered_once_each() {
    let w = world();
    w.consents.set(user(1), "events", true, None, ConsentChannel::Web).await.unwrap();
    let report = w.sync.deliver_due("w").await.unwrap();
    assert_eq!(report.delivered, 2);
    assert_eq!(w.sync.deliver_due("w").await.unwrap(), ProviderSyncReport::default());
    assert_eq!(w.transport.delivered.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_failing_provider_gets_one_users_changes_in_order_after_backoff_and_others_are_not_held_up() {
    let w = world();
    w.consents.set(user(1), "news", true, None, ConsentChannel::Web).await.unwrap();
    w.consents.set(user(1), "news", false, None, ConsentChannel::Web).await.unwrap();
    w.consents.set(user(2), "news", true, None, ConsentChannel::Web).await.unwrap();
    w.transport.failures.lock().unwrap().push_back(NoticeRefused { status: Some(503), error: "503".into() });
    let first = w.sync.deliver_due("w").await.unwrap();
    assert_eq!((first.retried, first.delivered), (1, 1), "user 1's first notice failed; user 2's went");
    assert_eq!(w.sync.deliver_due("w").await.unwrap().delivered, 0, "user 1's second waits behind the first");
    w.clock.advance(Duration::seconds(5));
    assert_eq!(w.sync.deliver_due("w").await.unwrap().delivered, 1);
    assert_eq!(w.sync.deliver_due("w").await.unwrap().delivered, 1);
    let delivered = w.transport.delivered.lock().unwrap();
    let user1: Vec<bool> = delivered.iter().filter(|n| n.user_id == user(1)).map(granted).collect();
    assert_eq!(user1, [true, false], "grant then withdrawal, as made");
}

#[tokio::test]
async fn a_provider_is_never_given_up_and_its_backlog_shows_the_last_error() {
    let w = world();
    w.consents.set(user(1), "news", true, None, ConsentChannel::Web).await.unwrap();
    for _ in 0..12 {
        w.transport.failures.lock().unwrap().push_back(NoticeRefused { status: None, error: "refused".into() });
        assert_eq!(w.sync.deliver_due("w").await.unwrap().retried, 1);
        w.clock.advance(Duration::minutes(10));
    }
    let backlog = w.store.backlog().await.unwrap();
    assert_eq!((backlog[0].pending, backlog[0].last_error.as_deref()), (1, Some("refused")));
    assert_eq!(w.sync.deliver_due("w").await.unwrap().delivered, 1, "delivered after 12 failures");
    assert_eq!(w.store.state().notices[0].attempts, 12);
}

#[tokio::test]
async fn notices_for_a_provider_no_longer_configured_wait() {
    let w = world();
    w.consents.set(user(1), "news", true, None, ConsentChannel::Web).await.unwrap();
    let without = ProviderSync::new(
        w.store.clone(),
        w.transport.clone(),
        w.clock.clone(),
        vec![provider("crm")],
        RetryPolicy::default(),
    );
    assert_eq!(without.deliver_due("w").await.unwrap(), ProviderSyncReport::default());
    assert_eq!(w.store.backlog().await.unwrap()[0].pending, 1);
}

#[tokio::test]
async fn a_change_that_queues_notices_wakes_the_delivery_workers_and_one_that_does_not_stays_quiet() {
    let w = world();
    w.consents.set(user(1), "news", true, None, ConsentChannel::Web).await.unwrap();
    assert_eq!(w.signal.count(), 1, "one change, one wake");
    w.consents.set(user(1), "events", true, None, ConsentChannel::Web).await.unwrap();
    assert_eq!(w.signal.count(), 2);
    assert_eq!(w.store.state().notices.len(), 3, "news to lists; events to lists and crm");

    let catalogue = PurposeCatalogue::new(vec![email_purpose("news")]).unwrap();
    let quiet = Arc::new(CountingSignal::default());
    let unrouted = Consents::new(w.store.clone(), w.clock.clone(), Arc::new(SeqRandom::from_words(&[])), catalogue)
        .with_providers(ProviderRoutes::default(), quiet.clone());
    unrouted.set(user(2), "news", true, None, ConsentChannel::Web).await.unwrap();
    assert_eq!(quiet.count(), 0, "nothing queued, nobody woken");
}
