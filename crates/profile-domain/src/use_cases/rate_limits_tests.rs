//! Unit tests of the shared rate limits.

use std::sync::Arc;

use time::macros::datetime;

use super::*;
use crate::use_cases::fakes::{FixedClock, InMemoryStore};
use crate::{RateLimit, SecretKey};

const T0: OffsetDateTime = datetime!(2026-12-04 12:00 UTC);

fn limits(store: &Arc<InMemoryStore>, clock: &Arc<FixedClock>) -> RateLimits {
    let policy = RateLimitPolicy {
        sign_in_per_address: RateLimit::per_secs(2, 60),
        operator_key_failures_per_ip: RateLimit::per_secs(1, 60),
        ..RateLimitPolicy::default()
    };
    RateLimits::new(store.clone(), clock.clone(), SecretHasher::new(SecretKey::new(vec![5; 32]).unwrap()), policy)
}

fn wait(result: Result<(), RateLimitError>) -> Option<u64> {
    result.err().and_then(|e| e.retry_after_secs())
}

#[tokio::test]
async fn a_limit_allows_max_events_per_window_and_says_how_long_to_wait() {
    let (store, clock) = (Arc::new(InMemoryStore::default()), Arc::new(FixedClock::at(T0)));
    let limits = limits(&store, &clock);
    let name = LimitName::SignInPerAddress;
    limits.count(name, "ada@example.com").await.unwrap();
    clock.advance(Duration::seconds(10));
    limits.count(name, "ada@example.com").await.unwrap();
    clock.advance(Duration::milliseconds(20_500));
    assert_eq!(wait(limits.count(name, "ada@example.com").await), Some(30), "29.5 s left, rounded up");
    limits.count(name, "bob@example.com").await.unwrap();
    clock.advance(Duration::milliseconds(29_500));
    limits.count(name, "ada@example.com").await.unwrap();
}

#[tokio::test]
async fn the_store_sees_only_keyed_hashes_one_per_limit_and_subject() {
    let (store, clock) = (Arc::new(InMemoryStore::default()), Arc::new(FixedClock::at(T0)));
    let limits = limits(&store, &clock);
    limits.count(LimitName::SignInPerAddress, "ada@example.com").await.unwrap();
    limits.count(LimitName::VerifyPerAddress, "ada@example.com").await.unwrap();
    let keys: Vec<String> = store.state().rate_counters.keys().cloned().collect();
    assert_eq!(keys.len(), 2, "one counter per limit");
    assert!(keys.iter().all(|k| k.len() == 64 && !k.contains("ada")), "{keys:?}");
}

#[tokio::test]
async fn a_key_over_its_limit_is_answered_from_memory_until_its_window_ends() {
    let (store, clock) = (Arc::new(InMemoryStore::default()), Arc::new(FixedClock::at(T0)));
    let limits = limits(&store, &clock);
    let name = LimitName::SignInPerAddress;
    for _ in 0..3 {
        let _ = limits.count(name, "ada@example.com").await;
    }
    let asked = store.state().rate_counts;
    assert_eq!(wait(limits.count(name, "ada@example.com").await), Some(60));
    assert_eq!(store.state().rate_counts, asked, "the store was not asked again");
    clock.advance(Duration::seconds(60));
    limits.count(name, "ada@example.com").await.unwrap();
    assert_eq!(store.state().rate_counts, asked + 1);
}

#[tokio::test]
async fn a_refunded_attempt_does_not_count_and_every_attempt_counts_first() {
    let (store, clock) = (Arc::new(InMemoryStore::default()), Arc::new(FixedClock::at(T0)));
    let limits = limits(&store, &clock);
    let name = LimitName::OperatorKeyFailuresPerClient;
    for _ in 0..5 {
        limits.count(name, "10.0.0.1").await.unwrap();
        limits.refund(name, "10.0.0.1").await.unwrap();
    }
    limits.count(name, "10.0.0.1").await.unwrap();
    assert_eq!(wait(limits.count(name, "10.0.0.1").await), Some(60), "one failure allowed, the successes given back");
    let attempts = attempts_passing(&limits, name, "10.0.0.2", 8).await;
    assert_eq!(attempts, 1, "of eight attempts, one passes: each is counted before its outcome is known");
}

async fn attempts_passing(limits: &RateLimits, name: LimitName, subject: &str, n: usize) -> usize {
    let mut passed = 0;
    for _ in 0..n {
        passed += usize::from(limits.count(name, subject).await.is_ok());
    }
    passed
}
