//! `bench-erasure DATA_DIR USER_ID`: runs the real erasure of one account
//! of a stopped server's data directory (SQLite, pictures on disk, the
//! developer mailbox), in process, as fast as its steps allow (no polling
//! waits), and prints the whole job's and the last step's milliseconds.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use profile_domain::erasure::ErasureStep;
use profile_domain::ports::{AccountStore, Clock, Randomness};
use profile_domain::use_cases::{Authenticated, ErasurePolicy, Erasures, OutboxDelivery, RetryPolicy};
use profile_domain::{SessionId, UserId};
use profile_email::{DevMailbox, MailSettings};
use profile_store_seaorm::SeaOrmStore;
use time::OffsetDateTime;

struct Now;

impl Clock for Now {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

struct Os;

impl Randomness for Os {
    fn fill(&self, buf: &mut [u8]) {
        getrandom::fill(buf).unwrap_or_else(|_| buf.fill(7));
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn run(data: &str, user: &str) -> Result<(f64, f64), Error> {
    let store = Arc::new(SeaOrmStore::connect(&format!("sqlite://{data}/profile.db?mode=rw"), 1).await?);
    let blobs = Arc::new(profile_blob::ObjectBlobStore::open(&format!("file://{data}/blobs"), &Default::default())?);
    let mailbox = Arc::new(DevMailbox::open(format!("{data}/mail"), MailSettings::new("bench@example.com", "Bench")?)?);
    let clock: Arc<dyn Clock> = Arc::new(Now);
    let policy = ErasurePolicy { poll: time::Duration::ZERO, ..ErasurePolicy::with_public_url("http://127.0.0.1") };
    let erasures = Erasures::new(store.clone(), store.clone(), blobs, clock.clone(), Arc::new(Os), policy);
    let delivery = OutboxDelivery::new(store.clone(), mailbox, clock, RetryPolicy::default());
    let user = UserId::from_uuid(uuid::Uuid::try_parse(user)?);
    let email = store.get(user).await?.ok_or("no such account")?.email;
    let who = Authenticated {
        user_id: user,
        session_id: SessionId(uuid::Uuid::nil()),
        signed_in_at: OffsetDateTime::now_utc(),
    };
    let started = Instant::now();
    let receipt = erasures.request(&who, email.as_str()).await?;
    let last_step = loop {
        let pass = Instant::now();
        let report = erasures.run_due("bench").await?;
        if report.failed > 0 {
            return Err("a step failed".into());
        }
        if report.completed > 0 {
            break pass.elapsed().as_secs_f64();
        }
        delivery.deliver_due("bench").await?;
    };
    let total = started.elapsed().as_secs_f64();
    let done = erasures.receipt(receipt.id).await?.ok_or("no receipt")?;
    if done.completed_at.is_none() || done.next_step().is_some() {
        return Err(format!("the receipt is not complete at {:?}", done.next_step().map(ErasureStep::as_str)).into());
    }
    Ok((total * 1000.0, last_step * 1000.0))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, user] = args.as_slice() else {
        eprintln!("usage: bench-erasure DATA_DIR USER_ID");
        return ExitCode::from(2);
    };
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().enable_all().build() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(run(data, user)) {
        Ok((total, last)) => {
            println!("{total:.1} {last:.1}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench-erasure: {error}");
            ExitCode::FAILURE
        }
    }
}
