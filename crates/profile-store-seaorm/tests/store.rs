//! The sea-orm store against real databases (SQLite always, PostgreSQL and
//! MariaDB when their URLs are set): what the conformance suite cannot see
//! through the ports (rows and columns as stored, error texts, migrations).

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]
mod support;

use profile_domain::ports::{DeliveryOutcome, NewSession, OutboxStore, SessionStore, SignInCompletion, SignInStore};
use profile_domain::{
    Account, EmailAddress, EmailContent, EmailId, OutgoingEmail, SecretHasher, SecretKey, SessionId, SignInChallenge,
    UserId,
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
