//! The consent storage port: the ledger and the answers kept in step with it.

use async_trait::async_trait;

use crate::{
    ConsentAnswer, ConsentEvent, NoticeFor, PortError, PurposeCatalogue, TextChangedWithoutNewVersion, UserId,
};

/// Stores consent answers and their ledger.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// Keeps every purpose version's exact text, so a ledger hash can always
    /// be matched to the words shown: stores versions not seen before, and
    /// returns `Ok(Err(..))` when a stored version's text differs.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read or written.
    async fn register(
        &self,
        catalogue: &PurposeCatalogue,
        now: time::OffsetDateTime,
    ) -> Result<Result<(), TextChangedWithoutNewVersion>, PortError>;

    /// The user's latest answer for each purpose answered.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn answers(&self, user: UserId) -> Result<Vec<ConsentAnswer>, PortError>;

    /// Appends `event` to the ledger and makes it the user's answer for its
    /// purpose, in one transaction serialised per user, so the ledger's order
    /// (by sequence number) and the answer in force always agree. In the
    /// same transaction it queues a notice of the change for each provider
    /// in `notify`, carrying the account's address at that moment and
    /// numbered with the user's next notice number.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// The lock is the account's row, which every change that queues
    /// notices also takes, so notice numbers follow the order of the
    /// changes. With no account the answer is a [`PortError`] and nothing
    /// is written. Once the account's erasure has begun (from its
    /// `erase_after` on) the entry and the answer are still written, but
    /// no notice is queued: the erasure's notice supersedes it.
    async fn record(&self, event: &ConsentEvent, notify: &[NoticeFor]) -> Result<(), PortError>;

    /// Like [`ConsentStore::record`] for a withdrawal, but only when the
    /// user's stored answer for the purpose is a grant (checked under the
    /// same per-user lock, so two concurrent withdrawals append one entry).
    /// Returns whether it wrote.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// As for [`record`](Self::record): the same lock, and no notice once
    /// the account's erasure has begun.
    async fn withdraw_if_granted(&self, event: &ConsentEvent, notify: &[NoticeFor]) -> Result<bool, PortError>;

    /// The user's whole ledger, in the order it was written.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn ledger(&self, user: UserId) -> Result<Vec<ConsentEvent>, PortError>;
}
