//! Unit tests of the consent rules.

use std::sync::Arc;

use time::{Duration, OffsetDateTime, macros::datetime};

use super::*;
use crate::use_cases::fakes::{FixedClock, InMemoryStore, SeqRandom};
use crate::{OnNewVersion, Purpose, PurposeKind};

const T0: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);

fn purpose(id: &str, version: u32, on_new_version: OnNewVersion) -> Purpose {
    Purpose {
        id: PurposeId::parse(id).unwrap(),
        kind: PurposeKind::Email,
        title: format!("{id} title"),
        description: format!("{id} v{version}"),
        version,
        on_new_version,
    }
}

fn consents(store: &Arc<InMemoryStore>, clock: &Arc<FixedClock>, purposes: Vec<Purpose>) -> Consents {
    let catalogue = PurposeCatalogue::new(purposes).unwrap();
    Consents::new(store.clone(), clock.clone(), Arc::new(SeqRandom::from_words(&[])), catalogue)
}

fn user() -> UserId {
    UserId::new_v7(1, [1; 10])
}

#[tokio::test]
async fn nothing_is_granted_before_the_user_answers() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let c =
        consents(&store, &clock, vec![purpose("news", 1, OnNewVersion::Keep), purpose("stats", 1, OnNewVersion::Keep)]);
    let views = c.list(user()).await.unwrap();
    assert_eq!(views.len(), 2);
    assert!(views.iter().all(|v| !v.granted && v.answered_version.is_none() && !v.needs_answer));
}

#[tokio::test]
async fn granting_and_withdrawing_each_append_to_the_ledger_with_channel_and_text_hash() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let news = purpose("news", 3, OnNewVersion::Keep);
    let c = consents(&store, &clock, vec![news.clone()]);
    assert!(c.set(user(), "news", true, None, ConsentChannel::Web).await.unwrap().granted);
    clock.advance(Duration::minutes(1));
    let view = c.set(user(), "news", false, None, ConsentChannel::Api).await.unwrap();
    assert!(!view.granted);
    assert_eq!(view.answered_at, Some(T0 + Duration::minutes(1)));
    let ledger = c.ledger(user()).await.unwrap();
    assert_eq!(ledger.len(), 2, "withdrawing is recorded like granting");
    assert_eq!((ledger[0].granted, ledger[0].channel, ledger[0].version), (true, ConsentChannel::Web, 3));
    assert_eq!((ledger[1].granted, ledger[1].channel), (false, ConsentChannel::Api));
    assert_eq!(ledger[0].text_hash, news.text_hash());
    assert!(!c.list(user()).await.unwrap()[0].granted);
}

#[tokio::test]
async fn an_unknown_or_malformed_purpose_is_refused_and_nothing_is_recorded() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let c = consents(&store, &clock, vec![purpose("news", 1, OnNewVersion::Keep)]);
    for bad in ["weather", "News", ""] {
        assert!(
            matches!(c.set(user(), bad, true, None, ConsentChannel::Api).await, Err(ConsentError::UnknownPurpose)),
            "{bad:?}"
        );
    }
    assert!(store.state().consent_ledger.is_empty());
}

#[tokio::test]
async fn a_new_version_keeps_or_suspends_the_old_answer_as_the_operator_chose() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let v1 = consents(
        &store,
        &clock,
        vec![purpose("keep", 1, OnNewVersion::Keep), purpose("ask", 1, OnNewVersion::AskAgain)],
    );
    v1.set(user(), "keep", true, None, ConsentChannel::Web).await.unwrap();
    v1.set(user(), "ask", true, None, ConsentChannel::Web).await.unwrap();
    let v2 = consents(
        &store,
        &clock,
        vec![purpose("keep", 2, OnNewVersion::Keep), purpose("ask", 2, OnNewVersion::AskAgain)],
    );
    let views = v2.list(user()).await.unwrap();
    assert!(views[0].granted && views[0].needs_answer, "kept, but a new answer is asked for");
    assert!(!views[1].granted && views[1].needs_answer, "off until answered again");
    assert_eq!(views[1].answered_version, Some(1));
    let answered = v2.set(user(), "ask", true, None, ConsentChannel::Web).await.unwrap();
    assert!(answered.granted && !answered.needs_answer);
}

#[test]
fn a_different_text_gives_a_different_hash() {
    let a = purpose("news", 1, OnNewVersion::Keep);
    let b = Purpose { description: "other words".into(), ..a.clone() };
    assert_ne!(a.text_hash(), b.text_hash());
    assert_eq!(a.text_hash().len(), 64);
}

#[test]
fn a_catalogue_with_a_duplicate_id_a_zero_version_or_no_title_is_refused() {
    let ok = purpose("news", 1, OnNewVersion::Keep);
    assert!(PurposeCatalogue::new(vec![ok.clone(), ok.clone()]).is_err());
    assert!(PurposeCatalogue::new(vec![Purpose { version: 0, ..ok.clone() }]).is_err());
    assert!(PurposeCatalogue::new(vec![Purpose { title: " ".into(), ..ok.clone() }]).is_err());
    assert!(PurposeCatalogue::new(vec![ok]).is_ok());
}

#[tokio::test]
async fn a_change_to_a_version_the_user_did_not_see_is_refused() {
    let store = Arc::new(InMemoryStore::default());
    let clock = Arc::new(FixedClock::at(T0));
    let c = consents(&store, &clock, vec![purpose("news", 2, OnNewVersion::Keep)]);
    let stale = c.set(user(), "news", true, Some(1), ConsentChannel::Web).await;
    assert!(matches!(stale, Err(ConsentError::PurposeChanged)));
    assert!(store.state().consent_ledger.is_empty());
    assert!(c.set(user(), "news", true, Some(2), ConsentChannel::Web).await.is_ok());
}

#[test]
fn the_text_hash_is_pinned_to_its_documented_encoding() {
    let p = Purpose { title: "T".into(), description: "D".into(), ..purpose("news", 1, OnNewVersion::Keep) };
    let mut bytes = Vec::new();
    for part in ["T", "D"] {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    use sha2::Digest;
    assert_eq!(p.text_hash(), hex::encode(sha2::Sha256::digest(&bytes)));
    // Computed independently (Python: sha256(pack(">Q",1)+b"T"+pack(">Q",1)+b"D")).
    assert_eq!(p.text_hash(), "6580e4619d0a927f13842aa738af23111a2b055d25c12ba78fcb602bd3457710");
}

#[test]
fn a_version_too_large_to_store_is_refused() {
    let huge = Purpose { version: u32::MAX, ..purpose("news", 1, OnNewVersion::Keep) };
    assert!(PurposeCatalogue::new(vec![huge]).is_err());
}
