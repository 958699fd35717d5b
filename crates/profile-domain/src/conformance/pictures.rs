//! [`PictureStore`](crate::ports::PictureStore): one picture per slot, a
//! Save that moves only the upload expected, and expired uploads taken
//! once.

use time::{Duration, OffsetDateTime};

use super::Storage;
use super::fixtures::{T0, signed_up};
use crate::{ImageFormat, Picture, PictureFile, PictureSlot, UserId};

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

/// Each slot holds one picture; a new one returns the one it replaced; a
/// taken picture is gone.
pub async fn a_picture_is_kept_per_slot_and_a_new_one_returns_the_one_it_replaced(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    assert_eq!(store.picture(ada, PictureSlot::Pending).await.expect("read"), None);
    let first = picture(ada, PictureSlot::Pending, "a", T0);
    assert_eq!(store.put(&first).await.expect("kept"), None);
    assert_eq!(store.picture(ada, PictureSlot::Pending).await.expect("read"), Some(first.clone()), "as written");
    assert_eq!(store.picture(ada, PictureSlot::Current).await.expect("read"), None, "slots are apart");
    let second = picture(ada, PictureSlot::Pending, "b", T0 + Duration::minutes(1));
    assert_eq!(store.put(&second).await.expect("kept"), Some(first), "the one replaced");
    assert_eq!(store.take(ada, PictureSlot::Pending).await.expect("taken"), Some(second));
    assert_eq!(store.take(ada, PictureSlot::Pending).await.expect("read"), None);
}

/// A Save moves the pending picture to the current slot only when it is
/// the upload the caller saw, and returns the picture it replaced.
pub async fn promoting_moves_the_pending_picture_only_if_it_is_the_one_expected(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let old = picture(ada, PictureSlot::Current, "old", T0);
    store.put(&old).await.expect("kept");
    let pending = picture(ada, PictureSlot::Pending, "new", T0);
    store.put(&pending).await.expect("kept");
    let current = Picture { slot: PictureSlot::Current, expires_at: None, ..pending.clone() };
    let stale = picture(ada, PictureSlot::Pending, "other", T0);
    assert_eq!(store.promote_pending(&stale, &current, &[]).await.expect("read"), None, "not the upload expected");
    assert_eq!(store.picture(ada, PictureSlot::Current).await.expect("read"), Some(old.clone()));
    assert_eq!(store.promote_pending(&pending, &current, &[]).await.expect("saved"), Some(Some(old)));
    assert_eq!(store.picture(ada, PictureSlot::Current).await.expect("read"), Some(current.clone()));
    assert_eq!(store.picture(ada, PictureSlot::Pending).await.expect("read"), None);
    assert_eq!(store.promote_pending(&pending, &current, &[]).await.expect("read"), None, "nothing pending any more");
}

/// Uploads past their expiry are taken once; live uploads and current
/// pictures stay.
pub async fn expired_uploads_are_taken_once_and_live_ones_stay(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    store.put(&picture(ada, PictureSlot::Pending, "a", T0)).await.expect("kept");
    store.put(&picture(bob, PictureSlot::Pending, "b", T0 + Duration::minutes(30))).await.expect("kept");
    store.put(&picture(ada, PictureSlot::Current, "c", T0)).await.expect("kept");
    assert!(store.take_expired(T0 + Duration::minutes(59), 10).await.expect("read").is_empty());
    let taken = store.take_expired(T0 + Duration::hours(1), 10).await.expect("taken");
    assert_eq!(taken.iter().map(|p| p.user_id).collect::<Vec<_>>(), [ada]);
    assert!(store.take_expired(T0 + Duration::hours(1), 10).await.expect("read").is_empty(), "once");
    let current = store.picture(ada, PictureSlot::Current).await.expect("read");
    assert!(current.is_some(), "the current picture never expires");
    assert_eq!(store.take_expired(T0 + Duration::hours(2), 10).await.expect("taken").len(), 1);
}

/// An upload that replaced an expired one is not taken with it.
pub async fn an_upload_that_replaced_an_expired_one_stays(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    store.put(&picture(ada, PictureSlot::Pending, "old", T0)).await.expect("kept");
    let fresh = picture(ada, PictureSlot::Pending, "new", T0 + Duration::minutes(61));
    store.put(&fresh).await.expect("replaced");
    let taken = store.take_expired(T0 + Duration::minutes(61), 10).await.expect("read");
    assert!(taken.is_empty(), "the expired upload is gone already; the new one is live: {taken:?}");
    assert_eq!(store.picture(ada, PictureSlot::Pending).await.expect("read"), Some(fresh));
}
