//! The session storage port.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{PortError, SecretHash, Session, SessionId};

/// Stores sessions, found by the keyed hash of their token.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session whose token hashes to `token_hash`, expired or not.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn find(&self, token_hash: &SecretHash) -> Result<Option<Session>, PortError>;

    /// Records that the session was used at `now`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn touch(&self, id: SessionId, now: OffsetDateTime) -> Result<(), PortError>;

    /// Ends the session; `false` when there was none with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    async fn delete(&self, id: SessionId) -> Result<bool, PortError>;

    /// Ends the session because its owner signed out, recording the
    /// sign-out in their security history in the same transaction; `false`
    /// (and nothing recorded) when there was none with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    async fn sign_out(&self, id: SessionId, now: OffsetDateTime) -> Result<bool, PortError>;
}
