//! The email-change store over the shared in-memory state.

use async_trait::async_trait;
use time::Duration;

use crate::ports::{
    ApplyOutcome, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, PutOutcome, RevertOutcome,
};
use crate::{
    CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, OutgoingEmail, PortError,
    RecentCodes, SecretHash, UserId,
};

use super::InMemoryStore;

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
        let mut record = application.record.clone();
        let last = state.change_records.iter().filter(|r| r.user_id == user).map(|r| r.changed_at).max();
        if let Some(last) = last.filter(|last| *last >= record.changed_at) {
            record.changed_at = last + Duration::milliseconds(1);
        }
        let changed_at = record.changed_at;
        state.change_requests.remove(&user);
        let Some(account) = state.accounts.get_mut(&user) else { return Ok(ApplyOutcome::RequestGone) };
        account.email = new_email.clone();
        account.updated_at = changed_at;
        let account = account.clone();
        state.sessions.retain(|id, s| s.user_id != user || *id == application.keep_session);
        state.change_records.push(record);
        state.queue(&application.notice);
        let changed =
            crate::ProviderEvent::EmailChanged { previous_email: application.record.old_email.clone(), at: changed_at };
        state.queue_notices(user, &changed, changed_at, &application.providers);
        Ok(ApplyOutcome::Applied(account))
    }

    async fn find_record(&self, revert_hash: &SecretHash) -> Result<Option<EmailChangeRecord>, PortError> {
        Ok(self.state().change_records.iter().find(|r| &r.revert_hash == revert_hash).cloned())
    }

    async fn revert(&self, reversal: &EmailChangeReversal) -> Result<RevertOutcome, PortError> {
        let mut state = self.state();
        let user = reversal.user_id;
        if let Some(account) = state.accounts.get(&user).filter(|a| a.email != reversal.replacing) {
            return Ok(RevertOutcome::AddressMoved { current: account.email.clone() });
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
