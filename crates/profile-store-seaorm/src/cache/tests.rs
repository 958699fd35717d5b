//! Unit tests of the cache rules: trusted only after a recent read of the
//! feed, a read that raced a change is not kept, a feed row drops what it
//! names, and the bound on entries holds.

use std::time::{Duration, Instant};

use profile_domain::{Account, EmailAddress, SecretHasher, SecretKey, Session, SessionId, UserId};
use time::macros::datetime;
use uuid::Uuid;

use super::*;

/// A clock that never moves: these rules do not read the feed's times.
struct Still;

impl Clock for Still {
    fn now(&self) -> OffsetDateTime {
        datetime!(2026-12-06 12:00 UTC)
    }
}

fn policy() -> CachePolicy {
    CachePolicy { max_entries: 100, ..CachePolicy::new([7; 32], Arc::new(Still)) }
}

fn user(n: u8) -> UserId {
    UserId::new_v7(1, [n; 10])
}

fn account(n: u8) -> Account {
    Account::new(user(n), EmailAddress::parse(&format!("u{n}@example.com")).unwrap(), datetime!(2026-12-06 12:00 UTC))
}

fn session(n: u8) -> Session {
    let at = datetime!(2026-12-06 12:00 UTC);
    let hasher = SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap());
    Session {
        id: SessionId(Uuid::from_u128(u128::from(n))),
        user_id: user(n),
        token_hash: hasher.hash("t", &[&[n]]),
        created_at: at,
        expires_at: at + time::Duration::days(1),
        last_seen_at: at,
    }
}

fn key(n: u8) -> [u8; 32] {
    *session(n).token_hash.as_bytes()
}

fn trusted() -> Caches {
    trusted_with(policy())
}

fn trusted_with(policy: CachePolicy) -> Caches {
    let caches = Caches::with(Some(policy));
    caches.apply(&[], Instant::now(), 0);
    caches
}

#[test]
fn nothing_is_trusted_before_the_feed_is_read_nor_when_it_was_read_too_long_ago_nor_when_off() {
    let caches = Caches::with(Some(policy()));
    assert!(caches.ticket().is_none(), "never read");
    caches.apply(&[], Instant::now().checked_sub(Duration::from_secs(2)).unwrap(), 0);
    assert!(caches.ticket().is_none(), "read two seconds ago, trusted for one");
    caches.apply(&[], Instant::now(), 0);
    assert!(caches.ticket().is_some());
    let off = Caches::with(Some(CachePolicy { enabled: false, ..policy() }));
    off.apply(&[], Instant::now(), 0);
    assert!(off.ticket().is_none(), "a disabled cache is never read");
    assert!(off.subject(user(1)).is_some(), "but it still names changes for the feed");
    assert!(Caches::off().subject(user(1)).is_none());
}

#[test]
fn a_read_that_started_before_a_change_is_not_kept() {
    let caches = trusted();
    let before = caches.ticket().unwrap();
    caches.changed(user(1));
    caches.keep_account(before, &account(1));
    assert_eq!(caches.account(user(1)), None, "the change dropped it while it was being read");
    let after = caches.ticket().unwrap();
    caches.keep_account(after, &account(1));
    assert_eq!(caches.account(user(1)), Some(account(1)));
}

#[test]
fn a_change_drops_the_accounts_sessions_and_profile_and_nothing_else() {
    let caches = trusted();
    let ticket = caches.ticket().unwrap();
    for n in [1, 2] {
        caches.keep_account(ticket, &account(n));
        caches.keep_session(ticket, &session(n));
    }
    caches.keep_current_picture(ticket, user(1), None);
    caches.changed(user(1));
    assert_eq!(caches.session(&key(1)), None);
    assert_eq!(caches.account(user(1)), None);
    assert_eq!(caches.current_picture(user(1)), None);
    assert_eq!(caches.session(&key(2)), Some(session(2)));
    assert_eq!(caches.account(user(2)), Some(account(2)));
}

#[test]
fn a_feed_row_drops_what_it_names_once_and_marks_the_read() {
    let caches = trusted();
    let ticket = caches.ticket().unwrap();
    caches.keep_session(ticket, &session(1));
    caches.keep_session(ticket, &session(2));
    let row = (Uuid::from_u128(9), caches.subject(user(1)).unwrap(), 1_000);
    caches.apply(std::slice::from_ref(&row), Instant::now(), 1_000);
    assert_eq!(caches.session(&key(1)), None);
    assert!(caches.session(&key(2)).is_some());
    let ticket = caches.ticket().unwrap();
    caches.keep_session(ticket, &session(1));
    caches.apply(std::slice::from_ref(&row), Instant::now(), 1_500);
    assert!(caches.session(&key(1)).is_some(), "a row already applied does not drop again");
    let unknown = (Uuid::from_u128(10), "00".repeat(16), 1_600);
    let epoch = caches.ticket().unwrap();
    caches.apply(&[unknown], Instant::now(), 1_600);
    caches.keep_account(epoch, &account(2));
    assert_eq!(caches.account(user(2)), None, "any fresh row stops reads under way from being kept");
}

#[test]
fn the_touch_time_is_kept_in_the_cached_session_and_the_bound_empties_the_caches() {
    let caches = trusted_with(CachePolicy { max_entries: 4, ..policy() });
    let ticket = caches.ticket().unwrap();
    caches.keep_session(ticket, &session(1));
    let later = datetime!(2026-12-06 12:05 UTC);
    caches.touched(session(1).id, later);
    assert_eq!(caches.session(&key(1)).unwrap().last_seen_at, later);
    // max_entries is 4, sessions and accounts together: the session and
    // its account entry, then two more accounts fill it.
    for n in 2..=3 {
        caches.keep_account(ticket, &account(n));
    }
    assert!(caches.session(&key(1)).is_some());
    caches.keep_account(ticket, &account(4));
    assert_eq!(caches.session(&key(1)), None, "past the bound everything goes");
    assert_eq!(caches.account(user(4)), Some(account(4)));
}
