//! Unit tests of the erasure: its steps, retries, receipts and policy.

use std::sync::Arc;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::use_cases::fakes::erasure::MemoryErasures;
use crate::use_cases::fakes::pictures::MemoryBlobs;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::{Account, ProviderId, SessionId, UserId};

const T0: OffsetDateTime = datetime!(2026-11-30 10:00 UTC);

struct Setup {
    store: Arc<MemoryErasures>,
    blobs: Arc<MemoryBlobs>,
    clock: Arc<FixedClock>,
    erasures: Erasures,
    ada: Authenticated,
}

fn lists() -> ProviderId {
    ProviderId::parse("lists").unwrap()
}

fn setup() -> Setup {
    let accounts = Arc::new(InMemoryStore::default());
    let user = UserId::new_v7(1, [1; 10]);
    let account = Account::new(user, EmailAddress::parse("ada@example.com").unwrap(), T0 - Duration::days(9));
    accounts.state().accounts.insert(user, account);
    let clock = Arc::new(FixedClock::at(T0));
    let blobs = Arc::new(MemoryBlobs::new(clock.clone()));
    let store = Arc::new(MemoryErasures::default());
    let policy =
        ErasurePolicy { providers: vec![lists()], ..ErasurePolicy::with_public_url("https://profile.example/") };
    let erasures = Erasures::new(
        store.clone(),
        accounts,
        blobs.clone(),
        clock.clone(),
        Arc::new(SeqRandom::from_words(&[])),
        policy,
    );
    let ada = Authenticated { user_id: user, session_id: SessionId(Uuid::from_u128(1)), signed_in_at: T0 };
    Setup { store, blobs, clock, erasures, ada }
}

fn step_of(receipt: &DeletionReceipt, step: ErasureStep) -> &crate::erasure::StepProgress {
    receipt.steps.iter().find(|s| s.step == step).unwrap()
}

#[tokio::test]
async fn a_deletion_needs_the_login_address_typed_and_a_recent_sign_in() {
    let s = setup();
    for typed in ["bob@example.com", "not an address", ""] {
        assert!(matches!(s.erasures.request(&s.ada, typed).await, Err(DeleteAccountError::ConfirmationMismatch)));
    }
    let stale = Authenticated { signed_in_at: T0 - Duration::minutes(16), ..s.ada };
    assert!(matches!(s.erasures.request(&stale, "ada@example.com").await, Err(DeleteAccountError::SignInNotRecent)));
    assert!(s.store.jobs.lock().unwrap().is_empty(), "nothing was queued");

    let receipt = s.erasures.request(&s.ada, " Ada@EXAMPLE.com ").await.unwrap();
    assert_eq!(receipt.next_step(), Some(ErasureStep::EndSessions));
    assert_eq!(receipt.recipients.len(), 1);
    let again = s.erasures.request(&s.ada, "ada@example.com").await;
    assert!(matches!(again, Err(DeleteAccountError::AlreadyRequested(id)) if id == receipt.id));
}

#[tokio::test]
async fn the_job_waits_for_the_provider_and_the_email_then_erases_and_completes_the_receipt() {
    let s = setup();
    s.blobs.blobs.lock().unwrap().insert(format!("pictures/{}/a-64.jpg", s.ada.user_id), (vec![1], T0));
    s.blobs.blobs.lock().unwrap().insert("pictures/someone-else/b-64.jpg".to_owned(), (vec![2], T0));
    let receipt = s.erasures.request(&s.ada, "ada@example.com").await.unwrap();

    let report = s.erasures.run_due("w").await.unwrap();
    assert_eq!(report, ErasureReport { completed: 0, waiting: 1, failed: 0 });
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::TellProviders), "waiting for the provider");
    assert_eq!(job.next_attempt_at, T0 + Duration::seconds(2));
    assert_eq!(s.store.queued.lock().unwrap()[0].id, erasure_notice_id(receipt.id, &lists()));
    assert_eq!(*s.store.sessions_ended.lock().unwrap(), 1);

    s.clock.advance(Duration::seconds(2));
    s.erasures.run_due("w").await.unwrap();
    assert_eq!(s.store.queued.lock().unwrap().len(), 1, "queueing again adds nothing");
    s.store.told.lock().unwrap().push((lists(), Some(T0 + Duration::seconds(3))));
    s.clock.advance(Duration::seconds(2));
    s.erasures.run_due("w").await.unwrap();
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::SendConfirmation), "waiting for the email");
    assert_eq!(job.receipt.recipients[0].told_at, Some(T0 + Duration::seconds(3)));
    assert_eq!(s.blobs.keys(), ["pictures/someone-else/b-64.jpg"], "only the user's files went");
    let (message, _) = s.store.confirmation.lock().unwrap().clone().unwrap();
    assert_eq!(message.to.as_str(), "ada@example.com");
    assert!(matches!(&message.content, EmailContent::AccountDeleted { receipt_url }
        if *receipt_url == format!("https://profile.example/deletion-receipts/{}", receipt.id)));

    s.store.confirmation.lock().unwrap().as_mut().unwrap().1 = true;
    s.clock.advance(Duration::seconds(2));
    let report = s.erasures.run_due("w").await.unwrap();
    assert_eq!(report.completed, 1);
    let (user, done) = s.store.erased.lock().unwrap().clone().unwrap();
    assert_eq!(user, s.ada.user_id);
    assert_eq!(done.completed_at, Some(T0 + Duration::seconds(6)));
    assert!(done.steps.iter().all(|p| p.done_at.is_some()), "{done:?}");
    assert!(s.store.jobs.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_step_is_retried_with_a_doubling_wait_and_its_problem_recorded() {
    let s = setup();
    s.blobs.blobs.lock().unwrap().insert(format!("pending/{}/a-64.jpg", s.ada.user_id), (vec![1], T0));
    s.store.told.lock().unwrap().push((lists(), Some(T0)));
    s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    *s.blobs.failing.lock().unwrap() = true;
    for (pass, wait) in [(1, 5), (2, 10), (3, 20)] {
        let report = s.erasures.run_due("w").await.unwrap();
        assert_eq!(report.failed, 1);
        let job = s.store.jobs.lock().unwrap()[0].clone();
        let progress = step_of(&job.receipt, ErasureStep::DeletePictures);
        assert_eq!((progress.failures, progress.last_problem.as_deref()), (pass, Some("blob store down")));
        assert_eq!(job.next_attempt_at - s.clock.now(), Duration::seconds(wait));
        assert_eq!(s.erasures.run_due("w").await.unwrap(), ErasureReport::default(), "not due before its wait");
        s.clock.advance(Duration::seconds(wait));
    }
    *s.blobs.failing.lock().unwrap() = false;
    s.erasures.run_due("w").await.unwrap();
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::SendConfirmation));
    assert!(s.blobs.keys().is_empty());
}

async fn erase_all(s: &Setup) {
    s.store.told.lock().unwrap().push((lists(), Some(T0)));
    s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    for _ in 0..3 {
        s.erasures.run_due("w").await.unwrap();
        if let Some(slot) = s.store.confirmation.lock().unwrap().as_mut() {
            slot.1 = true;
        }
        s.clock.advance(Duration::seconds(2));
    }
    assert!(s.store.erased.lock().unwrap().is_some(), "the job completed");
}

#[tokio::test]
async fn without_the_suppression_list_nothing_of_the_addresses_is_kept() {
    let s = setup();
    erase_all(&s).await;
    assert!(s.store.suppressed.lock().unwrap().is_empty());
    let ada = EmailAddress::parse("ada@example.com").unwrap();
    assert_eq!(s.erasures.is_suppressed(&ada).await.unwrap(), None, "the list is off");
}

#[tokio::test]
async fn with_the_suppression_list_each_erased_address_is_kept_as_a_keyed_hash_only() {
    let mut s = setup();
    let hasher = crate::SecretHasher::new(crate::SecretKey::new(vec![4; 32]).unwrap());
    s.erasures = std::mem::replace(&mut s.erasures, setup().erasures).with_suppression(hasher);
    erase_all(&s).await;
    let kept = s.store.suppressed.lock().unwrap().clone();
    assert_eq!(kept.len(), 2, "both addresses the user had");
    for address in ["ada@example.com", "old@example.com", "ADA@Example.com"] {
        let address = EmailAddress::parse(address).unwrap();
        assert_eq!(s.erasures.is_suppressed(&address).await.unwrap(), Some(true));
    }
    let other = EmailAddress::parse("bob@example.com").unwrap();
    assert_eq!(s.erasures.is_suppressed(&other).await.unwrap(), Some(false));
}

#[tokio::test]
async fn with_a_grace_period_the_erasure_waits_and_can_be_cancelled_until_it_ends() {
    let mut s = setup();
    let accounts = Arc::new(InMemoryStore::default());
    let account = Account::new(s.ada.user_id, EmailAddress::parse("ada@example.com").unwrap(), T0);
    accounts.state().accounts.insert(s.ada.user_id, account);
    let policy = ErasurePolicy {
        grace: Duration::hours(1),
        providers: vec![lists()],
        ..ErasurePolicy::with_public_url("https://profile.example")
    };
    s.erasures = Erasures::new(
        s.store.clone(),
        accounts,
        s.blobs.clone(),
        s.clock.clone(),
        Arc::new(SeqRandom::from_words(&[])),
        policy,
    );
    let receipt = s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    assert_eq!(receipt.erase_after, T0 + Duration::hours(1));
    assert_eq!(s.erasures.run_due("w").await.unwrap(), ErasureReport::default(), "nothing runs in the grace period");
    assert_eq!(s.erasures.pending(s.ada.user_id).await.unwrap().map(|r| r.id), Some(receipt.id));
    s.clock.advance(Duration::minutes(59));
    let cancelled = s.erasures.cancel(s.ada.user_id).await.unwrap();
    assert_eq!(cancelled.cancelled_at, Some(T0 + Duration::minutes(59)));
    assert!(matches!(s.erasures.cancel(s.ada.user_id).await, Err(CancelDeletionError::NothingToCancel)));
    assert!(s.erasures.pending(s.ada.user_id).await.unwrap().is_none());

    let again = Authenticated { signed_in_at: s.clock.now(), ..s.ada };
    let second = s.erasures.request(&again, "ada@example.com").await.unwrap();
    s.clock.advance(Duration::hours(1));
    assert!(matches!(s.erasures.cancel(s.ada.user_id).await, Err(CancelDeletionError::TooLate)));
    s.store.told.lock().unwrap().push((lists(), Some(s.clock.now())));
    s.erasures.run_due("w").await.unwrap();
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.id, second.id);
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::SendConfirmation), "the grace is over: it runs");
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_stops_without_writing() {
    let s = setup();
    s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    *s.store.lease_lost.lock().unwrap() = true;
    assert_eq!(s.erasures.run_due("w").await.unwrap(), ErasureReport { completed: 0, waiting: 1, failed: 0 });
    assert_eq!(*s.store.sessions_ended.lock().unwrap(), 0, "no step ran");
    assert_eq!(s.store.jobs.lock().unwrap()[0].receipt.next_step(), Some(ErasureStep::EndSessions));
}

#[tokio::test]
async fn a_provider_removed_from_the_configuration_is_dropped_rather_than_waited_for() {
    let mut s = setup();
    s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    s.erasures.policy.providers.clear();
    s.erasures.run_due("w").await.unwrap();
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::SendConfirmation), "not stuck at the providers");
    assert!(job.receipt.recipients.is_empty());
    assert!(
        step_of(&job.receipt, ErasureStep::TellProviders)
            .last_problem
            .as_deref()
            .is_some_and(|p| p.contains("removed"))
    );
    assert!(s.store.queued.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_subscribed_service_is_told_like_a_provider_but_never_the_address() {
    let mut s = setup();
    let rooms = ProviderId::parse("rooms").unwrap();
    s.erasures.policy.services = vec![rooms.clone()];
    let receipt = s.erasures.request(&s.ada, "ada@example.com").await.unwrap();
    let listed: Vec<&ProviderId> = receipt.recipients.iter().map(|r| &r.provider).collect();
    assert_eq!(listed, [&lists(), &rooms], "the receipt lists the service beside the provider");
    s.erasures.run_due("w").await.unwrap();
    let queued = s.store.queued.lock().unwrap().clone();
    let told: Vec<(&str, bool)> = queued.iter().map(|n| (n.provider.as_str(), n.with_email)).collect();
    assert_eq!(told, [("lists", true), ("rooms", false)]);
    s.store.told.lock().unwrap().push((lists(), Some(T0)));
    s.clock.advance(Duration::seconds(2));
    s.erasures.run_due("w").await.unwrap();
    let job = s.store.jobs.lock().unwrap()[0].clone();
    assert_eq!(job.receipt.next_step(), Some(ErasureStep::TellProviders), "still waiting for the service");
}
