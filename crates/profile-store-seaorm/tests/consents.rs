//! The consent storage against real databases, beyond the conformance
//! suite: a failed answer update takes its ledger entry back with it.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::ConsentStore;
use profile_domain::{ConsentChannel, ConsentEvent, PurposeId, UserId};
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
