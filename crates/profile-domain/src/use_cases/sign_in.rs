//! Passwordless sign-in: a one-time code sent to the address, then a session.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::draw;
use crate::ports::{Clock, NewSession, Randomness, SignInCompletion, SignInOutcome, SignInStore};
use crate::{
    Account, EmailAddress, EmailContent, EmailId, OutgoingEmail, PortError, SESSION_TOKEN_PURPOSE, SecretHash,
    SecretHasher, SessionId, SessionToken, SignInChallenge,
};

/// Purpose label of sign-in code hashes.
const SIGN_IN_CODE_PURPOSE: &str = "sign-in-code";

/// The limits of sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInPolicy {
    /// How long a code stays valid (default 10 minutes).
    pub code_ttl: Duration,
    /// How many tries one code allows (default 5): the next fails even with
    /// the right code.
    pub max_attempts: u32,
    /// How long a session lasts (default 30 days).
    pub session_ttl: Duration,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self { code_ttl: Duration::minutes(10), max_attempts: 5, session_ttl: Duration::days(30) }
    }
}

/// Why a code could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum StartSignInError {
    /// Storage failed; nothing was stored or queued.
    #[error("could not start the sign-in")]
    Unexpected(#[from] PortError),
}

/// Why a sign-in was not completed.
#[derive(Debug, thiserror::Error)]
pub enum VerifySignInError {
    /// The code is not six digits.
    #[error("the code must be six digits")]
    MalformedCode,
    /// No code is pending, it is wrong, it has expired, or it was tried too
    /// often: the caller is never told which.
    #[error("the code is wrong or has expired")]
    InvalidCode,
    /// The code is right, but the address was just moved off an account
    /// whose revert link still works; that link, not a new account, is the
    /// way back. Said only to whoever holds the code, so only to the
    /// address's owner.
    #[error("this address was recently replaced on an account: use the link sent to it to restore it")]
    AddressAwaitingRevert,
    /// The code is right, but the account is being deleted.
    #[error("this account is being deleted; signing in to it is no longer possible")]
    AccountBeingDeleted,
    /// Storage failed; nothing changed.
    #[error("could not complete the sign-in")]
    Unexpected(#[from] PortError),
}

/// A completed sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The signed-in account.
    pub account: Account,
    /// Whether this sign-in created the account.
    pub created: bool,
    /// The session token, in clear, to hand to the client once.
    pub token: SessionToken,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
}

/// The sign-in use case.
pub struct SignIn {
    store: Arc<dyn SignInStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    hasher: SecretHasher,
    policy: SignInPolicy,
}

impl SignIn {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn SignInStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        hasher: SecretHasher,
        policy: SignInPolicy,
    ) -> Self {
        Self { store, clock, random, hasher, policy }
    }

    /// Makes a new code for `email`, replacing any earlier one, and queues the
    /// message that carries it. Behaves the same whether or not the address
    /// has an account.
    ///
    /// # Errors
    /// [`StartSignInError::Unexpected`] when storage fails.
    pub async fn start(&self, email: EmailAddress) -> Result<(), StartSignInError> {
        let now = draw::now_millis(self.clock.as_ref());
        let code = draw::six_digit_code(self.random.as_ref());
        let expires_at = now + self.policy.code_ttl;
        let challenge = SignInChallenge {
            code_hash: self.code_hash(&email, &code),
            email: email.clone(),
            created_at: now,
            expires_at,
            attempts: 0,
        };
        let valid_minutes = draw::whole_minutes(self.policy.code_ttl);
        let message = OutgoingEmail {
            id: EmailId(draw::uuid_v4(self.random.as_ref())),
            to: email,
            content: EmailContent::SignInCode { code, valid_minutes },
            created_at: now,
            expires_at: Some(expires_at),
            // Whether the address has an account is not known here; the
            // code goes to the login address, erased by address.
            about: None,
        };
        self.store.put_challenge(&challenge, &message).await?;
        Ok(())
    }

    /// Checks `code` for `email`; on success creates the account if this is
    /// the first sign-in and opens a session.
    ///
    /// # Errors
    /// [`VerifySignInError::MalformedCode`] when the code is not six digits;
    /// [`VerifySignInError::InvalidCode`] for every other refusal.
    pub async fn verify(&self, email: &EmailAddress, code: &str) -> Result<SignedIn, VerifySignInError> {
        let code = draw::normalise_code(code).ok_or(VerifySignInError::MalformedCode)?;
        let Some(challenge) = self.store.record_attempt(email).await? else {
            return Err(VerifySignInError::InvalidCode);
        };
        let now = draw::now_millis(self.clock.as_ref());
        let hash_matches = challenge.code_hash.matches(&self.code_hash(email, &code));
        let within_limits = challenge.attempts <= self.policy.max_attempts && now < challenge.expires_at;
        if !(hash_matches && within_limits) {
            return Err(VerifySignInError::InvalidCode);
        }
        let token = draw::session_token(self.random.as_ref());
        let expires_at = now + self.policy.session_ttl;
        let completion = SignInCompletion {
            email: email.clone(),
            code_hash: challenge.code_hash,
            new_account: Account::new(draw::user_id(self.random.as_ref(), now), email.clone(), now),
            session: NewSession {
                id: SessionId(draw::uuid_v4(self.random.as_ref())),
                token_hash: token.hash(&self.hasher, SESSION_TOKEN_PURPOSE),
                created_at: now,
                expires_at,
            },
        };
        match self.store.complete_sign_in(&completion).await? {
            SignInOutcome::Completed(done) => {
                Ok(SignedIn { account: done.account, created: done.created, token, expires_at })
            }
            SignInOutcome::ChallengeGone => Err(VerifySignInError::InvalidCode),
            SignInOutcome::AddressAwaitingRevert => Err(VerifySignInError::AddressAwaitingRevert),
            SignInOutcome::AccountBeingDeleted => Err(VerifySignInError::AccountBeingDeleted),
        }
    }

    fn code_hash(&self, email: &EmailAddress, code: &str) -> SecretHash {
        self.hasher.hash(SIGN_IN_CODE_PURPOSE, &[email.as_str().as_bytes(), code.as_bytes()])
    }
}

#[cfg(test)]
#[path = "sign_in_tests.rs"]
mod tests;
