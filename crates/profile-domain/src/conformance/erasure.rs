//! [`ErasureStore`]: a request ends the
//! sessions and stops sign-in; jobs are leased and only their holder saves
//! progress or erases; the erasure's notices supersede waiting ones; a
//! grace period can be cancelled; and an erasure leaves nothing of the user
//! that any port can read, and everything of anyone else.

use time::Duration;
use uuid::Uuid;

use super::Storage;
use super::fixtures::{
    T0, address, challenge, completion, erasure_job, grant_news, lists, message, session_token, signed_up,
};
use crate::erasure::{ErasureJob, ReceiptId, erased_address_hash};
use crate::ports::{
    AccountStore, CancelOutcome, ConfirmationState, DeliveryOutcome, ErasureRequested, ErasureStore, OutboxStore,
    SessionStore, SignInOutcome,
};
use crate::{
    EmailContent, EmailId, ImageFormat, NoticeFor, OutgoingEmail, Picture, PictureFile, PictureSlot, SecretHasher,
    SecretKey, SecurityEventKind, UserId,
};

/// Erasure job `n` of `name@example.com`, due at `T0`, with no grace period.
fn job(n: u128, user: UserId, name: &str) -> ErasureJob {
    erasure_job(n, user, &address(name), T0)
}

/// Job `n` of `user` whose grace period ends an hour after `T0`.
fn graced(n: u128, user: UserId, name: &str) -> ErasureJob {
    let mut job = job(n, user, name);
    job.receipt.erase_after = T0 + Duration::hours(1);
    job.next_attempt_at = job.receipt.erase_after;
    job
}

async fn claim(store: &dyn Storage, worker: &str, now: time::OffsetDateTime) -> Vec<ErasureJob> {
    ErasureStore::claim_due(store, now, worker, now + Duration::minutes(2), 9).await.expect("a claim")
}

/// A request ends every session, a second one names the first receipt,
/// one for no account is refused, and sign-in then opens no session.
pub async fn a_request_ends_the_sessions_refuses_a_second_and_stops_sign_in(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let first = job(500, ada, "ada");
    assert_eq!(store.request(&first).await.expect("requested"), ErasureRequested::Started);
    assert!(SessionStore::find(store, &session_token(1)).await.expect("read").is_none(), "every session ended");
    let second = store.request(&job(501, ada, "ada")).await.expect("read");
    assert_eq!(second, ErasureRequested::AlreadyRequested(ReceiptId(Uuid::from_u128(500))));
    let nobody = UserId::new_v7(9, [9; 10]);
    assert_eq!(store.request(&job(502, nobody, "x")).await.expect("read"), ErasureRequested::NoAccount);

    let to = address("ada");
    store.put_challenge(&challenge(&to, "555555"), &message(77, &to)).await.expect("stored");
    let outcome = store.complete_sign_in(&completion(&to, "555555", 55)).await.expect("read");
    assert_eq!(outcome, SignInOutcome::AccountBeingDeleted);
    assert!(SessionStore::find(store, &session_token(55)).await.expect("read").is_none(), "no session opened");
    let receipt = store.receipt(first.receipt.id).await.expect("read");
    assert_eq!(receipt, Some(first.receipt), "the receipt is stored as asked");
    let kinds: Vec<SecurityEventKind> = store.history(ada).await.expect("read").iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [SecurityEventKind::SignedIn], "without a grace period the request records nothing");
}

/// A job is leased to one worker; only that worker saves progress, which
/// frees the lease and sets when the job is next due.
pub async fn a_job_is_leased_to_one_worker_and_only_it_saves_progress(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    store.request(&job(500, ada, "ada")).await.expect("requested");
    let claimed = claim(store, "a", T0).await;
    assert_eq!(claimed.len(), 1);
    assert!(claim(store, "b", T0).await.is_empty(), "leased to a");
    let mut progressed = claimed[0].clone();
    progressed.receipt.steps[0].done_at = Some(T0);
    progressed.receipt.steps[1].failures = 2;
    progressed.receipt.steps[1].last_problem = Some("provider down".to_owned());
    progressed.next_attempt_at = T0 + Duration::minutes(1);
    store.save_progress(&progressed, "b").await.expect("no error without the lease");
    let stored = store.receipt(progressed.receipt.id).await.expect("read").expect("kept");
    assert_eq!(stored.steps[0].done_at, None, "b does not hold the lease");
    store.save_progress(&progressed, "a").await.expect("saved");
    let stored = store.receipt(progressed.receipt.id).await.expect("read");
    assert_eq!(stored.as_ref(), Some(&progressed.receipt));
    assert!(claim(store, "b", T0).await.is_empty(), "not due yet");
    let again = claim(store, "b", T0 + Duration::minutes(1)).await;
    assert_eq!(again.iter().map(|j| &j.receipt).collect::<Vec<_>>(), [&progressed.receipt]);
}

/// A lease is renewed only by its holder and only while it runs; once it
/// has run out another worker takes the job over.
pub async fn a_lease_is_renewed_only_by_its_holder_while_it_runs(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let id = ReceiptId(Uuid::from_u128(500));
    store.request(&job(500, ada, "ada")).await.expect("requested");
    claim(store, "a", T0).await;
    let (t1, t3) = (T0 + Duration::minutes(1), T0 + Duration::minutes(3));
    assert!(store.renew_lease(id, "a", t1, t3).await.expect("read"));
    assert!(!store.renew_lease(id, "b", t1, t3).await.expect("read"), "not b's");
    let late = T0 + Duration::minutes(4);
    assert!(!store.renew_lease(id, "a", late, late + Duration::minutes(2)).await.expect("read"), "it ran out");
    assert_eq!(claim(store, "b", late).await.len(), 1, "b took over");
    assert!(!store.renew_lease(id, "a", late, late + Duration::minutes(2)).await.expect("read"));
}

/// The erasure's notices drop the user's waiting notices and are queued
/// once; its confirmation email is queued once and followed to the end.
pub async fn erasure_notices_supersede_waiting_ones_and_are_queued_once(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    grant_news(store, 10, ada, &[NoticeFor::to_provider(Uuid::from_u128(100), lists())]).await;
    let notice = NoticeFor::to_provider(Uuid::from_u128(200), lists());
    for _ in 0..2 {
        let queued = store.queue_erasure_notices(ada, "ada@example.com", std::slice::from_ref(&notice), T0);
        queued.await.expect("queued");
    }
    assert_eq!(store.erasure_notices(ada).await.expect("read"), [(lists(), None)]);
    let waiting = store.claim_due_notices(&[lists()], "w", T0, T0 + Duration::minutes(2), 9).await.expect("claim");
    let ids: Vec<Uuid> = waiting.iter().map(|q| q.notice.id).collect();
    assert_eq!(ids, [Uuid::from_u128(200)], "the consent notice was dropped, the erasure notice queued once");

    let confirmation = OutgoingEmail {
        id: EmailId(Uuid::from_u128(300)),
        to: address("ada"),
        content: EmailContent::AccountDeleted { receipt_url: "https://p.example/r".to_owned() },
        created_at: T0,
        expires_at: None,
        about: None,
    };
    assert_eq!(store.confirmation(&confirmation).await.expect("queued"), ConfirmationState::Waiting);
    assert_eq!(store.confirmation(&confirmation).await.expect("read"), ConfirmationState::Waiting);
    let now = T0 + Duration::hours(1);
    let queued = OutboxStore::claim_due(store, "m", now, now + Duration::minutes(2), 50).await.expect("claim");
    let ids: Vec<EmailId> = queued.iter().map(|q| q.email.id).filter(|id| *id == confirmation.id).collect();
    assert_eq!(ids, [confirmation.id], "queued once");
    store.record_outcome(confirmation.id, "m", &DeliveryOutcome::Sent, now).await.expect("recorded");
    assert_eq!(store.confirmation(&confirmation).await.expect("read"), ConfirmationState::Finished);
}

/// Within the grace period the deletion waits and can be cancelled (once,
/// recorded, the receipt marked); at its end, or once a worker holds the
/// job, it is too late.
pub async fn within_the_grace_period_the_deletion_can_be_cancelled(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let graced = graced(500, ada, "ada");
    store.request(&graced).await.expect("requested");
    assert!(claim(store, "w", T0).await.is_empty(), "not due yet");
    assert_eq!(store.pending(ada).await.expect("read").map(|r| r.id), Some(graced.receipt.id));
    let to = address("ada");
    store.put_challenge(&challenge(&to, "333333"), &message(33, &to)).await.expect("stored");
    let again = store.complete_sign_in(&completion(&to, "333333", 33)).await.expect("read");
    assert!(matches!(again, SignInOutcome::Completed(_)), "within the grace period sign-in works: {again:?}");
    let too_late = store.cancel(ada, T0 + Duration::hours(1)).await.expect("read");
    assert_eq!(too_late, CancelOutcome::TooLate, "at the end it runs");
    let at = T0 + Duration::minutes(30);
    let CancelOutcome::Cancelled(answered) = store.cancel(ada, at).await.expect("cancelled") else {
        panic!("not cancelled")
    };
    assert_eq!(store.cancel(ada, at).await.expect("read"), CancelOutcome::NothingToCancel);
    let receipt = store.receipt(graced.receipt.id).await.expect("read").expect("kept");
    assert_eq!(*answered, receipt, "the answer is the stored receipt");
    assert_eq!((receipt.cancelled_at, receipt.erase_after), (Some(at), T0 + Duration::hours(1)));
    let kinds: Vec<SecurityEventKind> = store.history(ada).await.expect("read").iter().map(|e| e.kind).collect();
    let expected = [
        SecurityEventKind::SignedIn,
        SecurityEventKind::DeletionRequested,
        SecurityEventKind::SignedIn,
        SecurityEventKind::DeletionCancelled,
    ];
    assert_eq!(kinds, expected, "the sign-in within the grace period is recorded too");

    let mut leased = job(501, ada, "ada");
    leased.receipt.erase_after = T0 + Duration::hours(3);
    store.request(&leased).await.expect("requested");
    assert_eq!(claim(store, "w", T0).await.len(), 1);
    assert_eq!(store.cancel(ada, T0).await.expect("read"), CancelOutcome::TooLate, "a worker holds it");
}

/// From the request until a cancel, the account counts as being deleted.
pub async fn an_account_counts_as_being_deleted_from_the_request_until_a_cancel(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    assert!(store.being_deleted(&[ada, bob]).await.expect("read").is_empty());
    store.request(&graced(500, ada, "ada")).await.expect("requested");
    assert_eq!(store.being_deleted(&[ada, bob]).await.expect("read"), [ada]);
    assert!(store.being_deleted(&[]).await.expect("read").is_empty());
    store.cancel(ada, T0).await.expect("cancelled");
    assert!(store.being_deleted(&[ada, bob]).await.expect("read").is_empty(), "cancelled");
}

/// Once the erasure runs, a consent change queues no notice; the
/// erasure's own notice still goes.
pub async fn once_an_erasure_runs_no_other_notice_is_queued_for_the_user(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    store.request(&job(500, ada, "ada")).await.expect("requested");
    grant_news(store, 10, ada, &[NoticeFor::to_provider(Uuid::from_u128(11), lists())]).await;
    let waiting = store.claim_due_notices(&[lists()], "w", T0, T0 + Duration::minutes(2), 9).await.expect("claim");
    assert!(waiting.is_empty(), "a change during the erasure tells the providers nothing more");
    let notice = NoticeFor::to_provider(Uuid::from_u128(200), lists());
    store.queue_erasure_notices(ada, "ada@example.com", &[notice], T0).await.expect("queued");
    assert_eq!(store.erasure_notices(ada).await.expect("read"), [(lists(), None)], "the erasure notice goes");
}

/// Only the lease holder erases; then nothing of the user can be read
/// through any port (account, sessions, consents, pictures, history,
/// export, public profile, pending code), the address is suppressed as a
/// keyed hash, the receipt is completed, and the other user is untouched.
pub async fn an_erasure_leaves_nothing_of_the_user_and_everything_of_anyone_else(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    for (n, user) in [(10, ada), (20, bob)] {
        grant_news(store, n, user, &[NoticeFor::to_provider(Uuid::from_u128(n + 1), lists())]).await;
        let files = vec![PictureFile::of(64, ImageFormat::Png, &n.to_be_bytes())];
        let picture = Picture { user_id: user, slot: PictureSlot::Current, files, created_at: T0, expires_at: None };
        store.put(&picture).await.expect("kept");
    }
    let to = address("ada");
    store.put_challenge(&challenge(&to, "777777"), &message(30, &to)).await.expect("a pending code");
    let bob_before = store.snapshot(bob).await.expect("read");
    let erasure = job(500, ada, "ada");
    store.request(&erasure).await.expect("requested");
    assert_eq!(store.addresses(ada).await.expect("read"), ["ada@example.com"]);
    let mut done = erasure.receipt.clone();
    for step in &mut done.steps {
        step.done_at = Some(T0 + Duration::seconds(5));
    }
    done.completed_at = Some(T0 + Duration::seconds(5));
    let hasher = SecretHasher::new(SecretKey::new(vec![3; 32]).expect("a long enough key"));
    let suppress = [erased_address_hash(&hasher, "ada@example.com")];
    assert!(store.erase(ada, &suppress, &done, "w").await.is_err(), "not leased to w");
    assert!(AccountStore::get(store, ada).await.expect("read").is_some(), "a refused erasure changes nothing");
    assert_eq!(claim(store, "w", T0).await.len(), 1);
    assert!(store.erase(ada, &suppress, &done, "late").await.is_err(), "another worker's lease");
    store.erase(ada, &suppress, &done, "w").await.expect("erased");

    assert!(AccountStore::get(store, ada).await.expect("read").is_none());
    assert!(store.find_by_email(&to).await.expect("read").is_none());
    assert!(store.snapshot(ada).await.expect("read").is_none());
    assert!(SessionStore::find(store, &session_token(1)).await.expect("read").is_none());
    assert!(store.ledger(ada).await.expect("read").is_empty());
    assert!(store.answers(ada).await.expect("read").is_empty());
    assert!(store.history(ada).await.expect("read").is_empty());
    assert!(store.picture(ada, PictureSlot::Current).await.expect("read").is_none());
    assert!(store.public_profiles(&[ada]).await.expect("read").is_empty());
    assert!(store.record_attempt(&to).await.expect("read").is_none(), "her pending code went");
    assert!(store.erasure_notices(ada).await.expect("read").is_empty());
    assert!(store.pending(ada).await.expect("read").is_none());
    assert!(store.is_suppressed(&suppress[0]).await.expect("read"), "kept as a keyed hash");
    assert!(!store.is_suppressed(&erased_address_hash(&hasher, "bob@example.com")).await.expect("read"));
    assert_eq!(store.receipt(done.id).await.expect("read"), Some(done), "the receipt is completed and kept");
    assert!(claim(store, "w", T0 + Duration::hours(1)).await.is_empty(), "the job is gone");
    assert_eq!(store.snapshot(bob).await.expect("read"), bob_before, "bob is untouched");
    let bobs_notices = store.claim_due_notices(&[lists()], "n", T0, T0 + Duration::minutes(2), 9).await;
    let ids: Vec<u128> = bobs_notices.expect("claim").iter().map(|q| q.notice.id.as_u128()).collect();
    assert_eq!(ids, [21], "ada's waiting notice went with her; bob's stays");
}
