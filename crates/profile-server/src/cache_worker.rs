//! The worker that reads the cache invalidation feed every few hundred
//! milliseconds, so this instance drops what other instances changed.

use std::time::Duration;

use profile_domain::error_chain;
use profile_store_seaorm::SeaOrmStore;
use tokio::sync::watch;

/// Reads the feed (and writes the deferred last-seen times of sessions)
/// every `interval` until `stop` turns true, and once more then. A failed read
/// is logged once until a read succeeds again; meanwhile the caches stop
/// being trusted (after a second) and requests read the database.
pub async fn run(store: SeaOrmStore, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut failing = false;
    while !*stop.borrow() {
        match store.poll_caches().await {
            Ok(()) if failing => {
                failing = false;
                tracing::info!("the cache feed is read again; caches in use");
            }
            Ok(()) => {}
            Err(error) if !failing => {
                failing = true;
                tracing::warn!(error = %error_chain(&error), "cannot read the cache feed; reading the database instead");
            }
            Err(_) => {}
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => {}
        }
    }
    // The sessions' last-seen times used since the last read.
    if let Err(error) = store.poll_caches().await {
        tracing::warn!(error = %error_chain(&error), "cannot write the sessions' last-seen times at shutdown");
    }
}
