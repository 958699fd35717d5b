//! The export's reads against real databases: one user's rows only, one
//! snapshot, histories in pages bounded by the snapshot's marks; and the
//! security history's limited record.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::export::LedgerEntryRecord;
use profile_domain::ports::{ConsentStore, ExportSource, LimitedRecord, SecurityLog};
use profile_domain::{
    ConsentChannel, ConsentEvent, OnNewVersion, Purpose, PurposeCatalogue, PurposeId, PurposeKind, SecurityEvent,
    SecurityEventKind, UserId,
};
use support::{TestDb, signed_up};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn purpose(id: &str, version: u32, title: &str) -> Purpose {
    Purpose {
        id: PurposeId::parse(id).unwrap(),
        kind: PurposeKind::Email,
        title: title.to_owned(),
        description: format!("{title}, explained"),
        version,
        on_new_version: OnNewVersion::AskAgain,
    }
}

async fn consent(db: &TestDb, n: u128, user: UserId, p: &Purpose, granted: bool) {
    let event = ConsentEvent {
        id: Uuid::from_u128(n),
        user_id: user,
        purpose_id: p.id.clone(),
        version: p.version,
        text_hash: p.text_hash(),
        granted,
        at: T0 + Duration::seconds(n as i64),
        channel: ConsentChannel::Web,
    };
    db.store.record(&event, &[]).await.unwrap();
}

on_every_backend!(the_snapshot_holds_one_users_rows_and_where_the_histories_end, |db: TestDb| async move {
    let news_v1 = purpose("news", 1, "News");
    db.store.register(&PurposeCatalogue::new(vec![news_v1.clone()]).unwrap(), T0).await.unwrap().unwrap();
    let news_v2 = purpose("news", 2, "News, weekly");
    db.store.register(&PurposeCatalogue::new(vec![news_v2.clone()]).unwrap(), T0).await.unwrap().unwrap();
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    consent(&db, 100, ada, &news_v1, true).await;
    consent(&db, 101, ada, &news_v2, false).await;
    consent(&db, 102, bob, &news_v2, true).await;

    let snapshot = db.store.snapshot(ada).await.unwrap().unwrap();
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
    let history = db.store.security_page(ada, 0, snapshot.security_through, 10).await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["signed_in"]);
    assert_eq!(history[0].position, snapshot.security_through, "her one event is where her history ends");

    assert!(db.store.snapshot(UserId::new_v7(9, [9; 10])).await.unwrap().is_none());
});

on_every_backend!(ledger_pages_follow_the_sequence_and_stop_at_the_mark, |db: TestDb| async move {
    let news = purpose("news", 1, "News");
    db.store.register(&PurposeCatalogue::new(vec![news.clone()]).unwrap(), T0).await.unwrap().unwrap();
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    for n in 0..25 {
        consent(&db, 1000 + n, ada, &news, n % 2 == 0).await;
        consent(&db, 2000 + n, bob, &news, true).await;
    }
    let through = db.store.snapshot(ada).await.unwrap().unwrap().ledger_through;
    consent(&db, 3000, ada, &news, true).await;
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = db.store.ledger_page(ada, after, through, 10).await.unwrap();
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 10);
        after = last.sequence;
        seen.extend(page.iter().map(|e| (e.sequence, e.id)));
    }
    let expected: Vec<(i64, Uuid)> = (0..25).map(|n| (n as i64 + 1, Uuid::from_u128(1000 + n))).collect();
    assert_eq!(seen, expected, "ada's 25 entries in order, not bob's, not the one after the mark");
    let whole = db.store.ledger_page(ada, 0, through, 2).await.unwrap();
    let as_written = |n: u128, sequence, granted| LedgerEntryRecord {
        id: Uuid::from_u128(n),
        sequence,
        purpose: "news".into(),
        version: 1,
        granted,
        at: T0 + Duration::seconds(n as i64),
        channel: "web".into(),
    };
    assert_eq!(whole, [as_written(1000, 1, true), as_written(1001, 2, false)], "every column as written");
});

on_every_backend!(a_limited_record_counts_the_window_and_holds_under_concurrency, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    let exported = |user, at| SecurityEvent { user_id: user, kind: SecurityEventKind::DataExported, at };
    let since = |at: OffsetDateTime| at - Duration::hours(1);
    let t1 = T0 + Duration::minutes(1);
    let t2 = T0 + Duration::minutes(20);
    let t3 = T0 + Duration::minutes(30);
    assert_eq!(db.store.record_limited(&exported(ada, t1), since(t1), 2).await.unwrap(), LimitedRecord::Recorded);
    assert_eq!(db.store.record_limited(&exported(ada, t2), since(t2), 2).await.unwrap(), LimitedRecord::Recorded);
    assert_eq!(
        db.store.record_limited(&exported(ada, t3), since(t3), 2).await.unwrap(),
        LimitedRecord::Limited { oldest: t1 }
    );
    assert_eq!(db.store.record_limited(&exported(bob, t3), since(t3), 2).await.unwrap(), LimitedRecord::Recorded);
    let later = t1 + Duration::hours(1);
    assert_eq!(
        db.store.record_limited(&exported(ada, later), since(later), 2).await.unwrap(),
        LimitedRecord::Recorded,
        "the first left the window exactly an hour later"
    );
    let kinds = db.store.history(ada).await.unwrap();
    assert_eq!(kinds.iter().filter(|e| e.kind == SecurityEventKind::DataExported).count(), 3);
    let nobody = UserId::new_v7(9, [9; 10]);
    assert_eq!(db.store.record_limited(&exported(nobody, t3), since(t3), 2).await.unwrap(), LimitedRecord::NoAccount);

    let carol = signed_up(&db, "carol@example.com", 3).await;
    let tries: Vec<_> = (0..6)
        .map(|i| {
            let store = db.store.clone();
            let at = T0 + Duration::seconds(i);
            let event = exported(carol, at);
            tokio::spawn(async move { store.record_limited(&event, at - Duration::hours(1), 3).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tries {
        outcomes.push(task.await.unwrap());
    }
    let recorded = outcomes.iter().filter(|o| **o == LimitedRecord::Recorded).count();
    assert_eq!(recorded, 3, "{outcomes:?}");
});
