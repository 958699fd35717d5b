//! The picture records against real databases.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::ports::PictureStore;
use profile_domain::{ImageFormat, Picture, PictureFile, PictureSlot, UserId};
use support::{TestDb, signed_up};
use time::{Duration, OffsetDateTime, macros::datetime};

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn picture(user: UserId, slot: PictureSlot, seed: &str, at: OffsetDateTime) -> Picture {
    Picture {
        user_id: user,
        slot,
        files: vec![
            PictureFile::of(512, ImageFormat::Jpeg, format!("{seed}512").as_bytes()),
            PictureFile::of(64, ImageFormat::Png, format!("{seed}64").as_bytes()),
        ],
        created_at: at,
        expires_at: (slot == PictureSlot::Pending).then(|| at + Duration::hours(1)),
    }
}

on_every_backend!(a_picture_is_kept_per_slot_and_a_new_one_returns_the_one_it_replaced, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    assert_eq!(db.store.picture(ada, PictureSlot::Pending).await.unwrap(), None);
    let first = picture(ada, PictureSlot::Pending, "a", T0);
    assert_eq!(db.store.put(&first).await.unwrap(), None);
    assert_eq!(db.store.picture(ada, PictureSlot::Pending).await.unwrap(), Some(first.clone()));
    assert_eq!(db.store.picture(ada, PictureSlot::Current).await.unwrap(), None, "slots are apart");
    let second = picture(ada, PictureSlot::Pending, "b", T0 + Duration::minutes(1));
    assert_eq!(db.store.put(&second).await.unwrap(), Some(first));
    assert_eq!(db.store.take(ada, PictureSlot::Pending).await.unwrap(), Some(second));
    assert_eq!(db.store.take(ada, PictureSlot::Pending).await.unwrap(), None);
});

on_every_backend!(promoting_moves_the_pending_picture_only_if_it_is_the_one_expected, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let old = picture(ada, PictureSlot::Current, "old", T0);
    db.store.put(&old).await.unwrap();
    let pending = picture(ada, PictureSlot::Pending, "new", T0);
    db.store.put(&pending).await.unwrap();
    let current = Picture { slot: PictureSlot::Current, expires_at: None, ..pending.clone() };
    let stale = picture(ada, PictureSlot::Pending, "other", T0);
    assert_eq!(db.store.promote_pending(&stale, &current, &[]).await.unwrap(), None, "not the upload expected");
    assert_eq!(db.store.picture(ada, PictureSlot::Current).await.unwrap(), Some(old.clone()));
    assert_eq!(db.store.promote_pending(&pending, &current, &[]).await.unwrap(), Some(Some(old)));
    assert_eq!(db.store.picture(ada, PictureSlot::Current).await.unwrap(), Some(current.clone()));
    assert_eq!(db.store.picture(ada, PictureSlot::Pending).await.unwrap(), None);
    assert_eq!(db.store.promote_pending(&pending, &current, &[]).await.unwrap(), None, "nothing pending any more");
});

on_every_backend!(expired_uploads_are_taken_once_and_live_ones_stay, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    db.store.put(&picture(ada, PictureSlot::Pending, "a", T0)).await.unwrap();
    db.store.put(&picture(bob, PictureSlot::Pending, "b", T0 + Duration::minutes(30))).await.unwrap();
    db.store.put(&picture(ada, PictureSlot::Current, "c", T0)).await.unwrap();
    assert!(db.store.take_expired(T0 + Duration::minutes(59), 10).await.unwrap().is_empty());
    let taken = db.store.take_expired(T0 + Duration::hours(1), 10).await.unwrap();
    assert_eq!(taken.iter().map(|p| p.user_id).collect::<Vec<_>>(), [ada]);
    assert!(db.store.take_expired(T0 + Duration::hours(1), 10).await.unwrap().is_empty(), "once");
    assert!(db.store.picture(ada, PictureSlot::Current).await.unwrap().is_some(), "the current picture never expires");
    assert_eq!(db.store.take_expired(T0 + Duration::hours(2), 10).await.unwrap().len(), 1);
});
