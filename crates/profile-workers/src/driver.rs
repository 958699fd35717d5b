//! The loop every worker runs: a pass, then a wait for the next poll, a
//! wake-up or the stop, with the shutdown rule of each worker.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// What one pass found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Work was done and nothing failed: more may be waiting.
    Busy,
    /// Nothing to do, or something failed and waits for its retry.
    Idle,
}

/// How a worker loops and stops.
pub(crate) struct Loop {
    pub(crate) name: &'static str,
    pub(crate) poll_interval: Duration,
    /// On stop, make passes until one is idle (what the last requests
    /// queued goes out before the process ends).
    pub(crate) drain: bool,
    /// Look again at once when notified (a change queued work).
    pub(crate) wake: Option<Arc<Notify>>,
    /// Make one more pass when the stop comes while it waits (housekeeping
    /// does not: its next pass can wait for the next start).
    pub(crate) pass_on_stop: bool,
}

/// Runs `pass` every `poll_interval` until `stop` turns true. After a busy
/// pass, or when `wake` is notified, it looks again at once. On stop it
/// finishes the pass under way; with `drain`, it then makes passes until
/// one is idle.
pub(crate) async fn drive<F, Fut>(how: Loop, mut stop: watch::Receiver<bool>, pass: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Pass>,
{
    tracing::info!(worker = how.name, "worker started");
    loop {
        let stopping = *stop.borrow();
        if stopping && !how.pass_on_stop {
            break;
        }
        let busy = pass().await == Pass::Busy;
        if stopping && (!busy || !how.drain) {
            break;
        }
        if !busy {
            let woken = async {
                match &how.wake {
                    Some(wake) => wake.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = tokio::time::sleep(how.poll_interval) => {}
                () = woken => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = how.name, "worker stopped");
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn counting(busy_for: usize, passes: &AtomicUsize) -> Pass {
        if passes.fetch_add(1, Ordering::SeqCst) < busy_for { Pass::Busy } else { Pass::Idle }
    }

    fn every_minute(drain: bool, wake: Option<Arc<Notify>>) -> Loop {
        Loop { name: "test", poll_interval: Duration::from_secs(60), drain, wake, pass_on_stop: true }
    }

    #[tokio::test(start_paused = true)]
    async fn busy_passes_follow_at_once_and_an_idle_one_waits_for_the_poll() {
        let passes = AtomicUsize::new(0);
        let (stop, stopped) = watch::channel(false);
        let run = drive(every_minute(false, None), stopped, || counting(3, &passes));
        tokio::pin!(run);
        tokio::select! { () = &mut run => panic!("stopped by itself"), () = tokio::time::sleep(Duration::from_secs(1)) => {} }
        assert_eq!(passes.load(Ordering::SeqCst), 4, "three busy passes, then one idle, then a wait");
        tokio::select! { () = &mut run => panic!("stopped by itself"), () = tokio::time::sleep(Duration::from_secs(60)) => {} }
        assert_eq!(passes.load(Ordering::SeqCst), 5, "the next poll");
        stop.send(true).expect("the worker listens");
        run.await;
        assert_eq!(passes.load(Ordering::SeqCst), 6, "one last pass on stop");
    }

    #[tokio::test(start_paused = true)]
    async fn a_wake_up_makes_a_pass_before_the_poll() {
        let passes = AtomicUsize::new(0);
        let wake = Arc::new(Notify::new());
        let (_stop, stopped) = watch::channel(false);
        let run = drive(every_minute(false, Some(wake.clone())), stopped, || counting(0, &passes));
        tokio::pin!(run);
        tokio::select! { () = &mut run => panic!("stopped by itself"), () = tokio::time::sleep(Duration::from_secs(1)) => {} }
        assert_eq!(passes.load(Ordering::SeqCst), 1);
        wake.notify_one();
        tokio::select! { () = &mut run => panic!("stopped by itself"), () = tokio::time::sleep(Duration::from_secs(1)) => {} }
        assert_eq!(passes.load(Ordering::SeqCst), 2, "woken a minute before its poll");
    }

    #[tokio::test(start_paused = true)]
    async fn a_draining_worker_keeps_going_after_the_stop_until_a_pass_is_idle() {
        let passes = AtomicUsize::new(0);
        let (stop, stopped) = watch::channel(true);
        drop(stop);
        drive(every_minute(true, None), stopped, || counting(4, &passes)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 5, "four busy passes drained, then the idle one ends it");
        let passes = AtomicUsize::new(0);
        let (_stop, stopped) = watch::channel(true);
        drive(every_minute(false, None), stopped, || counting(4, &passes)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 1, "without draining, one pass and out");
        let passes = AtomicUsize::new(0);
        let (_stop, stopped) = watch::channel(true);
        let quiet = Loop { pass_on_stop: false, ..every_minute(false, None) };
        drive(quiet, stopped, || counting(4, &passes)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 0, "a worker that makes no pass on stop makes none");
    }
}
