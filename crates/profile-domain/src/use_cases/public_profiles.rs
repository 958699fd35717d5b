//! Public profiles for the rest of the product: one by id, or many at once
//! (a meeting room that opens reads all its participants in one call).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::ports::ProfileDirectory;
use crate::{PortError, PublicProfile, UserId};

/// How many profiles one call may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPolicy {
    /// `profiles.batch_max_ids`: the most ids one batch may name (default 500).
    pub batch_max_ids: usize,
}

impl Default for DirectoryPolicy {
    fn default() -> Self {
        Self { batch_max_ids: 500 }
    }
}

/// Why public profiles could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PublicProfileError {
    /// No such account, or its deletion was asked for.
    #[error("no profile has this id")]
    NotFound,
    /// The batch names more ids than allowed.
    #[error("a batch may name at most {limit} ids")]
    TooManyIds {
        /// The most ids allowed.
        limit: usize,
    },
    /// The batch names an id twice.
    #[error("the batch names the id {0} more than once")]
    DuplicateId(UserId),
    /// Storage failed.
    #[error("could not read profiles")]
    Unexpected(#[from] PortError),
}

/// The public-profile use case.
pub struct PublicProfiles {
    directory: Arc<dyn ProfileDirectory>,
    policy: DirectoryPolicy,
}

impl PublicProfiles {
    /// Builds the use case over its port.
    pub fn new(directory: Arc<dyn ProfileDirectory>, policy: DirectoryPolicy) -> Self {
        Self { directory, policy }
    }

    /// The limits in force.
    #[must_use]
    pub const fn policy(&self) -> &DirectoryPolicy {
        &self.policy
    }

    /// The public profile of `id`.
    ///
    /// # Errors
    /// [`PublicProfileError::NotFound`] for an unknown account or one being
    /// deleted.
    pub async fn get(&self, id: UserId) -> Result<PublicProfile, PublicProfileError> {
        let found = self.directory.public_profiles(&[id]).await?;
        found.into_iter().find(|p| p.id == id).ok_or(PublicProfileError::NotFound)
    }

    /// The public profiles of `ids`, in the order asked, `None` where there
    /// is none (unknown, deleted or being deleted).
    ///
    /// # Errors
    /// [`PublicProfileError::TooManyIds`] past `batch_max_ids`,
    /// [`PublicProfileError::DuplicateId`] for an id named twice; nothing is
    /// read then.
    pub async fn batch(&self, ids: &[UserId]) -> Result<Vec<(UserId, Option<PublicProfile>)>, PublicProfileError> {
        if ids.len() > self.policy.batch_max_ids {
            return Err(PublicProfileError::TooManyIds { limit: self.policy.batch_max_ids });
        }
        let mut seen = HashSet::with_capacity(ids.len());
        if let Some(twice) = ids.iter().find(|id| !seen.insert(**id)) {
            return Err(PublicProfileError::DuplicateId(*twice));
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: HashMap<UserId, PublicProfile> =
            self.directory.public_profiles(ids).await?.into_iter().map(|p| (p.id, p)).collect();
        Ok(ids.iter().map(|id| (*id, found.remove(id))).collect())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::use_cases::fakes::directory::MemoryDirectory;

    fn id(n: u8) -> UserId {
        UserId::new_v7(1, [n; 10])
    }

    fn profile(n: u8) -> PublicProfile {
        PublicProfile { id: id(n), display_name: None, picture: None, updated_at: datetime!(2026-12-06 12:00 UTC) }
    }

    #[tokio::test]
    async fn a_batch_answers_in_the_order_asked_with_the_unknown_ones_marked() {
        let profiles = PublicProfiles::new(
            Arc::new(MemoryDirectory::knowing(vec![profile(1), profile(3)])),
            DirectoryPolicy::default(),
        );
        let answer = profiles.batch(&[id(3), id(2), id(1)]).await.unwrap();
        let shape: Vec<(UserId, bool)> = answer.iter().map(|(id, p)| (*id, p.is_some())).collect();
        assert_eq!(shape, [(id(3), true), (id(2), false), (id(1), true)]);
        assert_eq!(answer[0].1.as_ref().unwrap().id, id(3));
    }

    #[tokio::test]
    async fn a_batch_at_its_limit_is_read_and_one_more_id_or_a_repeated_one_is_refused_unread() {
        let directory = Arc::new(MemoryDirectory::knowing(vec![profile(1)]));
        let strict = PublicProfiles::new(directory.clone(), DirectoryPolicy { batch_max_ids: 2 });
        let three = strict.batch(&[id(1), id(2), id(3)]).await;
        assert!(matches!(three, Err(PublicProfileError::TooManyIds { limit: 2 })));
        let twice = strict.batch(&[id(1), id(1)]).await;
        assert!(matches!(twice, Err(PublicProfileError::DuplicateId(d)) if d == id(1)));
        assert_eq!(directory.reads(), 0, "a refused batch reads nothing");
        assert!(strict.batch(&[]).await.unwrap().is_empty());
        assert_eq!(strict.batch(&[id(1), id(2)]).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn one_profile_is_found_or_not_found() {
        let profiles =
            PublicProfiles::new(Arc::new(MemoryDirectory::knowing(vec![profile(1)])), DirectoryPolicy::default());
        assert_eq!(profiles.get(id(1)).await.unwrap(), profile(1));
        assert!(matches!(profiles.get(id(2)).await, Err(PublicProfileError::NotFound)));
    }
}
