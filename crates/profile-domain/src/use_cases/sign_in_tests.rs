//! Unit tests of the sign-in rules.

use std::sync::Arc;

use time::{Duration, macros::datetime};

use super::*;
use crate::SecretKey;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};

struct World {
    store: Arc<InMemoryStore>,
    clock: Arc<FixedClock>,
    sign_in: SignIn,
}

/// A sign-in whose first code is `first_code`.
fn world(first_code: u32) -> World {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC)));
    let random = Arc::new(SeqRandom::from_words(&[first_code]));
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let sign_in = SignIn::new(store.clone(), clock.clone(), random, hasher, SignInPolicy::default());
    World { store, clock, sign_in }
}

fn ada() -> EmailAddress {
    EmailAddress::parse("ada@example.com").unwrap()
}

#[tokio::test]
async fn starting_queues_the_code_by_email_and_stores_only_its_hash() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    let state = w.store.state();
    let message = &state.outbox[0].email;
    assert_eq!(message.to, ada());
    assert_eq!(message.content, EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 });
    let challenge = &state.challenges["ada@example.com"];
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let expected = hasher.hash("sign-in-code", &[b"ada@example.com", b"123456"]);
    assert!(challenge.code_hash.matches(&expected), "the stored value is the keyed hash of address and code");
    assert_eq!(challenge.expires_at - challenge.created_at, Duration::minutes(10));
}

#[tokio::test]
async fn the_right_code_creates_the_account_on_first_sign_in_and_opens_a_session() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    let signed_in = w.sign_in.verify(&ada(), "123456").await.unwrap();
    assert!(signed_in.created);
    assert_eq!(signed_in.account.email, ada());
    let state = w.store.state();
    assert_eq!(state.accounts.len(), 1);
    let session = state.sessions.values().next().unwrap();
    assert_eq!(session.user_id, signed_in.account.id);
    assert_ne!(session.token_hash.to_hex(), signed_in.token.reveal());
    assert_eq!(session.expires_at - session.created_at, Duration::days(30));
}

#[tokio::test]
async fn a_second_sign_in_reuses_the_account() {
    let w = world(111_111);
    w.sign_in.start(ada()).await.unwrap();
    let first = w.sign_in.verify(&ada(), "111111").await.unwrap();
    w.sign_in.start(ada()).await.unwrap();
    let code = code_sent_last(&w);
    let second = w.sign_in.verify(&ada(), &code).await.unwrap();
    assert!(!second.created);
    assert_eq!(first.account.id, second.account.id);
    assert_eq!(w.store.state().sessions.len(), 2);
}

fn code_sent_last(w: &World) -> String {
    let state = w.store.state();
    let EmailContent::SignInCode { code, .. } = &state.outbox.last().unwrap().email.content else {
        panic!("the last message is not a sign-in code")
    };
    code.clone()
}

#[tokio::test]
async fn a_code_works_only_once() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    w.sign_in.verify(&ada(), "123456").await.unwrap();
    let again = w.sign_in.verify(&ada(), "123456").await;
    assert!(matches!(again, Err(VerifySignInError::InvalidCode)));
}

#[tokio::test]
async fn a_wrong_code_fails_and_creates_nothing() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    let result = w.sign_in.verify(&ada(), "654321").await;
    assert!(matches!(result, Err(VerifySignInError::InvalidCode)));
    assert!(w.store.state().accounts.is_empty());
    assert!(w.store.state().sessions.is_empty());
}

#[tokio::test]
async fn a_code_for_another_address_does_not_work() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    let bob = EmailAddress::parse("bob@example.com").unwrap();
    assert!(matches!(w.sign_in.verify(&bob, "123456").await, Err(VerifySignInError::InvalidCode)));
}

#[tokio::test]
async fn an_expired_code_fails_with_the_same_error_as_a_wrong_one() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    w.clock.advance(Duration::minutes(10));
    let result = w.sign_in.verify(&ada(), "123456").await;
    assert!(matches!(result, Err(VerifySignInError::InvalidCode)));
}

#[tokio::test]
async fn a_code_just_before_expiry_still_works() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    w.clock.advance(Duration::minutes(10) - Duration::milliseconds(1));
    assert!(w.sign_in.verify(&ada(), "123456").await.is_ok());
}

#[tokio::test]
async fn the_fifth_attempt_may_succeed_but_the_sixth_fails_even_with_the_right_code() {
    for (wrong_tries, should_succeed) in [(4, true), (5, false)] {
        let w = world(123_456);
        w.sign_in.start(ada()).await.unwrap();
        for _ in 0..wrong_tries {
            assert!(w.sign_in.verify(&ada(), "000000").await.is_err());
        }
        let result = w.sign_in.verify(&ada(), "123456").await;
        assert_eq!(result.is_ok(), should_succeed, "after {wrong_tries} wrong tries");
    }
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC)));
    let random = Arc::new(SeqRandom::from_words(&[111_111, 222_222]));
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let sign_in = SignIn::new(store, clock, random, hasher, SignInPolicy::default());
    sign_in.start(ada()).await.unwrap();
    sign_in.start(ada()).await.unwrap();
    assert!(matches!(sign_in.verify(&ada(), "111111").await, Err(VerifySignInError::InvalidCode)));
    assert!(sign_in.verify(&ada(), "222222").await.is_ok());
}

#[tokio::test]
async fn verifying_without_any_code_sent_fails_like_a_wrong_code() {
    let w = world(123_456);
    assert!(matches!(w.sign_in.verify(&ada(), "123456").await, Err(VerifySignInError::InvalidCode)));
}

#[tokio::test]
async fn codes_typed_with_spaces_or_hyphens_are_accepted() {
    for typed in ["123 456", "123-456", " 123456 "] {
        let w = world(123_456);
        w.sign_in.start(ada()).await.unwrap();
        assert!(w.sign_in.verify(&ada(), typed).await.is_ok(), "{typed:?}");
    }
}

#[tokio::test]
async fn a_code_that_is_not_six_digits_is_malformed_and_uses_no_attempt() {
    let w = world(123_456);
    w.sign_in.start(ada()).await.unwrap();
    for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
        assert!(matches!(w.sign_in.verify(&ada(), bad).await, Err(VerifySignInError::MalformedCode)), "{bad:?}");
    }
    assert_eq!(w.store.state().challenges["ada@example.com"].attempts, 0);
}

#[tokio::test]
async fn a_validity_under_a_minute_is_shown_as_one_minute_not_zero() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC)));
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let policy = SignInPolicy { code_ttl: Duration::seconds(5), ..SignInPolicy::default() };
    let sign_in = SignIn::new(store.clone(), clock, Arc::new(SeqRandom::from_words(&[1])), hasher, policy);
    sign_in.start(ada()).await.unwrap();
    let state = store.state();
    assert!(matches!(state.outbox[0].email.content, EmailContent::SignInCode { valid_minutes: 1, .. }));
}

#[tokio::test]
async fn a_storage_failure_is_reported_as_unexpected() {
    let store = InMemoryStore::default();
    store.state().down = true;
    let hasher = SecretHasher::new(SecretKey::new(vec![42; 32]).unwrap());
    let sign_in = SignIn::new(
        Arc::new(store),
        Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC))),
        Arc::new(SeqRandom::from_words(&[])),
        hasher,
        SignInPolicy::default(),
    );
    assert!(matches!(sign_in.start(ada()).await, Err(StartSignInError::Unexpected(_))));
}
