//! The sea-orm store against real databases: SQLite always, PostgreSQL and
//! MariaDB when their URLs are set.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]
mod support;

use std::collections::HashSet;
use std::sync::Arc;

use profile_domain::ports::{
    AccountStore, DeliveryOutcome, NewSession, OutboxStore, SessionStore, SignInCompletion, SignInStore,
};
use profile_domain::{
    Account, DisplayName, EmailAddress, EmailContent, EmailId, OutgoingEmail, SecretHasher, SecretKey, SessionId,
    SignInChallenge, UserId,
};
use sea_orm::{ConnectionTrait, Database, Statement};
use support::{Completed, TestDb};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn ada() -> EmailAddress {
    EmailAddress::parse("ada@example.com").unwrap()
}

fn hasher() -> SecretHasher {
    SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap())
}

fn challenge(email: &EmailAddress, code: &str) -> SignInChallenge {
    SignInChallenge {
        email: email.clone(),
        code_hash: hasher().hash("sign-in-code", &[code.as_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::minutes(10),
        attempts: 0,
    }
}

fn message(id: u128, to: &EmailAddress) -> OutgoingEmail {
    OutgoingEmail {
        id: EmailId(Uuid::from_u128(id)),
        to: to.clone(),
        content: EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 },
        created_at: T0,
        expires_at: Some(T0 + Duration::minutes(10)),
        about: None,
    }
}

fn completion(email: &EmailAddress, code: &str, session: u128) -> SignInCompletion {
    SignInCompletion {
        email: email.clone(),
        code_hash: challenge(email, code).code_hash,
        new_account: Account::new(UserId::new_v7(1_764_417_600_000, [session as u8; 10]), email.clone(), T0),
        session: NewSession {
            id: SessionId(Uuid::from_u128(session)),
            token_hash: hasher().hash("session", &[&session.to_be_bytes()]),
            created_at: T0,
            expires_at: T0 + Duration::days(30),
        },
    }
}

/// One column of one row, read with a separate connection.
async fn column(db: &TestDb, sql: &str, column: &str) -> Option<String> {
    let conn = Database::connect(&db.url).await.unwrap();
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap()?;
    row.try_get::<Option<String>>("", column).unwrap()
}

async fn count(db: &TestDb, table: &str) -> i64 {
    let conn = Database::connect(&db.url).await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

on_every_backend!(migrations_can_run_twice, |db: TestDb| async move {
    db.store.migrate().await.unwrap();
    assert_eq!(count(&db, "accounts").await, 0);
});

on_every_backend!(a_challenge_and_its_message_are_stored_together, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    assert_eq!(count(&db, "sign_in_challenges").await, 1);
    assert_eq!(count(&db, "outbox_messages").await, 1);
    let stored = db.store.record_attempt(&ada()).await.unwrap().unwrap();
    assert_eq!(stored.code_hash, challenge(&ada(), "111111").code_hash);
    assert_eq!((stored.created_at, stored.expires_at), (T0, T0 + Duration::minutes(10)));
});

on_every_backend!(a_failed_queueing_leaves_the_old_challenge_in_place, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let duplicate_message_id = message(1, &ada());
    let error = db.store.put_challenge(&challenge(&ada(), "222222"), &duplicate_message_id).await.unwrap_err();
    let chain = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert_eq!(chain, "queueing a message: database statement failure (unique constraint)", "no driver text");
    let stored = db.store.record_attempt(&ada()).await.unwrap().unwrap();
    assert_eq!(stored.code_hash, challenge(&ada(), "111111").code_hash, "the transaction rolled back");
    assert_eq!(count(&db, "outbox_messages").await, 1);
});

on_every_backend!(a_new_challenge_replaces_the_old_and_resets_attempts, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.record_attempt(&ada()).await.unwrap();
    db.store.put_challenge(&challenge(&ada(), "222222"), &message(2, &ada())).await.unwrap();
    let stored = db.store.record_attempt(&ada()).await.unwrap().unwrap();
    assert_eq!(stored.code_hash, challenge(&ada(), "222222").code_hash);
    assert_eq!(stored.attempts, 1);
    assert_eq!(count(&db, "sign_in_challenges").await, 1);
});

on_every_backend!(concurrent_attempts_each_count, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let store = Arc::new(db.store.clone());
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.record_attempt(&ada()).await.unwrap().unwrap().attempts })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tries {
        seen.push(t.await.unwrap());
    }
    assert_eq!(seen.iter().max(), Some(&8));
    assert!(db.store.record_attempt(&EmailAddress::parse("nobody@example.com").unwrap()).await.unwrap().is_none());
});

on_every_backend!(completing_creates_the_account_once_and_opens_sessions, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let first = db.store.complete_sign_in(&completion(&ada(), "111111", 10)).await.unwrap().completed().unwrap();
    assert!(first.created);
    assert_eq!(first.account, completion(&ada(), "111111", 10).new_account);
    assert!(
        db.store.complete_sign_in(&completion(&ada(), "111111", 11)).await.unwrap().completed().is_none(),
        "used up"
    );

    db.store.put_challenge(&challenge(&ada(), "222222"), &message(2, &ada())).await.unwrap();
    let second = db.store.complete_sign_in(&completion(&ada(), "222222", 12)).await.unwrap().completed().unwrap();
    assert!(!second.created);
    assert_eq!(second.account.id, first.account.id);
    assert_eq!(count(&db, "accounts").await, 1);
    assert_eq!(count(&db, "sessions").await, 2);
    let session = db.store.find(&completion(&ada(), "222222", 12).session.token_hash).await.unwrap().unwrap();
    assert_eq!(session.user_id, first.account.id);
});

on_every_backend!(completing_with_a_replaced_challenge_changes_nothing, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    assert!(db.store.complete_sign_in(&completion(&ada(), "999999", 10)).await.unwrap().completed().is_none());
    assert_eq!(count(&db, "accounts").await, 0);
    assert_eq!(count(&db, "sessions").await, 0);
    assert_eq!(count(&db, "sign_in_challenges").await, 1);
});

on_every_backend!(a_display_name_in_any_script_round_trips, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let id =
        db.store.complete_sign_in(&completion(&ada(), "111111", 10)).await.unwrap().completed().unwrap().account.id;
    let name = DisplayName::parse(&"山田 👩‍👩‍👧 Zoë".repeat(4)).unwrap();
    let renamed = db.store.set_display_name(id, &name, T0 + Duration::hours(1), &[]).await.unwrap().unwrap();
    assert_eq!(renamed.display_name.as_ref(), Some(&name));
    let read = db.store.get(id).await.unwrap().unwrap();
    assert_eq!(read, renamed);
    assert_eq!(read.updated_at, T0 + Duration::hours(1));
    let missing = UserId::new_v7(1, [9; 10]);
    assert!(db.store.set_display_name(missing, &name, T0, &[]).await.unwrap().is_none());
    assert!(db.store.get(missing).await.unwrap().is_none());
});

on_every_backend!(sessions_are_found_touched_and_ended, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.complete_sign_in(&completion(&ada(), "111111", 10)).await.unwrap().completed().unwrap();
    let hash = completion(&ada(), "111111", 10).session.token_hash;
    let session = db.store.find(&hash).await.unwrap().unwrap();
    db.store.touch(session.id, T0 + Duration::minutes(5)).await.unwrap();
    assert_eq!(db.store.find(&hash).await.unwrap().unwrap().last_seen_at, T0 + Duration::minutes(5));
    assert!(db.store.delete(session.id).await.unwrap());
    assert!(!db.store.delete(session.id).await.unwrap());
    assert!(db.store.find(&hash).await.unwrap().is_none());
});

on_every_backend!(a_claimed_message_is_leased_to_one_worker_until_the_lease_ends, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let lease_end = T0 + Duration::minutes(2);
    let claimed = db.store.claim_due("w1", T0, lease_end, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email, message(1, &ada()));
    assert!(db.store.claim_due("w2", T0 + Duration::minutes(1), lease_end, 10).await.unwrap().is_empty());
    let taken_over = db.store.claim_due("w2", lease_end, lease_end + Duration::minutes(2), 10).await.unwrap();
    assert_eq!(taken_over.len(), 1);
    db.store.record_outcome(EmailId(Uuid::from_u128(1)), "w1", &DeliveryOutcome::Sent, T0).await.unwrap();
    assert_eq!(column(&db, "SELECT status FROM outbox_messages", "status").await.as_deref(), Some("pending"));
});

on_every_backend!(a_sent_message_loses_its_content, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.claim_due("w1", T0, T0 + Duration::minutes(2), 10).await.unwrap();
    db.store.record_outcome(EmailId(Uuid::from_u128(1)), "w1", &DeliveryOutcome::Sent, T0).await.unwrap();
    assert_eq!(column(&db, "SELECT status FROM outbox_messages", "status").await.as_deref(), Some("sent"));
    assert_eq!(column(&db, "SELECT payload FROM outbox_messages", "payload").await, None);
    assert!(db.store.claim_due("w1", T0 + Duration::days(1), T0 + Duration::days(2), 10).await.unwrap().is_empty());
});

on_every_backend!(a_retried_message_waits_until_its_next_attempt, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.claim_due("w1", T0, T0 + Duration::minutes(2), 10).await.unwrap();
    let retry = DeliveryOutcome::Retry {
        attempts: 1,
        next_attempt_at: T0 + Duration::seconds(5),
        error: "connection refused".into(),
    };
    db.store.record_outcome(EmailId(Uuid::from_u128(1)), "w1", &retry, T0).await.unwrap();
    assert!(
        db.store.claim_due("w1", T0 + Duration::seconds(4), T0 + Duration::minutes(2), 10).await.unwrap().is_empty()
    );
    let again = db.store.claim_due("w1", T0 + Duration::seconds(5), T0 + Duration::minutes(2), 10).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    assert_eq!(
        column(&db, "SELECT last_error FROM outbox_messages", "last_error").await.as_deref(),
        Some("connection refused")
    );
});

on_every_backend!(competing_workers_claim_disjoint_messages, |db: TestDb| async move {
    for i in 0..30_u128 {
        let to = EmailAddress::parse(&format!("user{i}@example.com")).unwrap();
        db.store.put_challenge(&challenge(&to, "111111"), &message(100 + i, &to)).await.unwrap();
    }
    let store = Arc::new(db.store.clone());
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.claim_due(&format!("w{w}"), T0, T0 + Duration::minutes(2), 3).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|q| q.email.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 30, "every message claimed exactly once");
    assert_eq!(distinct.len(), 30);
});

on_every_backend!(housekeeping_deletes_only_what_has_expired_or_finished_long_ago, |db: TestDb| async move {
    use profile_domain::ports::{HousekeepingStore, PurgeCutoffs};
    let cut = |now, finished_before| PurgeCutoffs {
        now,
        finished_before,
        code_log_before: T0 - Duration::days(1),
        stale_requests_before: T0 - Duration::days(1),
        reports_before: T0 - Duration::days(1),
    };
    let bob = EmailAddress::parse("bob@example.com").unwrap();
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.complete_sign_in(&completion(&ada(), "111111", 10)).await.unwrap().completed().unwrap();
    db.store.put_challenge(&challenge(&bob, "222222"), &message(2, &bob)).await.unwrap();
    db.store.claim_due("w1", T0, T0 + Duration::minutes(2), 10).await.unwrap();
    db.store.record_outcome(EmailId(Uuid::from_u128(1)), "w1", &DeliveryOutcome::Sent, T0).await.unwrap();

    let nothing_yet = db.store.purge(&cut(T0 + Duration::minutes(9), T0 - Duration::seconds(1))).await.unwrap();
    assert_eq!((nothing_yet.challenges, nothing_yet.sessions, nothing_yet.messages), (0, 0, 0));
    let purged = db.store.purge(&cut(T0 + Duration::minutes(10), T0)).await.unwrap();
    assert_eq!(
        (purged.challenges, purged.sessions, purged.messages),
        (1, 0, 1),
        "bob's code expired; ada's mail finished"
    );
    assert_eq!(count(&db, "outbox_messages").await, 1, "the unfinished message stays");
    let later = db.store.purge(&cut(T0 + Duration::days(30), T0)).await.unwrap();
    assert_eq!(later.sessions, 1, "the session expired after 30 days");
    assert_eq!(count(&db, "sessions").await, 0);
});

on_every_backend!(an_unreadable_message_is_set_aside_and_does_not_block_the_others, |db: TestDb| async move {
    let bob = EmailAddress::parse("bob@example.com").unwrap();
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    db.store.put_challenge(&challenge(&bob, "222222"), &message(2, &bob)).await.unwrap();
    let conn = Database::connect(&db.url).await.unwrap();
    let sql = "UPDATE outbox_messages SET kind = 'from_the_future' WHERE recipient = 'ada@example.com'";
    conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    let claimed = db.store.claim_due("w1", T0, T0 + Duration::minutes(2), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].email.to, bob);
    let sql = "SELECT status FROM outbox_messages WHERE recipient = 'ada@example.com'";
    assert_eq!(column(&db, sql, "status").await.as_deref(), Some("failed"));
});

on_every_backend!(concurrent_starts_for_one_or_many_addresses_all_succeed, |db: TestDb| async move {
    let store = Arc::new(db.store.clone());
    let starts: Vec<_> = (0..12_u128)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let to = if i % 2 == 0 { ada() } else { EmailAddress::parse(&format!("n{i}@example.com")).unwrap() };
                store.put_challenge(&challenge(&to, &format!("{i:06}")), &message(500 + i, &to)).await
            })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    assert_eq!(count(&db, "sign_in_challenges").await, 7, "one challenge for ada, one for each other address");
    assert_eq!(count(&db, "outbox_messages").await, 12);
});

on_every_backend!(of_concurrent_completions_of_one_challenge_exactly_one_wins, |db: TestDb| async move {
    db.store.put_challenge(&challenge(&ada(), "111111"), &message(1, &ada())).await.unwrap();
    let store = Arc::new(db.store.clone());
    let tries: Vec<_> = (0..8_u128)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.complete_sign_in(&completion(&ada(), "111111", 20 + i)).await })
        })
        .collect();
    let mut won = 0;
    for t in tries {
        won += usize::from(t.await.unwrap().unwrap().completed().is_some());
    }
    assert_eq!(won, 1);
    assert_eq!(count(&db, "sessions").await, 1);
    assert_eq!(count(&db, "accounts").await, 1);
});
