//! The address-change storage against real databases.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, NewSession, PutOutcome, RevertOutcome,
    SessionStore, SignInCompletion, SignInStore,
};
use profile_domain::{
    Account, CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, EmailContent,
    EmailId, OutgoingEmail, SecretHasher, SecretKey, SessionId, SignInChallenge, UserId,
};
use support::{Completed, TestDb, Unlimited};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn hasher() -> SecretHasher {
    SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap())
}

fn message(id: u128, to: &EmailAddress, content: EmailContent) -> OutgoingEmail {
    OutgoingEmail {
        id: EmailId(Uuid::from_u128(id)),
        to: to.clone(),
        content,
        created_at: T0,
        expires_at: None,
        about: None,
    }
}

/// Signs `address` in with session `session` and returns the account id.
use support::signed_up as account_with_session;

fn request(user: UserId, to: &str, code: &str) -> EmailChangeRequest {
    EmailChangeRequest {
        user_id: user,
        new_email: email(to),
        code_hash: hasher().hash("code", &[code.as_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::minutes(15),
        attempts: 0,
    }
}

fn sent(id: u128, user: UserId, to: &str, at: OffsetDateTime) -> EmailChangeCodeSent {
    EmailChangeCodeSent {
        id: Uuid::from_u128(id),
        user_id: user,
        destination: hasher().hash("d", &[to.as_bytes()]),
        sent_at: at,
    }
}

fn application(user: UserId, old: &str, new: &str, code: &str, keep: u128) -> EmailChangeApplication {
    EmailChangeApplication {
        code_hash: hasher().hash("code", &[code.as_bytes()]),
        record: EmailChangeRecord {
            id: Uuid::from_u128(77),
            user_id: user,
            old_email: email(old),
            new_email: email(new),
            changed_at: T0 + Duration::minutes(1),
            revert_hash: hasher().hash("revert", &[b"token"]),
            revert_expires_at: T0 + Duration::days(7),
            reverted_at: None,
            voided_at: None,
        },
        keep_session: SessionId(Uuid::from_u128(keep)),
        notice: message(500, &email(old), EmailContent::EmailChangeAddressInUse),
        providers: Vec::new(),
    }
}

async fn session_exists(db: &TestDb, id: u128) -> bool {
    db.store.find(&hasher().hash("s", &[&id.to_be_bytes()])).await.unwrap().is_some()
}

on_every_backend!(a_request_replaces_the_previous_one_and_its_attempts_count, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    ask(&db, ada, "a@new.example", "111111", 1).await;
    ask(&db, ada, "b@new.example", "222222", 2).await;
    let pending = db.store.record_change_attempt(ada).await.unwrap().unwrap();
    assert_eq!((pending.new_email.as_str(), pending.attempts), ("b@new.example", 1));
    assert_eq!(pending.code_hash, hasher().hash("code", &[b"222222"]));
    let stranger = UserId::new_v7(99, [9; 10]);
    assert!(db.store.record_change_attempt(stranger).await.unwrap().is_none());
});

/// Stores a pending change of `user` to `to` with `code` (no limits).
async fn ask(db: &TestDb, user: UserId, to: &str, code: &str, n: u128) {
    let content = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    db.store
        .put_request_unlimited(&request(user, to, code), &sent(n, user, to, T0), &message(n, &email(to), content))
        .await
        .unwrap();
}

fn strict() -> CodeLimits {
    CodeLimits { resend_cooldown: Duration::seconds(60), per_user: 2, per_destination: 1, window: Duration::hours(1) }
}

async fn put_strict(db: &TestDb, id: u128, user: UserId, to: &str, at: OffsetDateTime) -> PutOutcome {
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    db.store
        .put_request(&request(user, to, "1"), &sent(id, user, to, at), &message(id + 10, &email(to), code), &strict())
        .await
        .unwrap()
}

on_every_backend!(the_code_limits_are_enforced_where_the_code_is_recorded, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let bob = account_with_session(&db, "bob@example.com", 2).await;
    assert_eq!(put_strict(&db, 1, ada, "x@new.example", T0 - Duration::hours(2)).await, PutOutcome::Stored);
    assert_eq!(
        put_strict(&db, 2, ada, "y@new.example", T0).await,
        PutOutcome::Stored,
        "the first is outside the window"
    );
    let cooling = put_strict(&db, 3, ada, "z@new.example", T0 + Duration::seconds(10)).await;
    assert_eq!(cooling, PutOutcome::Limited(Duration::seconds(50)));
    let taken_destination = put_strict(&db, 4, bob, "y@new.example", T0 + Duration::seconds(20)).await;
    assert_eq!(taken_destination, PutOutcome::Limited(Duration::seconds(3580)), "y had its code this hour");
    assert_eq!(put_strict(&db, 5, bob, "w@new.example", T0 + Duration::seconds(30)).await, PutOutcome::Stored);
    assert_eq!(db.store.owner_of(&email("bob@example.com")).await.unwrap(), Some(bob));
    assert_eq!(db.store.owner_of(&email("nobody@example.com")).await.unwrap(), None);
});

on_every_backend!(parallel_requests_cannot_slip_past_the_cooldown, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let store = std::sync::Arc::new(db.store.clone());
    let tries: Vec<_> = (0..8_u128)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let to = email(&format!("p{i}@new.example"));
                let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
                let req = request(ada, to.as_str(), "1");
                store
                    .put_request(&req, &sent(100 + i, ada, to.as_str(), T0), &message(200 + i, &to, code), &strict())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut stored = 0;
    for t in tries {
        stored += usize::from(t.await.unwrap() == PutOutcome::Stored);
    }
    assert_eq!(stored, 1, "exactly one code went out");
});

on_every_backend!(
    applying_changes_the_address_keeps_only_the_current_session_and_records_it,
    |db: TestDb| async move {
        let ada = account_with_session(&db, "ada@example.com", 1).await;
        account_with_session(&db, "ada@example.com", 2).await;
        ask(&db, ada, "ada@new.example", "123456", 1).await;
        let wrong = application(ada, "ada@example.com", "ada@new.example", "999999", 1);
        assert_eq!(db.store.apply(&wrong).await.unwrap(), ApplyOutcome::RequestGone);
        let ApplyOutcome::Applied(account) =
            db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap()
        else {
            panic!("not applied")
        };
        assert_eq!(account.email, email("ada@new.example"));
        assert_eq!(account.updated_at, T0 + Duration::minutes(1));
        assert!(session_exists(&db, 1).await && !session_exists(&db, 2).await);
        let record = db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().unwrap();
        assert_eq!((record.old_email.as_str(), record.reverted_at), ("ada@example.com", None));
        assert!(db.store.record_change_attempt(ada).await.unwrap().is_none(), "the request is consumed");
    }
);

on_every_backend!(the_database_refuses_an_address_another_account_took_meanwhile, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    ask(&db, ada, "taken@example.com", "123456", 1).await;
    account_with_session(&db, "taken@example.com", 2).await;
    let outcome = db.store.apply(&application(ada, "ada@example.com", "taken@example.com", "123456", 1)).await.unwrap();
    assert_eq!(outcome, ApplyOutcome::AddressTaken);
    assert!(
        db.store.record_change_attempt(ada).await.unwrap().is_some(),
        "nothing changed: the request is still there"
    );
    assert!(db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().is_none());
});

on_every_backend!(a_revert_restores_the_address_ends_every_session_and_happens_once, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    ask(&db, ada, "ada@new.example", "123456", 1).await;
    db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap();
    let reversal = EmailChangeReversal {
        record_id: Uuid::from_u128(77),
        user_id: ada,
        restore: email("ada@example.com"),
        replacing: email("ada@new.example"),
        now: T0 + Duration::days(1),
        notices: vec![message(600, &email("ada@example.com"), EmailContent::EmailChangeReverted)],
        providers: Vec::new(),
    };
    assert_eq!(db.store.revert(&reversal).await.unwrap(), RevertOutcome::Reverted);
    assert!(!session_exists(&db, 1).await, "every session ended");
    assert_eq!(db.store.owner_of(&email("ada@example.com")).await.unwrap(), Some(ada));
    let record = db.store.find_record(&hasher().hash("revert", &[b"token"])).await.unwrap().unwrap();
    assert_eq!(record.reverted_at, Some(T0 + Duration::days(1)));
    let again = EmailChangeReversal {
        replacing: email("ada@example.com"),
        notices: vec![message(601, &email("ada@example.com"), EmailContent::EmailChangeReverted)],
        ..reversal
    };
    assert_eq!(db.store.revert(&again).await.unwrap(), RevertOutcome::AlreadyReverted);
});

fn reversal(record: u128, user: UserId, restore: &str, replacing: &str, notice: u128) -> EmailChangeReversal {
    EmailChangeReversal {
        record_id: Uuid::from_u128(record),
        user_id: user,
        restore: email(restore),
        replacing: email(replacing),
        now: T0 + Duration::days(1),
        notices: vec![message(notice, &email(restore), EmailContent::EmailChangeReverted)],
        providers: Vec::new(),
    }
}

/// Ada moves a → b → c, a minute apart; the records are 70 and 71.
async fn chain_of_two(db: &TestDb) -> UserId {
    let ada = account_with_session(db, "ada@example.com", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    let chain = [("ada@example.com", "ada@b.example"), ("ada@b.example", "ada@c.example")];
    for (n, (old, new)) in chain.into_iter().enumerate() {
        let n = n as u128;
        let (req, log) = (request(ada, new, "1"), sent(10 + n, ada, new, T0));
        db.store.put_request_unlimited(&req, &log, &message(20 + n, &email(new), code.clone())).await.unwrap();
        let mut app = application(ada, old, new, "1", 1);
        app.record.id = Uuid::from_u128(70 + n);
        app.record.changed_at += Duration::minutes(n as i64);
        app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
        app.notice.id = EmailId(Uuid::from_u128(30 + n));
        assert!(matches!(db.store.apply(&app).await.unwrap(), ApplyOutcome::Applied(_)));
    }
    ada
}

async fn record(db: &TestDb, n: u128) -> EmailChangeRecord {
    db.store.find_record(&hasher().hash("revert", &[&n.to_be_bytes()])).await.unwrap().unwrap()
}

on_every_backend!(a_revert_voids_the_links_of_later_changes, |db: TestDb| async move {
    let ada = chain_of_two(&db).await;
    let first = reversal(70, ada, "ada@example.com", "ada@c.example", 40);
    assert_eq!(db.store.revert(&first).await.unwrap(), RevertOutcome::Reverted);
    assert_eq!(record(&db, 1).await.voided_at, Some(T0 + Duration::days(1)));
    let late = db.store.revert(&reversal(71, ada, "ada@b.example", "ada@example.com", 41)).await.unwrap();
    assert_eq!(late, RevertOutcome::AlreadyReverted);
    assert_eq!(db.store.owner_of(&email("ada@example.com")).await.unwrap(), Some(ada));
});

on_every_backend!(a_revert_never_voids_the_link_of_an_earlier_change, |db: TestDb| async move {
    let ada = chain_of_two(&db).await;
    let second = reversal(71, ada, "ada@b.example", "ada@c.example", 41);
    assert_eq!(db.store.revert(&second).await.unwrap(), RevertOutcome::Reverted);
    assert_eq!(record(&db, 0).await.voided_at, None, "the first owner's link still works");
    assert_eq!(db.store.owner_of(&email("ada@b.example")).await.unwrap(), Some(ada));
    let first = reversal(70, ada, "ada@example.com", "ada@b.example", 40);
    assert_eq!(db.store.revert(&first).await.unwrap(), RevertOutcome::Reverted);
    assert_eq!(db.store.owner_of(&email("ada@example.com")).await.unwrap(), Some(ada));
});

on_every_backend!(a_revert_changes_nothing_when_the_address_moved_meanwhile, |db: TestDb| async move {
    let ada = chain_of_two(&db).await;
    let stale = reversal(70, ada, "ada@example.com", "ada@b.example", 40);
    assert_eq!(
        db.store.revert(&stale).await.unwrap(),
        RevertOutcome::AddressMoved { current: email("ada@c.example") },
        "the address in force is given back"
    );
    assert_eq!(record(&db, 0).await.reverted_at, None);
    assert_eq!(record(&db, 1).await.voided_at, None);
    assert!(session_exists(&db, 1).await, "no session ended");
    assert_eq!(db.store.owner_of(&email("ada@c.example")).await.unwrap(), Some(ada));
});

on_every_backend!(signing_in_with_an_address_awaiting_revert_creates_no_account, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    ask(&db, ada, "ada@new.example", "123456", 1).await;
    db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap();
    let to = email("ada@example.com");
    let code_hash = hasher().hash("c", &[b"again"]);
    let expires_at = T0 + Duration::minutes(10);
    let challenge =
        SignInChallenge { email: to.clone(), code_hash: code_hash.clone(), created_at: T0, expires_at, attempts: 0 };
    db.store.put_challenge(&challenge, &message(700, &to, EmailContent::EmailChangeReverted)).await.unwrap();
    let session = NewSession {
        id: SessionId(Uuid::from_u128(50)),
        token_hash: hasher().hash("s", &[b"50"]),
        created_at: T0 + Duration::minutes(2),
        expires_at: T0 + Duration::days(1),
    };
    let completion = SignInCompletion {
        email: to.clone(),
        code_hash,
        new_account: Account::new(UserId::new_v7(5, [5; 10]), to.clone(), T0),
        session,
    };
    let outcome = db.store.complete_sign_in(&completion).await.unwrap();
    assert_eq!(outcome, profile_domain::ports::SignInOutcome::AddressAwaitingRevert);
    assert_eq!(db.store.owner_of(&to).await.unwrap(), None, "no account was created");
    let session = NewSession { created_at: T0 + Duration::days(8), ..completion.session.clone() };
    let later = SignInCompletion { session, ..completion };
    assert!(db.store.complete_sign_in(&later).await.unwrap().completed().is_some(), "after the link expired");
});

on_every_backend!(of_two_accounts_confirming_one_address_at_once_exactly_one_wins, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let bob = account_with_session(&db, "bob@example.com", 2).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    for (n, user) in [ada, bob].into_iter().enumerate() {
        let n = n as u128;
        let (req, log) = (request(user, "both@new.example", "123456"), sent(10 + n, user, "both@new.example", T0));
        db.store
            .put_request_unlimited(&req, &log, &message(20 + n, &email("both@new.example"), code.clone()))
            .await
            .unwrap();
    }
    let store = std::sync::Arc::new(db.store.clone());
    let tries: Vec<_> = [(ada, "ada@example.com", 1_u128), (bob, "bob@example.com", 2)]
        .into_iter()
        .map(|(user, old, n)| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut app = application(user, old, "both@new.example", "123456", n);
                app.record.id = Uuid::from_u128(80 + n);
                app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
                app.notice.id = EmailId(Uuid::from_u128(90 + n));
                store.apply(&app).await.unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tries {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| matches!(o, ApplyOutcome::Applied(_))).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == ApplyOutcome::AddressTaken).count(), 1, "{outcomes:?}");
});

on_every_backend!(housekeeping_drops_stale_requests_and_old_code_log_entries, |db: TestDb| async move {
    use profile_domain::ports::{HousekeepingStore, PurgeCutoffs};
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    ask(&db, ada, "ada@new.example", "1", 1).await;
    let cutoffs = |stale: OffsetDateTime, log: OffsetDateTime| PurgeCutoffs {
        now: T0,
        finished_before: T0 - Duration::days(30),
        code_log_before: log,
        stale_requests_before: stale,
        reports_before: T0 - Duration::days(30),
    };
    let kept = db.store.purge(&cutoffs(T0 + Duration::minutes(14), T0 - Duration::seconds(1))).await.unwrap();
    assert_eq!((kept.change_requests, kept.code_log), (0, 0));
    let gone = db.store.purge(&cutoffs(T0 + Duration::minutes(15), T0)).await.unwrap();
    assert_eq!((gone.change_requests, gone.code_log), (1, 1));
    assert!(db.store.record_change_attempt(ada).await.unwrap().is_none());
});

on_every_backend!(
    an_address_change_and_its_revert_are_told_to_providers_with_both_addresses,
    |db: TestDb| async move {
        use profile_domain::ports::{ConsentStore, ProviderOutbox};
        use profile_domain::{ConsentChannel, ConsentEvent, NoticeFor, ProviderEvent, ProviderId, PurposeId};
        let ada = account_with_session(&db, "ada@example.com", 1).await;
        let lists = |n: u128| NoticeFor::to_provider(Uuid::from_u128(n), ProviderId::parse("lists").unwrap());
        let grant = ConsentEvent {
            id: Uuid::from_u128(5),
            user_id: ada,
            purpose_id: PurposeId::parse("news").unwrap(),
            version: 1,
            text_hash: "ab".repeat(32),
            granted: true,
            at: T0,
            channel: ConsentChannel::Web,
        };
        db.store.record(&grant, &[lists(100)]).await.unwrap();
        ask(&db, ada, "ada@new.example", "123456", 1).await;
        let changed = EmailChangeApplication {
            providers: vec![lists(101)],
            ..application(ada, "ada@example.com", "ada@new.example", "123456", 1)
        };
        db.store.apply(&changed).await.unwrap();
        let reverted = EmailChangeReversal {
            providers: vec![lists(102)],
            ..reversal(77, ada, "ada@example.com", "ada@new.example", 600)
        };
        assert_eq!(db.store.revert(&reverted).await.unwrap(), RevertOutcome::Reverted);
        let mut seen = Vec::new();
        for _ in 0..3 {
            let at = T0 + Duration::days(2);
            let providers = [ProviderId::parse("lists").unwrap()];
            let claimed = db.store.claim_due_notices(&providers, "w", at, at + Duration::minutes(2), 9).await.unwrap();
            assert_eq!(claimed.len(), 1, "one at a time, in order");
            let n = &claimed[0].notice;
            let previous = match &n.event {
                ProviderEvent::EmailChanged { previous_email, .. } => Some(previous_email.as_str().to_owned()),
                ProviderEvent::ConsentChanged { .. }
                | ProviderEvent::AccountErased { .. }
                | ProviderEvent::ProfileUpdated { .. } => None,
            };
            seen.push((n.sequence, n.email.as_ref().unwrap().as_str().to_owned(), previous));
            let delivered = profile_domain::ports::NoticeOutcome::Delivered { status: 200 };
            db.store.record_notice_outcome(n.id, "w", &delivered, at).await.unwrap();
        }
        let text = |s: &str| s.to_owned();
        assert_eq!(
            seen,
            [
                (1, text("ada@example.com"), None),
                (2, text("ada@new.example"), Some(text("ada@example.com"))),
                (3, text("ada@example.com"), Some(text("ada@new.example"))),
            ]
        );
    }
);

on_every_backend!(sign_ins_and_address_changes_are_in_the_security_history, |db: TestDb| async move {
    use profile_domain::SecurityEventKind;
    use profile_domain::ports::SecurityLog;
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let bob = account_with_session(&db, "bob@example.com", 2).await;
    ask(&db, ada, "ada@new.example", "123456", 1).await;
    db.store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.unwrap();
    assert_eq!(
        db.store.revert(&reversal(77, ada, "ada@example.com", "ada@new.example", 600)).await.unwrap(),
        RevertOutcome::Reverted
    );
    let history = db.store.history(ada).await.unwrap();
    let kinds: Vec<SecurityEventKind> = history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [SecurityEventKind::SignedIn, SecurityEventKind::EmailChanged, SecurityEventKind::EmailChangeReverted]
    );
    assert_eq!((history[1].at, history[2].at), (T0 + Duration::minutes(1), T0 + Duration::days(1)));
    assert_eq!(db.store.history(bob).await.unwrap().len(), 1, "each user's own");
    use profile_domain::ports::SessionStore;
    let bobs = SessionId(Uuid::from_u128(2));
    assert!(db.store.sign_out(bobs, T0 + Duration::days(2)).await.unwrap());
    assert!(!db.store.sign_out(bobs, T0 + Duration::days(3)).await.unwrap(), "once");
    let kinds: Vec<SecurityEventKind> = db.store.history(bob).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [SecurityEventKind::SignedIn, SecurityEventKind::SignedOut]);
    // Refused changes record nothing: a used revert link, an address taken.
    assert_eq!(
        db.store.revert(&reversal(77, ada, "ada@example.com", "ada@example.com", 601)).await.unwrap(),
        RevertOutcome::AlreadyReverted
    );
    ask(&db, ada, "bob@example.com", "222222", 3).await;
    let taken = application(ada, "ada@example.com", "bob@example.com", "222222", 3);
    let taken =
        EmailChangeApplication { record: EmailChangeRecord { id: Uuid::from_u128(78), ..taken.record }, ..taken };
    assert_eq!(db.store.apply(&taken).await.unwrap(), ApplyOutcome::AddressTaken);
    assert_eq!(db.store.history(ada).await.unwrap().len(), 3, "nothing added for refused changes");
});

on_every_backend!(a_change_applied_by_an_instance_whose_clock_is_behind_is_still_later, |db: TestDb| async move {
    let ada = account_with_session(&db, "ada@example.com", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    // The second change says it happened a minute before the first.
    let chain = [("ada@example.com", "ada@b.example", 1), ("ada@b.example", "ada@c.example", -1)];
    for (n, (old, new, minutes)) in chain.into_iter().enumerate() {
        let n = n as u128;
        let (req, log) = (request(ada, new, "1"), sent(10 + n, ada, new, T0));
        db.store.put_request_unlimited(&req, &log, &message(20 + n, &email(new), code.clone())).await.unwrap();
        let mut app = application(ada, old, new, "1", 1);
        app.record.id = Uuid::from_u128(70 + n);
        app.record.changed_at = T0 + Duration::minutes(minutes);
        app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
        app.notice.id = EmailId(Uuid::from_u128(30 + n));
        assert!(matches!(db.store.apply(&app).await.unwrap(), ApplyOutcome::Applied(_)));
    }
    let (first, second) = (record(&db, 0).await, record(&db, 1).await);
    assert!(second.changed_at > first.changed_at, "stored after the first: {first:?} {second:?}");
    use profile_domain::SecurityEventKind;
    use profile_domain::ports::SecurityLog;
    let events: Vec<_> = SecurityLog::history(&db.store, ada)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == SecurityEventKind::EmailChanged)
        .map(|e| e.at)
        .collect();
    assert_eq!(events, [first.changed_at, second.changed_at], "the security history has the history's times");
    let account = profile_domain::ports::AccountStore::get(&db.store, ada).await.unwrap().unwrap();
    assert_eq!(account.updated_at, second.changed_at, "and so has the account");
    let owners = reversal(70, ada, "ada@example.com", "ada@c.example", 40);
    assert_eq!(db.store.revert(&owners).await.unwrap(), RevertOutcome::Reverted);
    assert!(record(&db, 1).await.voided_at.is_some(), "the later change's link is voided");
});
