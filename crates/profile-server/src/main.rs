//! The profile service binary: reads the configuration, wires the adapters to
//! the domain, runs the HTTP server and the workers (mail, notices, erasure
//! jobs, the caches' feed, housekeeping), and shuts down gracefully on
//! SIGTERM or Ctrl-C.

mod cache_worker;
mod config;
mod file_modes;
mod logging;
mod secret_key;
mod secret_text;
mod system;
mod verify_erasure;
mod wiring;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};
use profile_domain::error_chain;
use tokio::sync::watch;

use crate::config::Config;

/// jemalloc: faster than the system allocator on the read path, and (with
/// `malloc_conf` set at build time in `.cargo/config.toml`) it gives freed
/// memory back at once, so a burst of uploads keeps a low peak, while each
/// thread keeps blocks up to 128 KiB for reuse.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Profile: end-user profile and personal-data management.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// A TOML configuration file; `PROFILE_*` environment variables override it.
    #[arg(long, short, env = "PROFILE_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Look for anything left of an erased user in every table and among
    /// the picture files; exits 1 when something is found.
    VerifyErasure(verify_erasure::VerifyErasure),
}

fn main() -> ExitCode {
    // Before any thread or file exists.
    file_modes::owner_only();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref(), |k| std::env::var(k).ok()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            return ExitCode::from(2);
        }
    };
    logging::init(config.log_format);
    // Two TLS crypto providers are linked (ring for mail and webhooks,
    // aws-lc-rs for S3); rustls needs to be told which one to use.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(error = %error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(&config).await,
            Command::Migrate => migrate(&config).await,
            Command::VerifyErasure(args) => verify(&config, &args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<TracesFound>() => ExitCode::from(1),
        Err(error) => {
            tracing::error!(error = %error_chain(error.as_ref()), "stopped");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn migrate(config: &Config) -> Result<(), BoxError> {
    let store = wiring::open_store(config).await?;
    tracing::info!("migrations applied");
    store.close().await?;
    Ok(())
}

/// `verify-erasure` found something.
#[derive(Debug, thiserror::Error)]
#[error("traces of the user were found")]
struct TracesFound;

async fn verify(config: &Config, args: &verify_erasure::VerifyErasure) -> Result<(), BoxError> {
    let store = wiring::open_store(config).await?;
    let blobs = profile_blob::ObjectBlobStore::open(&config.blob_url(), &config.s3)?;
    let findings = verify_erasure::search(args, &store, &blobs).await?;
    println!("{}", verify_erasure::report(&findings));
    store.close().await?;
    if findings.rows.is_empty() && findings.files == 0 { Ok(()) } else { Err(Box::new(TracesFound)) }
}

async fn serve(config: &Config) -> Result<(), BoxError> {
    let acceptor = TcpListener::bind(config.bind).into_acceptor().await?;
    let bound = acceptor.local_addr().first().and_then(|a| a.as_socket_addr().copied()).unwrap_or(config.bind);
    let mut config = config.clone();
    config.bind = bound;
    let config = &config;
    let store = wiring::open_store(config).await?;
    let service = wiring::build(config, &store)?;
    service.use_cases.consents.register_catalogue().await?;
    // Read once before serving, so the caches work from the first request.
    if let Err(error) = service.store.poll_caches().await {
        tracing::warn!(error = %error_chain(&error), "cannot read the cache feed yet");
    }
    let worker_id = format!("{}-{}", std::process::id(), uuid::Uuid::from_bytes(random_bytes()).simple());
    let workers = profile_workers::Workers::new(worker_id)
        .mail(service.delivery.clone(), Duration::from_millis(config.outbox.poll_interval_ms))
        .notices(
            service.provider_sync.clone(),
            service.wake_notices.clone(),
            Duration::from_millis(config.providers.poll_interval_ms),
        )
        .erasures(service.erasures.clone(), Duration::from_millis(config.outbox.poll_interval_ms))
        .housekeeping(
            service.housekeeping.clone(),
            service.pictures.clone(),
            Duration::from_secs(config.retention.housekeeping_interval_secs),
        )
        .start();
    let (stop_tx, stop_rx) = watch::channel(false);
    let caches = tokio::spawn(cache_worker::run(
        service.store.clone(),
        Duration::from_millis(config.cache.poll_interval_ms),
        stop_rx,
    ));
    let readiness: Arc<dyn profile_http::Readiness> = Arc::new(system::DatabaseReadiness(store.clone()));
    let app = profile_http::app(&service.use_cases, &service.http_config, readiness)?;
    tracing::info!(bound = %bound, public_url = %config.public_url(), "listening");
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, shutdown_signal(), Some(grace)).await?;
    tracing::info!("HTTP server stopped; letting the outbox workers finish");
    for unfinished in workers.shutdown(grace).await {
        tracing::warn!(worker = unfinished, "a worker did not finish in time; what it leased will be retried");
    }
    let _ = stop_tx.send(true);
    if tokio::time::timeout(grace, caches).await.is_err() {
        tracing::warn!("the cache worker did not finish in time");
    }
    store.close().await?;
    tracing::info!("shut down");
    Ok(())
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0_u8; 16];
    profile_domain::ports::Randomness::fill(&system::OsRandom, &mut bytes);
    bytes
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}
