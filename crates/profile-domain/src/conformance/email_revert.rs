//! [`EmailChangeStore`](crate::ports::EmailChangeStore), the revert side:
//! a revert restores the address once, voids only later links, refuses an
//! address that moved on, holds the old address against new accounts, and
//! is told to providers and kept in the security history.

use time::Duration;
use uuid::Uuid;

use super::Storage;
use super::email_change::{application, ask, email, hasher, message, put_unlimited, request, sent, session_exists};
use super::fixtures::{T0, grant_news, signed_up};
use crate::ports::{
    AccountStore, ApplyOutcome, EmailChangeApplication, EmailChangeReversal, NewSession, RevertOutcome,
    SignInCompletion, SignInOutcome,
};
use crate::{
    Account, EmailChangeRecord, EmailContent, EmailId, NoticeFor, ProviderEvent, ProviderId, SecurityEventKind,
    SessionId, SignInChallenge, UserId,
};

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
async fn chain_of_two(store: &dyn Storage) -> UserId {
    let ada = signed_up(store, "ada", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    let chain = [("ada@example.com", "ada@b.example"), ("ada@b.example", "ada@c.example")];
    for (n, (old, new)) in chain.into_iter().enumerate() {
        let n = n as u128;
        let (req, log) = (request(ada, new, "1"), sent(10 + n, ada, new, T0));
        put_unlimited(store, &req, &log, &message(20 + n, &email(new), code.clone())).await;
        let mut app = application(ada, old, new, "1", 1);
        app.record.id = Uuid::from_u128(70 + n);
        app.record.changed_at += Duration::minutes(n as i64);
        app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
        app.notice.id = EmailId(Uuid::from_u128(30 + n));
        assert!(matches!(store.apply(&app).await.expect("the store answers"), ApplyOutcome::Applied(_)));
    }
    ada
}

async fn record(store: &dyn Storage, n: u128) -> EmailChangeRecord {
    store
        .find_record(&hasher().hash("revert", &[&n.to_be_bytes()]))
        .await
        .expect("the store answers")
        .expect("it is there")
}

/// A revert restores the old address, ends every session, and happens
/// once.
pub async fn a_revert_restores_the_address_ends_every_session_and_happens_once(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ask(store, ada, "ada@new.example", "123456", 1).await;
    store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.expect("the store answers");
    let reversal = EmailChangeReversal {
        record_id: Uuid::from_u128(77),
        user_id: ada,
        restore: email("ada@example.com"),
        replacing: email("ada@new.example"),
        now: T0 + Duration::days(1),
        notices: vec![message(600, &email("ada@example.com"), EmailContent::EmailChangeReverted)],
        providers: Vec::new(),
    };
    assert_eq!(store.revert(&reversal).await.expect("the store answers"), RevertOutcome::Reverted);
    assert!(!session_exists(store, 1).await, "every session ended");
    assert_eq!(store.owner_of(&email("ada@example.com")).await.expect("the store answers"), Some(ada));
    let record = store
        .find_record(&hasher().hash("revert", &[b"token"]))
        .await
        .expect("the store answers")
        .expect("it is there");
    assert_eq!(record.reverted_at, Some(T0 + Duration::days(1)));
    let again = EmailChangeReversal {
        replacing: email("ada@example.com"),
        notices: vec![message(601, &email("ada@example.com"), EmailContent::EmailChangeReverted)],
        ..reversal
    };
    assert_eq!(store.revert(&again).await.expect("the store answers"), RevertOutcome::AlreadyReverted);
}

/// Reverting a change voids the revert links of the changes after it.
pub async fn a_revert_voids_the_links_of_later_changes(store: &dyn Storage) {
    let ada = chain_of_two(store).await;
    let first = reversal(70, ada, "ada@example.com", "ada@c.example", 40);
    assert_eq!(store.revert(&first).await.expect("the store answers"), RevertOutcome::Reverted);
    assert_eq!(record(store, 1).await.voided_at, Some(T0 + Duration::days(1)));
    let late =
        store.revert(&reversal(71, ada, "ada@b.example", "ada@example.com", 41)).await.expect("the store answers");
    assert_eq!(late, RevertOutcome::AlreadyReverted);
    assert_eq!(store.owner_of(&email("ada@example.com")).await.expect("the store answers"), Some(ada));
}

/// Reverting a change never voids the link of an earlier one.
pub async fn a_revert_never_voids_the_link_of_an_earlier_change(store: &dyn Storage) {
    let ada = chain_of_two(store).await;
    let second = reversal(71, ada, "ada@b.example", "ada@c.example", 41);
    assert_eq!(store.revert(&second).await.expect("the store answers"), RevertOutcome::Reverted);
    assert_eq!(record(store, 0).await.voided_at, None, "the first owner's link still works");
    assert_eq!(store.owner_of(&email("ada@b.example")).await.expect("the store answers"), Some(ada));
    let first = reversal(70, ada, "ada@example.com", "ada@b.example", 40);
    assert_eq!(store.revert(&first).await.expect("the store answers"), RevertOutcome::Reverted);
    assert_eq!(store.owner_of(&email("ada@example.com")).await.expect("the store answers"), Some(ada));
}

/// A revert whose address has moved on changes nothing and names the
/// address in force.
pub async fn a_revert_changes_nothing_when_the_address_moved_meanwhile(store: &dyn Storage) {
    let ada = chain_of_two(store).await;
    let stale = reversal(70, ada, "ada@example.com", "ada@b.example", 40);
    assert_eq!(
        store.revert(&stale).await.expect("the store answers"),
        RevertOutcome::AddressMoved { current: email("ada@c.example") },
        "the address in force is given back"
    );
    assert_eq!(record(store, 0).await.reverted_at, None);
    assert_eq!(record(store, 1).await.voided_at, None);
    assert!(session_exists(store, 1).await, "no session ended");
    assert_eq!(store.owner_of(&email("ada@c.example")).await.expect("the store answers"), Some(ada));
}

/// No account is created for an address awaiting its revert, until the
/// link expires.
pub async fn signing_in_with_an_address_awaiting_revert_creates_no_account(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ask(store, ada, "ada@new.example", "123456", 1).await;
    store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.expect("the store answers");
    let to = email("ada@example.com");
    let code_hash = hasher().hash("c", &[b"again"]);
    let expires_at = T0 + Duration::minutes(10);
    let challenge =
        SignInChallenge { email: to.clone(), code_hash: code_hash.clone(), created_at: T0, expires_at, attempts: 0 };
    store
        .put_challenge(&challenge, &message(700, &to, EmailContent::EmailChangeReverted))
        .await
        .expect("the store answers");
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
    let outcome = store.complete_sign_in(&completion).await.expect("the store answers");
    assert_eq!(outcome, SignInOutcome::AddressAwaitingRevert);
    assert_eq!(store.owner_of(&to).await.expect("the store answers"), None, "no account was created");
    let session = NewSession { created_at: T0 + Duration::days(8), ..completion.session.clone() };
    let later = SignInCompletion { session, ..completion };
    let later = store.complete_sign_in(&later).await.expect("the store answers");
    assert!(matches!(later, SignInOutcome::Completed(_)), "after the link expired: {later:?}");
}

/// An address change and its revert reach providers in order, each
/// with the address in force and the one before.
pub async fn an_address_change_and_its_revert_are_told_to_providers_with_both_addresses(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let lists = |n: u128| NoticeFor::to_provider(Uuid::from_u128(n), ProviderId::parse("lists").expect("a valid id"));
    grant_news(store, 5, ada, &[lists(100)]).await;
    ask(store, ada, "ada@new.example", "123456", 1).await;
    let changed = EmailChangeApplication {
        providers: vec![lists(101)],
        ..application(ada, "ada@example.com", "ada@new.example", "123456", 1)
    };
    store.apply(&changed).await.expect("the store answers");
    let reverted = EmailChangeReversal {
        providers: vec![lists(102)],
        ..reversal(77, ada, "ada@example.com", "ada@new.example", 600)
    };
    assert_eq!(store.revert(&reverted).await.expect("the store answers"), RevertOutcome::Reverted);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let at = T0 + Duration::days(2);
        let providers = [ProviderId::parse("lists").expect("a valid id")];
        let claimed = store
            .claim_due_notices(&providers, "w", at, at + Duration::minutes(2), 9)
            .await
            .expect("the store answers");
        assert_eq!(claimed.len(), 1, "one at a time, in order");
        let n = &claimed[0].notice;
        let previous = match &n.event {
            ProviderEvent::EmailChanged { previous_email, .. } => Some(previous_email.as_str().to_owned()),
            ProviderEvent::ConsentChanged { .. }
            | ProviderEvent::AccountErased { .. }
            | ProviderEvent::ProfileUpdated { .. } => None,
        };
        seen.push((
            n.sequence,
            n.email.as_ref().expect("a provider is told the address").as_str().to_owned(),
            previous,
        ));
        let delivered = crate::ports::NoticeOutcome::Delivered { status: 200 };
        store.record_notice_outcome(n.id, "w", &delivered, at).await.expect("the store answers");
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

/// Sign-ins, address changes, reverts and sign-outs are in each user's
/// own security history at their times; refused changes add nothing.
pub async fn sign_ins_and_address_changes_are_in_the_security_history(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    ask(store, ada, "ada@new.example", "123456", 1).await;
    store.apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1)).await.expect("the store answers");
    assert_eq!(
        store.revert(&reversal(77, ada, "ada@example.com", "ada@new.example", 600)).await.expect("the store answers"),
        RevertOutcome::Reverted
    );
    let history = store.history(ada).await.expect("the store answers");
    let kinds: Vec<SecurityEventKind> = history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [SecurityEventKind::SignedIn, SecurityEventKind::EmailChanged, SecurityEventKind::EmailChangeReverted]
    );
    assert_eq!((history[1].at, history[2].at), (T0 + Duration::minutes(1), T0 + Duration::days(1)));
    assert_eq!(store.history(bob).await.expect("the store answers").len(), 1, "each user's own");
    let bobs = SessionId(Uuid::from_u128(2));
    assert!(store.sign_out(bobs, T0 + Duration::days(2)).await.expect("the store answers"));
    assert!(!store.sign_out(bobs, T0 + Duration::days(3)).await.expect("the store answers"), "once");
    let kinds: Vec<SecurityEventKind> =
        store.history(bob).await.expect("the store answers").iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [SecurityEventKind::SignedIn, SecurityEventKind::SignedOut]);
    // Refused changes record nothing: a used revert link, an address taken.
    assert_eq!(
        store.revert(&reversal(77, ada, "ada@example.com", "ada@example.com", 601)).await.expect("the store answers"),
        RevertOutcome::AlreadyReverted
    );
    ask(store, ada, "bob@example.com", "222222", 3).await;
    let taken = application(ada, "ada@example.com", "bob@example.com", "222222", 3);
    let taken =
        EmailChangeApplication { record: EmailChangeRecord { id: Uuid::from_u128(78), ..taken.record }, ..taken };
    assert_eq!(store.apply(&taken).await.expect("the store answers"), ApplyOutcome::AddressTaken);
    assert_eq!(store.history(ada).await.expect("the store answers").len(), 3, "nothing added for refused changes");
}

/// A change stamped earlier than the one before it (an instance whose
/// clock is behind) is still stored after it, and the security history
/// and the account take the stored times.
pub async fn a_change_applied_by_an_instance_whose_clock_is_behind_is_still_later(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    // The second change says it happened a minute before the first.
    let chain = [("ada@example.com", "ada@b.example", 1), ("ada@b.example", "ada@c.example", -1)];
    for (n, (old, new, minutes)) in chain.into_iter().enumerate() {
        let n = n as u128;
        let (req, log) = (request(ada, new, "1"), sent(10 + n, ada, new, T0));
        put_unlimited(store, &req, &log, &message(20 + n, &email(new), code.clone())).await;
        let mut app = application(ada, old, new, "1", 1);
        app.record.id = Uuid::from_u128(70 + n);
        app.record.changed_at = T0 + Duration::minutes(minutes);
        app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
        app.notice.id = EmailId(Uuid::from_u128(30 + n));
        assert!(matches!(store.apply(&app).await.expect("the store answers"), ApplyOutcome::Applied(_)));
    }
    let (first, second) = (record(store, 0).await, record(store, 1).await);
    assert!(second.changed_at > first.changed_at, "stored after the first: {first:?} {second:?}");
    let events: Vec<_> = store
        .history(ada)
        .await
        .expect("the store answers")
        .into_iter()
        .filter(|e| e.kind == SecurityEventKind::EmailChanged)
        .map(|e| e.at)
        .collect();
    assert_eq!(events, [first.changed_at, second.changed_at], "the security history has the history's times");
    let account = AccountStore::get(store, ada).await.expect("the store answers").expect("it is there");
    assert_eq!(account.updated_at, second.changed_at, "and so has the account");
    let owners = reversal(70, ada, "ada@example.com", "ada@c.example", 40);
    assert_eq!(store.revert(&owners).await.expect("the store answers"), RevertOutcome::Reverted);
    assert!(record(store, 1).await.voided_at.is_some(), "the later change's link is voided");
}
