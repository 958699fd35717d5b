//! The account storage port.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{Account, DisplayName, EmailAddress, PortError, UserId};

/// Stores accounts and their profile fields.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The account with this id, if it exists.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn get(&self, id: UserId) -> Result<Option<Account>, PortError>;

    /// The account whose login address this is, if any.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, PortError>;

    /// Sets the display name and `updated_at`, returning the account as now
    /// stored, or `None` when no account has this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn set_display_name(
        &self,
        id: UserId,
        name: &DisplayName,
        now: OffsetDateTime,
    ) -> Result<Option<Account>, PortError>;
}
