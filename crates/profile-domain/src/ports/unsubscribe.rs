//! The storage port of unsubscribe links and of the operator's recipient list.

use async_trait::async_trait;

use crate::{EmailAddress, PortError, PurposeId, SecretHash, UnsubscribeKey, UserId};

/// Which answers count as consent for a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentFilter {
    /// The purpose.
    pub purpose_id: PurposeId,
    /// Its current version.
    pub version: u32,
    /// The hash of its current text.
    pub text_hash: String,
    /// Whether consents to older versions still count (`keep`).
    pub older_versions_count: bool,
}

/// Stores unsubscribe keys and lists consenting users.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UnsubscribeStore: Send + Sync {
    /// The stored keys of `users` for `purpose` (one query for a page).
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn keys_for(&self, purpose: &PurposeId, users: &[UserId]) -> Result<Vec<UnsubscribeKey>, PortError>;

    /// Stores `key` unless the user already has one for the purpose, and
    /// returns the key in force.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn key_or_insert(&self, key: &UnsubscribeKey) -> Result<UnsubscribeKey, PortError>;

    /// Replaces the user's key for the purpose with `key`, only while the
    /// stored one still has the lookup hash `stale` (keys made under another
    /// server key), and returns the key in force.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn replace(&self, stale: &SecretHash, key: &UnsubscribeKey) -> Result<UnsubscribeKey, PortError>;

    /// The key whose token hashes to `lookup`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn find(&self, lookup: &SecretHash) -> Result<Option<UnsubscribeKey>, PortError>;

    /// Deletes the user's key for the purpose (the link stops working; the
    /// next listing makes a new one). `false` when there was none.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn revoke(&self, user: UserId, purpose: &PurposeId) -> Result<bool, PortError>;

    /// Which of `users` have a deletion under way: asked for and neither
    /// completed nor cancelled (waiting out its grace period, or running).
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn being_deleted(&self, users: &[UserId]) -> Result<Vec<UserId>, PortError>;

    /// Up to `limit` users whose answer in force counts as consent under
    /// `filter`, with their address, in id order after `after`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// Accounts being deleted are not left out here: the caller drops them
    /// with [`being_deleted`](Self::being_deleted), and the page's cursor
    /// still moves past them.
    async fn consenting(
        &self,
        filter: &ConsentFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, EmailAddress)>, PortError>;
}
