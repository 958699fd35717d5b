//! The profile directory port: the public profiles other services read.

use async_trait::async_trait;

use crate::{PortError, PublicProfile, UserId};

/// Reads public profiles for the rest of the product.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProfileDirectory: Send + Sync {
    /// The public profiles of those of `ids` that exist, in any order.
    ///
    /// # Errors
    /// [`PortError`] when the storage cannot be read.
    ///
    /// # Contract
    /// An account whose deletion was asked for (a deletion job exists for
    /// it, in its grace period or running) is left out, as if it were gone:
    /// the rest of the product stops showing it from the request on. May
    /// answer from a cache, within the bounds of
    /// [`SessionStore::find`](super::SessionStore::find).
    async fn public_profiles(&self, ids: &[UserId]) -> Result<Vec<PublicProfile>, PortError>;
}
