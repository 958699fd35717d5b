//! The consent storage against real databases.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::ConsentStore;
use profile_domain::{ConsentChannel, ConsentEvent, PurposeId, SecretHasher, SecretKey, UserId};
use sea_orm::{ConnectionTrait, Database, Statement};
use support::TestDb;
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

use support::signed_up as account;

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
        purpose_id: PurposeId::parse(purpose).unwrap(),
        version: 2,
        text_hash: "ab".repeat(32),
        granted,
        at,
        channel,
    }
}

on_every_backend!(every_change_is_appended_and_the_latest_is_the_answer, |db: TestDb| async move {
    let ada = account(&db, "ada@example.com", 1).await;
    let bob = account(&db, "bob@example.com", 2).await;
    db.store.record(&event(10, ada, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    db.store
        .record(&event(11, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Unsubscribe), &[])
        .await
        .unwrap();
    db.store.record(&event(12, ada, "stats", true, T0 + Duration::minutes(2), ConsentChannel::Api), &[]).await.unwrap();
    db.store.record(&event(13, bob, "news", true, T0, ConsentChannel::Api), &[]).await.unwrap();

    let mut answers = db.store.answers(ada).await.unwrap();
    answers.sort_by(|a, b| a.purpose_id.cmp(&b.purpose_id));
    let summary: Vec<_> = answers.iter().map(|a| (a.purpose_id.as_str(), a.granted, a.version)).collect();
    assert_eq!(summary, [("news", false, 2), ("stats", true, 2)]);
    assert_eq!(answers[0].answered_at, T0 + Duration::minutes(1));

    let ledger = db.store.ledger(ada).await.unwrap();
    assert_eq!(
        ledger,
        vec![
            event(10, ada, "news", true, T0, ConsentChannel::Web),
            event(11, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Unsubscribe),
            event(12, ada, "stats", true, T0 + Duration::minutes(2), ConsentChannel::Api),
        ]
    );
    assert_eq!(db.store.ledger(bob).await.unwrap().len(), 1);
});

on_every_backend!(a_failed_answer_update_takes_the_ledger_entry_back_with_it, |db: TestDb| async move {
    let ada = account(&db, "ada@example.com", 1).await;
    db.store.record(&event(10, ada, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    let conn = Database::connect(&db.url).await.unwrap();
    let exec = |sql: &'static str| {
        let conn = conn.clone();
        async move { conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap() }
    };
    exec("ALTER TABLE consent_answers RENAME TO consent_answers_away").await;
    let failed =
        db.store.record(&event(11, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Web), &[]).await;
    exec("ALTER TABLE consent_answers_away RENAME TO consent_answers").await;
    assert!(failed.is_err());
    assert_eq!(db.store.ledger(ada).await.unwrap().len(), 1, "the ledger entry was rolled back with the answer");
    assert!(db.store.answers(ada).await.unwrap()[0].granted);
});

on_every_backend!(the_ledger_keeps_the_order_of_writing_within_one_millisecond, |db: TestDb| async move {
    let ada = account(&db, "ada@example.com", 1).await;
    db.store.record(&event(900, ada, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    db.store.record(&event(100, ada, "news", false, T0, ConsentChannel::Web), &[]).await.unwrap();
    let ledger = db.store.ledger(ada).await.unwrap();
    assert_eq!(ledger.iter().map(|e| e.granted).collect::<Vec<_>>(), [true, false]);
    assert!(!db.store.answers(ada).await.unwrap()[0].granted, "the answer is the last written");
});

on_every_backend!(purpose_texts_are_kept_and_a_silent_change_is_refused, |db: TestDb| async move {
    use profile_domain::{OnNewVersion, Purpose, PurposeCatalogue, PurposeKind};
    let news = |version: u32, description: &str| Purpose {
        id: PurposeId::parse("news").unwrap(),
        kind: PurposeKind::Email,
        title: "News".into(),
        description: description.into(),
        version,
        on_new_version: OnNewVersion::Keep,
    };
    let catalogue = |p: Purpose| PurposeCatalogue::new(vec![p]).unwrap();
    db.store.register(&catalogue(news(1, "first words")), T0).await.unwrap().unwrap();
    db.store.register(&catalogue(news(1, "first words")), T0).await.unwrap().unwrap();
    let silent = db.store.register(&catalogue(news(1, "other words")), T0).await.unwrap();
    assert_eq!(silent.unwrap_err().version, 1);
    db.store.register(&catalogue(news(2, "other words")), T0).await.unwrap().unwrap();
});

fn key(user: UserId, purpose: &str, nonce: u8) -> profile_domain::UnsubscribeKey {
    let hasher = SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap());
    profile_domain::UnsubscribeKey::new(&hasher, user, PurposeId::parse(purpose).unwrap(), [nonce; 16], T0)
}

on_every_backend!(an_unsubscribe_key_is_kept_found_and_revoked, |db: TestDb| async move {
    use profile_domain::ports::UnsubscribeStore;
    let ada = account(&db, "ada@example.com", 1).await;
    let first = db.store.key_or_insert(&key(ada, "news", 1)).await.unwrap();
    assert_eq!(first, key(ada, "news", 1));
    assert_eq!(db.store.key_or_insert(&key(ada, "news", 2)).await.unwrap(), first, "the key in force is kept");
    assert_eq!(db.store.find(&first.lookup).await.unwrap(), Some(first.clone()));
    assert!(db.store.revoke(ada, &PurposeId::parse("news").unwrap()).await.unwrap());
    assert_eq!(db.store.find(&first.lookup).await.unwrap(), None);
    assert_eq!(db.store.key_or_insert(&key(ada, "news", 2)).await.unwrap(), key(ada, "news", 2));
    let bob = account(&db, "bob@example.com", 2).await;
    db.store.key_or_insert(&key(bob, "news", 3)).await.unwrap();
    db.store.key_or_insert(&key(bob, "other", 4)).await.unwrap();
    let news = PurposeId::parse("news").unwrap();
    let mut page = db.store.keys_for(&news, &[ada, bob]).await.unwrap();
    page.sort_by_key(|k| k.user_id);
    let mut expected = vec![key(ada, "news", 2), key(bob, "news", 3)];
    expected.sort_by_key(|k| k.user_id);
    assert_eq!(page, expected, "one purpose, the users asked for");
    assert!(db.store.keys_for(&news, &[]).await.unwrap().is_empty());
});

on_every_backend!(consenting_users_are_listed_by_the_answers_in_force_in_pages, |db: TestDb| async move {
    use profile_domain::ports::{ConsentFilter, UnsubscribeStore};
    let ada = account(&db, "ada@example.com", 1).await;
    let bob = account(&db, "bob@example.com", 2).await;
    let cy = account(&db, "cy@example.com", 3).await;
    db.store.record(&event(10, ada, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    db.store.record(&event(11, bob, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    db.store.record(&event(12, cy, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    db.store.record(&event(13, cy, "news", false, T0 + Duration::minutes(1), ConsentChannel::Web), &[]).await.unwrap();
    let filter = |older: bool, version: u32| ConsentFilter {
        purpose_id: PurposeId::parse("news").unwrap(),
        version,
        text_hash: "ab".repeat(32),
        older_versions_count: older,
    };
    let all = db.store.consenting(&filter(false, 2), None, 10).await.unwrap();
    let mut expected = vec![(ada, "ada@example.com"), (bob, "bob@example.com")];
    expected.sort_by_key(|(id, _)| *id);
    let got: Vec<(UserId, &str)> = all.iter().map(|(id, e)| (*id, e.as_str())).collect();
    assert_eq!(got, expected, "withdrawn users are not listed");
    let first = db.store.consenting(&filter(false, 2), None, 1).await.unwrap();
    let rest = db.store.consenting(&filter(false, 2), Some(first[0].0), 10).await.unwrap();
    assert_eq!((first.len(), rest.len()), (1, 1));
    assert_ne!(first[0].0, rest[0].0);
    assert!(
        db.store.consenting(&filter(false, 3), None, 10).await.unwrap().is_empty(),
        "answers to v2 do not count for v3"
    );
    assert_eq!(db.store.consenting(&filter(true, 3), None, 10).await.unwrap().len(), 2, "unless older versions count");
});

on_every_backend!(concurrent_withdrawals_append_one_entry, |db: TestDb| async move {
    let ada = account(&db, "ada@example.com", 1).await;
    db.store.record(&event(10, ada, "news", true, T0, ConsentChannel::Web), &[]).await.unwrap();
    let store = std::sync::Arc::new(db.store.clone());
    let tries: Vec<_> = (0..6_u128)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let withdrawal =
                    event(20 + i, ada, "news", false, T0 + Duration::minutes(1), ConsentChannel::Unsubscribe);
                store.withdraw_if_granted(&withdrawal, &[]).await.unwrap()
            })
        })
        .collect();
    let mut wrote = 0;
    for t in tries {
        wrote += usize::from(t.await.unwrap());
    }
    assert_eq!(wrote, 1);
    assert_eq!(db.store.ledger(ada).await.unwrap().len(), 2);
});

on_every_backend!(a_stale_unsubscribe_key_is_replaced_only_while_it_is_stale, |db: TestDb| async move {
    use profile_domain::ports::UnsubscribeStore;
    let ada = account(&db, "ada@example.com", 1).await;
    let first = db.store.key_or_insert(&key(ada, "news", 1)).await.unwrap();
    let replaced = db.store.replace(&first.lookup, &key(ada, "news", 2)).await.unwrap();
    assert_eq!(replaced, key(ada, "news", 2));
    let not_again = db.store.replace(&first.lookup, &key(ada, "news", 3)).await.unwrap();
    assert_eq!(not_again, key(ada, "news", 2), "a key already replaced stays");
});
