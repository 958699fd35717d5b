//! Unit tests of unsubscribe links and the recipient lists.

use time::macros::datetime;

use super::*;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::{Account, SecretKey};

fn purpose(id: &str, kind: PurposeKind) -> Purpose {
    Purpose {
        id: PurposeId::parse(id).unwrap(),
        kind,
        title: id.into(),
        description: format!("{id} text"),
        version: 1,
        on_new_version: OnNewVersion::Keep,
    }
}

struct World {
    store: Arc<InMemoryStore>,
    unsubscribes: Unsubscribes,
    users: Vec<UserId>,
}

/// Three users; the first two consent to `news`.
async fn world() -> World {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-29 12:00 UTC)));
    let news = purpose("news", PurposeKind::Email);
    let mut users = Vec::new();
    for n in 1..=3_u64 {
        let account = Account::new(
            UserId::new_v7(n, [n as u8; 10]),
            EmailAddress::parse(&format!("u{n}@example.com")).unwrap(),
            clock.now(),
        );
        users.push(account.id);
        store.state().accounts.insert(account.id, account);
    }
    for user in &users[..2] {
        let event = ConsentEvent {
            id: uuid::Uuid::from_u128(u128::from(user.as_uuid().as_u128() as u8)),
            user_id: *user,
            purpose_id: news.id.clone(),
            version: 1,
            text_hash: news.text_hash(),
            granted: true,
            at: clock.now(),
            channel: ConsentChannel::Api,
        };
        store.state().consent_ledger.push(event);
    }
    let catalogue = PurposeCatalogue::new(vec![news, purpose("stats", PurposeKind::DataUse)]).unwrap();
    let unsubscribes = Unsubscribes::new(
        store.clone(),
        store.clone(),
        clock,
        Arc::new(SeqRandom::from_words(&[])),
        SecretHasher::new(SecretKey::new(vec![6; 32]).unwrap()),
        catalogue,
        "https://p.example/",
    );
    World { store, unsubscribes, users }
}

fn token(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn only_consenting_users_are_listed_each_with_a_stable_link() {
    let w = world().await;
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let emails: Vec<&str> = page.recipients.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(emails, ["u1@example.com", "u2@example.com"]);
    assert!(page.recipients[0].unsubscribe_url.starts_with("https://p.example/v1/unsubscribe/"));
    assert_eq!(page.next, None);
    let again = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    assert_eq!(page.recipients, again.recipients, "the same links each time");
    let first = w.unsubscribes.recipients("news", None, 1).await.unwrap();
    assert_eq!(first.next, Some(w.users[0]));
    let second = w.unsubscribes.recipients("news", first.next, 1).await.unwrap();
    assert_eq!(second.recipients[0].email.as_str(), "u2@example.com");
}

#[tokio::test]
async fn an_account_being_deleted_is_not_listed_and_its_links_answer_as_withdrawn_changing_nothing() {
    let w = world().await;
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let link = token(&page.recipients[0].unsubscribe_url).to_owned();
    w.store.state().being_deleted.push(w.users[0]);
    let listed = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let emails: Vec<&str> = listed.recipients.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(emails, ["u2@example.com"]);
    let first = w.unsubscribes.recipients("news", None, 1).await.unwrap();
    assert!(first.recipients.is_empty(), "the page's only user is being deleted");
    assert_eq!(first.next, Some(w.users[0]), "the listing still goes on past them");
    assert!(w.unsubscribes.look_up(&link).await.unwrap().withdrawn);
    assert_eq!(w.store.state().consent_ledger.len(), 2, "the deletion itself withdraws nothing");

    w.store.state().being_deleted.clear();
    assert!(!w.unsubscribes.look_up(&link).await.unwrap().withdrawn, "cancelled: as it was");
    assert_eq!(w.unsubscribes.recipients("news", None, 10).await.unwrap().recipients.len(), 2);
}

#[tokio::test]
async fn a_link_used_while_the_account_is_being_deleted_still_withdraws() {
    let w = world().await;
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let link = token(&page.recipients[0].unsubscribe_url).to_owned();
    w.store.state().being_deleted.push(w.users[0]);
    w.unsubscribes.unsubscribe(&link).await.unwrap();
    let ledger = w.store.state().consent_ledger.clone();
    assert_eq!((ledger.len(), ledger[2].granted), (3, false), "the person's own choice is recorded");
    w.store.state().being_deleted.clear();
    assert!(w.unsubscribes.look_up(&link).await.unwrap().withdrawn, "and outlives a cancelled deletion");
}

#[tokio::test]
async fn a_data_use_or_unknown_purpose_cannot_be_listed() {
    let w = world().await;
    assert!(matches!(w.unsubscribes.recipients("stats", None, 10).await, Err(ListRecipientsError::NotAnEmailPurpose)));
    assert!(matches!(w.unsubscribes.recipients("nope", None, 10).await, Err(ListRecipientsError::UnknownPurpose)));
}

#[tokio::test]
async fn the_link_withdraws_once_with_the_unsubscribe_channel() {
    let w = world().await;
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let link = token(&page.recipients[0].unsubscribe_url).to_owned();
    let view = w.unsubscribes.look_up(&link).await.unwrap();
    assert_eq!((view.purpose.id.as_str(), view.withdrawn), ("news", false));
    assert_eq!(w.store.state().consent_ledger.len(), 2, "looking at the link changes nothing");
    w.unsubscribes.unsubscribe(&link).await.unwrap();
    w.unsubscribes.unsubscribe(&link).await.unwrap();
    let ledger = w.store.state().consent_ledger.clone();
    assert_eq!(ledger.len(), 3, "the second use records nothing");
    assert!(w.unsubscribes.look_up(&link).await.unwrap().withdrawn);
    assert_eq!(
        (ledger[2].granted, ledger[2].channel, ledger[2].user_id),
        (false, ConsentChannel::Unsubscribe, w.users[0])
    );
    let left = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    assert_eq!(left.recipients.len(), 1);
}

#[tokio::test]
async fn links_made_under_another_server_key_are_replaced_not_handed_out_dead() {
    let w = world().await;
    let old = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let rekeyed = Unsubscribes::new(
        w.store.clone(),
        w.store.clone(),
        Arc::new(FixedClock::at(datetime!(2026-11-29 13:00 UTC))),
        Arc::new(SeqRandom::from_words(&[])),
        SecretHasher::new(SecretKey::new(vec![7; 32]).unwrap()),
        PurposeCatalogue::new(vec![purpose("news", PurposeKind::Email)]).unwrap(),
        "https://p.example",
    );
    let new = rekeyed.recipients("news", None, 10).await.unwrap();
    assert_ne!(new.recipients[0].unsubscribe_url, old.recipients[0].unsubscribe_url);
    rekeyed.unsubscribe(token(&new.recipients[0].unsubscribe_url)).await.unwrap();
    assert_eq!(w.store.state().consent_ledger.len(), 3, "the new link works");
}

#[tokio::test]
async fn a_grant_to_an_older_version_suspended_by_ask_again_is_withdrawn_too() {
    let w = world().await;
    let v2 = Purpose { version: 2, on_new_version: OnNewVersion::AskAgain, ..purpose("news", PurposeKind::Email) };
    let now = Unsubscribes::new(
        w.store.clone(),
        w.store.clone(),
        Arc::new(FixedClock::at(datetime!(2026-11-29 13:00 UTC))),
        Arc::new(SeqRandom::from_words(&[])),
        SecretHasher::new(SecretKey::new(vec![6; 32]).unwrap()),
        PurposeCatalogue::new(vec![v2]).unwrap(),
        "https://p.example",
    );
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    now.unsubscribe(token(&page.recipients[0].unsubscribe_url)).await.unwrap();
    let ledger = w.store.state().consent_ledger.clone();
    assert_eq!((ledger.len(), ledger[2].granted), (3, false), "the withdrawal is on record");
}

#[tokio::test]
async fn malformed_unknown_and_revoked_links_do_not_work() {
    let w = world().await;
    for bad in ["", "xyz", &"g".repeat(64), &"ab".repeat(32)] {
        assert!(matches!(w.unsubscribes.unsubscribe(bad).await, Err(UnsubscribeError::InvalidLink)), "{bad:?}");
    }
    let page = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    let link = token(&page.recipients[0].unsubscribe_url).to_owned();
    assert!(w.unsubscribes.revoke(w.users[0], "news").await.unwrap());
    assert!(matches!(w.unsubscribes.unsubscribe(&link).await, Err(UnsubscribeError::InvalidLink)));
    let renewed = w.unsubscribes.recipients("news", None, 10).await.unwrap();
    assert_ne!(renewed.recipients[0].unsubscribe_url, page.recipients[0].unsubscribe_url);
    assert_eq!(w.store.state().consent_ledger.len(), 2);
}
