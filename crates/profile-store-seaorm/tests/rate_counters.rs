//! The shared rate-limit counters against real databases: a window counts
//! each event once, concurrent events of one key all count, an ended window
//! starts again, and housekeeping drops ended counters.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::{HousekeepingStore, PurgeCutoffs, RateCounterStore};
use profile_domain::{RateLimit, SecretHasher, SecretKey};
use support::TestDb;
use time::{Duration, OffsetDateTime, macros::datetime};

const T0: OffsetDateTime = datetime!(2026-12-04 12:00 UTC);

fn key(n: u8) -> profile_domain::SecretHash {
    SecretHasher::new(SecretKey::new(vec![2; 32]).unwrap()).hash("rate-limit", &[&[n]])
}

on_every_backend!(a_window_counts_each_event_and_starts_again_once_it_ends, |db: TestDb| async move {
    let limit = RateLimit::per_secs(3, 60);
    for n in 1..=4 {
        let window = db.store.count("sign_in_per_address", &key(1), &limit, T0 + Duration::seconds(n)).await.unwrap();
        assert_eq!(
            (window.count, window.ends_at),
            (n as u32, T0 + Duration::seconds(61)),
            "the window starts at the first"
        );
    }
    assert_eq!(db.store.current(&key(1), T0 + Duration::seconds(60)).await.unwrap().unwrap().count, 4);
    assert_eq!(db.store.current(&key(2), T0).await.unwrap(), None, "each key apart");
    let later = T0 + Duration::seconds(61);
    assert_eq!(db.store.current(&key(1), later).await.unwrap(), None, "ended");
    let fresh = db.store.count("sign_in_per_address", &key(1), &limit, later).await.unwrap();
    assert_eq!((fresh.count, fresh.ends_at), (1, later + Duration::seconds(60)));
});

on_every_backend!(concurrent_events_of_one_key_each_count_once, |db: TestDb| async move {
    let limit = RateLimit::per_secs(100, 60);
    let store = std::sync::Arc::new(db.store.clone());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count("verify_per_ip", &key(3), &limit, T0).await.unwrap().count })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=16).collect::<Vec<u32>>(), "each saw its own event once");
});

on_every_backend!(an_event_taken_back_no_longer_counts_in_its_window, |db: TestDb| async move {
    let limit = RateLimit::per_secs(5, 60);
    db.store.count("a", &key(6), &limit, T0).await.unwrap();
    db.store.count("a", &key(6), &limit, T0).await.unwrap();
    db.store.uncount(&key(6), T0 + Duration::seconds(1)).await.unwrap();
    assert_eq!(db.store.current(&key(6), T0).await.unwrap().unwrap().count, 1);
    db.store.uncount(&key(6), T0).await.unwrap();
    db.store.uncount(&key(6), T0).await.unwrap();
    assert_eq!(db.store.current(&key(6), T0).await.unwrap().unwrap().count, 0, "never below zero");
    db.store.uncount(&key(7), T0).await.unwrap();
});

on_every_backend!(housekeeping_drops_counters_whose_window_ended, |db: TestDb| async move {
    let limit = RateLimit::per_secs(5, 60);
    db.store.count("a", &key(4), &limit, T0).await.unwrap();
    db.store.count("a", &key(5), &limit, T0 + Duration::seconds(30)).await.unwrap();
    let at = T0 + Duration::seconds(60);
    let cutoffs = PurgeCutoffs {
        now: at,
        stale_requests_before: at,
        finished_before: at,
        code_log_before: at,
        reports_before: at,
    };
    assert_eq!(db.store.purge(&cutoffs).await.unwrap().rate_counters, 1);
    assert!(db.store.current(&key(5), at).await.unwrap().is_some());
});
