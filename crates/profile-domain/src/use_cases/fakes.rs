//! In-memory fakes of the ports, for the domain's own unit tests.

pub(crate) mod export;
pub(crate) mod pictures;
pub(crate) mod providers;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use crate::ports::ConsentStore;
use crate::ports::{
    AccountStore, Clock, CompletedSignIn, DeliveryOutcome, MailTransport, OutboxStore, QueuedEmail, Randomness,
    SendError, SessionStore, SignInCompletion, SignInOutcome, SignInStore,
};
use crate::ports::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, PutOutcome, RevertOutcome,
};
use crate::{
    Account, CodeLimits, ConsentAnswer, ConsentEvent, DisplayName, EmailAddress, EmailChangeCodeSent,
    EmailChangeRecord, EmailChangeRequest, EmailId, OutgoingEmail, PortError, RecentCodes, SecretHash, Session,
    SessionId, SignInChallenge, UserId,
};

/// A clock that moves only when told.
pub(crate) struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub(crate) fn at(now: OffsetDateTime) -> Self {
        Self(Mutex::new(now))
    }
    pub(crate) fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// Randomness that returns the queued words first, then a counter.
pub(crate) struct SeqRandom {
    words: Mutex<VecDeque<u32>>,
    counter: Mutex<u8>,
}

impl SeqRandom {
    pub(crate) fn from_words(words: &[u32]) -> Self {
        Self { words: Mutex::new(words.iter().copied().collect()), counter: Mutex::new(0) }
    }
}

impl Randomness for SeqRandom {
    fn fill(&self, buf: &mut [u8]) {
        if buf.len() == 4
            && let Some(word) = self.words.lock().unwrap().pop_front()
        {
            buf.copy_from_slice(&word.to_be_bytes());
            return;
        }
        let mut counter = self.counter.lock().unwrap();
        *counter = counter.wrapping_add(1);
        buf.fill(*counter);
    }
}

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

#[async_trait]
impl SignInStore for InMemoryStore {
    async fn put_challenge(&self, challenge: &SignInChallenge, message: &OutgoingEmail) -> Result<(), PortError> {
        let mut state = self.state();
        state.challenges.insert(challenge.email.as_str().to_owned(), challenge.clone());
        state.queue(message);
        Ok(())
    }

    async fn record_attempt(&self, email: &EmailAddress) -> Result<Option<SignInChallenge>, PortError> {
        let mut state = self.state();
        Ok(state.challenges.get_mut(email.as_str()).map(|c| {
            c.attempts += 1;
            c.clone()
        }))
    }

    async fn complete_sign_in(&self, completion: &SignInCompletion) -> Result<SignInOutcome, PortError> {
        let mut state = self.state();
        let key = completion.email.as_str();
        if state.challenges.get(key).is_none_or(|c| c.code_hash != completion.code_hash) {
            return Ok(SignInOutcome::ChallengeGone);
        }
        let existing = state.accounts.values().find(|a| a.email == completion.email).cloned();
        let now = completion.session.created_at;
        let awaiting_revert = state.change_records.iter().any(|r| {
            r.old_email == completion.email
                && r.reverted_at.is_none()
                && r.voided_at.is_none()
                && now < r.revert_expires_at
        });
        if existing.is_none() && awaiting_revert {
            return Ok(SignInOutcome::AddressAwaitingRevert);
        }
        state.challenges.remove(key);
        let created = existing.is_none();
        let account = existing.unwrap_or_else(|| completion.new_account.clone());
        state.accounts.insert(account.id, account.clone());
        let s = &completion.session;
        state.sessions.insert(
            s.id,
            Session {
                id: s.id,
                user_id: account.id,
                token_hash: s.token_hash.clone(),
                created_at: s.created_at,
                expires_at: s.expires_at,
                last_seen_at: s.created_at,
            },
        );
        Ok(SignInOutcome::Completed(CompletedSignIn { account, created }))
    }
}

#[async_trait]
impl AccountStore for InMemoryStore {
    async fn get(&self, id: UserId) -> Result<Option<Account>, PortError> {
        Ok(self.state().accounts.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, PortError> {
        Ok(self.state().accounts.values().find(|a| &a.email == email).cloned())
    }

    async fn set_display_name(
        &self,
        id: UserId,
        name: &DisplayName,
        now: OffsetDateTime,
        notify: &[crate::NoticeFor],
    ) -> Result<Option<Account>, PortError> {
        let mut state = self.state();
        let Some(account) = state.accounts.get_mut(&id) else { return Ok(None) };
        account.display_name = Some(name.clone());
        account.updated_at = now;
        let account = account.clone();
        state.queue_profile_updated(id, notify);
        Ok(Some(account))
    }
}

#[async_trait]
impl SessionStore for InMemoryStore {
    async fn find(&self, token_hash: &SecretHash) -> Result<Option<Session>, PortError> {
        Ok(self.state().sessions.values().find(|s| &s.token_hash == token_hash).cloned())
    }

    async fn touch(&self, id: SessionId, now: OffsetDateTime) -> Result<(), PortError> {
        if let Some(s) = self.state().sessions.get_mut(&id) {
            s.last_seen_at = now;
        }
        Ok(())
    }

    async fn delete(&self, id: SessionId) -> Result<bool, PortError> {
        Ok(self.state().sessions.remove(&id).is_some())
    }

    async fn sign_out(&self, id: SessionId, now: OffsetDateTime) -> Result<bool, PortError> {
        let mut state = self.state();
        let Some(ended) = state.sessions.remove(&id) else { return Ok(false) };
        state.signed_out.push((ended.user_id, now));
        Ok(true)
    }
}

#[async_trait]
impl OutboxStore for InMemoryStore {
    async fn claim_due(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedEmail>, PortError> {
        let mut state = self.state();
        let mut claimed = Vec::new();
        for row in state.outbox.iter_mut() {
            let free = row.lease.as_ref().is_none_or(|(_, until)| *until <= now);
            if row.status == "pending" && row.next_attempt_at <= now && free && claimed.len() < limit as usize {
                row.lease = Some((worker.to_owned(), lease_until));
                claimed.push(QueuedEmail { email: row.email.clone(), attempts: row.attempts });
            }
        }
        Ok(claimed)
    }

    async fn record_outcome(
        &self,
        id: EmailId,
        worker: &str,
        outcome: &DeliveryOutcome,
        _now: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut state = self.state();
        let Some(row) = state.outbox.iter_mut().find(|r| r.email.id == id) else { return Ok(()) };
        if row.lease.as_ref().is_none_or(|(w, _)| w != worker) {
            return Ok(());
        }
        row.lease = None;
        match outcome {
            DeliveryOutcome::Sent => row.status = "sent",
            DeliveryOutcome::Expired => row.status = "expired",
            DeliveryOutcome::Failed { attempts, .. } => {
                row.status = "failed";
                row.attempts = *attempts;
            }
            DeliveryOutcome::Retry { attempts, next_attempt_at, .. } => {
                row.attempts = *attempts;
                row.next_attempt_at = *next_attempt_at;
            }
        }
        Ok(())
    }
}

/// A transport that records what it sends and fails as scripted.
#[derive(Default)]
pub(crate) struct RecordingTransport {
    pub(crate) sent: Mutex<Vec<OutgoingEmail>>,
    pub(crate) failures: Mutex<VecDeque<SendError>>,
}

#[async_trait]
impl MailTransport for RecordingTransport {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError> {
        if let Some(err) = self.failures.lock().unwrap().pop_front() {
            return Err(err);
        }
        self.sent.lock().unwrap().push(email.clone());
        Ok(())
    }
}

#[async_trait]
impl EmailChangeStore for InMemoryStore {
    async fn owner_of(&self, email: &EmailAddress) -> Result<Option<UserId>, PortError> {
        Ok(self.state().accounts.values().find(|a| &a.email == email).map(|a| a.id))
    }

    async fn put_request(
        &self,
        request: &EmailChangeRequest,
        sent: &EmailChangeCodeSent,
        message: &OutgoingEmail,
        limits: &CodeLimits,
    ) -> Result<PutOutcome, PortError> {
        let mut state = self.state();
        let since = sent.sent_at - limits.window;
        let recent = state.codes_sent.iter().filter(|c| c.sent_at >= since);
        let recent = RecentCodes {
            for_user: recent.clone().filter(|c| c.user_id == sent.user_id).map(|c| c.sent_at).collect(),
            for_destination: recent.filter(|c| c.destination == sent.destination).map(|c| c.sent_at).collect(),
        };
        if let Some(wait) = limits.wait(&recent, sent.sent_at) {
            return Ok(PutOutcome::Limited(wait));
        }
        state.change_requests.insert(request.user_id, request.clone());
        state.codes_sent.push(sent.clone());
        state.queue(message);
        Ok(PutOutcome::Stored)
    }

    async fn record_change_attempt(&self, user: UserId) -> Result<Option<EmailChangeRequest>, PortError> {
        Ok(self.state().change_requests.get_mut(&user).map(|r| {
            r.attempts += 1;
            r.clone()
        }))
    }

    async fn apply(&self, application: &EmailChangeApplication) -> Result<ApplyOutcome, PortError> {
        let mut state = self.state();
        let user = application.record.user_id;
        if state.change_requests.get(&user).is_none_or(|r| r.code_hash != application.code_hash) {
            return Ok(ApplyOutcome::RequestGone);
        }
        let new_email = &application.record.new_email;
        if state.accounts.values().any(|a| &a.email == new_email && a.id != user) {
            return Ok(ApplyOutcome::AddressTaken);
        }
        state.change_requests.remove(&user);
        let Some(account) = state.accounts.get_mut(&user) else { return Ok(ApplyOutcome::RequestGone) };
        account.email = new_email.clone();
        account.updated_at = application.record.changed_at;
        let account = account.clone();
        state.sessions.retain(|id, s| s.user_id != user || *id == application.keep_session);
        let mut record = application.record.clone();
        let last = state.change_records.iter().filter(|r| r.user_id == user).map(|r| r.changed_at).max();
        if let Some(last) = last.filter(|last| *last >= record.changed_at) {
            record.changed_at = last + Duration::milliseconds(1);
        }
        state.change_records.push(record);
        state.queue(&application.notice);
        let changed = crate::ProviderEvent::EmailChanged {
            previous_email: application.record.old_email.clone(),
            at: application.record.changed_at,
        };
        state.queue_notices(user, &changed, application.record.changed_at, &application.providers);
        Ok(ApplyOutcome::Applied(account))
    }

    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError> {
        Ok(self.state().change_records.iter().find(|r| &r.revert_hash == revert_hash).cloned())
    }

    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError> {
        let mut state = self.state();
        let user = reversal.user_id;
        if state.accounts.get(&user).is_some_and(|a| a.email != reversal.replacing) {
            return Ok(RevertOutcome::AddressMoved);
        }
        let unused = |r: &EmailChangeRecord| r.reverted_at.is_none() && r.voided_at.is_none();
        let Some(changed_at) =
            state.change_records.iter().find(|r| r.id == reversal.record_id && unused(r)).map(|r| r.changed_at)
        else {
            return Ok(RevertOutcome::AlreadyReverted);
        };
        if state.accounts.values().any(|a| a.email == reversal.restore && a.id != user) {
            return Ok(RevertOutcome::AddressTaken);
        }
        for record in state.change_records.iter_mut().filter(|r| r.user_id == user) {
            if record.id == reversal.record_id {
                record.reverted_at = Some(reversal.now);
            } else if unused(record) && record.changed_at > changed_at {
                record.voided_at = Some(reversal.now);
            }
        }
        if let Some(account) = state.accounts.get_mut(&user) {
            account.email = reversal.restore.clone();
        }
        let changed =
            crate::ProviderEvent::EmailChanged { previous_email: reversal.replacing.clone(), at: reversal.now };
        state.queue_notices(user, &changed, reversal.now, &reversal.providers);
        state.sessions.retain(|_, s| s.user_id != user);
        state.change_requests.remove(&user);
        for notice in &reversal.notices {
            state.queue(notice);
        }
        Ok(RevertOutcome::Reverted)
    }
}

#[async_trait]
impl ConsentStore for InMemoryStore {
    async fn register(
        &self,
        _catalogue: &crate::PurposeCatalogue,
        _now: OffsetDateTime,
    ) -> Result<Result<(), crate::TextChangedWithoutNewVersion>, PortError> {
        Ok(Ok(()))
    }

    async fn answers(&self, user: UserId) -> Result<Vec<ConsentAnswer>, PortError> {
        let state = self.state();
        let mut answers: Vec<ConsentAnswer> = Vec::new();
        for e in state.consent_ledger.iter().filter(|e| e.user_id == user) {
            answers.retain(|a| a.purpose_id != e.purpose_id);
            answers.push(ConsentAnswer {
                purpose_id: e.purpose_id.clone(),
                granted: e.granted,
                version: e.version,
                text_hash: e.text_hash.clone(),
                answered_at: e.at,
            });
        }
        Ok(answers)
    }

    async fn record(&self, event: &ConsentEvent, notify: &[crate::NoticeFor]) -> Result<(), PortError> {
        self.state().append_consent(event, notify);
        Ok(())
    }

    async fn withdraw_if_granted(&self, event: &ConsentEvent, notify: &[crate::NoticeFor]) -> Result<bool, PortError> {
        let answers = self.answers(event.user_id).await?;
        let granted = answers.iter().any(|a| a.purpose_id == event.purpose_id && a.granted);
        if granted {
            self.state().append_consent(event, notify);
        }
        Ok(granted)
    }

    async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, PortError> {
        Ok(self.state().consent_ledger.iter().filter(|e| e.user_id == user).cloned().collect())
    }
}

#[async_trait]
impl crate::ports::UnsubscribeStore for InMemoryStore {
    async fn keys_for(
        &self,
        purpose: &crate::PurposeId,
        users: &[UserId],
    ) -> Result<Vec<crate::UnsubscribeKey>, PortError> {
        let state = self.state();
        Ok(state
            .unsubscribe_keys
            .iter()
            .filter(|k| &k.purpose_id == purpose && users.contains(&k.user_id))
            .cloned()
            .collect())
    }

    async fn key_or_insert(&self, key: &crate::UnsubscribeKey) -> Result<crate::UnsubscribeKey, PortError> {
        let mut state = self.state();
        if let Some(existing) =
            state.unsubscribe_keys.iter().find(|k| k.user_id == key.user_id && k.purpose_id == key.purpose_id)
        {
            return Ok(existing.clone());
        }
        state.unsubscribe_keys.push(key.clone());
        Ok(key.clone())
    }

    async fn replace(
        &self,
        stale: &SecretHash,
        key: &crate::UnsubscribeKey,
    ) -> Result<crate::UnsubscribeKey, PortError> {
        let mut state = self.state();
        for k in &mut state.unsubscribe_keys {
            if &k.lookup == stale && k.user_id == key.user_id && k.purpose_id == key.purpose_id {
                *k = key.clone();
            }
        }
        let in_force =
            state.unsubscribe_keys.iter().find(|k| k.user_id == key.user_id && k.purpose_id == key.purpose_id);
        in_force.cloned().ok_or(PortError::msg("no key"))
    }

    async fn find(&self, lookup: &SecretHash) -> Result<Option<crate::UnsubscribeKey>, PortError> {
        Ok(self.state().unsubscribe_keys.iter().find(|k| &k.lookup == lookup).cloned())
    }

    async fn revoke(&self, user: UserId, purpose: &crate::PurposeId) -> Result<bool, PortError> {
        let mut state = self.state();
        let before = state.unsubscribe_keys.len();
        state.unsubscribe_keys.retain(|k| !(k.user_id == user && &k.purpose_id == purpose));
        Ok(state.unsubscribe_keys.len() < before)
    }

    async fn being_deleted(&self, users: &[UserId]) -> Result<Vec<UserId>, PortError> {
        Ok(self.state().being_deleted.iter().filter(|u| users.contains(u)).copied().collect())
    }

    async fn consenting(
        &self,
        filter: &crate::ports::ConsentFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, EmailAddress)>, PortError> {
        let mut users: Vec<(UserId, EmailAddress)> = Vec::new();
        let accounts: Vec<Account> = self.state().accounts.values().cloned().collect();
        for account in accounts {
            let answers = ConsentStore::answers(self, account.id).await?;
            let counts = answers.iter().any(|a| {
                a.purpose_id == filter.purpose_id
                    && a.granted
                    && (filter.older_versions_count || (a.version == filter.version && a.text_hash == filter.text_hash))
            });
            if counts && after.is_none_or(|cursor| account.id > cursor) {
                users.push((account.id, account.email));
            }
        }
        users.sort_by_key(|(id, _)| *id);
        users.truncate(limit as usize);
        Ok(users)
    }
}

#[async_trait]
impl crate::ports::RateCounterStore for InMemoryStore {
    async fn count(
        &self,
        _name: &str,
        key: &SecretHash,
        limit: &crate::RateLimit,
        now: OffsetDateTime,
    ) -> Result<crate::ports::WindowCount, PortError> {
        let mut state = self.state();
        state.rate_counts += 1;
        let fresh = crate::ports::WindowCount { count: 0, ends_at: now + limit.window };
        let window = state.rate_counters.entry(key.to_hex()).or_insert(fresh);
        if window.ends_at <= now {
            *window = fresh;
        }
        window.count += 1;
        Ok(*window)
    }

    async fn uncount(&self, key: &SecretHash, now: OffsetDateTime) -> Result<(), PortError> {
        if let Some(window) = self.state().rate_counters.get_mut(&key.to_hex())
            && window.ends_at > now
        {
            window.count = window.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn current(
        &self,
        key: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<crate::ports::WindowCount>, PortError> {
        Ok(self.state().rate_counters.get(&key.to_hex()).copied().filter(|w| w.ends_at > now))
    }
}
