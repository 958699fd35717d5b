//! Random values the use cases draw: codes, tokens, ids.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::ports::{Clock, Randomness};
use crate::{EventSubscriptions, NoticeFor, ProviderRoutes, PurposeId, ServiceEvent, SessionToken, UserId};

/// Six decimal digits, uniformly distributed (rejection sampling, no modulo bias).
pub(crate) fn six_digit_code(random: &dyn Randomness) -> String {
    const RANGE: u32 = 1_000_000;
    const LIMIT: u32 = u32::MAX - (u32::MAX % RANGE);
    loop {
        let mut bytes = [0_u8; 4];
        random.fill(&mut bytes);
        let n = u32::from_be_bytes(bytes);
        if n < LIMIT {
            return format!("{:06}", n % RANGE);
        }
    }
}

/// A fresh 256-bit session token.
pub(crate) fn session_token(random: &dyn Randomness) -> SessionToken {
    let mut bytes = [0_u8; 32];
    random.fill(&mut bytes);
    SessionToken::from_random(bytes)
}

/// A random (version 4 layout) UUID for records that need no ordering.
pub(crate) fn uuid_v4(random: &dyn Randomness) -> Uuid {
    let mut bytes = [0_u8; 16];
    random.fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A notice with a fresh id for each provider that carries `purpose`.
pub(crate) fn notices(random: &dyn Randomness, routes: &ProviderRoutes, purpose: &PurposeId) -> Vec<NoticeFor> {
    routes.receivers_of(purpose).into_iter().map(|provider| NoticeFor::to_provider(uuid_v4(random), provider)).collect()
}

/// A notice with a fresh id for each service subscribed to `event`.
pub(crate) fn service_notices(
    random: &dyn Randomness,
    subscriptions: &EventSubscriptions,
    event: ServiceEvent,
) -> Vec<NoticeFor> {
    subscriptions
        .receivers_of(event)
        .into_iter()
        .map(|service| NoticeFor::to_service(uuid_v4(random), service))
        .collect()
}

/// A time-ordered user id for `now`.
pub(crate) fn user_id(random: &dyn Randomness, now: OffsetDateTime) -> UserId {
    let mut bytes = [0_u8; 10];
    random.fill(&mut bytes);
    let millis = u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    UserId::new_v7(millis, bytes)
}

/// `now` from the clock, cut to whole milliseconds, the precision stored.
pub(crate) fn now_millis(clock: &dyn Clock) -> OffsetDateTime {
    let now = clock.now();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000).unwrap_or(now)
}

/// The six digits of a code as typed, allowing spaces and hyphens between
/// them (people copy `123 456` and `123-456`).
pub(crate) fn normalise_code(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{00A0}')).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A duration in whole minutes, rounded up and at least one, for messages.
pub(crate) fn whole_minutes(duration: time::Duration) -> u32 {
    let seconds = duration.whole_seconds().max(1);
    u32::try_from((seconds + 59) / 60).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::use_cases::fakes::SeqRandom;

    #[test]
    fn a_code_is_always_six_digits_even_when_small() {
        let random = SeqRandom::from_words(&[7]);
        assert_eq!(six_digit_code(&random), "000007");
    }

    #[test]
    fn draws_in_the_biased_tail_are_rejected() {
        let random = SeqRandom::from_words(&[u32::MAX, 123_456]);
        assert_eq!(six_digit_code(&random), "123456");
    }
}
