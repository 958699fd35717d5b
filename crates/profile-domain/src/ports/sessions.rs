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
    ///
    /// # Contract
    /// May answer from a cache. A session ended by any port method (a
    /// sign-out, an address change or revert, a deletion) is no longer
    /// found on the instance that ended it once the change has committed,
    /// and on every other instance within about a second.
    async fn find(&self, token_hash: &SecretHash) -> Result<Option<Session>, PortError>;

    /// Records that the session was used at `now`.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    ///
    /// # Contract
    /// The write may be deferred and made in a batch, at the batch's
    /// latest time (a last-seen time is a minute's mark, not an exact
    /// one). A clean shutdown writes what was deferred.
    async fn touch(&self, id: SessionId, now: OffsetDateTime) -> Result<(), PortError>;

    /// Ends the session; `false` when there was none with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written.
    ///
    /// # Contract
    /// Records nothing in the security history: it ends expired sessions.
    /// A sign-out is [`sign_out`](Self::sign_out).
    async fn delete(&self, id: SessionId) -> Result<bool, PortError>;

    /// Ends the session because its owner signed out, recording the
    /// sign-out in their security history in the same transaction; `false`
    /// (and nothing recorded) when there was none with this id.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be written; then nothing is.
    ///
    /// # Contract
    /// The entry is [`SignedOut`](crate::SecurityEventKind::SignedOut) at
    /// `now`. A second sign-out of the same session records nothing.
    async fn sign_out(&self, id: SessionId, now: OffsetDateTime) -> Result<bool, PortError>;
}
