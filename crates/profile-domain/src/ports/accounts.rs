//! The account storage port.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{Account, DisplayName, EmailAddress, NoticeFor, PortError, UserId};

/// Stores accounts and their profile fields.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The account with this id, if it exists.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// May answer from a cache, within the bounds of
    /// [`SessionStore::find`](super::SessionStore::find).
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
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// In the same transaction, queues a `profile.updated` notice
    /// ([`ProviderEvent::ProfileUpdated`](crate::ProviderEvent)) for each of
    /// `notify`, holding the public profile as committed (the new name with
    /// the picture current in that transaction) and never the address, even
    /// for a receiver told it of other changes; numbered with the user's
    /// next notice number; changes of one account are serialised, so the
    /// numbers follow the order of the changes. Nothing is queued while a
    /// deletion of the account is under way, from the request on (its
    /// grace period included), as
    /// [`ProfileDirectory::public_profiles`](super::ProfileDirectory::public_profiles)
    /// no longer shows it.
    async fn set_display_name(
        &self,
        id: UserId,
        name: &DisplayName,
        now: OffsetDateTime,
        notify: &[NoticeFor],
    ) -> Result<Option<Account>, PortError>;
}
