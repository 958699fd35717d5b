//! A fresh, migrated database per test, on each configured backend.
//!
//! SQLite always runs. PostgreSQL and MariaDB run when
//! `PROFILE_TEST_POSTGRES_URL` / `PROFILE_TEST_MYSQL_URL` are set; a URL that
//! is set but unreachable fails the test rather than skipping it.

use profile_store_seaorm::SeaOrmStore;
use sea_orm::{ConnectionTrait, Database};

/// The database engines the store supports.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// Keeps a test's temporary SQLite directory alive.
pub struct TestDb {
    pub store: SeaOrmStore,
    #[allow(dead_code, reason = "used by some test binaries that include this module, not all")]
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = SeaOrmStore;

    fn deref(&self) -> &SeaOrmStore {
        &self.store
    }
}

/// A new empty database on `backend`, migrated; `None` when that backend is
/// not configured for this run.
pub async fn fresh(backend: Backend) -> Option<TestDb> {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            (format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()), Some(dir))
        }
        Backend::Postgres => (server_database("PROFILE_TEST_POSTGRES_URL", "").await?, None),
        // latin1 as the database default, as on older MariaDB servers: the
        // schema must ask for utf8mb4 itself.
        Backend::Mysql => (server_database("PROFILE_TEST_MYSQL_URL", " CHARACTER SET latin1").await?, None),
    };
    let store = SeaOrmStore::connect(&url, 5).await.expect("connect to the fresh database");
    store.migrate().await.expect("migrations apply");
    Some(TestDb { store, url, _dir: dir })
}

/// Creates a uniquely named database on the server that `var` points to and
/// returns its URL.
async fn server_database(var: &str, options: &str) -> Option<String> {
    let server_url = std::env::var(var).ok().filter(|u| !u.is_empty())?;
    let admin = Database::connect(&server_url)
        .await
        .unwrap_or_else(|e| panic!("{var} is set but the server cannot be reached: {e}"));
    let name = format!("profile_t_{}", uuid::Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}{options}")).await.expect("create the test database");
    admin.close().await.expect("close the admin connection");
    let mut url = url::Url::parse(&server_url).expect("a valid database URL");
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// Defines one test per backend: `mod name { sqlite, postgres, mysql }`.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            async fn run(backend: $crate::support::Backend) {
                let Some(db) = $crate::support::fresh(backend).await else {
                    eprintln!("{backend:?} not configured for this run");
                    return;
                };
                ($body)(db).await;
            }

            #[tokio::test]
            async fn sqlite() {
                run($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                run($crate::support::Backend::Postgres).await;
            }

            #[tokio::test]
            async fn mysql() {
                run($crate::support::Backend::Mysql).await;
            }
        }
    };
}

/// The completed sign-in of an outcome, if it completed.
pub trait Completed {
    fn completed(self) -> Option<profile_domain::ports::CompletedSignIn>;
}

impl Completed for profile_domain::ports::SignInOutcome {
    fn completed(self) -> Option<profile_domain::ports::CompletedSignIn> {
        match self {
            Self::Completed(done) => Some(done),
            _ => None,
        }
    }
}

/// `put_request` with limits that never bite, for tests of other rules.
#[allow(dead_code, reason = "used by some test binaries that include this module, not all")]
pub trait Unlimited {
    async fn put_request_unlimited(
        &self,
        request: &profile_domain::EmailChangeRequest,
        sent: &profile_domain::EmailChangeCodeSent,
        message: &profile_domain::OutgoingEmail,
    ) -> Result<(), profile_domain::PortError>;
}

impl Unlimited for SeaOrmStore {
    async fn put_request_unlimited(
        &self,
        request: &profile_domain::EmailChangeRequest,
        sent: &profile_domain::EmailChangeCodeSent,
        message: &profile_domain::OutgoingEmail,
    ) -> Result<(), profile_domain::PortError> {
        use profile_domain::ports::{EmailChangeStore, PutOutcome};
        let limits = profile_domain::CodeLimits {
            resend_cooldown: time::Duration::ZERO,
            per_user: 1000,
            per_destination: 1000,
            window: time::Duration::hours(1),
        };
        let outcome = self.put_request(request, sent, message, &limits).await?;
        assert_eq!(outcome, PutOutcome::Stored);
        Ok(())
    }
}

/// A signed-up account for `address` (its session is number `n`), made
/// through the real sign-in path.
#[allow(dead_code, reason = "used by some test binaries that include this module, not all")]
pub async fn signed_up(db: &TestDb, address: &str, n: u128) -> profile_domain::UserId {
    use profile_domain::ports::{NewSession, SignInCompletion, SignInStore};
    use profile_domain::{
        Account, EmailAddress, EmailContent, EmailId, OutgoingEmail, SecretHasher, SecretKey, SessionId,
        SignInChallenge, UserId,
    };
    let t0 = time::macros::datetime!(2026-11-29 12:00 UTC);
    let to = EmailAddress::parse(address).unwrap();
    let hasher = SecretHasher::new(SecretKey::new(vec![1; 32]).unwrap());
    let code_hash = hasher.hash("c", &[address.as_bytes()]);
    let challenge = SignInChallenge {
        email: to.clone(),
        code_hash: code_hash.clone(),
        created_at: t0,
        expires_at: t0 + time::Duration::minutes(10),
        attempts: 0,
    };
    let message = OutgoingEmail {
        id: EmailId(uuid::Uuid::from_u128(9000 + n)),
        to: to.clone(),
        content: EmailContent::EmailChangeReverted,
        created_at: t0,
        expires_at: None,
        about: None,
    };
    db.store.put_challenge(&challenge, &message).await.unwrap();
    let completion = SignInCompletion {
        email: to.clone(),
        code_hash,
        new_account: Account::new(UserId::new_v7(n as u64, [n as u8; 10]), to, t0),
        session: NewSession {
            id: SessionId(uuid::Uuid::from_u128(n)),
            token_hash: hasher.hash("s", &[&n.to_be_bytes()]),
            created_at: t0,
            expires_at: t0 + time::Duration::days(30),
        },
    };
    db.store.complete_sign_in(&completion).await.unwrap().completed().unwrap().account.id
}
