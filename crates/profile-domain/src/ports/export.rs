//! The export port: reads everything stored about a user, as one consistent
//! snapshot of the small parts plus the long histories page by page.

use async_trait::async_trait;

use crate::export::{ExportSnapshot, LedgerEntryRecord, SecurityEventRecord};
use crate::{PortError, UserId};

/// Reads what the export holds.
///
/// The histories (consent ledger, security history) only ever grow, so a
/// snapshot records how far each reached (`ledger_through`,
/// `security_through`), and the pages read later, bounded by those marks,
/// belong to the same moment however long they take to read.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ExportSource: Send + Sync {
    /// Everything but the histories' entries, read in one transaction, or
    /// `None` when the account does not exist.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// The transaction is read-only and sees one moment (repeatable read
    /// where the database has isolation levels). Rows found by an address
    /// (sign-in codes, messages) are the user's only for the time the
    /// address was theirs, by the rule of
    /// [`ErasureStore::erase`](super::ErasureStore::erase); a message about
    /// the user counts only when it went to an address the user ever held.
    /// `ledger_through` and `security_through` are where the histories end
    /// in that transaction.
    async fn snapshot(&self, user: UserId) -> Result<Option<ExportSnapshot>, PortError>;

    /// Up to `limit` ledger entries with `after < sequence <= through`,
    /// in sequence order.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn ledger_page(
        &self,
        user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<LedgerEntryRecord>, PortError>;

    /// Up to `limit` security-history entries with
    /// `after < position <= through`, oldest first.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// Positions grow in the order entries were written; one user's need
    /// not be consecutive.
    async fn security_page(
        &self,
        user: UserId,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<SecurityEventRecord>, PortError>;
}
