//! Erasure against real databases, beyond the conformance suite: the last
//! step erases every row of the user in every table the registry ties to
//! users (counted in the tables themselves), and nothing of anyone else,
//! and an old address now someone else's keeps that person's rows.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use profile_domain::ports::{ConsentStore, ErasureStore, SignInStore};
use profile_domain::{
    ConsentChannel, ConsentEvent, EmailAddress, EmailContent, EmailId, NoticeFor, OutgoingEmail, ProviderId, PurposeId,
    SecretHasher, SecretKey, SignInChallenge, UserId,
};
use profile_store_seaorm::registry::{Owner, TABLES};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Database};
use support::{TestDb, signed_up};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

fn lists() -> ProviderId {
    ProviderId::parse("lists").unwrap()
}

fn job(n: u128, user: UserId, email: &str) -> ErasureJob {
    ErasureJob {
        receipt: DeletionReceipt::new(ReceiptId(Uuid::from_u128(n)), T0, vec![lists()]),
        user_id: user,
        email: EmailAddress::parse(email).unwrap(),
        next_attempt_at: T0,
    }
}

async fn consent(db: &TestDb, n: u128, user: UserId, notify: &[NoticeFor]) {
    let event = ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: PurposeId::parse("news").unwrap(),
        version: 1,
        text_hash: "ab".repeat(32),
        granted: true,
        at: T0,
        channel: ConsentChannel::Web,
    };
    db.store.record(&event, notify).await.unwrap();
}

/// Rows per user-owned table that belong to `user` (by id) or to one of
/// `addresses`, counted with the same statement on every backend.
async fn rows_of(db: &TestDb, user: UserId, addresses: &[&str]) -> Vec<(&'static str, i64)> {
    let conn = Database::connect(&db.url).await.unwrap();
    let mut counts = Vec::new();
    for table in TABLES {
        let filter = match table.owner {
            Owner::Itself(c) | Owner::UserId(c) => Expr::col(Alias::new(c)).eq(user.as_uuid()),
            Owner::Email { email: c, .. } => Expr::col(Alias::new(c)).is_in(addresses.iter().map(|a| (*a).to_owned())),
            Owner::EmailOrAbout { email, about, .. } => Expr::col(Alias::new(email))
                .is_in(addresses.iter().map(|a| (*a).to_owned()))
                .or(Expr::col(Alias::new(about)).eq(user.as_uuid())),
            Owner::Nobody => continue,
        };
        let query =
            Query::select().expr(Expr::col(Asterisk).count()).from(Alias::new(table.name)).and_where(filter).to_owned();
        let row = conn.query_one(&query).await.unwrap().unwrap();
        counts.push((table.name, row.try_get_by_index::<i64>(0).unwrap()));
    }
    conn.close().await.unwrap();
    counts
}

on_every_backend!(erasing_removes_every_row_of_the_user_and_nothing_of_anyone_else, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    for (n, user) in [(10, ada), (20, bob)] {
        consent(&db, n, user, &[NoticeFor::to_provider(Uuid::from_u128(n + 1), lists())]).await;
    }
    // Messages about each of them to addresses that never became theirs
    // (a code to an address asked for, then given up for another).
    for (n, about) in [(30, ada), (40, bob)] {
        let to = EmailAddress::parse(&format!("given-up-{n}@example.com")).unwrap();
        let challenge = SignInChallenge {
            email: to.clone(),
            code_hash: SecretHasher::new(SecretKey::new(vec![4; 32]).unwrap()).hash("c", &[&[n as u8]]),
            created_at: T0,
            expires_at: T0 + Duration::minutes(10),
            attempts: 0,
        };
        let message = OutgoingEmail {
            id: EmailId(Uuid::from_u128(n)),
            to,
            content: EmailContent::EmailChangeReverted,
            created_at: T0,
            expires_at: None,
            about: Some(about),
        };
        db.store.put_challenge(&challenge, &message).await.unwrap();
    }
    let erasure = job(500, ada, "ada@example.com");
    db.store.request(&erasure).await.unwrap();
    let before_ada = rows_of(&db, ada, &["ada@example.com"]).await;
    let messages = before_ada.iter().find(|(t, _)| *t == "outbox_messages").unwrap().1;
    assert!(messages >= 2, "her sign-in code and the message about her elsewhere: {before_ada:?}");
    let before_bob = rows_of(&db, bob, &["bob@example.com"]).await;
    let seeded: Vec<&str> = before_ada.iter().filter(|(_, n)| *n > 0).map(|(t, _)| *t).collect();
    for table in [
        "accounts",
        "outbox_messages",
        "consent_answers",
        "consent_ledger",
        "provider_notices",
        "security_events",
        "deletion_jobs",
    ] {
        assert!(seeded.contains(&table), "the test seeds {table}: {before_ada:?}");
    }
    let addresses = db.store.addresses(ada).await.unwrap();
    assert_eq!(addresses, ["ada@example.com"]);
    let mut done = erasure.receipt.clone();
    for step in &mut done.steps {
        step.done_at = Some(T0 + Duration::seconds(5));
    }
    done.completed_at = Some(T0 + Duration::seconds(5));
    let hasher = SecretHasher::new(SecretKey::new(vec![3; 32]).unwrap());
    let hash_of = |a: &str| profile_domain::erasure::erased_address_hash(&hasher, a);
    let suppress = [hash_of("ada@example.com")];
    assert!(db.store.erase(ada, &suppress, &done, "w").await.is_err(), "not leased to w");
    assert_eq!(rows_of(&db, ada, &["ada@example.com"]).await, before_ada, "a refused erasure changes nothing");
    assert_eq!(db.store.claim_due(T0, "w", T0 + Duration::minutes(2), 9).await.unwrap().len(), 1);
    assert!(db.store.erase(ada, &suppress, &done, "late").await.is_err(), "another worker's lease");
    db.store.erase(ada, &suppress, &done, "w").await.unwrap();
    assert!(db.store.is_suppressed(&hash_of("ada@example.com")).await.unwrap(), "kept as a keyed hash");
    assert!(!db.store.is_suppressed(&hash_of("bob@example.com")).await.unwrap());
    let after_ada = rows_of(&db, ada, &["ada@example.com"]).await;
    assert!(after_ada.iter().all(|(_, n)| *n == 0), "something of ada is left: {after_ada:?}");
    assert_eq!(rows_of(&db, bob, &["bob@example.com"]).await, before_bob, "bob is untouched");
    assert_eq!(db.store.receipt(done.id).await.unwrap().unwrap(), done, "the receipt is completed and kept");
    assert!(db.store.claim_due(T0 + Duration::hours(1), "w", T0 + Duration::hours(2), 9).await.unwrap().is_empty());
});

on_every_backend!(an_old_address_now_someone_elses_is_not_erased_with_the_user, |db: TestDb| async move {
    use profile_domain::ports::AccountStore;
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let conn = Database::connect(&db.url).await.unwrap();
    let moved = Query::update()
        .table(Alias::new("accounts"))
        .value(Alias::new("email"), "ada@new.example")
        .and_where(Expr::col(Alias::new("id")).eq(ada.as_uuid()))
        .to_owned();
    conn.execute(&moved).await.unwrap();
    let history = Query::insert()
        .into_table(Alias::new("email_change_history"))
        .columns(
            ["id", "user_id", "old_email", "new_email", "changed_at_ms", "revert_hash", "revert_expires_at_ms"]
                .map(Alias::new),
        )
        .values_panic([
            Uuid::from_u128(900).into(),
            ada.as_uuid().into(),
            "ada@example.com".into(),
            "ada@new.example".into(),
            (T0 - Duration::hours(1)).unix_timestamp().saturating_mul(1000).into(),
            "00".into(),
            0_i64.into(),
        ])
        .to_owned();
    conn.execute(&history).await.unwrap();
    assert_eq!(db.store.addresses(ada).await.unwrap(), ["ada@example.com", "ada@new.example"]);
    // Mail to the old address while it was Ada's (two hours before she
    // moved off it, an hour before now), and after Eve took it.
    code_to(&db, "ada@example.com", 60, T0 - Duration::hours(2)).await;
    let eve = signed_up(&db, "ada@example.com", 2).await;
    assert!(db.store.get(eve).await.unwrap().is_some(), "someone else signed up with the old address");
    assert_eq!(db.store.addresses(ada).await.unwrap(), ["ada@new.example"], "eve's address is eve's");
    code_to(&db, "ada@example.com", 61, T0).await;

    db.store.request(&job(500, ada, "ada@new.example")).await.unwrap();
    assert_eq!(db.store.claim_due(T0, "w", T0 + Duration::minutes(2), 9).await.unwrap().len(), 1);
    let mut done = job(500, ada, "ada@new.example").receipt;
    done.completed_at = Some(T0 + Duration::seconds(5));
    db.store.erase(ada, &[], &done, "w").await.unwrap();
    assert_eq!(
        message_ids_to(&conn, "ada@example.com").await,
        [Uuid::from_u128(61)],
        "Ada's mail from her time at the address went, Eve's stayed"
    );
    let eves_code = rows_of(&db, eve, &["ada@example.com"]).await;
    assert!(eves_code.contains(&("sign_in_challenges", 1)), "Eve's pending code stays: {eves_code:?}");
});

/// A sign-in code (challenge and message `n`) to `to`, made at `at`.
async fn code_to(db: &TestDb, to: &str, n: u128, at: OffsetDateTime) {
    let to = EmailAddress::parse(to).unwrap();
    let challenge = SignInChallenge {
        email: to.clone(),
        code_hash: SecretHasher::new(SecretKey::new(vec![4; 32]).unwrap()).hash("c", &[&n.to_be_bytes()]),
        created_at: at,
        expires_at: at + Duration::minutes(10),
        attempts: 0,
    };
    let content = EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 };
    let message =
        OutgoingEmail { id: EmailId(Uuid::from_u128(n)), to, content, created_at: at, expires_at: None, about: None };
    db.store.put_challenge(&challenge, &message).await.unwrap();
}

/// The ids of the queued messages to `to`, in order.
async fn message_ids_to(conn: &sea_orm::DatabaseConnection, to: &str) -> Vec<Uuid> {
    let select = Query::select()
        .column(Alias::new("id"))
        .from(Alias::new("outbox_messages"))
        .and_where(Expr::col(Alias::new("recipient")).eq(to))
        .order_by(Alias::new("id"), sea_orm::Order::Asc)
        .to_owned();
    let rows = conn.query_all(&select).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<Uuid>(0).unwrap()).collect()
}
