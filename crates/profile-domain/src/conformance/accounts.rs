//! [`SignInStore::complete_sign_in`](crate::ports::SignInStore::complete_sign_in),
//! [`AccountStore`] and [`SessionStore`]: an account is created once per
//! address, names round-trip, sessions are found and ended, and a sign-out
//! is in the security history (a rename's notices are in
//! [`directory`](super::directory)).

use futures_util::future::join_all;
use time::Duration;

use super::Storage;
use super::fixtures::{T0, address, challenge, completion, message};
use crate::ports::{AccountStore, OutboxStore, SessionStore, SignInOutcome};
use crate::{DisplayName, SecurityEventKind, UserId};

async fn complete(store: &dyn Storage, name: &str, code: &str, n: u128) -> SignInOutcome {
    store.complete_sign_in(&completion(&address(name), code, n)).await.expect("a completion reads and writes")
}

/// The first sign-in with an address creates its account; the code is then
/// used up; a later sign-in finds the same account and opens another
/// session.
pub async fn completing_creates_the_account_once_and_opens_sessions(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    let SignInOutcome::Completed(first) = complete(store, "ada", "111111", 10).await else {
        panic!("the first sign-in completes")
    };
    assert!(first.created);
    assert_eq!(first.account, completion(&ada, "111111", 10).new_account, "the account as given");
    assert_eq!(complete(store, "ada", "111111", 11).await, SignInOutcome::ChallengeGone, "the code is used up");
    store.put_challenge(&challenge(&ada, "222222"), &message(2, &ada)).await.expect("stored");
    let SignInOutcome::Completed(second) = complete(store, "ada", "222222", 12).await else {
        panic!("the second sign-in completes")
    };
    assert!(!second.created);
    assert_eq!(second.account.id, first.account.id, "the same account");
    assert_eq!(store.find_by_email(&ada).await.expect("read").map(|a| a.id), Some(first.account.id));
    for n in [10, 12] {
        let session = SessionStore::find(store, &completion(&ada, "x", n).session.token_hash).await.expect("read");
        assert_eq!(session.map(|s| s.user_id), Some(first.account.id), "session {n} is open and the account's");
    }
    let refused = SessionStore::find(store, &completion(&ada, "x", 11).session.token_hash).await.expect("read");
    assert!(refused.is_none(), "the refused completion opened nothing");
}

/// A completion with a hash that is not the challenge's changes nothing:
/// no account, no session, and the challenge stays.
pub async fn completing_with_a_replaced_challenge_changes_nothing(store: &dyn Storage) {
    let ada = address("ada");
    store.put_challenge(&challenge(&ada, "111111"), &message(1, &ada)).await.expect("stored");
    assert_eq!(complete(store, "ada", "999999", 10).await, SignInOutcome::ChallengeGone);
    assert!(store.find_by_email(&ada).await.expect("read").is_none(), "no account");
    let token = completion(&ada, "999999", 10).session.token_hash;
    assert!(SessionStore::find(store, &token).await.expect("read").is_none(), "no session");
    let kept = store.record_attempt(&ada).await.expect("read").expect("the challenge stays");
    assert_eq!(kept.code_hash, challenge(&ada, "111111").code_hash);
}

/// Challenges started at the same time, for one address or many, all
/// commit with their messages; one address keeps one challenge.
pub async fn concurrent_starts_for_one_or_many_addresses_all_succeed(store: &dyn Storage) {
    let starts = join_all((0..12_u128).map(|i| async move {
        let to = if i % 2 == 0 { address("ada") } else { address(&format!("n{i}")) };
        store.put_challenge(&challenge(&to, &format!("{i:06}")), &message(500 + i, &to)).await
    }))
    .await;
    assert!(starts.iter().all(Result::is_ok), "every start commits: {starts:?}");
    let now = T0 + Duration::hours(1);
    let queued = OutboxStore::claim_due(store, "w1", now, now + Duration::minutes(2), 100).await.expect("claim");
    assert_eq!(queued.len(), 12, "every start's message is queued");
    let ada = store.record_attempt(&address("ada")).await.expect("read").expect("ada has a challenge");
    let ada_codes: Vec<_> = (0..12_u32).step_by(2).map(|i| challenge(&address("ada"), &format!("{i:06}"))).collect();
    assert!(ada_codes.iter().any(|c| c.code_hash == ada.code_hash), "ada's challenge is one of hers");
    assert_eq!(ada.attempts, 1, "one challenge, counted once");
}

/// A name in any script comes back exactly, with the new `updated_at`; a
/// rename of no account changes nothing.
pub async fn a_display_name_in_any_script_round_trips(store: &dyn Storage) {
    let id = super::signed_up(store, "ada", 1).await;
    let name = DisplayName::parse(&"山田 👩‍👩‍👧 Zoë".repeat(4)).expect("a valid name");
    let at = T0 + Duration::hours(1);
    let renamed = store.set_display_name(id, &name, at, &[]).await.expect("written").expect("the account exists");
    assert_eq!(renamed.display_name.as_ref(), Some(&name));
    let read = AccountStore::get(store, id).await.expect("read").expect("the account exists");
    assert_eq!(read, renamed, "read back as returned");
    assert_eq!(read.updated_at, at);
    let missing = UserId::new_v7(1, [9; 10]);
    assert!(store.set_display_name(missing, &name, T0, &[]).await.expect("written").is_none());
    assert!(AccountStore::get(store, missing).await.expect("read").is_none());
}

/// Sessions are found by their token's hash and ended once; a sign-out is
/// recorded in the security history once, at its time.
pub async fn sessions_are_found_ended_and_signed_out_once(store: &dyn Storage) {
    let user = super::signed_up(store, "ada", 1).await;
    let ada = address("ada");
    let hash = completion(&ada, "x", 1).session.token_hash;
    let session = SessionStore::find(store, &hash).await.expect("read").expect("the session is open");
    assert_eq!(session.user_id, user);
    store.touch(session.id, T0 + Duration::minutes(5)).await.expect("touched");
    assert!(SessionStore::delete(store, session.id).await.expect("ended"));
    assert!(!SessionStore::delete(store, session.id).await.expect("read"), "ended already");
    assert!(SessionStore::find(store, &hash).await.expect("read").is_none());

    store.put_challenge(&challenge(&ada, "222222"), &message(2, &ada)).await.expect("stored");
    complete(store, "ada", "222222", 2).await;
    let second = SessionStore::find(store, &completion(&ada, "x", 2).session.token_hash).await.expect("read");
    let second = second.expect("the second session is open");
    let at = T0 + Duration::minutes(7);
    assert!(store.sign_out(second.id, at).await.expect("signed out"));
    assert!(!store.sign_out(second.id, at + Duration::minutes(1)).await.expect("read"), "once");
    let history = store.history(user).await.expect("history");
    let outs: Vec<_> = history.iter().filter(|e| e.kind == SecurityEventKind::SignedOut).map(|e| e.at).collect();
    assert_eq!(outs, [at], "one sign-out, at its time; ending an expired session records nothing");
}
