//! In-memory fakes of the ports, for the domain's own unit tests: one
//! store over one shared state (each port's implementation in a file of
//! its own, named after the port), a clock, randomness and a mail
//! transport.

pub(crate) mod accounts;
pub(crate) mod clock;
pub(crate) mod consents;
pub(crate) mod directory;
pub(crate) mod email_change;
pub(crate) mod erasure;
pub(crate) mod export;
pub(crate) mod housekeeping;
pub(crate) mod mail;
pub(crate) mod outbox;
pub(crate) mod pictures;
pub(crate) mod providers;
pub(crate) mod randomness;
pub(crate) mod rate_counters;
pub(crate) mod sessions;
pub(crate) mod sign_in;
pub(crate) mod signal;
pub(crate) mod unsubscribe;

pub(crate) use clock::FixedClock;
pub(crate) use mail::RecordingTransport;
pub(crate) use randomness::SeqRandom;

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;

use crate::{
    Account, ConsentEvent, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, OutgoingEmail, Session,
    SessionId, SignInChallenge, UserId,
};

/// One outbox row.
#[derive(Clone, Debug)]
pub(crate) struct OutboxRow {
    pub(crate) email: OutgoingEmail,
    pub(crate) attempts: u32,
    pub(crate) next_attempt_at: OffsetDateTime,
    pub(crate) lease: Option<(String, OffsetDateTime)>,
    pub(crate) status: &'static str,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) accounts: HashMap<UserId, Account>,
    pub(crate) challenges: HashMap<String, SignInChallenge>,
    pub(crate) sessions: HashMap<SessionId, Session>,
    pub(crate) outbox: Vec<OutboxRow>,
    pub(crate) change_requests: HashMap<UserId, EmailChangeRequest>,
    pub(crate) codes_sent: Vec<EmailChangeCodeSent>,
    pub(crate) change_records: Vec<EmailChangeRecord>,
    pub(crate) consent_ledger: Vec<ConsentEvent>,
    pub(crate) unsubscribe_keys: Vec<crate::UnsubscribeKey>,
    pub(crate) notices: Vec<providers::NoticeRow>,
    pub(crate) reports_seen: Vec<(crate::ProviderId, String)>,
    pub(crate) notice_seq: HashMap<UserId, u64>,
    pub(crate) pictures: HashMap<(UserId, crate::PictureSlot), crate::Picture>,
    pub(crate) signed_out: Vec<(UserId, OffsetDateTime)>,
    pub(crate) being_deleted: Vec<UserId>,
    pub(crate) rate_counters: HashMap<String, crate::ports::WindowCount>,
    /// Calls of `RateCounterStore::count`.
    pub(crate) rate_counts: usize,
    /// Writes fail, as on a database that is down (the sign-in store's).
    pub(crate) down: bool,
}

impl State {
    fn queue(&mut self, message: &OutgoingEmail) {
        self.outbox.push(OutboxRow {
            email: message.clone(),
            attempts: 0,
            next_attempt_at: message.created_at,
            lease: None,
            status: "pending",
        });
    }
}

/// Every storage port over one in-memory state.
#[derive(Default)]
pub(crate) struct InMemoryStore(pub(crate) Mutex<State>);

impl InMemoryStore {
    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
}
