//! The rate limits that protect people (sign-in and code checks per address
//! and per client, wrong operator keys, picture uploads), counted in the
//! shared store so that N instances allow exactly what one does. A subject
//! (an address, a client's network, an account id) reaches the store only
//! as a keyed hash. A key found over its limit is remembered here until
//! its window ends, which cannot change an answer: within a window a count
//! only grows.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use time::{Duration, OffsetDateTime};

use super::draw;
use crate::ports::{Clock, RateCounterStore};
use crate::{LimitName, PortError, RateLimitPolicy, SecretHash, SecretHasher};

/// Purpose label of the counters' keys.
const KEY_PURPOSE: &str = "rate-limit";
/// Keys remembered as over their limit, at most; past it the ended ones go,
/// then all (forgetting only costs a read of the store).
const REMEMBERED: usize = 10_000;

/// Why a request may not go on.
#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    /// The limit is reached; the window ends after this long.
    #[error("too many requests; try again later")]
    Limited {
        /// How long until the window ends.
        retry_after: Duration,
    },
    /// The store failed: the request is refused, never let through uncounted.
    #[error("could not count the request")]
    Unexpected(#[from] PortError),
}

impl RateLimitError {
    /// The whole seconds to wait (at least one), for `Retry-After`.
    #[must_use]
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Limited { retry_after } => {
                let millis = u64::try_from(retry_after.whole_milliseconds()).unwrap_or(0);
                Some(millis.div_ceil(1000).max(1))
            }
            Self::Unexpected(_) => None,
        }
    }
}

/// The rate-limit use case.
pub struct RateLimits {
    store: Arc<dyn RateCounterStore>,
    clock: Arc<dyn Clock>,
    hasher: SecretHasher,
    policy: RateLimitPolicy,
    /// Keys (as hex) known to be over their limit, and when their window ends.
    over: RwLock<HashMap<String, OffsetDateTime>>,
}

impl RateLimits {
    /// Builds the use case over its store.
    pub fn new(
        store: Arc<dyn RateCounterStore>,
        clock: Arc<dyn Clock>,
        hasher: SecretHasher,
        policy: RateLimitPolicy,
    ) -> Self {
        Self { store, clock, hasher, policy, over: RwLock::new(HashMap::new()) }
    }

    /// The limits in force.
    #[must_use]
    pub const fn policy(&self) -> &RateLimitPolicy {
        &self.policy
    }

    /// Counts one event of `name` for `subject`.
    ///
    /// # Errors
    /// [`RateLimitError::Limited`] when the event is past the limit.
    pub async fn count(&self, name: LimitName, subject: &str) -> Result<(), RateLimitError> {
        let now = draw::now_millis(self.clock.as_ref());
        let key = self.key(name, subject);
        self.remembered(&key, now)?;
        let limit = self.policy.get(name);
        let window = self.store.count(name.as_str(), &key, &limit, now).await?;
        if window.count > limit.max {
            return Err(self.remember(&key, window.ends_at, now));
        }
        Ok(())
    }

    /// `Err` when `subject` is known here to be over the limit of `name`
    /// (it was counted over it on this instance in the window). Costs no
    /// read of the store: for checks on a hot path that count only
    /// failures, such as service keys.
    ///
    /// # Errors
    /// [`RateLimitError::Limited`] with the time until the window ends.
    pub fn refused(&self, name: LimitName, subject: &str) -> Result<(), RateLimitError> {
        let now = self.clock.now();
        self.remembered(&self.key(name, subject), now)
    }

    /// Gives back one event of `name` counted for `subject` by [`count`]
    /// (an attempt that succeeded, such as the right operator key: only
    /// failures are limited, yet every attempt is counted first, so that
    /// concurrent attempts cannot all pass before any is counted).
    ///
    /// # Errors
    /// [`RateLimitError::Unexpected`] when the store fails.
    ///
    /// [`count`]: Self::count
    pub async fn refund(&self, name: LimitName, subject: &str) -> Result<(), RateLimitError> {
        let now = draw::now_millis(self.clock.as_ref());
        Ok(self.store.uncount(&self.key(name, subject), now).await?)
    }

    /// The counter's key: a keyed hash of the limit and the subject.
    fn key(&self, name: LimitName, subject: &str) -> SecretHash {
        self.hasher.hash(KEY_PURPOSE, &[name.as_str().as_bytes(), subject.as_bytes()])
    }

    /// `Err` while `key` is remembered as over its limit.
    fn remembered(&self, key: &SecretHash, now: OffsetDateTime) -> Result<(), RateLimitError> {
        let over = self.over.read().unwrap_or_else(PoisonError::into_inner);
        match over.get(&key.to_hex()) {
            Some(ends_at) if *ends_at > now => Err(RateLimitError::Limited { retry_after: *ends_at - now }),
            _ => Ok(()),
        }
    }

    fn remember(&self, key: &SecretHash, ends_at: OffsetDateTime, now: OffsetDateTime) -> RateLimitError {
        let mut over = self.over.write().unwrap_or_else(PoisonError::into_inner);
        if over.len() >= REMEMBERED {
            over.retain(|_, end| *end > now);
            if over.len() >= REMEMBERED {
                over.clear();
            }
        }
        over.insert(key.to_hex(), ends_at);
        RateLimitError::Limited { retry_after: ends_at - now }
    }
}

#[cfg(test)]
#[path = "rate_limits_tests.rs"]
mod tests;
