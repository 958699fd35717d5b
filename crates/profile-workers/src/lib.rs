//! The profile service's background work as a library, for the bundled
//! server and for any host that embeds the domain: the mail outbox, the
//! notices to mailing-list providers and services, the erasure jobs, and
//! housekeeping, each a loop on the host's tokio runtime that stops
//! gracefully.
//!
//! Each pass is a use case of `profile-domain` (`OutboxDelivery::deliver_due`,
//! `ProviderSync::deliver_due`, `Erasures::run_due`, `Housekeeping::run` with
//! `Pictures::sweep`); this crate only decides when to run them again and
//! how to stop. Several processes may run the same workers on one
//! database: the stores' leases keep them apart.
//!
//! ```ignore
//! let running = Workers::new("host-1")
//!     .mail(delivery, Duration::from_millis(500))
//!     .notices(provider_sync, wake, Duration::from_secs(5))
//!     .erasures(erasures, Duration::from_millis(500))
//!     .housekeeping(housekeeping, pictures, Duration::from_secs(3600))
//!     .start();
//! // … serve …
//! let unfinished = running.shutdown(Duration::from_secs(10)).await;
//! ```

mod driver;
mod passes;

use std::sync::Arc;
use std::time::Duration;

use profile_domain::use_cases::{Erasures, Housekeeping, OutboxDelivery, Pictures, ProviderSync};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::driver::{Loop, drive};

/// The workers to start, each added by role; none is required.
#[must_use = "the workers run only once started"]
pub struct Workers {
    worker_id: String,
    loops: Vec<(Loop, Work)>,
}

/// What a loop's pass runs.
enum Work {
    Mail(Arc<OutboxDelivery>),
    Notices(Arc<ProviderSync>),
    Erasures(Arc<Erasures>),
    Housekeeping(Arc<Housekeeping>, Arc<Pictures>),
}

impl Workers {
    /// No workers yet; `worker_id` names this process in the leases it
    /// takes (unique among the processes on one database).
    pub fn new(worker_id: impl Into<String>) -> Self {
        Self { worker_id: worker_id.into(), loops: Vec::new() }
    }

    /// Delivers mail, looking every `poll_interval` and again at once after
    /// a busy pass; on shutdown it drains what is due, within the grace time.
    pub fn mail(mut self, delivery: Arc<OutboxDelivery>, poll_interval: Duration) -> Self {
        let how = Loop { name: "outbox", poll_interval, drain: true, wake: None, pass_on_stop: true };
        self.loops.push((how, Work::Mail(delivery)));
        self
    }

    /// Delivers notices to providers and services, at once when `wake` is
    /// notified (give the same `Notify` to the use cases that queue
    /// notices) and every `poll_interval` otherwise. It does not drain on
    /// shutdown: notices wait in the database, and a receiver that is down
    /// must not hold the shutdown up.
    pub fn notices(mut self, sync: Arc<ProviderSync>, wake: Arc<Notify>, poll_interval: Duration) -> Self {
        let how = Loop { name: "providers", poll_interval, drain: false, wake: Some(wake), pass_on_stop: true };
        self.loops.push((how, Work::Notices(sync)));
        self
    }

    /// Runs due erasure jobs every `poll_interval`. It does not drain on
    /// shutdown: a job resumes from its last recorded step on the next
    /// start, here or in another process.
    pub fn erasures(mut self, erasures: Arc<Erasures>, poll_interval: Duration) -> Self {
        let how = Loop { name: "erasures", poll_interval, drain: false, wake: None, pass_on_stop: true };
        self.loops.push((how, Work::Erasures(erasures)));
        self
    }

    /// Sweeps picture files and purges expired rows at start and then every
    /// `interval`; none after the stop.
    pub fn housekeeping(
        mut self,
        housekeeping: Arc<Housekeeping>,
        pictures: Arc<Pictures>,
        interval: Duration,
    ) -> Self {
        let how = Loop { name: "housekeeping", poll_interval: interval, drain: false, wake: None, pass_on_stop: false };
        self.loops.push((how, Work::Housekeeping(housekeeping, pictures)));
        self
    }

    /// Starts every worker added on the current tokio runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(self) -> Running {
        let (stop, stopped) = watch::channel(false);
        let worker_id: Arc<str> = self.worker_id.into();
        let tasks = self
            .loops
            .into_iter()
            .map(|(how, work)| {
                let (name, stopped, id) = (how.name, stopped.clone(), worker_id.clone());
                let task = tokio::spawn(async move {
                    match work {
                        Work::Mail(d) => drive(how, stopped, || passes::mail(&d, &id)).await,
                        Work::Notices(s) => drive(how, stopped, || passes::notices(&s, &id)).await,
                        Work::Erasures(e) => drive(how, stopped, || passes::erasures(&e, &id)).await,
                        Work::Housekeeping(h, p) => drive(how, stopped, || passes::housekeeping(&h, &p)).await,
                    }
                });
                (name, task)
            })
            .collect();
        Running { stop, tasks }
    }
}

/// Workers that run until [`shutdown`](Self::shutdown).
pub struct Running {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Running {
    /// Tells every worker to stop and waits up to `grace` for each to finish
    /// its pass (the mail worker also drains what is due). Returns the names
    /// of the workers that did not finish in time and were aborted: what
    /// they had leased is taken up again once the lease ends.
    pub async fn shutdown(self, grace: Duration) -> Vec<&'static str> {
        let _ = self.stop.send(true);
        let mut unfinished = Vec::new();
        for (name, mut task) in self.tasks {
            if tokio::time::timeout(grace, &mut task).await.is_err() {
                task.abort();
                unfinished.push(name);
            }
        }
        unfinished
    }
}
