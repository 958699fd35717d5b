//! [`HousekeepingStore`](crate::ports::HousekeepingStore): expired codes,
//! expired sessions and messages finished before the cutoff are purged,
//! nothing earlier and nothing else.

use time::{Duration, OffsetDateTime};

use super::Storage;
use super::fixtures::{T0, address, challenge, completion, message, session_token};
use crate::ports::{DeliveryOutcome, OutboxStore, PurgeCutoffs, SessionStore, SignInOutcome};
use crate::{EmailAddress, EmailId};

fn cutoffs(now: OffsetDateTime, finished_before: OffsetDateTime) -> PurgeCutoffs {
    PurgeCutoffs {
        now,
        finished_before,
        code_log_before: T0 - Duration::days(1),
        stale_requests_before: T0 - Duration::days(1),
        reports_before: T0 - Duration::days(1),
    }
}

async fn unfinished(store: &dyn Storage, to: &EmailAddress) -> usize {
    let later = T0 + Duration::days(40);
    let due = OutboxStore::claim_due(store, "count", later, later + Duration::seconds(1), 100).await.expect("claim");
    due.iter().filter(|q| q.email.to == *to).count()
}

/// A code past its expiry, a session past its end and a message finished
/// before the cutoff are purged, each once its time has come.
pub async fn housekeeping_deletes_only_what_has_expired_or_finished_long_ago(store: &dyn Storage) {
    let (ada, bob) = (address("ada"), address("bob"));
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let done = store.complete_sign_in(&completion(&ada, "111111", 10)).await.expect("completed");
    assert!(matches!(done, SignInOutcome::Completed(_)));
    store.put_challenge(&challenge(&bob, "222222"), &message(2, &bob)).await.expect("stored");
    let now = T0 + Duration::minutes(1);
    OutboxStore::claim_due(store, "w1", now, now + Duration::minutes(2), 10).await.expect("claim");
    store.record_outcome(EmailId(uuid::Uuid::from_u128(1)), "w1", &DeliveryOutcome::Sent, T0).await.expect("sent");

    let nothing_yet = store.purge(&cutoffs(T0 + Duration::minutes(9), T0 - Duration::seconds(1))).await;
    let nothing_yet = nothing_yet.expect("purged");
    assert_eq!((nothing_yet.challenges, nothing_yet.sessions, nothing_yet.messages), (0, 0, 0), "not yet");
    assert!(store.record_attempt(&bob).await.expect("read").is_some(), "bob's code is still there");
    let purged = store.purge(&cutoffs(T0 + Duration::minutes(10), T0)).await.expect("purged");
    let counts = (purged.challenges, purged.sessions, purged.messages);
    assert_eq!(counts, (1, 0, 1), "bob's code expired; ada's mail finished");
    assert!(store.record_attempt(&bob).await.expect("read").is_none(), "bob's code went");
    assert_eq!(unfinished(store, &bob).await, 1, "the unfinished message stays");
    let later = store.purge(&cutoffs(T0 + Duration::days(30), T0)).await.expect("purged");
    assert_eq!(later.sessions, 1, "the session expired after 30 days");
    assert!(SessionStore::find(store, &session_token(10)).await.expect("read").is_none());
}
