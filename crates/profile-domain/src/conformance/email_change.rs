//! [`EmailChangeStore`](crate::ports::EmailChangeStore), the request
//! side: a request and its code commit together under the code limits, and
//! applying it changes the address once, for one account.

use futures_util::future::join_all;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::fixtures::{T0, session_token, signed_up};
use crate::ports::{ApplyOutcome, EmailChangeApplication, PurgeCutoffs, PutOutcome, SessionStore};
use crate::{
    CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, EmailContent, EmailId,
    OutgoingEmail, SecretHasher, SecretKey, SessionId, UserId,
};

/// Stores `request` with its code and message, with limits that never bite.
pub(super) async fn put_unlimited(
    store: &dyn Storage,
    request: &EmailChangeRequest,
    sent: &EmailChangeCodeSent,
    message: &OutgoingEmail,
) {
    let limits = CodeLimits {
        resend_cooldown: Duration::ZERO,
        per_user: 1000,
        per_destination: 1000,
        window: Duration::hours(1),
    };
    let outcome = store.put_request(request, sent, message, &limits).await.expect("the store answers");
    assert_eq!(outcome, PutOutcome::Stored);
}

pub(super) fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("a valid address")
}

pub(super) fn hasher() -> SecretHasher {
    SecretHasher::new(SecretKey::new(vec![1; 32]).expect("a long enough key"))
}

pub(super) fn message(id: u128, to: &EmailAddress, content: EmailContent) -> OutgoingEmail {
    OutgoingEmail {
        id: EmailId(Uuid::from_u128(id)),
        to: to.clone(),
        content,
        created_at: T0,
        expires_at: None,
        about: None,
    }
}

pub(super) fn request(user: UserId, to: &str, code: &str) -> EmailChangeRequest {
    EmailChangeRequest {
        user_id: user,
        new_email: email(to),
        code_hash: hasher().hash("code", &[code.as_bytes()]),
        created_at: T0,
        expires_at: T0 + Duration::minutes(15),
        attempts: 0,
    }
}

pub(super) fn sent(id: u128, user: UserId, to: &str, at: OffsetDateTime) -> EmailChangeCodeSent {
    EmailChangeCodeSent {
        id: Uuid::from_u128(id),
        user_id: user,
        destination: hasher().hash("d", &[to.as_bytes()]),
        sent_at: at,
    }
}

pub(super) fn application(user: UserId, old: &str, new: &str, code: &str, keep: u128) -> EmailChangeApplication {
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

pub(super) async fn session_exists(store: &dyn Storage, n: u128) -> bool {
    SessionStore::find(store, &session_token(n)).await.expect("the store answers").is_some()
}

/// Stores a pending change of `user` to `to` with `code` (no limits).
pub(super) async fn ask(store: &dyn Storage, user: UserId, to: &str, code: &str, n: u128) {
    let content = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    put_unlimited(store, &request(user, to, code), &sent(n, user, to, T0), &message(n, &email(to), content)).await;
}

fn strict() -> CodeLimits {
    CodeLimits { resend_cooldown: Duration::seconds(60), per_user: 2, per_destination: 1, window: Duration::hours(1) }
}

async fn put_strict(store: &dyn Storage, id: u128, user: UserId, to: &str, at: OffsetDateTime) -> PutOutcome {
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    store
        .put_request(&request(user, to, "1"), &sent(id, user, to, at), &message(id + 10, &email(to), code), &strict())
        .await
        .expect("the store answers")
}

/// A new request replaces the pending one, and attempts at its code count.
pub async fn a_request_replaces_the_previous_one_and_its_attempts_count(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ask(store, ada, "a@new.example", "111111", 1).await;
    ask(store, ada, "b@new.example", "222222", 2).await;
    let pending = store.record_change_attempt(ada).await.expect("the store answers").expect("a request is pending");
    assert_eq!((pending.new_email.as_str(), pending.attempts), ("b@new.example", 1));
    assert_eq!(pending.code_hash, hasher().hash("code", &[b"222222"]));
    let stranger = UserId::new_v7(99, [9; 10]);
    assert!(store.record_change_attempt(stranger).await.expect("the store answers").is_none());
}

/// The resend cooldown, the codes per user and the codes per destination
/// are enforced in the write that records the code, with the wait left.
pub async fn the_code_limits_are_enforced_where_the_code_is_recorded(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    assert_eq!(put_strict(store, 1, ada, "x@new.example", T0 - Duration::hours(2)).await, PutOutcome::Stored);
    assert_eq!(
        put_strict(store, 2, ada, "y@new.example", T0).await,
        PutOutcome::Stored,
        "the first is outside the window"
    );
    let cooling = put_strict(store, 3, ada, "z@new.example", T0 + Duration::seconds(10)).await;
    assert_eq!(cooling, PutOutcome::Limited(Duration::seconds(50)));
    let taken_destination = put_strict(store, 4, bob, "y@new.example", T0 + Duration::seconds(20)).await;
    assert_eq!(taken_destination, PutOutcome::Limited(Duration::seconds(3580)), "y had its code this hour");
    assert_eq!(put_strict(store, 5, bob, "w@new.example", T0 + Duration::seconds(30)).await, PutOutcome::Stored);
    assert_eq!(store.owner_of(&email("bob@example.com")).await.expect("the store answers"), Some(bob));
    assert_eq!(store.owner_of(&email("nobody@example.com")).await.expect("the store answers"), None);
}

/// Requests made at the same time cannot slip past the cooldown: one
/// code goes out.
pub async fn parallel_requests_cannot_slip_past_the_cooldown(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let tries = join_all((0..8_u128).map(|i| async move {
        let to = email(&format!("p{i}@new.example"));
        let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
        let req = request(ada, to.as_str(), "1");
        let sent = sent(100 + i, ada, to.as_str(), T0);
        store.put_request(&req, &sent, &message(200 + i, &to, code), &strict()).await.expect("the store answers")
    }))
    .await;
    let stored = tries.iter().filter(|o| **o == PutOutcome::Stored).count();
    assert_eq!(stored, 1, "exactly one code went out: {tries:?}");
}

/// Applying with the right code changes the address, ends every other
/// session, keeps the revert record and consumes the request; a wrong
/// code changes nothing.
pub async fn applying_changes_the_address_keeps_only_the_current_session_and_records_it(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    signed_up(store, "ada", 2).await;
    ask(store, ada, "ada@new.example", "123456", 1).await;
    let wrong = application(ada, "ada@example.com", "ada@new.example", "999999", 1);
    assert_eq!(store.apply(&wrong).await.expect("the store answers"), ApplyOutcome::RequestGone);
    let ApplyOutcome::Applied(account) = store
        .apply(&application(ada, "ada@example.com", "ada@new.example", "123456", 1))
        .await
        .expect("the store answers")
    else {
        panic!("not applied")
    };
    assert_eq!(account.email, email("ada@new.example"));
    assert_eq!(account.updated_at, T0 + Duration::minutes(1));
    assert!(session_exists(store, 1).await && !session_exists(store, 2).await);
    let record = store
        .find_record(&hasher().hash("revert", &[b"token"]))
        .await
        .expect("the store answers")
        .expect("it is there");
    assert_eq!((record.old_email.as_str(), record.reverted_at), ("ada@example.com", None));
    assert!(store.record_change_attempt(ada).await.expect("the store answers").is_none(), "the request is consumed");
}

/// An address another account took meanwhile is refused and nothing
/// changes.
pub async fn the_database_refuses_an_address_another_account_took_meanwhile(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ask(store, ada, "taken@example.com", "123456", 1).await;
    signed_up(store, "taken", 2).await;
    let outcome = store
        .apply(&application(ada, "ada@example.com", "taken@example.com", "123456", 1))
        .await
        .expect("the store answers");
    assert_eq!(outcome, ApplyOutcome::AddressTaken);
    assert!(
        store.record_change_attempt(ada).await.expect("the store answers").is_some(),
        "nothing changed: the request is still there"
    );
    assert!(store.find_record(&hasher().hash("revert", &[b"token"])).await.expect("the store answers").is_none());
}

/// Of two accounts confirming one address at once, exactly one gets it.
pub async fn of_two_accounts_confirming_one_address_at_once_exactly_one_wins(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    let code = EmailContent::EmailChangeCode { code: "1".into(), valid_minutes: 15 };
    for (n, user) in [(0_u128, ada), (1, bob)] {
        let (req, log) = (request(user, "both@new.example", "123456"), sent(10 + n, user, "both@new.example", T0));
        put_unlimited(store, &req, &log, &message(20 + n, &email("both@new.example"), code.clone())).await;
    }
    let tries = [(ada, "ada@example.com", 1_u128), (bob, "bob@example.com", 2)].map(|(user, old, n)| async move {
        let mut app = application(user, old, "both@new.example", "123456", n);
        app.record.id = Uuid::from_u128(80 + n);
        app.record.revert_hash = hasher().hash("revert", &[&n.to_be_bytes()]);
        app.notice.id = EmailId(Uuid::from_u128(90 + n));
        store.apply(&app).await.expect("the store answers")
    });
    let outcomes = join_all(tries).await;
    assert_eq!(outcomes.iter().filter(|o| matches!(o, ApplyOutcome::Applied(_))).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == ApplyOutcome::AddressTaken).count(), 1, "{outcomes:?}");
}

/// Housekeeping drops expired requests and old entries of the code log,
/// not before their cutoffs.
pub async fn housekeeping_drops_stale_requests_and_old_code_log_entries(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    ask(store, ada, "ada@new.example", "1", 1).await;
    let cutoffs = |stale: OffsetDateTime, log: OffsetDateTime| PurgeCutoffs {
        now: T0,
        finished_before: T0 - Duration::days(30),
        code_log_before: log,
        stale_requests_before: stale,
        reports_before: T0 - Duration::days(30),
    };
    let kept =
        store.purge(&cutoffs(T0 + Duration::minutes(14), T0 - Duration::seconds(1))).await.expect("the store answers");
    assert_eq!((kept.change_requests, kept.code_log), (0, 0));
    let gone = store.purge(&cutoffs(T0 + Duration::minutes(15), T0)).await.expect("the store answers");
    assert_eq!((gone.change_requests, gone.code_log), (1, 1));
    assert!(store.record_change_attempt(ada).await.expect("the store answers").is_none());
}
