//! Delivery of the outbox: claim due messages, hand them to the transport,
//! record the outcome, and back off on failure.

use std::sync::Arc;

use time::Duration;

use crate::PortError;
use crate::ports::{Clock, DeliveryOutcome, MailTransport, OutboxStore, SendError};

/// When and how often delivery is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failure (default 5 s); doubled after each
    /// further failure.
    pub base_delay: Duration,
    /// The longest wait between two attempts (default 10 minutes).
    pub max_delay: Duration,
    /// How long a worker holds a claimed batch before another worker may take
    /// it over (default 2 minutes); must exceed `max_send_duration`.
    pub lease: Duration,
    /// How many messages one pass claims (default 20).
    pub batch_size: u32,
    /// The longest one send may take (default 30 s; the transport must time
    /// out sooner). A send starts only while at least this much of the lease
    /// is left, so a message is never sent after its lease has passed to
    /// another worker.
    pub max_send_duration: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_delay: Duration::seconds(5),
            max_delay: Duration::minutes(10),
            lease: Duration::minutes(2),
            batch_size: 20,
            max_send_duration: Duration::seconds(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt.
    #[must_use]
    pub fn delay_after(&self, attempts: u32) -> Duration {
        crate::backoff::doubling_delay(self.base_delay, attempts, self.max_delay)
    }
}

/// What one delivery pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages accepted by the mail server.
    pub sent: u32,
    /// Messages that failed for now and wait for a retry.
    pub retried: u32,
    /// Messages refused for good.
    pub failed: u32,
    /// Messages dropped because their content had expired.
    pub expired: u32,
    /// Claimed messages left for a later pass because the lease ran short.
    pub deferred: u32,
}

impl DeliveryReport {
    /// How many messages the pass handled.
    #[must_use]
    pub const fn handled(&self) -> u32 {
        self.sent + self.retried + self.failed + self.expired
    }
}

/// Why a delivery pass failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The outbox could not be read or written; a message whose outcome was
    /// not recorded is tried again once its lease ends.
    #[error("could not work through the outbox")]
    Unexpected(#[from] PortError),
}

/// The outbox delivery use case, run by a background worker.
pub struct OutboxDelivery {
    store: Arc<dyn OutboxStore>,
    transport: Arc<dyn MailTransport>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
}

impl OutboxDelivery {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn OutboxStore>,
        transport: Arc<dyn MailTransport>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Self {
        Self { store, transport, clock, policy }
    }

    /// Claims the due messages for `worker` and tries each once.
    ///
    /// # Errors
    /// [`DeliveryError::Unexpected`] when the outbox cannot be read or written.
    pub async fn deliver_due(&self, worker: &str) -> Result<DeliveryReport, DeliveryError> {
        let now = self.clock.now();
        let lease_until = now + self.policy.lease;
        let claimed = self.store.claim_due(worker, now, lease_until, self.policy.batch_size).await?;
        let mut report = DeliveryReport::default();
        for queued in claimed {
            if self.clock.now() + self.policy.max_send_duration >= lease_until {
                // Too little lease left to finish a send: leave the rest for
                // the next claim, by this worker or another.
                report.deferred += 1;
                continue;
            }
            let attempts = queued.attempts + 1;
            let outcome = if queued.email.expires_at.is_some_and(|at| at <= self.clock.now()) {
                report.expired += 1;
                DeliveryOutcome::Expired
            } else {
                match self.transport.send(&queued.email).await {
                    Ok(()) => {
                        report.sent += 1;
                        DeliveryOutcome::Sent
                    }
                    Err(SendError::Permanent(error)) => {
                        report.failed += 1;
                        DeliveryOutcome::Failed { attempts, error }
                    }
                    Err(SendError::Transient(error)) => {
                        report.retried += 1;
                        let next_attempt_at = self.clock.now() + self.policy.delay_after(attempts);
                        DeliveryOutcome::Retry { attempts, next_attempt_at, error }
                    }
                }
            };
            self.store.record_outcome(queued.email.id, worker, &outcome, self.clock.now()).await?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::use_cases::fakes::{FixedClock, InMemoryStore, OutboxRow, RecordingTransport};
    use crate::{EmailAddress, EmailContent, EmailId, OutgoingEmail};

    fn setup(
        expires_in: Option<Duration>,
    ) -> (Arc<InMemoryStore>, Arc<RecordingTransport>, Arc<FixedClock>, OutboxDelivery) {
        let store = Arc::new(InMemoryStore::default());
        let now = datetime!(2026-11-29 12:00 UTC);
        let email = OutgoingEmail {
            id: EmailId(uuid::Uuid::from_u128(7)),
            to: EmailAddress::parse("ada@example.com").unwrap(),
            content: EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 },
            created_at: now,
            expires_at: expires_in.map(|d| now + d),
            about: None,
        };
        store.state().outbox.push(OutboxRow {
            email,
            attempts: 0,
            next_attempt_at: now,
            lease: None,
            status: "pending",
        });
        let transport = Arc::new(RecordingTransport::default());
        let clock = Arc::new(FixedClock::at(now));
        let delivery = OutboxDelivery::new(store.clone(), transport.clone(), clock.clone(), RetryPolicy::default());
        (store, transport, clock, delivery)
    }

    #[tokio::test]
    async fn a_due_message_is_sent_once() {
        let (store, transport, _, delivery) = setup(None);
        assert_eq!(delivery.deliver_due("w1").await.unwrap().sent, 1);
        assert_eq!(delivery.deliver_due("w1").await.unwrap().handled(), 0);
        assert_eq!(transport.sent.lock().unwrap().len(), 1);
        assert_eq!(store.state().outbox[0].status, "sent");
    }

    #[tokio::test]
    async fn a_transient_failure_is_retried_after_a_growing_delay() {
        let (store, transport, clock, delivery) = setup(None);
        transport.failures.lock().unwrap().extend([
            SendError::Transient("connection refused".into()),
            SendError::Transient("connection refused".into()),
        ]);
        assert_eq!(delivery.deliver_due("w1").await.unwrap().retried, 1);
        clock.advance(Duration::seconds(4));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().handled(), 0, "not due before 5 s");
        clock.advance(Duration::seconds(1));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().retried, 1);
        clock.advance(Duration::seconds(9));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().handled(), 0, "second wait is 10 s");
        clock.advance(Duration::seconds(1));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().sent, 1);
        assert_eq!(store.state().outbox[0].attempts, 2);
    }

    #[tokio::test]
    async fn a_permanent_failure_is_not_retried() {
        let (store, transport, clock, delivery) = setup(None);
        transport.failures.lock().unwrap().push_back(SendError::Permanent("550".into()));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().failed, 1);
        clock.advance(Duration::hours(1));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().handled(), 0);
        assert_eq!(store.state().outbox[0].status, "failed");
    }

    #[tokio::test]
    async fn a_message_whose_code_expired_is_dropped_unsent() {
        let (store, transport, clock, delivery) = setup(Some(Duration::minutes(10)));
        clock.advance(Duration::minutes(10));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().expired, 1);
        assert!(transport.sent.lock().unwrap().is_empty());
        assert_eq!(store.state().outbox[0].status, "expired");
    }

    #[tokio::test]
    async fn a_message_leased_by_one_worker_is_not_taken_by_another_until_the_lease_ends() {
        let (store, _, clock, delivery) = setup(None);
        let now = clock.now();
        let taken = store.claim_due("w1", now, now + Duration::minutes(2), 10).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(delivery.deliver_due("w2").await.unwrap().handled(), 0);
        clock.advance(Duration::minutes(2));
        assert_eq!(delivery.deliver_due("w2").await.unwrap().sent, 1);
    }

    /// A transport whose every send takes `per_send` of the clock's time.
    struct SlowTransport {
        clock: Arc<FixedClock>,
        per_send: Duration,
        sent: std::sync::Mutex<u32>,
    }

    #[async_trait::async_trait]
    impl MailTransport for SlowTransport {
        async fn send(&self, _: &OutgoingEmail) -> Result<(), SendError> {
            self.clock.advance(self.per_send);
            *self.sent.lock().unwrap() += 1;
            Ok(())
        }
    }

    #[tokio::test]
    async fn no_send_starts_once_the_lease_is_too_short_to_finish_it() {
        let (store, _, clock, _) = setup(None);
        for i in 0..4 {
            let mut row = store.state().outbox[0].clone();
            row.email.id = EmailId(uuid::Uuid::from_u128(100 + i));
            store.state().outbox.push(row);
        }
        let transport =
            Arc::new(SlowTransport { clock: clock.clone(), per_send: Duration::seconds(40), sent: Default::default() });
        let delivery = OutboxDelivery::new(store.clone(), transport.clone(), clock.clone(), RetryPolicy::default());
        let report = delivery.deliver_due("w1").await.unwrap();
        assert_eq!((report.sent, report.deferred), (3, 2), "sends start at 0 s, 40 s and 80 s; not at 120 s");
        clock.advance(Duration::minutes(1));
        assert_eq!(delivery.deliver_due("w1").await.unwrap().sent, 2, "the rest go once the lease has ended");
        assert_eq!(*transport.sent.lock().unwrap(), 5);
    }

    #[test]
    fn the_delay_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<i64> = [1, 2, 3, 4, 7, 8, 50].iter().map(|a| policy.delay_after(*a).whole_seconds()).collect();
        assert_eq!(delays, [5, 10, 20, 40, 320, 600, 600]);
    }
}
