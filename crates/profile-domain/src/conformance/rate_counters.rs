//! [`RateCounterStore`](crate::ports::RateCounterStore): a fixed window
//! counts each event once, even at the same time, starts again once it
//! ends, and is purged after.

use futures_util::future::join_all;
use time::Duration;

use super::Storage;
use super::fixtures::T0;
use crate::ports::PurgeCutoffs;
use crate::{RateLimit, SecretHash, SecretHasher, SecretKey};

fn key(n: u8) -> SecretHash {
    SecretHasher::new(SecretKey::new(vec![2; 32]).expect("a long enough key")).hash("rate-limit", &[&[n]])
}

/// A window starts at its first event and counts each one; each key counts
/// apart; once the window ends the count starts again.
pub async fn a_window_counts_each_event_and_starts_again_once_it_ends(store: &dyn Storage) {
    let limit = RateLimit::per_secs(3, 60);
    for n in 1..=4_u32 {
        let at = T0 + Duration::seconds(i64::from(n));
        let window = store.count("sign_in_per_address", &key(1), &limit, at).await.expect("counted");
        assert_eq!((window.count, window.ends_at), (n, T0 + Duration::seconds(61)), "the window starts at the first");
    }
    let current = store.current(&key(1), T0 + Duration::seconds(60)).await.expect("read");
    assert_eq!(current.map(|w| w.count), Some(4), "events past the limit count too");
    assert_eq!(store.current(&key(2), T0).await.expect("read"), None, "each key apart");
    let later = T0 + Duration::seconds(61);
    assert_eq!(store.current(&key(1), later).await.expect("read"), None, "ended");
    let fresh = store.count("sign_in_per_address", &key(1), &limit, later).await.expect("counted");
    assert_eq!((fresh.count, fresh.ends_at), (1, later + Duration::seconds(60)));
}

/// Events of one key at the same time each count once.
pub async fn concurrent_events_of_one_key_each_count_once(store: &dyn Storage) {
    let limit = RateLimit::per_secs(100, 60);
    let (limit, key) = (&limit, &key(3));
    let seen = join_all((0..16).map(|_| store.count("verify_per_ip", key, limit, T0))).await;
    let mut counts: Vec<u32> = seen.into_iter().map(|w| w.expect("counted").count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=16).collect::<Vec<u32>>(), "each saw its own event once");
}

/// An event taken back no longer counts, and a count never goes below
/// zero.
pub async fn an_event_taken_back_no_longer_counts_in_its_window(store: &dyn Storage) {
    let limit = RateLimit::per_secs(5, 60);
    store.count("a", &key(6), &limit, T0).await.expect("counted");
    store.count("a", &key(6), &limit, T0).await.expect("counted");
    store.uncount(&key(6), T0 + Duration::seconds(1)).await.expect("taken back");
    assert_eq!(store.current(&key(6), T0).await.expect("read").map(|w| w.count), Some(1));
    store.uncount(&key(6), T0).await.expect("taken back");
    store.uncount(&key(6), T0).await.expect("taken back");
    assert_eq!(store.current(&key(6), T0).await.expect("read").map(|w| w.count), Some(0), "never below zero");
    store.uncount(&key(7), T0).await.expect("a key never counted is no error");
}

/// Housekeeping drops the counters whose window has ended, and only those.
pub async fn housekeeping_drops_counters_whose_window_ended(store: &dyn Storage) {
    let limit = RateLimit::per_secs(5, 60);
    store.count("a", &key(4), &limit, T0).await.expect("counted");
    store.count("a", &key(5), &limit, T0 + Duration::seconds(30)).await.expect("counted");
    let at = T0 + Duration::seconds(60);
    let cutoffs = PurgeCutoffs {
        now: at,
        stale_requests_before: at,
        finished_before: at,
        code_log_before: at,
        reports_before: at,
    };
    assert_eq!(store.purge(&cutoffs).await.expect("purged").rate_counters, 1);
    assert!(store.current(&key(5), at).await.expect("read").is_some(), "the live window stays");
}
