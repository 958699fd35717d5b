//! Fixed-window rate limits kept in memory, one counter per key.
//!
//! Each server instance counts on its own, so behind a load balancer with N
//! instances a client may get up to N times the limit; the sign-in code's
//! own attempt limit still holds across instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit: at most `max` events per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window.
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

/// Counters for one named limit.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    state: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    counts: HashMap<String, (Instant, u32)>,
    last_pruned: Option<Instant>,
}

/// Keys whose window is over are dropped once this many are held (at most
/// once per window, so a flood of keys cannot make every check a full scan).
const PRUNE_AT: usize = 10_000;

impl RateLimiter {
    /// A limiter enforcing `limit`.
    #[must_use]
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, state: Mutex::new(Windows::default()) }
    }

    /// Whether `key` is at its limit at `now`, without counting anything:
    /// `Some(seconds)` to wait when it is.
    #[must_use]
    pub fn blocked(&self, key: &str, now: Instant) -> Option<u64> {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (start, count) = *state.counts.get(key)?;
        let elapsed = now.duration_since(start);
        (elapsed < self.limit.window && count >= self.limit.max).then(|| {
            let left = self.limit.window.saturating_sub(elapsed);
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        })
    }

    /// Counts one event for `key` at `now`; `Err(seconds)` says how long to
    /// wait when the limit is reached (the event is then not counted).
    ///
    /// # Errors
    /// The whole seconds until the key's window ends.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let prune_due = state.last_pruned.is_none_or(|at| now.duration_since(at) >= self.limit.window);
        if state.counts.len() >= PRUNE_AT && prune_due {
            let window = self.limit.window;
            state.counts.retain(|_, (start, _)| now.duration_since(*start) < window);
            state.last_pruned = Some(now);
        }
        if state.counts.len() >= MAX_KEYS && !state.counts.contains_key(key) {
            evict_oldest_half(&mut state.counts);
        }
        let entry = state.counts.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.limit.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit.max {
            let left = self.limit.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The most keys held; past it the oldest half is dropped, so a flood of
/// new keys costs memory only up to here.
const MAX_KEYS: usize = 100_000;

fn evict_oldest_half(counts: &mut HashMap<String, (Instant, u32)>) {
    let mut starts: Vec<Instant> = counts.values().map(|(start, _)| *start).collect();
    let middle = starts.len() / 2;
    let (_, cutoff, _) = starts.select_nth_unstable(middle);
    let cutoff = *cutoff;
    counts.retain(|_, (start, _)| *start > cutoff);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_allows_max_events_per_window_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(RateLimit { max: 3, window: Duration::from_secs(60) });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check("a", t0), Ok(()));
        }
        assert_eq!(limiter.check("a", t0 + Duration::from_secs(20)), Err(40));
        assert_eq!(limiter.check("b", t0), Ok(()), "keys are counted apart");
        assert_eq!(limiter.check("a", t0 + Duration::from_secs(60)), Ok(()), "a new window starts");
    }

    #[test]
    fn past_the_key_cap_the_oldest_keys_are_dropped() {
        let limiter = RateLimiter::new(RateLimit { max: 1, window: Duration::from_secs(3600) });
        let t0 = Instant::now();
        for i in 0..MAX_KEYS {
            limiter.check(&format!("k{i}"), t0 + Duration::from_micros(i as u64)).unwrap();
        }
        limiter.check("newcomer", t0 + Duration::from_secs(1)).unwrap();
        let held = limiter.state.lock().unwrap().counts.len();
        assert!(held <= MAX_KEYS / 2 + 1, "{held}");
        assert_eq!(limiter.check("newcomer", t0 + Duration::from_secs(2)), Err(3599));
    }

    #[test]
    fn blocked_tells_the_wait_without_counting() {
        let limiter = RateLimiter::new(RateLimit { max: 1, window: Duration::from_secs(10) });
        let t0 = Instant::now();
        assert_eq!(limiter.blocked("a", t0), None);
        limiter.check("a", t0).unwrap();
        assert_eq!(limiter.blocked("a", t0 + Duration::from_secs(4)), Some(6));
        assert_eq!(limiter.blocked("a", t0 + Duration::from_secs(10)), None);
    }

    #[test]
    fn a_partial_second_is_rounded_up() {
        let limiter = RateLimiter::new(RateLimit { max: 1, window: Duration::from_secs(10) });
        let t0 = Instant::now();
        limiter.check("a", t0).unwrap();
        assert_eq!(limiter.check("a", t0 + Duration::from_millis(8_500)), Err(2));
    }
}
