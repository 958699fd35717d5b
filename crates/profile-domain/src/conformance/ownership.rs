//! The ownership rule shared by the erasure and the export: rows found by
//! an address are the user's only for the time the address was theirs;
//! erasure jobs fall due in order; a notice being sent is not dropped by
//! the erasure's.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::email_change::{application, email, put_unlimited, request, sent};
use super::fixtures::{T0, challenge, completion, erasure_job, grant_news, lists, signed_up};
use crate::ports::{ApplyOutcome, ErasureStore, SignInOutcome};
use crate::{EmailAddress, EmailContent, EmailId, NoticeFor, OutgoingEmail, UserId};

/// A sign-in code (challenge and message `n`) to `to`, sent at `at`.
async fn code_to(store: &dyn Storage, to: &EmailAddress, n: u128, at: OffsetDateTime) {
    let challenge =
        crate::SignInChallenge { created_at: at, expires_at: at + Duration::minutes(10), ..challenge(to, "1") };
    let content = EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 };
    let message = OutgoingEmail {
        id: EmailId(Uuid::from_u128(n)),
        to: to.clone(),
        content,
        created_at: at,
        expires_at: None,
        about: None,
    };
    store.put_challenge(&challenge, &message).await.expect("the code is stored");
}

/// Erasure jobs are claimed in the order they fall due.
pub async fn erasure_jobs_are_claimed_in_the_order_they_fall_due(store: &dyn Storage) {
    let mut users = Vec::new();
    for (n, name) in [(1, "ada"), (2, "bob"), (3, "cy")] {
        users.push((signed_up(store, name, n).await, super::address(name)));
    }
    for ((user, email), (n, minutes)) in users.iter().zip([(501, 3), (502, 1), (503, 2)]) {
        store.request(&erasure_job(n, *user, email, T0 + Duration::minutes(minutes))).await.expect("requested");
    }
    let now = T0 + Duration::hours(1);
    let first = ErasureStore::claim_due(store, now, "w", now + Duration::minutes(2), 2).await.expect("claim");
    let ids: Vec<u128> = first.iter().map(|j| j.receipt.id.0.as_u128()).collect();
    assert_eq!(ids, [502, 503], "the two due first, in order");
}

/// A notice being sent when the erasure queues its own is not dropped: the
/// erasure's comes after it; a waiting one is dropped.
pub async fn the_erasure_keeps_a_notice_being_sent_and_queues_behind_it(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    grant_news(store, 10, ada, &[NoticeFor::to_provider(Uuid::from_u128(100), lists())]).await;
    let leased = store.claim_due_notices(&[lists()], "w", T0, T0 + Duration::minutes(2), 9).await.expect("claim");
    assert_eq!(leased.len(), 1, "the consent notice is being sent");
    let erasure = [NoticeFor::to_provider(Uuid::from_u128(200), lists())];
    let queued = store.queue_erasure_notices(ada, "ada@example.com", &erasure, T0 + Duration::minutes(1));
    queued.await.expect("queued");
    let outcome = crate::ports::NoticeOutcome::Delivered { status: 204 };
    let delivered = store.record_notice_outcome(Uuid::from_u128(100), "w", &outcome, T0 + Duration::minutes(1));
    delivered.await.expect("the notice being sent is still there to finish");
    let later = T0 + Duration::minutes(5);
    let next = store.claim_due_notices(&[lists()], "w", later, later + Duration::minutes(2), 9).await.expect("claim");
    let ids: Vec<u128> = next.iter().map(|q| q.notice.id.as_u128()).collect();
    assert_eq!(ids, [200], "the erasure's notice, after the one that was being sent");
    assert!(next[0].notice.sequence > leased[0].notice.sequence, "numbered after it");
}

/// Ada moves off an address; once its revert link has expired Eve signs
/// up with it. Ada's addresses leave it out; the erasure of Ada takes the
/// mail sent to it while it was hers and leaves Eve's, and Eve's export
/// shows only Eve's.
pub async fn an_address_passed_to_someone_else_keeps_that_persons_rows(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let (old, new) = (super::address("ada"), email("ada@new.example"));
    code_to(store, &old, 60, T0 - Duration::hours(2)).await;
    put_unlimited(
        store,
        &request(ada, new.as_str(), "7"),
        &sent(61, ada, new.as_str(), T0),
        &super::fixtures::message(62, &new),
    )
    .await;
    let moved = store.apply(&application(ada, old.as_str(), new.as_str(), "7", 1)).await.expect("applied");
    assert!(matches!(moved, ApplyOutcome::Applied(_)), "{moved:?}");
    assert_eq!(store.addresses(ada).await.expect("read"), ["ada@example.com", "ada@new.example"]);

    let eve_at = T0 + Duration::days(8);
    let eves = crate::SignInChallenge {
        created_at: eve_at,
        expires_at: eve_at + Duration::minutes(10),
        ..challenge(&old, "8")
    };
    let eve_code = OutgoingEmail { created_at: eve_at, ..super::fixtures::message(63, &old) };
    store.put_challenge(&eves, &eve_code).await.expect("eve's code");
    let mut signing_up = completion(&old, "8", 2);
    signing_up.session.created_at = eve_at;
    signing_up.new_account = crate::Account::new(UserId::new_v7(1_764_417_600_099, [2; 10]), old.clone(), eve_at);
    let SignInOutcome::Completed(eve) = store.complete_sign_in(&signing_up).await.expect("read") else {
        panic!("eve signs up once ada's revert link has expired")
    };
    let eve = eve.account.id;
    assert_eq!(store.addresses(ada).await.expect("read"), ["ada@new.example"], "eve's address is eve's now");
    code_to(store, &old, 64, eve_at + Duration::minutes(1)).await;
    let eves_mail = |s: Option<crate::export::ExportSnapshot>| {
        s.expect("eve exists").emails.iter().map(|e| e.id.as_u128()).collect::<Vec<_>>()
    };
    let before = eves_mail(store.snapshot(eve).await.expect("read"));
    assert!(before.contains(&63) && before.contains(&64) && !before.contains(&60), "not ada's code: {before:?}");
    let adas: Vec<u128> =
        store.snapshot(ada).await.expect("read").expect("ada").emails.iter().map(|e| e.id.as_u128()).collect();
    assert!(adas.contains(&60) && !adas.contains(&64), "ada's export: her time at the address only: {adas:?}");

    store.request(&erasure_job(500, ada, &new, T0)).await.expect("requested");
    let now = eve_at + Duration::hours(1);
    assert_eq!(ErasureStore::claim_due(store, now, "w", now + Duration::minutes(2), 9).await.expect("claim").len(), 1);
    let mut done = erasure_job(500, ada, &new, T0).receipt;
    done.completed_at = Some(now);
    store.erase(ada, &[], &done, "w").await.expect("erased");
    assert_eq!(eves_mail(store.snapshot(eve).await.expect("read")), before, "eve's mail stays");
    assert!(store.record_attempt(&old).await.expect("read").is_some(), "eve's pending code stays");
}
