//! The consent storage port: the ledger and the answers kept in step with it.

use async_trait::async_trait;

use crate::{ConsentAnswer, ConsentEvent, PortError, UserId};

/// Stores consent answers and their ledger.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// The user's latest answer for each purpose answered.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn answers(&self, user: UserId) -> Result<Vec<ConsentAnswer>, PortError>;

    /// Appends `event` to the ledger and makes it the user's answer for its
    /// purpose, in one transaction.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then neither is.
    async fn record(&self, event: &ConsentEvent) -> Result<(), PortError>;

    /// The user's whole ledger, oldest first.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, PortError>;
}
