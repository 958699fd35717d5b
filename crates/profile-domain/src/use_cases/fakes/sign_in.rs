//! The sign-in store over the shared in-memory state.

use async_trait::async_trait;

use crate::ports::{CompletedSignIn, SignInCompletion, SignInOutcome, SignInStore};
use crate::{EmailAddress, OutgoingEmail, PortError, Session, SignInChallenge};

use super::InMemoryStore;

#[async_trait]
impl SignInStore for InMemoryStore {
    async fn put_challenge(&self, challenge: &SignInChallenge, message: &OutgoingEmail) -> Result<(), PortError> {
        let mut state = self.state();
        if state.down {
            return Err(PortError::msg("database down"));
        }
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
