//! [`ConsentStore`] and
//! [`UnsubscribeStore`]: the ledger is
//! appended in the order written and the latest entry is the answer; the
//! purpose wordings are kept; unsubscribe keys are kept, found, replaced
//! and revoked.

use futures_util::future::join_all;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::fixtures::{T0, hasher, signed_up};
use crate::ports::{ConsentFilter, ConsentStore, UnsubscribeStore};
use crate::{
    ConsentChannel, ConsentEvent, OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind, UnsubscribeKey,
    UserId,
};

fn purpose_id(id: &str) -> PurposeId {
    PurposeId::parse(id).expect("a valid purpose id")
}

fn event(
    n: u128,
    user: UserId,
    purpose: &str,
    granted: bool,
    at: OffsetDateTime,
    channel: ConsentChannel,
) -> ConsentEvent {
    ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: purpose_id(purpose),
        version: 2,
        text_hash: "ab".repeat(32),
        granted,
        at,
        channel,
    }
}

fn key(user: UserId, purpose: &str, nonce: u8) -> UnsubscribeKey {
    UnsubscribeKey::new(&hasher(), user, purpose_id(purpose), [nonce; 16], T0)
}

/// Every change is appended to the user's own ledger as written, and the
/// latest per purpose is the answer in force.
pub async fn every_change_is_appended_and_the_latest_is_the_answer(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    let written = [
        event(10, ada, "news", true, T0, ConsentChannel::Web),
        event(11, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Unsubscribe),
        event(12, ada, "stats", true, T0 + Duration::minutes(2), ConsentChannel::Api),
    ];
    for e in &written {
        ConsentStore::record(store, e, &[]).await.expect("recorded");
    }
    ConsentStore::record(store, &event(13, bob, "news", true, T0, ConsentChannel::Api), &[]).await.expect("recorded");
    let mut answers = store.answers(ada).await.expect("answers");
    answers.sort_by(|a, b| a.purpose_id.cmp(&b.purpose_id));
    let summary: Vec<_> = answers.iter().map(|a| (a.purpose_id.as_str(), a.granted, a.version)).collect();
    assert_eq!(summary, [("news", false, 2), ("stats", true, 2)]);
    assert_eq!(answers[0].answered_at, T0 + Duration::minutes(1));
    assert_eq!(store.ledger(ada).await.expect("ledger"), written, "the ledger as written, every field");
    assert_eq!(store.ledger(bob).await.expect("ledger").len(), 1, "bob's entry is his own");
}

/// Two changes in the same millisecond stay in the order written, and the
/// answer is the one written last (not the one with the larger id).
pub async fn the_ledger_keeps_the_order_of_writing_within_one_millisecond(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ConsentStore::record(store, &event(900, ada, "news", true, T0, ConsentChannel::Web), &[]).await.expect("ok");
    ConsentStore::record(store, &event(100, ada, "news", false, T0, ConsentChannel::Web), &[]).await.expect("ok");
    let ledger = store.ledger(ada).await.expect("ledger");
    assert_eq!(ledger.iter().map(|e| e.granted).collect::<Vec<_>>(), [true, false]);
    assert!(!store.answers(ada).await.expect("answers")[0].granted, "the answer is the last written");
}

/// A change for an account that does not exist is refused and writes
/// nothing.
pub async fn a_change_for_no_account_is_refused(store: &dyn Storage) {
    let nobody = UserId::new_v7(1_764_417_600_000, [9; 10]);
    let refused = ConsentStore::record(store, &event(10, nobody, "news", true, T0, ConsentChannel::Web), &[]).await;
    assert!(refused.is_err(), "no account, no ledger entry");
    assert!(store.ledger(nobody).await.expect("ledger").is_empty());
    assert!(store.answers(nobody).await.expect("answers").is_empty());
}

/// Withdrawals of a grant made at the same time append one entry.
pub async fn concurrent_withdrawals_append_one_entry(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ConsentStore::record(store, &event(10, ada, "news", true, T0, ConsentChannel::Web), &[]).await.expect("ok");
    let tries = join_all((0..6_u128).map(|i| async move {
        let withdrawal = event(20 + i, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Unsubscribe);
        store.withdraw_if_granted(&withdrawal, &[]).await.expect("a withdrawal reads and writes")
    }))
    .await;
    assert_eq!(tries.into_iter().filter(|wrote| *wrote).count(), 1, "one withdrawal wrote");
    assert_eq!(store.ledger(ada).await.expect("ledger").len(), 2);
    let again = event(30, ada, "news", false, T0 + Duration::minutes(2), ConsentChannel::Web);
    assert!(!store.withdraw_if_granted(&again, &[]).await.expect("read"), "nothing to withdraw any more");
}

/// A purpose's wording is kept per version; registering the same version
/// with other words is refused.
pub async fn purpose_texts_are_kept_and_a_silent_change_is_refused(store: &dyn Storage) {
    let news = |version: u32, description: &str| Purpose {
        id: purpose_id("news"),
        kind: PurposeKind::Email,
        title: "News".into(),
        description: description.into(),
        version,
        on_new_version: OnNewVersion::Keep,
    };
    let catalogue = |p: Purpose| PurposeCatalogue::new(vec![p]).expect("a valid catalogue");
    store.register(&catalogue(news(1, "first words")), T0).await.expect("read").expect("registered");
    store.register(&catalogue(news(1, "first words")), T0).await.expect("read").expect("the same words again");
    let silent = store.register(&catalogue(news(1, "other words")), T0).await.expect("read");
    assert_eq!(silent.expect_err("new words need a new version").version, 1);
    store.register(&catalogue(news(2, "other words")), T0).await.expect("read").expect("a new version");
}

/// The key in force is kept and found until revoked; then a new one is
/// kept; keys are listed per purpose for the users asked for.
pub async fn an_unsubscribe_key_is_kept_found_and_revoked(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let first = store.key_or_insert(&key(ada, "news", 1)).await.expect("kept");
    assert_eq!(first, key(ada, "news", 1));
    assert_eq!(store.key_or_insert(&key(ada, "news", 2)).await.expect("read"), first, "the key in force is kept");
    assert_eq!(UnsubscribeStore::find(store, &first.lookup).await.expect("read"), Some(first.clone()));
    assert!(store.revoke(ada, &purpose_id("news")).await.expect("revoked"));
    assert_eq!(UnsubscribeStore::find(store, &first.lookup).await.expect("read"), None);
    assert_eq!(store.key_or_insert(&key(ada, "news", 2)).await.expect("kept"), key(ada, "news", 2));
    let bob = signed_up(store, "bob", 2).await;
    store.key_or_insert(&key(bob, "news", 3)).await.expect("kept");
    store.key_or_insert(&key(bob, "other", 4)).await.expect("kept");
    let mut page = store.keys_for(&purpose_id("news"), &[ada, bob]).await.expect("read");
    page.sort_by_key(|k| k.user_id);
    let mut expected = vec![key(ada, "news", 2), key(bob, "news", 3)];
    expected.sort_by_key(|k| k.user_id);
    assert_eq!(page, expected, "one purpose, the users asked for");
    assert!(store.keys_for(&purpose_id("news"), &[]).await.expect("read").is_empty());
}

/// A stale key is replaced once; a key already replaced stays.
pub async fn a_stale_unsubscribe_key_is_replaced_only_while_it_is_stale(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let first = store.key_or_insert(&key(ada, "news", 1)).await.expect("kept");
    let replaced = store.replace(&first.lookup, &key(ada, "news", 2)).await.expect("replaced");
    assert_eq!(replaced, key(ada, "news", 2));
    let not_again = store.replace(&first.lookup, &key(ada, "news", 3)).await.expect("read");
    assert_eq!(not_again, key(ada, "news", 2), "a key already replaced stays");
}

/// The users consenting to a purpose are listed by the answers in force,
/// in pages by id, for the version (or older ones when they count).
pub async fn consenting_users_are_listed_by_the_answers_in_force_in_pages(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    let cy = signed_up(store, "cy", 3).await;
    for (n, user) in [(10, ada), (11, bob), (12, cy)] {
        ConsentStore::record(store, &event(n, user, "news", true, T0, ConsentChannel::Web), &[]).await.expect("ok");
    }
    let withdrawal = event(13, cy, "news", false, T0 + Duration::minutes(1), ConsentChannel::Web);
    ConsentStore::record(store, &withdrawal, &[]).await.expect("ok");
    let filter = |older: bool, version: u32| ConsentFilter {
        purpose_id: purpose_id("news"),
        version,
        text_hash: "ab".repeat(32),
        older_versions_count: older,
    };
    let all = store.consenting(&filter(false, 2), None, 10).await.expect("read");
    let mut expected = vec![(ada, "ada@example.com"), (bob, "bob@example.com")];
    expected.sort_by_key(|(id, _)| *id);
    let got: Vec<(UserId, &str)> = all.iter().map(|(id, e)| (*id, e.as_str())).collect();
    assert_eq!(got, expected, "withdrawn users are not listed, the rest in id order");
    let first = store.consenting(&filter(false, 2), None, 1).await.expect("read");
    let rest = store.consenting(&filter(false, 2), Some(first[0].0), 10).await.expect("read");
    assert_eq!((first.len(), rest.len()), (1, 1));
    assert_ne!(first[0].0, rest[0].0);
    assert!(store.consenting(&filter(false, 3), None, 10).await.expect("read").is_empty(), "v2 answers are not v3's");
    let older = store.consenting(&filter(true, 3), None, 10).await.expect("read");
    assert_eq!(older.len(), 2, "unless older versions count");
    let job = super::fixtures::erasure_job(70, bob, &super::address("bob"), T0 + Duration::days(1));
    store.request(&job).await.expect("requested");
    let listed = store.consenting(&filter(false, 2), None, 10).await.expect("read");
    assert_eq!(listed.len(), 2, "an account being deleted is still listed (the caller drops it)");
}
