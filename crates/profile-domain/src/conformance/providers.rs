//! [`ProviderOutbox`](crate::ports::ProviderOutbox) and
//! [`ProviderReportLog`]: notices commit
//! with the change that causes them, reach each provider one user's change
//! at a time in order, under leases; report ids are claimed once.

use futures_util::future::join_all;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::fixtures::{T0, signed_up};
use crate::ports::{ConsentStore, NoticeOutcome, ProviderReportLog, PurgeCutoffs, QueuedNotice};
use crate::{ConsentChannel, ConsentEvent, NoticeFor, ProviderEvent, ProviderId, PurposeId, UserId};

fn provider(name: &str) -> ProviderId {
    ProviderId::parse(name).expect("a valid provider id")
}

/// Ledger entry `n` of `user`, at `T0` plus `n` seconds.
fn change(n: u128, user: UserId, granted: bool) -> ConsentEvent {
    ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: PurposeId::parse("news").expect("a valid purpose id"),
        version: 3,
        text_hash: "cd".repeat(32),
        granted,
        at: T0 + Duration::seconds(i64::try_from(n).unwrap_or(0)),
        channel: ConsentChannel::Web,
    }
}

fn to(n: u128, name: &str) -> NoticeFor {
    NoticeFor::to_provider(Uuid::from_u128(n), provider(name))
}

async fn claim(store: &dyn Storage, worker: &str, at: OffsetDateTime) -> Vec<QueuedNotice> {
    let providers = [provider("lists"), provider("crm")];
    let claimed = store.claim_due_notices(&providers, worker, at, at + Duration::minutes(2), 50);
    claimed.await.expect("a claim reads and writes")
}

fn ids(claimed: &[QueuedNotice]) -> Vec<u128> {
    let mut ids: Vec<u128> = claimed.iter().map(|q| q.notice.id.as_u128()).collect();
    ids.sort_unstable();
    ids
}

async fn deliver(store: &dyn Storage, worker: &str, id: u128) {
    let outcome = NoticeOutcome::Delivered { status: 204 };
    let recorded = store.record_notice_outcome(Uuid::from_u128(id), worker, &outcome, T0 + Duration::hours(1));
    recorded.await.expect("an outcome is recorded");
}

fn purge_cutoffs(finished_before: OffsetDateTime, reports_before: OffsetDateTime) -> PurgeCutoffs {
    PurgeCutoffs {
        now: T0,
        finished_before,
        code_log_before: T0 - Duration::days(1),
        stale_requests_before: T0 - Duration::days(1),
        reports_before,
    }
}

/// A notice carries the consent change, the user's address at the time,
/// and the user's notice number: one number per change, none for a change
/// told to nobody.
pub async fn a_notice_carries_the_change_the_address_and_the_users_notice_number(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ConsentStore::record(store, &change(1, ada, true), &[]).await.expect("recorded");
    ConsentStore::record(store, &change(2, ada, false), &[to(100, "lists"), to(101, "crm")]).await.expect("recorded");
    let claimed = claim(store, "w1", T0 + Duration::minutes(1)).await;
    assert_eq!(ids(&claimed), [100, 101]);
    let numbers: Vec<u64> = claimed.iter().map(|q| q.notice.sequence).collect();
    assert_eq!(numbers, [1, 1], "one change, one number; a change told to nobody takes none");
    let notice = &claimed.iter().find(|q| q.notice.id.as_u128() == 100).expect("notice 100").notice;
    assert_eq!(notice.user_id, ada);
    assert_eq!(notice.email.as_ref().map(crate::EmailAddress::as_str), Some("ada@example.com"));
    let ProviderEvent::ConsentChanged { purpose, granted, version, channel, at } = &notice.event else {
        panic!("not a consent change: {:?}", notice.event)
    };
    assert_eq!((purpose.as_str(), *granted, *version, *channel), ("news", false, 3, ConsentChannel::Web));
    assert_eq!(*at, T0 + Duration::seconds(2));
}

/// When a notice cannot be queued (here: its id is taken), the consent
/// change is not recorded either.
pub async fn a_notice_that_cannot_be_queued_takes_the_consent_change_back(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ConsentStore::record(store, &change(1, ada, true), &[to(100, "lists")]).await.expect("recorded");
    let clash = ConsentStore::record(store, &change(2, ada, false), &[to(100, "crm")]).await;
    assert!(clash.is_err(), "a notice id used twice must fail the write");
    assert_eq!(store.ledger(ada).await.expect("ledger").len(), 1, "the ledger entry was rolled back");
    assert!(store.answers(ada).await.expect("answers")[0].granted, "so was the answer");
    let withdrew = store.withdraw_if_granted(&change(3, ada, false), &[to(100, "crm")]).await;
    assert!(withdrew.is_err());
    assert_eq!(store.ledger(ada).await.expect("ledger").len(), 1);
}

/// Only the first pending notice of each provider and user is claimed; the
/// next waits until it is delivered, even while it waits for a retry.
pub async fn only_the_first_pending_notice_of_a_provider_and_user_is_claimed(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    ConsentStore::record(store, &change(1, ada, true), &[to(100, "lists")]).await.expect("recorded");
    ConsentStore::record(store, &change(2, ada, false), &[to(101, "lists"), to(102, "crm")]).await.expect("recorded");
    ConsentStore::record(store, &change(3, ada, true), &[to(103, "lists")]).await.expect("recorded");
    ConsentStore::record(store, &change(4, bob, true), &[to(104, "lists")]).await.expect("recorded");
    let later = T0 + Duration::minutes(1);
    assert_eq!(ids(&claim(store, "w1", later).await), [100, 102, 104], "one head per provider and user");
    let retry = NoticeOutcome::Retry {
        attempts: 1,
        next_attempt_at: later + Duration::seconds(5),
        status: Some(503),
        error: "HTTP 503".into(),
    };
    store.record_notice_outcome(Uuid::from_u128(100), "w1", &retry, later).await.expect("recorded");
    deliver(store, "w1", 102).await;
    deliver(store, "w1", 104).await;
    assert_eq!(ids(&claim(store, "w2", later).await), [0_u128; 0], "101 waits behind 100, which is not due");
    let claimed = claim(store, "w2", later + Duration::seconds(5)).await;
    assert_eq!(ids(&claimed), [100]);
    assert_eq!(claimed[0].attempts, 1);
    deliver(store, "w2", 100).await;
    assert_eq!(ids(&claim(store, "w2", later + Duration::seconds(5)).await), [101]);
    deliver(store, "w2", 101).await;
    assert_eq!(ids(&claim(store, "w2", later + Duration::seconds(5)).await), [103]);
}

/// A leased notice is not claimed again before its lease ends; an outcome
/// from a worker without the lease is ignored; a claim names its providers.
pub async fn a_leased_notice_is_claimed_again_only_once_its_lease_ends(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ConsentStore::record(store, &change(1, ada, true), &[to(100, "lists")]).await.expect("recorded");
    let at = T0 + Duration::minutes(1);
    assert_eq!(ids(&claim(store, "w1", at).await), [100]);
    assert_eq!(ids(&claim(store, "w2", at + Duration::seconds(119)).await), [0_u128; 0]);
    deliver(store, "w2", 100).await;
    let backlog = store.backlog().await.expect("backlog");
    let counts: Vec<(u64, u64)> = backlog.iter().map(|b| (b.pending, b.delivered)).collect();
    assert_eq!(counts, [(1, 0)], "an outcome from a worker without the lease is ignored");
    assert_eq!(ids(&claim(store, "w2", at + Duration::minutes(2)).await), [100], "a lease ending at `now` is free");
    let only = [provider("crm")];
    let none = store.claim_due_notices(&only, "w3", T0 + Duration::hours(1), T0 + Duration::hours(2), 9).await;
    assert!(none.expect("claim").is_empty(), "only the providers asked for");
}

/// The backlog counts pending and delivered notices per provider with the
/// last error; housekeeping purges delivered notices once past retention.
pub async fn the_backlog_and_housekeeping_follow_delivery(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    ConsentStore::record(store, &change(1, ada, true), &[to(100, "lists")]).await.expect("recorded");
    ConsentStore::record(store, &change(2, bob, true), &[to(101, "lists"), to(102, "crm")]).await.expect("recorded");
    let at = T0 + Duration::minutes(1);
    claim(store, "w1", at).await;
    deliver(store, "w1", 100).await;
    let retry =
        NoticeOutcome::Retry { attempts: 1, next_attempt_at: at, status: None, error: "connection refused".into() };
    store.record_notice_outcome(Uuid::from_u128(101), "w1", &retry, at).await.expect("recorded");
    let backlog = store.backlog().await.expect("backlog");
    let lists = backlog.iter().find(|b| b.provider.as_str() == "lists").expect("lists has notices");
    assert_eq!((lists.pending, lists.delivered, lists.last_error.as_deref()), (1, 1, Some("connection refused")));
    assert_eq!(lists.oldest_pending_at, Some(T0 + Duration::seconds(2)));
    let crm = backlog.iter().find(|b| b.provider.as_str() == "crm").expect("crm has notices");
    assert_eq!((crm.pending, crm.delivered, crm.last_error.as_deref()), (1, 0, None));
    let old = T0 - Duration::days(1);
    let kept = store.purge(&purge_cutoffs(T0 + Duration::minutes(59), old)).await.expect("purge");
    assert_eq!(kept.provider_notices, 0, "delivered at T0 + 1 h: not yet past retention");
    let gone = store.purge(&purge_cutoffs(T0 + Duration::hours(1), old)).await.expect("purge");
    assert_eq!(gone.provider_notices, 1, "only the delivered notice, once past retention");
    let pending: u64 = store.backlog().await.expect("backlog").iter().map(|b| b.pending).sum();
    assert_eq!(pending, 2);
}

/// Workers claiming at the same time never get the same notice.
pub async fn competing_workers_never_claim_the_same_notice(store: &dyn Storage) {
    let mut users = Vec::new();
    for n in 1..=6_u128 {
        users.push(signed_up(store, &format!("u{n}"), n).await);
    }
    for (i, user) in (0_u128..).zip(&users) {
        let n = 100 + 2 * i;
        ConsentStore::record(store, &change(n, *user, true), &[to(n, "lists"), to(n + 1, "crm")]).await.expect("ok");
    }
    let at = T0 + Duration::minutes(5);
    let workers = join_all((0..4).map(|w| async move { ids(&claim(store, &format!("w{w}"), at).await) })).await;
    let mut all: Vec<u128> = workers.into_iter().flatten().collect();
    all.sort_unstable();
    let expected: Vec<u128> = (0..12).map(|i| 100 + i).collect();
    assert_eq!(all, expected, "each of the 12 notices claimed by exactly one worker");
}

/// A report id is claimed once per provider, compared exactly, until it is
/// forgotten or purged.
pub async fn a_report_id_is_claimed_once_per_provider_until_forgotten(store: &dyn Storage) {
    let lists = provider("lists");
    let claim = |p: ProviderId, id: &'static str| async move {
        ProviderReportLog::claim(store, &p, id, T0).await.expect("a claim reads and writes")
    };
    assert!(claim(lists.clone(), "msg_1").await);
    assert!(!claim(lists.clone(), "msg_1").await, "a second claim fails");
    assert!(claim(provider("crm"), "msg_1").await, "ids are per provider");
    assert!(claim(lists.clone(), "MSG_1").await, "ids are compared exactly");
    store.forget(&lists, "msg_1").await.expect("forgotten");
    assert!(claim(lists.clone(), "msg_1").await, "a forgotten id can be claimed again");
    let old = T0 - Duration::days(1);
    assert_eq!(store.purge(&purge_cutoffs(old, T0 - Duration::seconds(1))).await.expect("purge").provider_reports, 0);
    assert_eq!(store.purge(&purge_cutoffs(old, T0)).await.expect("purge").provider_reports, 3);
    assert!(claim(lists, "msg_1").await, "a purged id can be claimed again");
}

/// Of claims of one report id at the same time, one wins.
pub async fn of_concurrent_claims_of_one_report_id_one_wins(store: &dyn Storage) {
    let lists = provider("lists");
    let tries = join_all((0..6).map(|_| ProviderReportLog::claim(store, &lists, "msg_9", T0))).await;
    let won = tries.into_iter().filter(|t| *t.as_ref().expect("a claim reads and writes")).count();
    assert_eq!(won, 1);
}
