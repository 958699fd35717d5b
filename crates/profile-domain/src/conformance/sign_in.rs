//! [`SignInStore`](crate::ports::SignInStore): a challenge and its code
//! message commit together; attempts count atomically; a challenge is
//! consumed once.

use futures_util::future::join_all;
use time::Duration;

use super::Storage;
use super::fixtures::{T0, address, challenge, completion, message};
use crate::ports::{OutboxStore, SessionStore, SignInOutcome};

/// A stored challenge is read back as written, and its message is queued.
pub async fn a_challenge_and_its_message_are_stored_together(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let stored = store.record_attempt(&ada).await.expect("read").expect("the challenge is there");
    assert_eq!(stored.code_hash, challenge(&ada, "111111").code_hash);
    assert_eq!((stored.created_at, stored.expires_at), (T0, T0 + Duration::minutes(10)));
    let queued = OutboxStore::claim_due(store, "w1", T0 + Duration::minutes(1), T0 + Duration::minutes(3), 10)
        .await
        .expect("claim");
    let queued: Vec<_> = queued.into_iter().map(|q| q.email).collect();
    assert_eq!(queued, [message(1, &ada)], "the code's message is in the outbox, whole");
}

/// When the message cannot be queued (here: its id is taken), the new
/// challenge is not stored either: the old one stays in force.
pub async fn a_challenge_whose_message_cannot_be_queued_is_not_stored(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let clash = store.put_challenge(&challenge(&ada, "222222"), &message(1, &ada)).await;
    assert!(clash.is_err(), "a message id used twice must fail the write");
    let stored = store.record_attempt(&ada).await.expect("read").expect("a challenge is there");
    assert_eq!(stored.code_hash, challenge(&ada, "111111").code_hash, "the whole write rolled back");
    let queued = OutboxStore::claim_due(store, "w1", T0 + Duration::minutes(1), T0 + Duration::minutes(3), 10)
        .await
        .expect("claim");
    assert_eq!(queued.len(), 1, "one message, the first");
}

/// A new challenge for the address replaces the old one and its attempts.
pub async fn a_new_challenge_replaces_the_old_and_resets_its_attempts(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    store.record_attempt(&ada).await.expect("counted");
    store.put_challenge(&challenge(&ada, "222222"), &message(2, &ada)).await.expect("replaced");
    let stored = store.record_attempt(&ada).await.expect("read").expect("a challenge is there");
    assert_eq!(stored.code_hash, challenge(&ada, "222222").code_hash);
    assert_eq!(stored.attempts, 1, "counting starts again with the new code");
    let old = store.complete_sign_in(&completion(&ada, "111111", 10)).await.expect("completion");
    assert_eq!(old, SignInOutcome::ChallengeGone, "the replaced code no longer signs in");
}

/// Attempts made at the same time each count; an address without a
/// challenge has none to count.
pub async fn concurrent_attempts_each_count(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let seen = join_all((0..8).map(|_| store.record_attempt(&ada))).await;
    let counts: Vec<u32> = seen.into_iter().map(|s| s.expect("counted").expect("there").attempts).collect();
    assert_eq!(counts.iter().max(), Some(&8), "eight attempts, eight counted: {counts:?}");
    assert!(store.record_attempt(&address("nobody")).await.expect("read").is_none());
}

/// Of completions of one challenge at the same time, one signs in; the
/// rest find it gone, and one account and one session exist.
pub async fn of_concurrent_completions_of_one_challenge_exactly_one_wins(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let ada = &ada;
    let tries = join_all((0..8_u128).map(|i| async move {
        let done = completion(ada, "111111", 20 + i);
        (done.session.token_hash.clone(), store.complete_sign_in(&done).await.expect("completion"))
    }))
    .await;
    let won = tries.iter().filter(|(_, o)| matches!(o, SignInOutcome::Completed(_))).count();
    assert_eq!(won, 1, "exactly one completion wins: {tries:?}");
    for (token, outcome) in &tries {
        let session = SessionStore::find(store, token).await.expect("read");
        match outcome {
            SignInOutcome::Completed(_) => assert!(session.is_some(), "the winner's session is open"),
            SignInOutcome::ChallengeGone => assert!(session.is_none(), "a loser opened no session"),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
}
