//! Unit tests of the picture rules: stage, save, cancel, reset, expiry and
//! the sweeper, with files checked after each step.

use std::sync::Arc;

use time::{OffsetDateTime, macros::datetime};

use super::*;
use crate::use_cases::fakes::pictures::{FakeProcessor, MemoryBlobs};
use crate::use_cases::fakes::{FixedClock, InMemoryStore};

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

struct World {
    store: Arc<InMemoryStore>,
    blobs: Arc<MemoryBlobs>,
    clock: Arc<FixedClock>,
    pictures: Pictures,
}

fn world() -> World {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let blobs = Arc::new(MemoryBlobs::new(clock.clone()));
    let pictures =
        Pictures::new(store.clone(), blobs.clone(), Arc::new(FakeProcessor), clock.clone(), PicturePolicy::default());
    World { store, blobs, clock, pictures }
}

fn ada() -> UserId {
    UserId::new_v7(1, [1; 10])
}

/// The blob keys, with the user id replaced by `ada`, sorted.
fn files(w: &World) -> Vec<String> {
    w.blobs.keys().into_iter().map(|k| k.replace(&ada().to_string(), "ada")).collect()
}

fn names(picture: &Picture) -> Vec<String> {
    picture.files.iter().map(PictureFile::file_name).collect()
}

#[tokio::test]
async fn an_upload_is_pending_until_saved_and_the_current_picture_stays_until_then() {
    let w = world();
    let staged = w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    assert_eq!((staged.slot, staged.files.len()), (PictureSlot::Pending, 2));
    assert_eq!(staged.expires_at, Some(T0 + Duration::hours(1)));
    assert!(w.pictures.picture(ada(), PictureSlot::Current).await.unwrap().is_none());
    assert!(files(&w).iter().all(|k| k.starts_with("pending/ada/")), "{:?}", files(&w));
    let saved = w.pictures.save(ada()).await.unwrap();
    assert_eq!(names(&saved), names(&staged));
    assert_eq!(w.pictures.picture(ada(), PictureSlot::Current).await.unwrap(), Some(saved.clone()));
    assert!(w.pictures.picture(ada(), PictureSlot::Pending).await.unwrap().is_none());
    let expected: Vec<String> = names(&saved).iter().map(|n| format!("pictures/ada/{n}")).collect();
    let mut got = files(&w);
    got.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected, "only the saved picture's files are left");
}

#[tokio::test]
async fn saving_a_new_picture_deletes_the_old_ones_files_and_gives_new_names() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    let first = w.pictures.save(ada()).await.unwrap();
    w.pictures.stage(ada(), b"two".to_vec(), None).await.unwrap();
    let second = w.pictures.save(ada()).await.unwrap();
    assert!(names(&first).iter().all(|n| !names(&second).contains(n)), "new bytes, new names");
    assert_eq!(files(&w).len(), 2, "{:?}", files(&w));
    assert!(files(&w).iter().all(|k| k.starts_with("pictures/ada/")));
}

#[tokio::test]
async fn a_second_upload_replaces_the_pending_one_and_its_files() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    let second = w.pictures.stage(ada(), b"two".to_vec(), None).await.unwrap();
    assert_eq!(w.pictures.picture(ada(), PictureSlot::Pending).await.unwrap(), Some(second));
    assert_eq!(files(&w).len(), 2);
    let same = w.pictures.stage(ada(), b"two".to_vec(), None).await.unwrap();
    assert_eq!(files(&w).len(), 2, "the same upload again keeps its files: {:?}", files(&w));
    assert_eq!(w.pictures.picture(ada(), PictureSlot::Pending).await.unwrap(), Some(same));
}

#[tokio::test]
async fn cancel_drops_the_upload_and_reset_drops_the_picture() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    w.pictures.save(ada()).await.unwrap();
    w.pictures.stage(ada(), b"two".to_vec(), None).await.unwrap();
    w.pictures.cancel(ada()).await.unwrap();
    assert!(files(&w).iter().all(|k| k.starts_with("pictures/")), "the current picture is untouched");
    assert!(matches!(w.pictures.cancel(ada()).await, Err(PictureError::NothingPending)));
    assert!(matches!(w.pictures.save(ada()).await, Err(PictureError::NothingPending)));
    w.pictures.reset(ada()).await.unwrap();
    assert!(files(&w).is_empty());
    assert!(w.pictures.picture(ada(), PictureSlot::Current).await.unwrap().is_none());
    w.pictures.reset(ada()).await.unwrap();
}

#[tokio::test]
async fn a_refused_upload_changes_nothing() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    let saved = w.pictures.save(ada()).await.unwrap();
    let before = files(&w);
    let refused = w.pictures.stage(ada(), b"bad image".to_vec(), None).await;
    assert!(matches!(refused, Err(PictureError::Rejected(PictureRejected::UnsupportedFormat))));
    assert_eq!(files(&w), before);
    assert_eq!(w.pictures.picture(ada(), PictureSlot::Current).await.unwrap(), Some(saved));
}

#[tokio::test]
async fn an_expired_upload_cannot_be_saved_and_the_sweeper_drops_it() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    w.clock.advance(Duration::hours(1));
    assert!(matches!(w.pictures.save(ada()).await, Err(PictureError::NothingPending)));
    let report = w.pictures.sweep().await.unwrap();
    assert_eq!(report.expired, 1);
    assert!(files(&w).is_empty());
}

#[tokio::test]
async fn files_no_picture_refers_to_are_swept_once_past_the_grace_time() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    w.pictures.save(ada()).await.unwrap();
    let orphan = format!("pictures/{}/{}-64.jpg", ada(), "ab".repeat(16));
    w.blobs.put(&orphan, b"left over".to_vec()).await.unwrap();
    w.blobs.put("pictures/not-a-user/readme.txt", b"not ours".to_vec()).await.unwrap();
    assert_eq!(w.pictures.sweep().await.unwrap().orphans, 0, "too young to be an orphan");
    w.clock.advance(Duration::hours(1));
    assert_eq!(w.pictures.sweep().await.unwrap(), SweepReport { expired: 0, orphans: 1, failed: 0 });
    assert!(!w.blobs.keys().contains(&orphan));
    assert_eq!(w.blobs.keys().len(), 3, "the picture's two files and the foreign file stay");
}

#[tokio::test]
async fn a_failing_blob_store_fails_the_upload_and_leaves_the_pictures_as_they_were() {
    let w = world();
    w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    let saved = w.pictures.save(ada()).await.unwrap();
    *w.blobs.failing.lock().unwrap() = true;
    assert!(matches!(w.pictures.stage(ada(), b"two".to_vec(), None).await, Err(PictureError::Unexpected(_))));
    assert!(w.pictures.picture(ada(), PictureSlot::Pending).await.unwrap().is_none());
    *w.blobs.failing.lock().unwrap() = false;
    w.pictures.stage(ada(), b"two".to_vec(), None).await.unwrap();
    *w.blobs.failing.lock().unwrap() = true;
    assert!(matches!(w.pictures.save(ada()).await, Err(PictureError::Unexpected(_))));
    assert_eq!(w.pictures.picture(ada(), PictureSlot::Current).await.unwrap(), Some(saved), "still the old one");
    assert!(w.store.state().pictures.contains_key(&(ada(), PictureSlot::Pending)), "the upload still waits");
}

#[tokio::test]
async fn files_are_served_by_name_and_other_names_find_nothing() {
    let w = world();
    let staged = w.pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    let name = staged.files[1].file_name();
    let (file, bytes) = w.pictures.file(ada(), PictureSlot::Pending, &name).await.unwrap().unwrap();
    assert_eq!((file.size, bytes.len() as u64), (64, file.bytes));
    assert!(w.pictures.file(ada(), PictureSlot::Current, &name).await.unwrap().is_none(), "not saved yet");
    assert!(w.pictures.file(UserId::new_v7(2, [2; 10]), PictureSlot::Pending, &name).await.unwrap().is_none());
    for bad in ["../../etc/passwd", "x.jpg", ""] {
        assert!(w.pictures.file(ada(), PictureSlot::Pending, bad).await.unwrap().is_none(), "{bad}");
    }
}

#[tokio::test]
async fn a_save_and_a_reset_tell_the_subscribed_services_and_a_reset_of_nothing_tells_nobody() {
    use crate::use_cases::fakes::SeqRandom;
    let w = world();
    w.store
        .state()
        .accounts
        .insert(ada(), crate::Account::new(ada(), crate::EmailAddress::parse("a@b.co").unwrap(), T0));
    let rooms = crate::ProviderId::parse("rooms").unwrap();
    let events = super::super::ProfileEvents {
        subscriptions: crate::EventSubscriptions::new(vec![(rooms, vec![crate::ServiceEvent::ProfileUpdated])]),
        random: Arc::new(SeqRandom::from_words(&[])),
        signal: Arc::new(crate::ports::NoSignal),
    };
    let pictures = Pictures::new(
        w.store.clone(),
        w.blobs.clone(),
        Arc::new(FakeProcessor),
        w.clock.clone(),
        PicturePolicy::default(),
    )
    .with_events(events);
    pictures.reset(ada()).await.unwrap();
    assert!(w.store.state().notices.is_empty(), "nothing was reset, nobody is told");
    pictures.stage(ada(), b"one".to_vec(), None).await.unwrap();
    assert!(w.store.state().notices.is_empty(), "a pending upload is nobody's business");
    w.clock.advance(Duration::minutes(1));
    let saved = pictures.save(ada()).await.unwrap();
    w.clock.advance(Duration::minutes(1));
    pictures.reset(ada()).await.unwrap();
    let state = w.store.state();
    let told: Vec<Option<Vec<PictureFile>>> = state
        .notices
        .iter()
        .map(|n| match &n.notice.event {
            crate::ProviderEvent::ProfileUpdated { profile } => profile.picture.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(told, [Some(saved.files.clone()), None]);
    assert_eq!(state.accounts[&ada()].updated_at, T0 + Duration::minutes(2), "a picture change is a profile change");
}
