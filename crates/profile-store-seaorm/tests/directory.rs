//! Public profiles and the `profile.updated` notices against real
//! databases: one query finds the profiles of many users and leaves out
//! those being deleted; a rename, a Save and a Reset each queue a notice
//! holding the profile as committed, numbered in order, with no address.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use profile_domain::erasure::{DeletionReceipt, ErasureJob, ReceiptId};
use profile_domain::ports::{AccountStore, ErasureStore, PictureStore, ProfileDirectory, ProviderOutbox};
use profile_domain::{
    DisplayName, EmailAddress, ImageFormat, NoticeFor, Picture, PictureFile, PictureSlot, ProviderEvent, ProviderId,
    UserId,
};
use support::{TestDb, signed_up};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

const T0: OffsetDateTime = datetime!(2026-12-06 12:00 UTC);

fn rooms() -> ProviderId {
    ProviderId::parse("rooms").unwrap()
}

fn to_rooms(n: u128) -> Vec<NoticeFor> {
    vec![NoticeFor::to_service(Uuid::from_u128(n), rooms())]
}

fn picture(user: UserId, slot: PictureSlot, seed: &str) -> Picture {
    Picture {
        user_id: user,
        slot,
        files: vec![PictureFile::of(256, ImageFormat::Jpeg, seed.as_bytes())],
        created_at: T0,
        expires_at: (slot == PictureSlot::Pending).then(|| T0 + Duration::hours(1)),
    }
}

on_every_backend!(public_profiles_are_read_at_once_and_those_being_deleted_are_left_out, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let bob = signed_up(&db, "bob@example.com", 2).await;
    let cy = signed_up(&db, "cy@example.com", 3).await;
    let name = DisplayName::parse("Ada Lovelace").unwrap();
    db.store.set_display_name(ada, &name, T0 + Duration::minutes(1), &[]).await.unwrap();
    db.store.put(&picture(ada, PictureSlot::Current, "ada")).await.unwrap();
    db.store.put(&picture(bob, PictureSlot::Pending, "bob")).await.unwrap();
    let unknown = UserId::new_v7(5, [5; 10]);
    let mut found = db.store.public_profiles(&[ada, bob, cy, unknown]).await.unwrap();
    found.sort_by_key(|p| p.id);
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [ada, bob, cy]);
    assert_eq!(found[0].display_name.as_ref(), Some(&name));
    assert_eq!(found[0].updated_at, T0 + Duration::minutes(1));
    assert_eq!(found[0].picture.as_deref(), Some(picture(ada, PictureSlot::Current, "ada").files.as_slice()));
    assert_eq!(found[1].picture, None, "a pending upload is not the picture");

    let job = ErasureJob {
        receipt: DeletionReceipt::new(ReceiptId(Uuid::from_u128(70)), T0, vec![]),
        user_id: cy,
        email: EmailAddress::parse("cy@example.com").unwrap(),
        next_attempt_at: T0 + Duration::days(1),
    };
    db.store.request(&job).await.unwrap();
    let found = db.store.public_profiles(&[ada, bob, cy]).await.unwrap();
    assert!(!found.iter().any(|p| p.id == cy), "in its grace period, the account is not shown");
    assert_eq!(found.len(), 2);
    assert!(db.store.public_profiles(&[]).await.unwrap().is_empty());
});

on_every_backend!(
    each_profile_change_queues_the_profile_as_committed_in_order_without_an_address,
    |db: TestDb| async move {
        let ada = signed_up(&db, "ada@example.com", 1).await;
        let name = DisplayName::parse("Ada").unwrap();
        db.store.set_display_name(ada, &name, T0, &to_rooms(1)).await.unwrap();
        let pending = picture(ada, PictureSlot::Pending, "p");
        db.store.put(&pending).await.unwrap();
        let current = Picture {
            slot: PictureSlot::Current,
            expires_at: None,
            created_at: T0 + Duration::minutes(1),
            ..pending.clone()
        };
        db.store.promote_pending(&pending, &current, &to_rooms(2)).await.unwrap().unwrap();
        assert_eq!(
            db.store.get(ada).await.unwrap().unwrap().updated_at,
            T0 + Duration::minutes(1),
            "a Save is a change"
        );
        db.store.reset_current(ada, T0 + Duration::minutes(2), &to_rooms(3)).await.unwrap().unwrap();
        assert_eq!(db.store.reset_current(ada, T0 + Duration::minutes(3), &to_rooms(4)).await.unwrap(), None);
        assert_eq!(db.store.get(ada).await.unwrap().unwrap().updated_at, T0 + Duration::minutes(2), "nothing to reset");

        let mut seen = Vec::new();
        let far = T0 + Duration::hours(1);
        loop {
            let claimed =
                db.store.claim_due_notices(&[rooms()], "w", far, far + Duration::minutes(2), 10).await.unwrap();
            let Some(queued) = claimed.into_iter().next() else { break };
            let outcome = profile_domain::ports::NoticeOutcome::Delivered { status: 204 };
            db.store.record_notice_outcome(queued.notice.id, "w", &outcome, far).await.unwrap();
            seen.push(queued.notice);
        }
        assert_eq!(
            seen.iter().map(|n| n.id.as_u128()).collect::<Vec<_>>(),
            [1, 2, 3],
            "nothing for a Reset of nothing"
        );
        assert!(seen.windows(2).all(|w| w[0].sequence < w[1].sequence), "numbered in order");
        assert!(seen.iter().all(|n| n.email.is_none()), "a service is never told the address");
        let profiles: Vec<_> = seen
            .iter()
            .map(|n| match &n.event {
                ProviderEvent::ProfileUpdated { profile } => profile.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(profiles[0].display_name.as_ref(), Some(&name));
        assert_eq!(profiles[0].picture, None);
        assert_eq!(profiles[1].picture.as_deref(), Some(current.files.as_slice()), "the rename kept, the picture new");
        assert_eq!(profiles[1].display_name.as_ref(), Some(&name));
        assert_eq!((profiles[2].picture.as_ref(), profiles[2].updated_at), (None, T0 + Duration::minutes(2)));
    }
);
