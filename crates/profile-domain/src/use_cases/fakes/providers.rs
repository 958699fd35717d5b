//! In-memory fakes of the provider ports.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{InMemoryStore, State};
use crate::ports::{
    NoticeOutcome, NoticeRefused, ProviderBacklog, ProviderOutbox, ProviderReportLog, ProviderTransport, QueuedNotice,
};
use crate::{ConsentEvent, NoticeFor, PortError, ProviderEvent, ProviderId, ProviderNotice, UserId};

/// One queued provider notice.
#[derive(Clone, Debug)]
pub(crate) struct NoticeRow {
    pub(crate) notice: ProviderNotice,
    pub(crate) attempts: u32,
    pub(crate) next_attempt_at: OffsetDateTime,
    pub(crate) lease: Option<(String, OffsetDateTime)>,
    pub(crate) delivered: bool,
    pub(crate) last_error: Option<String>,
    pub(crate) queued_at: OffsetDateTime,
}

impl State {
    /// Appends to the ledger and queues the notices, as one step.
    pub(crate) fn append_consent(&mut self, event: &ConsentEvent, notify: &[NoticeFor]) {
        self.consent_ledger.push(event.clone());
        self.queue_notices(event.user_id, &ProviderEvent::from(event), event.at, notify);
    }

    /// Queues `event` for each receiver in `notify`, with the account's
    /// address (for those told it) and its next notice number.
    pub(crate) fn queue_notices(
        &mut self,
        user: UserId,
        event: &ProviderEvent,
        at: OffsetDateTime,
        notify: &[NoticeFor],
    ) {
        let Some(email) = self.accounts.get(&user).map(|a| a.email.clone()) else { return };
        if notify.is_empty() {
            return;
        }
        let sequence = {
            let n = self.notice_seq.entry(user).or_default();
            *n += 1;
            *n
        };
        for n in notify {
            self.notices.push(NoticeRow {
                notice: ProviderNotice {
                    id: n.id,
                    provider: n.provider.clone(),
                    user_id: user,
                    email: n.with_email.then(|| email.clone()),
                    sequence,
                    event: event.clone(),
                },
                attempts: 0,
                next_attempt_at: at,
                lease: None,
                delivered: false,
                last_error: None,
                queued_at: at,
            });
        }
    }

    /// The public profile of `user` as stored now.
    pub(crate) fn public_profile(&self, user: UserId) -> Option<crate::PublicProfile> {
        let account = self.accounts.get(&user)?;
        let picture = self.pictures.get(&(user, crate::PictureSlot::Current)).map(|p| p.files.clone());
        Some(crate::PublicProfile {
            id: user,
            display_name: account.display_name.clone(),
            picture,
            updated_at: account.updated_at,
        })
    }

    /// Queues `profile.updated` with the profile as stored now.
    pub(crate) fn queue_profile_updated(&mut self, user: UserId, notify: &[NoticeFor]) {
        if let Some(profile) = self.public_profile(user) {
            let at = profile.updated_at;
            self.queue_notices(user, &ProviderEvent::ProfileUpdated { profile }, at, notify);
        }
    }
}

#[async_trait]
impl ProviderOutbox for InMemoryStore {
    async fn claim_due_notices(
        &self,
        providers: &[ProviderId],
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<QueuedNotice>, PortError> {
        let mut state = self.state();
        let mut heads: Vec<usize> = Vec::new();
        for (i, row) in state.notices.iter().enumerate() {
            let n = &row.notice;
            let is_head = !row.delivered
                && !state.notices[..i]
                    .iter()
                    .any(|r| !r.delivered && r.notice.provider == n.provider && r.notice.user_id == n.user_id);
            let free = row.lease.as_ref().is_none_or(|(_, until)| *until <= now);
            if is_head && free && row.next_attempt_at <= now && providers.contains(&n.provider) {
                heads.push(i);
            }
        }
        heads.truncate(limit as usize);
        Ok(heads
            .into_iter()
            .map(|i| {
                let row = &mut state.notices[i];
                row.lease = Some((worker.to_owned(), lease_until));
                QueuedNotice { notice: row.notice.clone(), attempts: row.attempts }
            })
            .collect())
    }

    async fn record_notice_outcome(
        &self,
        id: Uuid,
        worker: &str,
        outcome: &NoticeOutcome,
        _now: OffsetDateTime,
    ) -> Result<(), PortError> {
        let mut state = self.state();
        let Some(row) = state.notices.iter_mut().find(|r| r.notice.id == id) else { return Ok(()) };
        if row.lease.as_ref().is_none_or(|(owner, _)| owner != worker) {
            return Ok(());
        }
        row.lease = None;
        match outcome {
            NoticeOutcome::Delivered { .. } => row.delivered = true,
            NoticeOutcome::Retry { attempts, next_attempt_at, error, .. } => {
                row.attempts = *attempts;
                row.next_attempt_at = *next_attempt_at;
                row.last_error = Some(error.clone());
            }
        }
        Ok(())
    }

    async fn backlog(&self) -> Result<Vec<ProviderBacklog>, PortError> {
        let state = self.state();
        let mut out: Vec<ProviderBacklog> = Vec::new();
        for row in &state.notices {
            let entry = match out.iter_mut().position(|b| b.provider == row.notice.provider) {
                Some(i) => &mut out[i],
                None => {
                    out.push(ProviderBacklog {
                        provider: row.notice.provider.clone(),
                        pending: 0,
                        delivered: 0,
                        oldest_pending_at: None,
                        last_error: None,
                    });
                    out.last_mut().unwrap()
                }
            };
            if row.delivered {
                entry.delivered += 1;
            } else {
                entry.pending += 1;
                entry.oldest_pending_at.get_or_insert(row.queued_at);
                if row.last_error.is_some() {
                    entry.last_error.clone_from(&row.last_error);
                }
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl ProviderReportLog for InMemoryStore {
    async fn claim(&self, provider: &ProviderId, report_id: &str, _at: OffsetDateTime) -> Result<bool, PortError> {
        let mut state = self.state();
        let key = (provider.clone(), report_id.to_owned());
        if state.reports_seen.contains(&key) {
            return Ok(false);
        }
        state.reports_seen.push(key);
        Ok(true)
    }

    async fn forget(&self, provider: &ProviderId, report_id: &str) -> Result<(), PortError> {
        self.state().reports_seen.retain(|(p, id)| !(p == provider && id == report_id));
        Ok(())
    }
}

/// An email purpose of version 1 whose title and description are its id.
pub(crate) fn email_purpose(id: &str) -> crate::Purpose {
    crate::Purpose {
        id: crate::PurposeId::parse(id).unwrap(),
        kind: crate::PurposeKind::Email,
        title: id.into(),
        description: id.into(),
        version: 1,
        on_new_version: crate::OnNewVersion::Keep,
    }
}

/// A provider transport that records what it delivers and fails while told to.
#[derive(Default)]
pub(crate) struct RecordingProviders {
    pub(crate) delivered: Mutex<Vec<ProviderNotice>>,
    pub(crate) failures: Mutex<VecDeque<NoticeRefused>>,
}

#[async_trait]
impl ProviderTransport for RecordingProviders {
    async fn deliver(&self, notice: &ProviderNotice) -> Result<u16, NoticeRefused> {
        if let Some(refused) = self.failures.lock().unwrap().pop_front() {
            return Err(refused);
        }
        self.delivered.lock().unwrap().push(notice.clone());
        Ok(200)
    }
}
