//! The mail transport port.

use async_trait::async_trait;

use crate::OutgoingEmail;

/// Why a message was not handed over. The text must hold no personal data
/// (mail servers echo addresses in their replies: adapters keep only codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a connection failure, a timeout, a 4xx reply.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Will never succeed: the server refused the message with a 5xx reply.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Renders and hands over a message to a mail system.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MailTransport: Send + Sync {
    /// Renders `email` and hands it over. Success means the receiving system
    /// accepted responsibility for it.
    ///
    /// # Errors
    /// [`SendError`] says whether trying again can help.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError>;
}
