//! Sessions: turning a presented token into a signed-in user, and signing out.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::ports::{Clock, SessionStore};
use crate::{PortError, SESSION_TOKEN_PURPOSE, SecretHasher, SessionId, SessionToken, UserId};

/// How sessions are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// The least time between two writes of a session's last-seen time
    /// (default one minute), so reads do not each cost a write.
    pub touch_interval: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { touch_interval: Duration::minutes(1) }
    }
}

/// Why a request is not signed in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token was presented.
    #[error("sign in first: no session token was sent")]
    Missing,
    /// The token is malformed, unknown, ended or expired.
    #[error("the session is not valid; sign in again")]
    Invalid,
    /// Storage failed.
    #[error("could not check the session")]
    Unexpected(#[from] PortError),
}

/// Why signing out failed.
#[derive(Debug, thiserror::Error)]
pub enum SignOutError {
    /// Storage failed; the session may still be open.
    #[error("could not end the session")]
    Unexpected(#[from] PortError),
}

/// A request's signed-in user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// Who is signed in.
    pub user_id: UserId,
    /// The session used.
    pub session_id: SessionId,
    /// When the user signed in (for actions that need a recent sign-in).
    pub signed_in_at: OffsetDateTime,
}

/// The session use case.
pub struct Sessions {
    store: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
    hasher: SecretHasher,
    policy: SessionPolicy,
}

impl Sessions {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn SessionStore>,
        clock: Arc<dyn Clock>,
        hasher: SecretHasher,
        policy: SessionPolicy,
    ) -> Self {
        Self { store, clock, hasher, policy }
    }

    /// Finds the live session a token names, recording that it was used.
    ///
    /// # Errors
    /// [`AuthError::Missing`] for no token, [`AuthError::Invalid`] for a bad,
    /// unknown or expired one.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<Authenticated, AuthError> {
        let token = SessionToken::parse(token.ok_or(AuthError::Missing)?).ok_or(AuthError::Invalid)?;
        let session =
            self.store.find(&token.hash(&self.hasher, SESSION_TOKEN_PURPOSE)).await?.ok_or(AuthError::Invalid)?;
        let now = self.clock.now();
        if !session.is_live(now) {
            self.store.delete(session.id).await?;
            return Err(AuthError::Invalid);
        }
        if now - session.last_seen_at >= self.policy.touch_interval {
            self.store.touch(session.id, now).await?;
        }
        Ok(Authenticated { user_id: session.user_id, session_id: session.id, signed_in_at: session.created_at })
    }

    /// Ends the session.
    ///
    /// # Errors
    /// [`SignOutError::Unexpected`] when storage fails.
    pub async fn sign_out(&self, session: SessionId) -> Result<(), SignOutError> {
        self.store.sign_out(session, self.clock.now()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::use_cases::fakes::{FixedClock, InMemoryStore};
    use crate::{SecretKey, Session};

    fn setup() -> (Arc<InMemoryStore>, Arc<FixedClock>, Sessions, SessionToken) {
        let store = Arc::new(InMemoryStore::default());
        let start = datetime!(2026-11-29 12:00 UTC);
        let clock = Arc::new(FixedClock::at(start));
        let hasher = SecretHasher::new(SecretKey::new(vec![5; 32]).unwrap());
        let token = SessionToken::from_random([8; 32]);
        let id = SessionId(uuid::Uuid::from_u128(1));
        store.state().sessions.insert(
            id,
            Session {
                id,
                user_id: UserId::new_v7(1, [0; 10]),
                token_hash: token.hash(&hasher, SESSION_TOKEN_PURPOSE),
                created_at: start,
                expires_at: start + Duration::days(30),
                last_seen_at: start,
            },
        );
        let sessions = Sessions::new(store.clone(), clock.clone(), hasher, SessionPolicy::default());
        (store, clock, sessions, token)
    }

    #[tokio::test]
    async fn a_valid_token_names_its_user() {
        let (_, _, sessions, token) = setup();
        let who = sessions.authenticate(Some(&token.reveal())).await.unwrap();
        assert_eq!(who.user_id, UserId::new_v7(1, [0; 10]));
    }

    #[tokio::test]
    async fn no_token_a_forged_token_and_a_malformed_token_are_refused() {
        let (_, _, sessions, _) = setup();
        assert!(matches!(sessions.authenticate(None).await, Err(AuthError::Missing)));
        let forged = SessionToken::from_random([9; 32]).reveal();
        assert!(matches!(sessions.authenticate(Some(&forged)).await, Err(AuthError::Invalid)));
        assert!(matches!(sessions.authenticate(Some("nonsense")).await, Err(AuthError::Invalid)));
    }

    #[tokio::test]
    async fn an_expired_session_is_refused_and_removed() {
        let (store, clock, sessions, token) = setup();
        clock.advance(Duration::days(30));
        assert!(matches!(sessions.authenticate(Some(&token.reveal())).await, Err(AuthError::Invalid)));
        assert!(store.state().sessions.is_empty());
    }

    #[tokio::test]
    async fn last_seen_is_written_at_most_once_a_minute() {
        let (store, clock, sessions, token) = setup();
        let start = clock.now();
        clock.advance(Duration::seconds(59));
        sessions.authenticate(Some(&token.reveal())).await.unwrap();
        assert_eq!(store.state().sessions.values().next().unwrap().last_seen_at, start);
        clock.advance(Duration::seconds(1));
        sessions.authenticate(Some(&token.reveal())).await.unwrap();
        assert_eq!(store.state().sessions.values().next().unwrap().last_seen_at, start + Duration::minutes(1));
    }

    #[tokio::test]
    async fn after_signing_out_the_token_no_longer_works_and_the_sign_out_is_recorded() {
        let (store, clock, sessions, token) = setup();
        let who = sessions.authenticate(Some(&token.reveal())).await.unwrap();
        sessions.sign_out(who.session_id).await.unwrap();
        assert!(matches!(sessions.authenticate(Some(&token.reveal())).await, Err(AuthError::Invalid)));
        assert_eq!(store.state().signed_out, [(who.user_id, clock.now())]);
        sessions.sign_out(who.session_id).await.unwrap();
        assert_eq!(store.state().signed_out.len(), 1, "a second sign-out records nothing");
    }
}
