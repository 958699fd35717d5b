//! The one backoff of every retried piece of work (mail, provider notices,
//! erasure steps): the first wait, doubled after each further failure, up
//! to a ceiling.

use time::Duration;

/// The wait after the `failures`-th failure in a row: `first` after the
/// first, doubled for each one after it, never more than `ceiling`.
#[must_use]
pub fn doubling_delay(first: Duration, failures: u32, ceiling: Duration) -> Duration {
    // Past 2^30 the ceiling has long been reached (and a shift of 31 would
    // overflow an i32).
    let doublings = failures.saturating_sub(1).min(30);
    first.saturating_mul(1_i32 << doublings).min(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_first_up_to_the_ceiling() {
        let waits: Vec<i64> = [0, 1, 2, 3, 4, 8, 31, 32, 1000, u32::MAX]
            .iter()
            .map(|n| doubling_delay(Duration::seconds(5), *n, Duration::minutes(10)).whole_seconds())
            .collect();
        assert_eq!(waits, [5, 5, 10, 20, 40, 600, 600, 600, 600, 600]);
    }

    #[test]
    fn a_huge_first_wait_saturates_instead_of_overflowing() {
        assert_eq!(doubling_delay(Duration::MAX, 40, Duration::MAX), Duration::MAX);
    }
}
