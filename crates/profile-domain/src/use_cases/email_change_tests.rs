//! Unit tests of the address-change rules.

use std::sync::Arc;

use time::{Duration, macros::datetime};

use super::*;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::{CodeLimits, RecentCodes, SecretKey, Session, SessionId};

#[path = "email_change_revert_tests.rs"]
mod revert;

use revert::revert_token;

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

struct World {
    store: Arc<InMemoryStore>,
    clock: Arc<FixedClock>,
    changes: EmailChanges,
    ada: Authenticated,
}

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn session(id: u128, user: UserId) -> Session {
    Session {
        id: SessionId(uuid::Uuid::from_u128(id)),
        user_id: user,
        token_hash: SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap()).hash("s", &[&id.to_be_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::days(30),
        last_seen_at: T0,
    }
}

/// Ada (signed in at T0 with two sessions) and Bob; codes drawn are `codes`.
fn world(codes: &[u32]) -> World {
    let store = Arc::new(InMemoryStore::default());
    let ada = Account::new(UserId::new_v7(1, [1; 10]), email("ada@example.com"), T0);
    let bob = Account::new(UserId::new_v7(2, [2; 10]), email("bob@example.com"), T0);
    {
        let mut state = store.state();
        for (id, user) in [(1, ada.id), (2, ada.id), (3, bob.id)] {
            let s = session(id, user);
            state.sessions.insert(s.id, s);
        }
        state.accounts.insert(ada.id, ada.clone());
        state.accounts.insert(bob.id, bob);
    }
    let clock = Arc::new(FixedClock::at(T0));
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let changes = EmailChanges::new(
        store.clone(),
        store.clone(),
        clock.clone(),
        Arc::new(SeqRandom::from_words(codes)),
        hasher,
        EmailChangePolicy::with_public_url("https://p.example"),
    );
    let who = Authenticated { user_id: ada.id, session_id: SessionId(uuid::Uuid::from_u128(1)), signed_in_at: T0 };
    World { store, clock, changes, ada: who }
}

fn last_message(w: &World) -> OutgoingEmail {
    w.store.state().outbox.last().unwrap().email.clone()
}

fn ada_email(w: &World) -> EmailAddress {
    w.store.state().accounts[&w.ada.user_id].email.clone()
}

#[tokio::test]
async fn starting_sends_a_code_to_the_new_address_and_changes_nothing_yet() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    let message = last_message(&w);
    assert_eq!(message.to, email("ada@new.example"));
    assert_eq!(message.content, EmailContent::EmailChangeCode { code: "123456".into(), valid_minutes: 15 });
    assert_eq!(message.about, Some(w.ada.user_id), "erased with ada even if she gives the address up");
    assert_eq!(ada_email(&w), email("ada@example.com"), "the old address stays in force");
}

#[tokio::test]
async fn the_right_code_applies_the_change_ends_other_sessions_and_notifies_the_old_address() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.clock.advance(Duration::minutes(2));
    let account = w.changes.confirm(&w.ada, "123456").await.unwrap();
    assert_eq!(account.email, email("ada@new.example"));
    let state = w.store.state();
    let ada_sessions: Vec<_> = state.sessions.values().filter(|s| s.user_id == w.ada.user_id).map(|s| s.id).collect();
    assert_eq!(ada_sessions, [w.ada.session_id], "only the confirming session stays");
    assert_eq!(state.sessions.len(), 2, "bob's session is untouched");
    let notice = &state.outbox.last().unwrap().email;
    assert_eq!(notice.to, email("ada@example.com"));
    let EmailContent::EmailChanged { new_email_masked, revert_url, revert_valid_minutes } = &notice.content else {
        panic!("not a change notice")
    };
    assert_eq!((new_email_masked.as_str(), *revert_valid_minutes), ("a***@new.example", 7 * 24 * 60));
    assert!(revert_url.starts_with("https://p.example/email-change/revert?token="));
    let record = &state.change_records[0];
    assert_eq!((record.old_email.as_str(), record.new_email.as_str()), ("ada@example.com", "ada@new.example"));
}

#[tokio::test]
async fn a_stale_sign_in_must_be_renewed_before_starting() {
    let w = world(&[123_456]);
    w.clock.advance(Duration::minutes(15) + Duration::milliseconds(1));
    let result = w.changes.start(&w.ada, email("ada@new.example")).await;
    assert!(matches!(result, Err(StartEmailChangeError::ReauthenticationRequired)));
    assert!(w.store.state().outbox.is_empty());
}

#[tokio::test]
async fn the_current_address_is_refused() {
    let w = world(&[123_456]);
    let result = w.changes.start(&w.ada, email("ADA@example.com")).await;
    assert!(matches!(result, Err(StartEmailChangeError::SameAddress)));
}

#[tokio::test]
async fn an_address_of_another_account_gets_a_notice_and_its_code_can_never_work() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("bob@example.com")).await.unwrap();
    let message = last_message(&w);
    assert_eq!((message.to.as_str(), &message.content), ("bob@example.com", &EmailContent::EmailChangeAddressInUse));
    assert_eq!(message.about, None, "bob's mail, not ada's: not exported or erased with her");
    let result = w.changes.confirm(&w.ada, "123456").await;
    assert!(matches!(result, Err(ConfirmEmailChangeError::InvalidCode)), "same answer as a wrong code");
    assert_eq!(ada_email(&w), email("ada@example.com"));
}

#[tokio::test]
async fn a_second_code_within_the_cooldown_is_refused_with_the_wait() {
    let w = world(&[111_111, 222_222]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.clock.advance(Duration::seconds(20));
    let result = w.changes.start(&w.ada, email("ada@new.example")).await;
    assert!(matches!(result, Err(StartEmailChangeError::RateLimited(wait)) if wait == Duration::seconds(40)));
    w.clock.advance(Duration::seconds(40));
    assert!(w.changes.start(&w.ada, email("ada@new.example")).await.is_ok());
}

#[tokio::test]
async fn codes_per_user_and_per_address_are_limited_per_hour() {
    let w = world(&[]);
    for n in 0..5 {
        w.changes.start(&w.ada, email(&format!("n{n}@new.example"))).await.unwrap();
        w.clock.advance(Duration::seconds(61));
    }
    let who = Authenticated { signed_in_at: w.clock.now(), ..w.ada };
    let result = w.changes.start(&who, email("n9@new.example")).await;
    assert!(matches!(result, Err(StartEmailChangeError::RateLimited(_))), "a 6th code in the hour");

    let w = world(&[]);
    let bob = w.store.state().accounts.values().find(|a| a.email.as_str() == "bob@example.com").unwrap().id;
    for n in 0..3 {
        let user = if n % 2 == 0 { w.ada.user_id } else { bob };
        let who = Authenticated {
            user_id: user,
            session_id: SessionId(uuid::Uuid::from_u128(9)),
            signed_in_at: w.clock.now(),
        };
        w.changes.start(&who, email("shared@new.example")).await.unwrap();
        w.clock.advance(Duration::seconds(61));
    }
    let who = Authenticated { signed_in_at: w.clock.now(), ..w.ada };
    let result = w.changes.start(&who, email("shared@new.example")).await;
    assert!(matches!(result, Err(StartEmailChangeError::RateLimited(_))), "a 4th code to one address in the hour");
}

#[tokio::test]
async fn wrong_expired_superseded_and_over_tried_codes_are_refused() {
    let w = world(&[111_111]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    assert!(matches!(w.changes.confirm(&w.ada, "999999").await, Err(ConfirmEmailChangeError::InvalidCode)));

    let w = world(&[111_111]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.clock.advance(Duration::minutes(15));
    assert!(matches!(w.changes.confirm(&w.ada, "111111").await, Err(ConfirmEmailChangeError::CodeExpired)));

    let w = world(&[111_111, 222_222]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.clock.advance(Duration::seconds(60));
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    assert!(matches!(w.changes.confirm(&w.ada, "111111").await, Err(ConfirmEmailChangeError::InvalidCode)));
    assert!(w.changes.confirm(&w.ada, "222222").await.is_ok(), "only the latest code counts");

    let w = world(&[111_111]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    for _ in 0..5 {
        assert!(w.changes.confirm(&w.ada, "000000").await.is_err());
    }
    w.clock.advance(Duration::seconds(20));
    let sixth = w.changes.confirm(&w.ada, "111111").await;
    assert!(
        matches!(sixth, Err(ConfirmEmailChangeError::TooManyAttempts(wait)) if wait == Duration::seconds(40)),
        "the sixth try fails even with the right code, and says when a new code may be asked for"
    );
    assert_eq!(ada_email(&w), email("ada@example.com"));
}

#[tokio::test]
async fn confirming_with_nothing_pending_or_a_malformed_code_is_refused() {
    let w = world(&[]);
    assert!(matches!(w.changes.confirm(&w.ada, "123456").await, Err(ConfirmEmailChangeError::NothingPending)));
    assert!(matches!(w.changes.confirm(&w.ada, "12a456").await, Err(ConfirmEmailChangeError::MalformedCode)));
}

#[tokio::test]
async fn a_code_is_used_once() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.changes.confirm(&w.ada, "123456").await.unwrap();
    assert!(matches!(w.changes.confirm(&w.ada, "123456").await, Err(ConfirmEmailChangeError::NothingPending)));
}

#[tokio::test]
async fn losing_the_race_for_the_address_is_reported_and_changes_nothing() {
    let w = world(&[123_456]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    let carl = Account::new(UserId::new_v7(3, [3; 10]), email("ada@new.example"), T0);
    w.store.state().accounts.insert(carl.id, carl);
    assert!(matches!(w.changes.confirm(&w.ada, "123456").await, Err(ConfirmEmailChangeError::AddressTaken)));
    assert_eq!(ada_email(&w), email("ada@example.com"));
}

#[test]
fn code_limits_give_the_longest_wait_of_the_three_rules() {
    let limits = CodeLimits {
        resend_cooldown: Duration::seconds(60),
        per_user: 2,
        per_destination: 1,
        window: Duration::hours(1),
    };
    let at = |secs: i64| T0 + Duration::seconds(secs);
    let none = RecentCodes::default();
    assert_eq!(limits.wait(&none, T0), None);
    let one = RecentCodes { for_user: vec![at(0)], for_destination: vec![] };
    assert_eq!(limits.wait(&one, at(10)), Some(Duration::seconds(50)), "cooldown");
    assert_eq!(limits.wait(&one, at(60)), None);
    let two = RecentCodes { for_user: vec![at(0), at(100)], for_destination: vec![] };
    assert_eq!(limits.wait(&two, at(200)), Some(Duration::seconds(3400)), "per user: the oldest leaves the window");
    let dest = RecentCodes { for_user: vec![], for_destination: vec![at(0)] };
    assert_eq!(limits.wait(&dest, at(600)), Some(Duration::seconds(3000)), "per destination");
}

#[tokio::test]
async fn the_old_address_cannot_open_a_new_account_while_its_revert_link_works() {
    use crate::use_cases::{SignIn, SignInPolicy, VerifySignInError};
    let w = world(&[123_456, 654_321]);
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.changes.confirm(&w.ada, "123456").await.unwrap();
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let random = Arc::new(SeqRandom::from_words(&[111_111, 222_222]));
    let sign_in = SignIn::new(w.store.clone(), w.clock.clone(), random, hasher, SignInPolicy::default());
    sign_in.start(email("ada@example.com")).await.unwrap();
    let result = sign_in.verify(&email("ada@example.com"), "111111").await;
    assert!(matches!(result, Err(VerifySignInError::AddressAwaitingRevert)));
    assert_eq!(w.store.state().accounts.len(), 2, "no account was created");

    w.clock.advance(Duration::days(7));
    sign_in.start(email("ada@example.com")).await.unwrap();
    assert!(sign_in.verify(&email("ada@example.com"), "222222").await.is_ok(), "after the link expires it is free");
}

#[tokio::test]
async fn providers_carrying_a_granted_purpose_hear_of_the_change_and_of_its_revert() {
    use crate::use_cases::fakes::providers::email_purpose;
    use crate::{
        ConsentChannel, ProviderEvent, ProviderId, ProviderRoute, ProviderRoutes, PurposeCatalogue, PurposeId,
    };
    let mut w = world(&[123_456]);
    let catalogue = PurposeCatalogue::new(vec![email_purpose("news"), email_purpose("events")]).unwrap();
    let route = |p: &str, purpose: &str| ProviderRoute {
        provider: ProviderId::parse(p).unwrap(),
        purposes: vec![PurposeId::parse(purpose).unwrap()],
    };
    let routes = ProviderRoutes::new(vec![route("lists", "news"), route("crm", "events")], &catalogue).unwrap();
    let consents =
        super::super::Consents::new(w.store.clone(), w.clock.clone(), Arc::new(SeqRandom::from_words(&[])), catalogue);
    consents.set(w.ada.user_id, "news", true, None, ConsentChannel::Web).await.unwrap();
    consents.set(w.ada.user_id, "events", false, None, ConsentChannel::Web).await.unwrap();
    let signal = Arc::new(crate::use_cases::fakes::signal::CountingSignal::default());
    w.changes = EmailChanges::new(
        w.store.clone(),
        w.store.clone(),
        w.clock.clone(),
        Arc::new(SeqRandom::from_words(&[123_456])),
        SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap()),
        EmailChangePolicy::with_public_url("https://p.example"),
    )
    .with_providers(routes, w.store.clone(), signal.clone());
    w.changes.start(&w.ada, email("ada@new.example")).await.unwrap();
    w.changes.confirm(&w.ada, "123456").await.unwrap();
    assert_eq!(signal.count(), 1, "the change woke the delivery workers");
    let token = revert_token(&w);
    w.changes.revert(&token).await.unwrap();
    assert_eq!(signal.count(), 2, "and so did the revert");
    let notices: Vec<_> = w.store.state().notices.iter().map(|r| r.notice.clone()).collect();
    assert_eq!(notices.len(), 2, "lists only: crm carries events, which ada withdrew");
    assert!(notices.iter().all(|n| n.provider.as_str() == "lists"));
    let ProviderEvent::EmailChanged { previous_email, .. } = &notices[0].event else { panic!("not a change") };
    assert_eq!(
        (previous_email.as_str(), notices[0].email.as_ref().unwrap().as_str()),
        ("ada@example.com", "ada@new.example")
    );
    let ProviderEvent::EmailChanged { previous_email, .. } = &notices[1].event else { panic!("not a change") };
    assert_eq!(
        (previous_email.as_str(), notices[1].email.as_ref().unwrap().as_str()),
        ("ada@new.example", "ada@example.com")
    );
    assert!(notices[0].sequence < notices[1].sequence);
}
