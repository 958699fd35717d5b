//! The read-path caches against real databases, with two stores on one
//! database standing for two instances: a change is read back at once by
//! the store that made it, by the other after it reads the feed, and by
//! either without the feed once its caches are no longer trusted.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod support;

use std::time::Duration;

use profile_domain::DisplayName;
use profile_domain::ports::{AccountStore, ProfileDirectory};
use profile_store_seaorm::{CachePolicy, SeaOrmStore};
use support::{TestDb, signed_up};
use time::{OffsetDateTime, macros::datetime};

const T0: OffsetDateTime = datetime!(2026-12-06 12:00 UTC);

/// The real time, as the server's clock gives it.
struct WallClock;

impl profile_domain::ports::Clock for WallClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

async fn instance(db: &TestDb, trust_for: Duration) -> SeaOrmStore {
    let store = SeaOrmStore::connect(&db.url, 2).await.unwrap();
    let store =
        store.with_caches(CachePolicy { trust_for, ..CachePolicy::new([9; 32], std::sync::Arc::new(WallClock)) });
    store.poll_caches().await.unwrap();
    store
}

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

async fn name_of(store: &SeaOrmStore, user: profile_domain::UserId) -> Option<String> {
    store.get(user).await.unwrap().unwrap().display_name.map(|n| n.as_str().to_owned())
}

on_every_backend!(a_change_is_seen_at_once_by_its_store_and_by_the_other_after_the_feed, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let a = instance(&db, Duration::from_secs(60)).await;
    let b = instance(&db, Duration::from_secs(60)).await;
    assert_eq!(name_of(&b, ada).await, None);
    assert_eq!(b.public_profiles(&[ada]).await.unwrap().len(), 1);
    assert_eq!(name_of(&a, ada).await, None);

    a.set_display_name(ada, &name("Ada"), T0, &[]).await.unwrap();
    assert_eq!(name_of(&a, ada).await.as_deref(), Some("Ada"), "the store that changed it drops its copy");
    assert_eq!(name_of(&b, ada).await, None, "the other still serves its copy: it is a real cache");
    b.poll_caches().await.unwrap();
    assert_eq!(name_of(&b, ada).await.as_deref(), Some("Ada"), "the feed drops it");
    let public = b.public_profiles(&[ada]).await.unwrap();
    assert_eq!(public[0].display_name.as_ref().map(DisplayName::as_str), Some("Ada"));
});

on_every_backend!(caches_not_refreshed_within_their_trust_are_not_used, |db: TestDb| async move {
    let ada = signed_up(&db, "ada@example.com", 1).await;
    let a = instance(&db, Duration::from_secs(60)).await;
    let b = instance(&db, Duration::from_millis(300)).await;
    assert_eq!(name_of(&b, ada).await, None);
    a.set_display_name(ada, &name("Ada"), T0, &[]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(name_of(&b, ada).await.as_deref(), Some("Ada"), "no feed read for too long: the database is read");
});
