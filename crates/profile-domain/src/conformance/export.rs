//! [`ExportSource`](crate::ports::ExportSource) and
//! [`SecurityLog`](crate::ports::SecurityLog): a snapshot holds one user's
//! rows and where the two histories end; the histories come in pages up to
//! that mark; a limited record counts its window under the account's lock.

use futures_util::future::join_all;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::fixtures::{T0, signed_up};
use crate::export::LedgerEntryRecord;
use crate::ports::{ConsentStore, LimitedRecord};
use crate::{
    ConsentChannel, ConsentEvent, OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind, SecurityEvent,
    SecurityEventKind, UserId,
};

fn purpose(id: &str, version: u32, title: &str) -> Purpose {
    Purpose {
        id: PurposeId::parse(id).expect("a valid purpose id"),
        kind: PurposeKind::Email,
        title: title.into(),
        description: format!("{title}, explained"),
        version,
        on_new_version: OnNewVersion::AskAgain,
    }
}

async fn register(store: &dyn Storage, p: &Purpose) {
    let catalogue = PurposeCatalogue::new(vec![p.clone()]).expect("a valid catalogue");
    store.register(&catalogue, T0).await.expect("read").expect("registered");
}

/// Consent change `n` of `user`, at `T0` plus `n` seconds.
async fn consent(store: &dyn Storage, n: u128, user: UserId, p: &Purpose, granted: bool) {
    let event = ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: p.id.clone(),
        version: p.version,
        text_hash: p.text_hash(),
        granted,
        at: T0 + Duration::seconds(i64::try_from(n).unwrap_or(0)),
        channel: ConsentChannel::Web,
    };
    ConsentStore::record(store, &event, &[]).await.expect("recorded");
}

/// A snapshot holds the user's own rows (account, sessions, mail, every
/// wording answered, answers) and where the histories end; there is none
/// for an unknown user.
pub async fn the_snapshot_holds_one_users_rows_and_where_the_histories_end(store: &dyn Storage) {
    let news_v1 = purpose("news", 1, "News");
    register(store, &news_v1).await;
    let news_v2 = purpose("news", 2, "News, weekly");
    register(store, &news_v2).await;
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    consent(store, 100, ada, &news_v1, true).await;
    consent(store, 101, ada, &news_v2, false).await;
    consent(store, 102, bob, &news_v2, true).await;

    let snapshot = store.snapshot(ada).await.expect("read").expect("ada exists");
    assert_eq!(snapshot.account.login_email, "ada@example.com");
    assert_eq!(snapshot.account.created_at, T0);
    let sessions: Vec<Uuid> = snapshot.sessions.iter().map(|s| s.id).collect();
    assert_eq!(sessions, [Uuid::from_u128(1)]);
    let emails: Vec<&str> = snapshot.emails.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(emails, ["ada@example.com"], "bob's message is not ada's");
    let texts: Vec<(&str, u32, &str)> =
        snapshot.purposes.iter().map(|p| (p.purpose.as_str(), p.version, p.title.as_str())).collect();
    assert_eq!(texts, [("news", 1, "News"), ("news", 2, "News, weekly")], "both wordings ada answered");
    let answers: Vec<(bool, u32)> = snapshot.consent_answers.iter().map(|a| (a.granted, a.version)).collect();
    assert_eq!(answers, [(false, 2)]);
    assert_eq!(snapshot.ledger_through, 2);
    assert!(snapshot.security_through > 0, "the sign-in is in the history");
    let history = store.security_page(ada, 0, snapshot.security_through, 10).await.expect("read");
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["signed_in"]);
    assert_eq!(history[0].position, snapshot.security_through, "her one event is where her history ends");
    assert!(store.snapshot(UserId::new_v7(9, [9; 10])).await.expect("read").is_none());
}

/// Ledger pages follow the user's sequence after the cursor, at most the
/// limit, and stop at the snapshot's mark; every column comes back.
pub async fn ledger_pages_follow_the_sequence_and_stop_at_the_mark(store: &dyn Storage) {
    let news = purpose("news", 1, "News");
    register(store, &news).await;
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    for n in 0..25 {
        consent(store, 1000 + n, ada, &news, n % 2 == 0).await;
        consent(store, 2000 + n, bob, &news, true).await;
    }
    let through = store.snapshot(ada).await.expect("read").expect("ada exists").ledger_through;
    consent(store, 3000, ada, &news, true).await;
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = store.ledger_page(ada, after, through, 10).await.expect("read");
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 10);
        after = last.sequence;
        seen.extend(page.iter().map(|e| (e.sequence, e.id)));
    }
    let expected: Vec<(i64, Uuid)> =
        (0..25_u32).map(|n| (i64::from(n) + 1, Uuid::from_u128(1000 + u128::from(n)))).collect();
    assert_eq!(seen, expected, "ada's 25 entries in order, not bob's, not the one after the mark");
    let whole = store.ledger_page(ada, 0, through, 2).await.expect("read");
    let as_written = |n: u128, sequence, granted| LedgerEntryRecord {
        id: Uuid::from_u128(n),
        sequence,
        purpose: "news".into(),
        version: 1,
        granted,
        at: T0 + Duration::seconds(i64::try_from(n).unwrap_or(0)),
        channel: "web".into(),
    };
    assert_eq!(whole, [as_written(1000, 1, true), as_written(1001, 2, false)], "every column as written");
}

/// A limited record counts the user's entries of the kind after `since`
/// (an entry exactly at `since` no longer counts), names the oldest when
/// limited, refuses no account, and lets exactly `max` through at once.
pub async fn a_limited_record_counts_the_window_and_holds_under_concurrency(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    let exported = |user, at| SecurityEvent { user_id: user, kind: SecurityEventKind::DataExported, at };
    let since = |at: OffsetDateTime| at - Duration::hours(1);
    let record = |user, at: OffsetDateTime| async move {
        store.record_limited(&exported(user, at), since(at), 2).await.expect("a record reads and writes")
    };
    let (t1, t2, t3) = (T0 + Duration::minutes(1), T0 + Duration::minutes(20), T0 + Duration::minutes(30));
    assert_eq!(record(ada, t1).await, LimitedRecord::Recorded);
    assert_eq!(record(ada, t2).await, LimitedRecord::Recorded);
    assert_eq!(record(ada, t3).await, LimitedRecord::Limited { oldest: t1 });
    assert_eq!(record(bob, t3).await, LimitedRecord::Recorded, "per user");
    let later = t1 + Duration::hours(1);
    assert_eq!(record(ada, later).await, LimitedRecord::Recorded, "the first left the window exactly an hour later");
    let history = store.history(ada).await.expect("read");
    assert_eq!(history.iter().filter(|e| e.kind == SecurityEventKind::DataExported).count(), 3);
    assert_eq!(record(UserId::new_v7(9, [9; 10]), t3).await, LimitedRecord::NoAccount);

    let carol = signed_up(store, "carol", 3).await;
    let outcomes = join_all((0..6).map(|i| async move {
        let at = T0 + Duration::seconds(i);
        store.record_limited(&exported(carol, at), at - Duration::hours(1), 3).await.expect("a record")
    }))
    .await;
    let recorded = outcomes.iter().filter(|o| **o == LimitedRecord::Recorded).count();
    assert_eq!(recorded, 3, "{outcomes:?}");
}
