//! The provider outbox and report log against real databases.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::{
    AccountStore, ConsentStore, HousekeepingStore, NoticeOutcome, ProviderOutbox, ProviderReportLog, PurgeCutoffs,
    QueuedNotice,
};
use profile_domain::{
    ConsentChannel, ConsentEvent, EmailAddress, NoticeFor, ProviderEvent, ProviderId, PurposeId, UserId,
};
use support::{TestDb, signed_up};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn provider(name: &str) -> ProviderId {
    ProviderId::parse(name).unwrap()
}

fn change(n: u128, user: UserId, granted: bool) -> ConsentEvent {
    ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: PurposeId::parse("news").unwrap(),
        version: 3,
        text_hash: "cd".repeat(32),
        granted,
        at: T0 + Duration::seconds(i64::try_from(n).unwrap()),
        channel: ConsentChannel::Web,
    }
}

fn to(n: u128, name: &str) -> NoticeFor {
    NoticeFor::to_provider(Uuid::from_u128(n), provider(name))
}

async fn claim(db: &TestDb, worker: &str, at: OffsetDateTime) -> Vec<QueuedNotice> {
    let providers = [provider("lists"), provider("crm")];
    db.store.claim_due_notices(&providers, worker, at, at + Duration::minutes(2), 50).await.unwrap()
}

fn ids(claimed: &[QueuedNotice]) -> Vec<u128> {
    let mut ids: Vec<u128> = claimed.iter().map(|q| q.notice.id.as_u128()).collect();
    ids.sort_unstable();
    ids
}

async fn deliver(db: &TestDb, worker: &str, id: u128) {
    let outcome = NoticeOutcome::Delivered { status: 204 };
    db.store.record_notice_outcome(Uuid::from_u128(id), worker, &outcome, T0 + Duration::hours(1)).await.unwrap();
}

on_every_backend!(a_notice_carries_the_change_the_address_and_the_users_notice_number, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    db.store.record(&change(1, ada, true), &[]).await.unwrap();
    db.store.record(&change(2, ada, false), &[to(100, "lists"), to(101, "crm")]).await.unwrap();
    let claimed = claim(&db, "w1", T0 + Duration::minutes(1)).await;
    assert_eq!(ids(&claimed), [100, 101]);
    let numbers: Vec<u64> = claimed.iter().map(|q| q.notice.sequence).collect();
    assert_eq!(numbers, [1, 1], "one change, one number; a change told to nobody takes none");
    let notice = &claimed.iter().find(|q| q.notice.id.as_u128() == 100).unwrap().notice;
    assert_eq!((notice.user_id, notice.email.as_ref().unwrap().as_str()), (ada, "ada@example.com"));
    let ProviderEvent::ConsentChanged { purpose, granted, version, channel, at } = &notice.event else {
        panic!("not a consent change: {:?}", notice.event)
    };
    assert_eq!((purpose.as_str(), *granted, *version, *channel), ("news", false, 3, ConsentChannel::Web));
    assert_eq!(*at, T0 + Duration::seconds(2));
});

on_every_backend!(a_notice_that_cannot_be_queued_takes_the_consent_back_with_it, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    db.store.record(&change(1, ada, true), &[to(100, "lists")]).await.unwrap();
    let clash = db.store.record(&change(2, ada, false), &[to(100, "crm")]).await;
    assert!(clash.is_err(), "a notice id used twice fails the insert");
    assert_eq!(db.store.ledger(ada).await.unwrap().len(), 1, "the ledger entry was rolled back");
    assert!(db.store.answers(ada).await.unwrap()[0].granted, "so was the answer");
    let withdrew = db.store.withdraw_if_granted(&change(3, ada, false), &[to(100, "crm")]).await;
    assert!(withdrew.is_err());
    assert_eq!(db.store.ledger(ada).await.unwrap().len(), 1);
});

on_every_backend!(only_the_first_pending_notice_of_a_provider_and_user_is_claimed, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    db.store.record(&change(1, ada, true), &[to(100, "lists")]).await.unwrap();
    db.store.record(&change(2, ada, false), &[to(101, "lists"), to(102, "crm")]).await.unwrap();
    db.store.record(&change(3, ada, true), &[to(103, "lists")]).await.unwrap();
    db.store.record(&change(4, bob, true), &[to(104, "lists")]).await.unwrap();
    let later = T0 + Duration::minutes(1);
    assert_eq!(ids(&claim(&db, "w1", later).await), [100, 102, 104], "one head per provider and user");
    let retry = NoticeOutcome::Retry {
        attempts: 1,
        next_attempt_at: later + Duration::seconds(5),
        status: Some(503),
        error: "HTTP 503".into(),
    };
    db.store.record_notice_outcome(Uuid::from_u128(100), "w1", &retry, later).await.unwrap();
    deliver(&db, "w1", 102).await;
    deliver(&db, "w1", 104).await;
    assert_eq!(ids(&claim(&db, "w2", later).await), [], "101 waits behind 100, which is not due");
    let claimed = claim(&db, "w2", later + Duration::seconds(5)).await;
    assert_eq!(ids(&claimed), [100]);
    assert_eq!(claimed[0].attempts, 1);
    deliver(&db, "w2", 100).await;
    assert_eq!(ids(&claim(&db, "w2", later + Duration::seconds(5)).await), [101]);
    deliver(&db, "w2", 101).await;
    assert_eq!(ids(&claim(&db, "w2", later + Duration::seconds(5)).await), [103]);
});

on_every_backend!(a_leased_notice_is_not_claimed_again_until_its_lease_ends, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    db.store.record(&change(1, ada, true), &[to(100, "lists")]).await.unwrap();
    let at = T0 + Duration::minutes(1);
    assert_eq!(ids(&claim(&db, "w1", at).await), [100]);
    assert_eq!(ids(&claim(&db, "w2", at + Duration::seconds(119)).await), []);
    deliver(&db, "w2", 100).await;
    let backlog = db.store.backlog().await.unwrap();
    assert_eq!(
        (backlog[0].pending, backlog[0].delivered),
        (1, 0),
        "an outcome from a worker without the lease is ignored"
    );
    assert_eq!(ids(&claim(&db, "w2", at + Duration::minutes(2)).await), [100]);
    let only = [provider("crm")];
    let none = db.store.claim_due_notices(&only, "w3", T0 + Duration::hours(1), T0 + Duration::hours(2), 9).await;
    assert!(none.unwrap().is_empty(), "only the providers asked for");
});

on_every_backend!(the_backlog_and_housekeeping_follow_delivery, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    db.store.record(&change(1, ada, true), &[to(100, "lists")]).await.unwrap();
    db.store.record(&change(2, bob, true), &[to(101, "lists"), to(102, "crm")]).await.unwrap();
    let at = T0 + Duration::minutes(1);
    claim(&db, "w1", at).await;
    deliver(&db, "w1", 100).await;
    let retry =
        NoticeOutcome::Retry { attempts: 1, next_attempt_at: at, status: None, error: "connection refused".into() };
    db.store.record_notice_outcome(Uuid::from_u128(101), "w1", &retry, at).await.unwrap();
    let backlog = db.store.backlog().await.unwrap();
    let lists = backlog.iter().find(|b| b.provider.as_str() == "lists").unwrap();
    assert_eq!((lists.pending, lists.delivered, lists.last_error.as_deref()), (1, 1, Some("connection refused")));
    assert_eq!(lists.oldest_pending_at, Some(T0 + Duration::seconds(2)));
    let crm = backlog.iter().find(|b| b.provider.as_str() == "crm").unwrap();
    assert_eq!((crm.pending, crm.delivered, crm.last_error.as_deref()), (1, 0, None));
    let cut = |finished_before| PurgeCutoffs {
        now: T0,
        finished_before,
        code_log_before: T0 - Duration::days(1),
        stale_requests_before: T0 - Duration::days(1),
        reports_before: T0 - Duration::days(1),
    };
    let kept = db.store.purge(&cut(T0 + Duration::minutes(59))).await.unwrap();
    assert_eq!(kept.provider_notices, 0);
    let gone = db.store.purge(&cut(T0 + Duration::hours(1))).await.unwrap();
    assert_eq!(gone.provider_notices, 1, "only the delivered notice, once past retention");
    assert_eq!(db.store.backlog().await.unwrap().iter().map(|b| b.pending).sum::<u64>(), 2);
});

on_every_backend!(report_ids_are_claimed_once_per_provider_until_forgotten_or_purged, |db: TestDb| async move {
    let lists = provider("lists");
    assert!(db.store.claim(&lists, "msg_1", T0).await.unwrap());
    assert!(!db.store.claim(&lists, "msg_1", T0).await.unwrap(), "a second claim fails");
    assert!(db.store.claim(&provider("crm"), "msg_1", T0).await.unwrap(), "ids are per provider");
    assert!(db.store.claim(&lists, "MSG_1", T0).await.unwrap(), "ids are compared exactly");
    db.store.forget(&lists, "msg_1").await.unwrap();
    assert!(db.store.claim(&lists, "msg_1", T0).await.unwrap(), "a forgotten id can be claimed again");
    let cut = |reports_before| PurgeCutoffs {
        now: T0,
        finished_before: T0 - Duration::days(1),
        code_log_before: T0 - Duration::days(1),
        stale_requests_before: T0 - Duration::days(1),
        reports_before,
    };
    assert_eq!(db.store.purge(&cut(T0 - Duration::seconds(1))).await.unwrap().provider_reports, 0);
    assert_eq!(db.store.purge(&cut(T0)).await.unwrap().provider_reports, 3);
    assert!(db.store.claim(&lists, "msg_1", T0).await.unwrap());
});

on_every_backend!(concurrent_claims_of_one_report_id_let_one_through, |db: TestDb| async move {
    let store = std::sync::Arc::new(db.store.clone());
    let tries: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim(&provider("lists"), "msg_9", T0).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for t in tries {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
});

on_every_backend!(concurrent_workers_never_claim_the_same_notice, |db: TestDb| async move {
    let mut users = Vec::new();
    for n in 1..=6_u128 {
        users.push(signed_up(&db, &format!("u{n}@example.com"), n).await);
    }
    for (i, user) in users.iter().enumerate() {
        let n = 100 + 2 * i as u128;
        db.store.record(&change(n, *user, true), &[to(n, "lists"), to(n + 1, "crm")]).await.unwrap();
    }
    let store = std::sync::Arc::new(db.store.clone());
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let at = T0 + Duration::minutes(5);
                let providers = [provider("lists"), provider("crm")];
                let worker = format!("w{w}");
                let got = store.claim_due_notices(&providers, &worker, at, at + Duration::minutes(2), 50);
                got.await.unwrap().into_iter().map(|q| q.notice.id.as_u128()).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort_unstable();
    let expected: Vec<u128> = (0..12).map(|i| 100 + i).collect();
    assert_eq!(all, expected, "each of the 12 notices claimed by exactly one worker");
});

on_every_backend!(an_account_is_found_by_its_address, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let found = db.store.find_by_email(&EmailAddress::parse("ada@example.com").unwrap()).await.unwrap();
    assert_eq!(found.map(|a| a.id), Some(ada));
    let other = db.store.find_by_email(&EmailAddress::parse("bob@example.com").unwrap()).await.unwrap();
    assert!(other.is_none());
});
