//! [`OutboxStore`]: leases, order, attempts,
//! and messages that finish for good.

use std::collections::HashSet;

use futures_util::future::join_all;
use time::{Duration, OffsetDateTime};

use super::Storage;
use super::fixtures::{T0, address, challenge, message};
use crate::ports::{DeliveryOutcome, OutboxStore, QueuedEmail};
use crate::{EmailAddress, EmailId};

async fn queue(store: &dyn Storage, n: u128, to: &EmailAddress) {
    store.put_challenge(&challenge(to, "111111"), &message(n, to)).await.expect("queued");
}

async fn claim(
    store: &dyn Storage,
    worker: &str,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u32,
) -> Vec<QueuedEmail> {
    OutboxStore::claim_due(store, worker, now, lease_until, limit).await.expect("a claim reads and writes")
}

fn ids(claimed: &[QueuedEmail]) -> Vec<u128> {
    claimed.iter().map(|q| q.email.id.0.as_u128()).collect()
}

/// A claimed message is leased to its worker: no one else claims it until
/// the lease ends, then another worker may, and the first worker's late
/// outcome changes nothing.
pub async fn a_claimed_message_is_leased_to_one_worker_until_the_lease_ends(store: &dyn Storage) {
    queue(store, 1, &address("ada")).await;
    let now = T0 + Duration::minutes(1);
    let lease_end = now + Duration::minutes(2);
    let claimed = claim(store, "w1", now, lease_end, 10).await;
    assert_eq!(ids(&claimed), [1]);
    assert_eq!(claimed[0].attempts, 0);
    let early = claim(store, "w2", lease_end - Duration::seconds(1), lease_end, 10).await;
    assert!(early.is_empty(), "leased to w1 until {lease_end}");
    let taken_over = claim(store, "w2", lease_end, lease_end + Duration::minutes(2), 10).await;
    assert_eq!(ids(&taken_over), [1], "a lease that ends at `now` is free");
    let late = store.record_outcome(EmailId(uuid::Uuid::from_u128(1)), "w1", &DeliveryOutcome::Sent, lease_end);
    late.await.expect("an outcome without the lease is not an error");
    let after_w2 = lease_end + Duration::minutes(2);
    let again = claim(store, "w3", after_w2, after_w2 + Duration::minutes(2), 10).await;
    assert_eq!(ids(&again), [1], "w1 had lost the lease, so its `Sent` was ignored");
}

/// A claim takes due messages oldest first, at most `limit`, and none not
/// yet due.
pub async fn claims_take_the_oldest_due_messages_up_to_the_limit(store: &dyn Storage) {
    for (n, name) in [(30, "carol"), (10, "ada"), (20, "bob")] {
        queue(store, n, &address(name)).await;
    }
    let not_yet = claim(store, "w1", T0 + Duration::seconds(9), T0 + Duration::minutes(2), 10).await;
    assert!(not_yet.is_empty(), "the oldest is queued at T0 + 10 s");
    let later = T0 + Duration::minutes(1);
    let first = claim(store, "w1", later, later + Duration::minutes(2), 2).await;
    assert_eq!(ids(&first), [10, 20], "oldest first, two at most");
    let rest = claim(store, "w2", later, later + Duration::minutes(2), 2).await;
    assert_eq!(ids(&rest), [30]);
}

/// `Sent`, `Failed` and `Expired` finish a message: it is never claimed
/// again, however late.
pub async fn a_finished_message_is_never_claimed_again(store: &dyn Storage) {
    for (n, name) in [(1, "ada"), (2, "bob"), (3, "carol")] {
        queue(store, n, &address(name)).await;
    }
    let now = T0 + Duration::minutes(1);
    assert_eq!(claim(store, "w1", now, now + Duration::minutes(2), 10).await.len(), 3);
    let failed = DeliveryOutcome::Failed { attempts: 1, error: "550 no such user".into() };
    for (n, outcome) in [(1, DeliveryOutcome::Sent), (2, failed), (3, DeliveryOutcome::Expired)] {
        store.record_outcome(EmailId(uuid::Uuid::from_u128(n)), "w1", &outcome, now).await.expect("outcome");
    }
    let much_later = T0 + Duration::days(1);
    let claimed = claim(store, "w2", much_later, much_later + Duration::minutes(2), 10).await;
    assert!(claimed.is_empty(), "finished messages came back: {:?}", ids(&claimed));
}

/// A `Retry` waits for its next attempt, and the next claim carries the
/// attempts made so far.
pub async fn a_retried_message_waits_for_its_next_attempt_and_keeps_its_count(store: &dyn Storage) {
    queue(store, 1, &address("ada")).await;
    let now = T0 + Duration::minutes(1);
    let lease = now + Duration::minutes(2);
    claim(store, "w1", now, lease, 10).await;
    let next = now + Duration::seconds(5);
    let retry = DeliveryOutcome::Retry { attempts: 1, next_attempt_at: next, error: "refused".into() };
    store.record_outcome(EmailId(uuid::Uuid::from_u128(1)), "w1", &retry, now).await.expect("outcome");
    let early = claim(store, "w1", next - Duration::seconds(1), lease, 10).await;
    assert!(early.is_empty(), "not before its next attempt (the outcome released the lease)");
    let again = claim(store, "w2", next, lease, 10).await;
    assert_eq!(ids(&again), [1]);
    assert_eq!(again[0].attempts, 1, "one attempt made before this one");
    assert_eq!(again[0].email, message(1, &address("ada")), "a retried message keeps its content");
}

/// Workers claiming at the same time get disjoint messages, and together
/// every message once.
pub async fn competing_workers_claim_disjoint_messages(store: &dyn Storage) {
    for n in 0..30_u128 {
        queue(store, 100 + n, &address(&format!("user{n}"))).await;
    }
    let now = T0 + Duration::hours(1);
    let workers = join_all((0..4).map(|w| async move {
        let mut mine = Vec::new();
        loop {
            let batch = claim(store, &format!("w{w}"), now, now + Duration::minutes(2), 3).await;
            if batch.is_empty() {
                return mine;
            }
            mine.extend(ids(&batch));
        }
    }))
    .await;
    let all: Vec<u128> = workers.into_iter().flatten().collect();
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (30, 30), "every message claimed exactly once");
}
