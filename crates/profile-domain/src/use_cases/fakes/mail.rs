//! A mail transport that records what it sends and fails as scripted.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::OutgoingEmail;
use crate::ports::{MailTransport, SendError};

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
