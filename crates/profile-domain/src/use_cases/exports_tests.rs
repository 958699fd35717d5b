//! Unit tests of the export: the document, its pages and its limit.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::export::{AccountRecord, LedgerEntryRecord, SecurityEventRecord, SessionRecord};
use crate::use_cases::fakes::FixedClock;
use crate::use_cases::fakes::export::MemoryExport;
use crate::use_cases::fakes::pictures::MemoryBlobs;
use crate::{ImageFormat, PictureFile};

const NOW: OffsetDateTime = datetime!(2026-11-30 10:00 UTC);

fn user() -> UserId {
    UserId::new_v7(1, [7; 10])
}

fn snapshot(pictures: Vec<Picture>) -> ExportSnapshot {
    ExportSnapshot {
        account: AccountRecord {
            id: user().as_uuid(),
            login_email: "ada@example.com".to_owned(),
            created_at: NOW - Duration::days(3),
            updated_at: NOW - Duration::days(1),
        },
        display_name: Some("Ada \u{1F600} \u{05D0}\u{05D1}".to_owned()),
        pictures,
        pending_email_change: None,
        change_codes_sent: vec![],
        address_changes: vec![],
        sign_in_codes: vec![],
        sessions: [1_u128, 2].map(|n| session(Uuid::from_u128(n))).to_vec(),
        purposes: vec![],
        consent_answers: vec![],
        unsubscribe_links: vec![],
        emails: vec![],
        provider_notices: vec![],
        ledger_through: 0,
        security_through: 0,
    }
}

fn session(id: Uuid) -> SessionRecord {
    SessionRecord { id, signed_in_at: NOW, last_seen_at: NOW, expires_at: NOW + Duration::days(30), current: false }
}

fn entry(sequence: i64) -> LedgerEntryRecord {
    LedgerEntryRecord {
        id: Uuid::from_u128(sequence as u128),
        sequence,
        purpose: "news".to_owned(),
        version: 1,
        granted: sequence % 2 == 1,
        at: NOW - Duration::seconds(100_000 - sequence),
        channel: "web".to_owned(),
    }
}

struct Setup {
    source: Arc<MemoryExport>,
    blobs: Arc<MemoryBlobs>,
    clock: Arc<FixedClock>,
    exports: Exports,
}

fn setup(policy: ExportPolicy) -> Setup {
    let source = Arc::new(MemoryExport::default());
    *source.account_exists.lock().unwrap() = true;
    let clock = Arc::new(FixedClock::at(NOW));
    let blobs = Arc::new(MemoryBlobs::new(clock.clone()));
    let exports = Exports::new(source.clone(), source.clone(), blobs.clone(), clock.clone(), policy);
    Setup { source, blobs, clock, exports }
}

async fn drain(document: &mut ExportDocument) -> Result<Value, PortError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = document.next_chunk().await? {
        bytes.extend(chunk);
    }
    Ok(serde_json::from_slice(&bytes).expect("the document is JSON"))
}

fn picture(slot: PictureSlot, content: &[u8]) -> Picture {
    Picture {
        user_id: user(),
        slot,
        files: vec![PictureFile::of(128, ImageFormat::Jpeg, content)],
        created_at: NOW - Duration::hours(2),
        expires_at: (slot == PictureSlot::Pending).then_some(NOW + Duration::hours(1)),
    }
}

#[tokio::test]
async fn the_document_holds_every_section_and_the_whole_ledger_across_pages() {
    let s = setup(ExportPolicy { page_size: 100, ..ExportPolicy::default() });
    let current = picture(PictureSlot::Current, b"current bytes");
    s.blobs.blobs.lock().unwrap().insert(current.keys()[0].clone(), (b"current bytes".to_vec(), NOW));
    s.source.snapshots.lock().unwrap().push_back(snapshot(vec![current.clone()]));
    s.source.ledger.lock().unwrap().extend((1..=1234).map(entry));
    let mut document = s.exports.start(user(), Some(SessionId(Uuid::from_u128(2)))).await.unwrap();
    let doc = drain(&mut document).await.unwrap();

    assert_eq!((doc["format"].as_str(), doc["version"].as_u64()), (Some("profile-export"), Some(1)));
    assert_eq!(doc["exported_at"], "2026-11-30T10:00:00Z");
    assert_eq!(doc["account"]["login_email"], "ada@example.com");
    assert_eq!(doc["account"]["created_at"], "2026-11-27T10:00:00Z");
    assert_eq!(doc["profile"]["display_name"], "Ada \u{1F600} \u{05D0}\u{05D1}");
    let ledger = doc["consents"]["ledger"].as_array().unwrap();
    let sequences: Vec<i64> = ledger.iter().map(|e| e["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences, (1..=1234).collect::<Vec<_>>());
    assert_eq!(ledger[0]["granted"], true);
    let sessions = doc["sign_in"]["sessions"].as_array().unwrap();
    let current_flags: Vec<bool> = sessions.iter().map(|s| s["current"].as_bool().unwrap()).collect();
    assert_eq!(current_flags, [false, true]);
    let file = &doc["profile"]["picture"]["current"]["files"][0];
    assert_eq!(file["file_name"], current.files[0].file_name());
    let content = base64::engine::general_purpose::STANDARD.decode(file["content_base64"].as_str().unwrap());
    assert_eq!(content.unwrap(), b"current bytes");
    assert!(doc["profile"]["picture"]["pending"].is_null());
    let history = doc["security_history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0]["kind"].as_str(), history[0]["at"].as_str()),
        (Some("data_exported"), Some("2026-11-30T10:00:00Z"))
    );
    assert!(history[0].get("position").is_none(), "the paging position stays inside");
}

#[tokio::test]
async fn entries_added_after_the_snapshot_are_left_out() {
    let s = setup(ExportPolicy { page_size: 10, ..ExportPolicy::default() });
    s.source.snapshots.lock().unwrap().push_back(snapshot(vec![]));
    s.source.ledger.lock().unwrap().extend((1..=25).map(entry));
    let mut document = s.exports.start(user(), None).await.unwrap();
    let first = document.next_chunk().await.unwrap().unwrap();
    s.source.ledger.lock().unwrap().extend((26..=40).map(entry));
    let position = s.source.events().last().unwrap().position;
    s.source.security.lock().unwrap().push(SecurityEventRecord {
        position: position + 1,
        kind: "signed_in".to_owned(),
        at: NOW,
    });
    let mut rest = drain_bytes(&mut document).await;
    let mut bytes = first;
    bytes.append(&mut rest);
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["consents"]["ledger"].as_array().unwrap().len(), 25);
    assert_eq!(doc["security_history"].as_array().unwrap().len(), 1);
}

async fn drain_bytes(document: &mut ExportDocument) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(chunk) = document.next_chunk().await.unwrap() {
        bytes.extend(chunk);
    }
    bytes
}

#[tokio::test]
async fn a_user_with_no_history_and_no_picture_gets_empty_sections() {
    let s = setup(ExportPolicy::default());
    let mut empty = snapshot(vec![]);
    empty.display_name = None;
    empty.sessions.clear();
    s.source.snapshots.lock().unwrap().push_back(empty);
    let doc = drain(&mut s.exports.start(user(), None).await.unwrap()).await.unwrap();
    assert_eq!(doc["consents"]["ledger"], Value::Array(vec![]));
    assert!(doc["profile"]["display_name"].is_null());
    assert!(doc["profile"]["picture"]["current"].is_null());
    assert_eq!(doc["sign_in"]["sessions"], Value::Array(vec![]));
}

#[tokio::test]
async fn past_the_limit_an_export_is_refused_with_the_wait_and_nothing_is_recorded() {
    let s = setup(ExportPolicy { max_per_window: 2, window: Duration::hours(1), page_size: 100 });
    s.source.snapshots.lock().unwrap().push_back(snapshot(vec![]));
    s.exports.start(user(), None).await.unwrap();
    s.clock.advance(Duration::minutes(20));
    s.exports.start(user(), None).await.unwrap();
    s.clock.advance(Duration::minutes(10));
    match s.exports.start(user(), None).await {
        Err(ExportError::TooMany { retry_after }) => assert_eq!(retry_after, Duration::minutes(30)),
        other => panic!("expected TooMany, got {:?}", other.map(|_| ())),
    }
    assert_eq!(s.source.events().len(), 2);
    s.clock.advance(Duration::minutes(30));
    assert!(s.exports.start(user(), None).await.is_ok(), "the first export left the window");
}

#[tokio::test]
async fn a_picture_replaced_during_the_export_is_read_from_a_new_snapshot() {
    let s = setup(ExportPolicy::default());
    let gone = picture(PictureSlot::Pending, b"old upload");
    let fresh = picture(PictureSlot::Pending, b"new upload");
    s.blobs.blobs.lock().unwrap().insert(fresh.keys()[0].clone(), (b"new upload".to_vec(), NOW));
    s.source.snapshots.lock().unwrap().extend([snapshot(vec![gone]), snapshot(vec![fresh])]);
    let doc = drain(&mut s.exports.start(user(), None).await.unwrap()).await.unwrap();
    let pending = &doc["profile"]["picture"]["pending"];
    assert_eq!(pending["expires_at"], "2026-11-30T11:00:00Z");
    let content = pending["files"][0]["content_base64"].as_str().unwrap();
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(content).unwrap(), b"new upload");
}

#[tokio::test]
async fn a_missing_account_is_not_found() {
    let s = setup(ExportPolicy::default());
    *s.source.account_exists.lock().unwrap() = false;
    assert!(matches!(s.exports.start(user(), None).await, Err(ExportError::NotFound)));
}

#[tokio::test]
async fn a_page_that_cannot_be_read_ends_the_document_with_an_error() {
    let s = setup(ExportPolicy::default());
    s.source.snapshots.lock().unwrap().push_back(snapshot(vec![]));
    let mut document = s.exports.start(user(), None).await.unwrap();
    assert!(document.next_chunk().await.unwrap().is_some(), "the head needs no read");
    *s.source.pages_fail.lock().unwrap() = true;
    assert!(document.next_chunk().await.is_err());
}

#[tokio::test]
async fn a_page_shorter_than_the_page_size_is_the_last_one_read() {
    for (entries, reads) in [(30, 4), (29, 3), (0, 1)] {
        let s = setup(ExportPolicy { page_size: 10, ..ExportPolicy::default() });
        s.source.snapshots.lock().unwrap().push_back(snapshot(vec![]));
        s.source.ledger.lock().unwrap().extend((1..=entries).map(entry));
        let doc = drain(&mut s.exports.start(user(), None).await.unwrap()).await.unwrap();
        assert_eq!(doc["consents"]["ledger"].as_array().unwrap().len(), entries as usize);
        assert_eq!(*s.source.ledger_reads.lock().unwrap(), reads, "{entries} entries");
    }
}
