//! The consent store over the shared in-memory state.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ports::ConsentStore;
use crate::{ConsentAnswer, ConsentEvent, PortError, UserId};

use super::InMemoryStore;

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
