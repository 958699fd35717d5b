//! [`ProfileDirectory`](crate::ports::ProfileDirectory) and the
//! `profile.updated` notices: many public profiles in one read, none of an
//! account being deleted; a rename, a Save and a Reset each queue the
//! profile as committed, numbered in order, with no address.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Storage;
use super::fixtures::{T0, address, erasure_job, signed_up};
use crate::ports::{AccountStore, NoticeOutcome};
use crate::{
    DisplayName, ImageFormat, NoticeFor, Picture, PictureFile, PictureSlot, ProviderEvent, ProviderId, ProviderNotice,
    UserId,
};

fn rooms() -> ProviderId {
    ProviderId::parse("rooms").expect("a valid id")
}

fn to_rooms(n: u128) -> Vec<NoticeFor> {
    vec![NoticeFor::to_service(Uuid::from_u128(n), rooms())]
}

fn picture(user: UserId, slot: PictureSlot, seed: &str, at: OffsetDateTime) -> Picture {
    Picture {
        user_id: user,
        slot,
        files: vec![PictureFile::of(256, ImageFormat::Jpeg, seed.as_bytes())],
        created_at: at,
        expires_at: (slot == PictureSlot::Pending).then(|| at + Duration::hours(1)),
    }
}

/// Every notice to `rooms`, delivered one at a time in the order given.
async fn notices_to_rooms(store: &dyn Storage) -> Vec<ProviderNotice> {
    let mut seen = Vec::new();
    let far = T0 + Duration::days(1);
    let services = [rooms()];
    loop {
        let claimed = store.claim_due_notices(&services, "w", far, far + Duration::minutes(2), 10);
        let Some(queued) = claimed.await.expect("claim").into_iter().next() else { return seen };
        let outcome = NoticeOutcome::Delivered { status: 204 };
        store.record_notice_outcome(queued.notice.id, "w", &outcome, far).await.expect("recorded");
        seen.push(queued.notice);
    }
}

/// One read finds the public profiles of many users (name, current
/// picture, time of the last change), not unknown ids, and not an account
/// whose deletion was asked for, grace period included.
pub async fn public_profiles_are_read_at_once_and_those_being_deleted_are_left_out(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let bob = signed_up(store, "bob", 2).await;
    let cy = signed_up(store, "cy", 3).await;
    let name = DisplayName::parse("Ada Lovelace").expect("a valid name");
    store.set_display_name(ada, &name, T0 + Duration::minutes(1), &[]).await.expect("renamed");
    store.put(&picture(ada, PictureSlot::Current, "ada", T0)).await.expect("kept");
    store.put(&picture(bob, PictureSlot::Pending, "bob", T0)).await.expect("kept");
    let unknown = UserId::new_v7(5, [5; 10]);
    let mut found = store.public_profiles(&[ada, bob, cy, unknown]).await.expect("read");
    found.sort_by_key(|p| p.id);
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [ada, bob, cy]);
    assert_eq!(found[0].display_name.as_ref(), Some(&name));
    assert_eq!(found[0].updated_at, T0 + Duration::minutes(1));
    assert_eq!(found[0].picture.as_deref(), Some(picture(ada, PictureSlot::Current, "ada", T0).files.as_slice()));
    assert_eq!(found[1].picture, None, "a pending upload is not the picture");

    store.request(&erasure_job(70, cy, &address("cy"), T0 + Duration::days(1))).await.expect("requested");
    let found = store.public_profiles(&[ada, bob, cy]).await.expect("read");
    assert!(!found.iter().any(|p| p.id == cy), "in its grace period, the account is not shown");
    assert_eq!(found.len(), 2);
    assert!(store.public_profiles(&[]).await.expect("read").is_empty());
    let renamed = DisplayName::parse("Cy").expect("a valid name");
    store.set_display_name(cy, &renamed, T0 + Duration::minutes(5), &to_rooms(9)).await.expect("renamed");
    assert!(notices_to_rooms(store).await.is_empty(), "no profile.updated for an account being deleted");
}

/// A rename, a Save and a Reset each queue `profile.updated` holding the
/// profile as committed, numbered in order and without the address; a
/// Reset of nothing changes nothing and queues nothing.
pub async fn each_profile_change_queues_the_profile_as_committed_in_order_without_an_address(store: &dyn Storage) {
    let ada = signed_up(store, "ada", 1).await;
    let name = DisplayName::parse("Ada").expect("a valid name");
    store.set_display_name(ada, &name, T0, &to_rooms(1)).await.expect("renamed");
    let pending = picture(ada, PictureSlot::Pending, "p", T0);
    store.put(&pending).await.expect("kept");
    let saved_at = T0 + Duration::minutes(1);
    let current = Picture { slot: PictureSlot::Current, expires_at: None, created_at: saved_at, ..pending.clone() };
    store.promote_pending(&pending, &current, &to_rooms(2)).await.expect("saved").expect("it was pending");
    let updated =
        || async { AccountStore::get(store, ada).await.expect("read").expect("the account exists").updated_at };
    assert_eq!(updated().await, saved_at, "a Save is a change");
    let reset_at = T0 + Duration::minutes(2);
    store.reset_current(ada, reset_at, &to_rooms(3)).await.expect("reset").expect("there was a picture");
    let again = store.reset_current(ada, T0 + Duration::minutes(3), &to_rooms(4)).await.expect("read");
    assert_eq!(again, None, "nothing to reset");
    assert_eq!(updated().await, reset_at, "and nothing changed");

    let seen = notices_to_rooms(store).await;
    assert_eq!(seen.iter().map(|n| n.id.as_u128()).collect::<Vec<_>>(), [1, 2, 3], "nothing for a Reset of nothing");
    assert!(seen.windows(2).all(|w| w[0].sequence < w[1].sequence), "numbered in order");
    assert!(seen.iter().all(|n| n.email.is_none()), "a service is never told the address");
    let profiles: Vec<_> = seen
        .iter()
        .map(|n| match &n.event {
            ProviderEvent::ProfileUpdated { profile } => profile.clone(),
            other => panic!("not a profile update: {other:?}"),
        })
        .collect();
    assert_eq!((profiles[0].display_name.as_ref(), profiles[0].picture.as_ref()), (Some(&name), None));
    assert_eq!(profiles[1].picture.as_deref(), Some(current.files.as_slice()), "the picture new");
    assert_eq!(profiles[1].display_name.as_ref(), Some(&name), "the rename kept");
    assert_eq!((profiles[2].picture.as_ref(), profiles[2].updated_at), (None, reset_at));

    let told_addresses = [NoticeFor::to_provider(Uuid::from_u128(5), rooms())];
    let again = DisplayName::parse("Ada again").expect("a valid name");
    store.set_display_name(ada, &again, T0 + Duration::minutes(4), &told_addresses).await.expect("renamed");
    let seen = notices_to_rooms(store).await;
    assert_eq!(seen.len(), 1, "a receiver told addresses of other changes still gets the profile");
    assert!(seen[0].email.is_none(), "but never the address with it");
}
