//! The security history port. Sign-ins, sign-outs, address changes and
//! reverts add their entry in the same transaction as the change itself
//! (see [`SignInStore::complete_sign_in`](super::SignInStore::complete_sign_in),
//! [`SessionStore::sign_out`](super::SessionStore::sign_out),
//! [`EmailChangeStore::apply`](super::EmailChangeStore::apply) and
//! [`EmailChangeStore::revert`](super::EmailChangeStore::revert)); this port
//! reads the history back.

use async_trait::async_trait;

use crate::{PortError, SecurityEvent, UserId};

/// Reads a user's security history.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SecurityLog: Send + Sync {
    /// The user's history, oldest first.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    async fn history(&self, user: UserId) -> Result<Vec<SecurityEvent>, PortError>;
}
