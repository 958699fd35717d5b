//! Changing the login address: a code to the new address, the change applied
//! with a notice and a revert link to the old one, and the revert itself.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::draw;
use super::email_change_errors::{ConfirmEmailChangeError, RevertEmailChangeError, StartEmailChangeError};
use super::sessions::Authenticated;
use crate::ports::{
    AccountStore, ApplyOutcome, Clock, EmailChangeApplication, EmailChangeReversal, EmailChangeStore, PutOutcome,
    Randomness, RevertOutcome,
};
use crate::{
    Account, CodeLimits, EmailAddress, EmailChangeCodeSent, EmailChangeRecord, EmailChangeRequest, EmailContent,
    EmailId, OutgoingEmail, PortError, SecretHash, SecretHasher, SecretToken, UserId,
};

const CODE_PURPOSE: &str = "email-change-code";
const DESTINATION_PURPOSE: &str = "email-change-destination";
/// The window of the hourly code limits; the code log is kept this long.
pub const CODE_LIMIT_WINDOW: Duration = Duration::hours(1);
/// Purpose label of revert-link token hashes.
pub const REVERT_TOKEN_PURPOSE: &str = "email-change-revert";
/// How often a revert reads the account again when its address changed
/// between the read and the store's locked check.
const REVERT_TRIES: usize = 3;

/// The rules of address changes, each named as in the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangePolicy {
    /// `code_ttl`: how long a code works (default 15 minutes).
    pub code_ttl: Duration,
    /// `max_attempts`: tries per code (default 5).
    pub max_attempts: u32,
    /// `recent_sign_in`: how recent the sign-in must be to start (default 15 minutes).
    pub recent_sign_in: Duration,
    /// `revert_ttl`: how long the revert link works (default 7 days).
    pub revert_ttl: Duration,
    /// `resend_cooldown`: the least time between two codes (default 60 s).
    pub resend_cooldown: Duration,
    /// `codes_per_user_per_hour` (default 5).
    pub codes_per_user_per_hour: u32,
    /// `codes_per_address_per_hour`: codes to one destination (default 3).
    pub codes_per_address_per_hour: u32,
    /// The revert link without its token, such as
    /// `https://profile.example.com/email-change/revert?token=`.
    pub revert_url_base: String,
}

impl EmailChangePolicy {
    /// The code limits of this policy.
    #[must_use]
    pub const fn code_limits(&self) -> CodeLimits {
        CodeLimits {
            resend_cooldown: self.resend_cooldown,
            per_user: self.codes_per_user_per_hour,
            per_destination: self.codes_per_address_per_hour,
            window: CODE_LIMIT_WINDOW,
        }
    }

    /// The defaults, with revert links under `public_url`.
    #[must_use]
    pub fn with_public_url(public_url: &str) -> Self {
        Self {
            code_ttl: Duration::minutes(15),
            max_attempts: 5,
            recent_sign_in: Duration::minutes(15),
            revert_ttl: Duration::days(7),
            resend_cooldown: Duration::seconds(60),
            codes_per_user_per_hour: 5,
            codes_per_address_per_hour: 3,
            revert_url_base: format!("{}/email-change/revert?token=", public_url.trim_end_matches('/')),
        }
    }
}

/// The address-change use case.
pub struct EmailChanges {
    store: Arc<dyn EmailChangeStore>,
    accounts: Arc<dyn AccountStore>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    hasher: SecretHasher,
    policy: EmailChangePolicy,
    providers: Option<(crate::ProviderRoutes, Arc<dyn crate::ports::ConsentStore>)>,
    signal: Arc<dyn crate::ports::WorkSignal>,
}

impl EmailChanges {
    /// Builds the use case over its ports.
    pub fn new(
        store: Arc<dyn EmailChangeStore>,
        accounts: Arc<dyn AccountStore>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
        hasher: SecretHasher,
        policy: EmailChangePolicy,
    ) -> Self {
        Self {
            store,
            accounts,
            clock,
            random,
            hasher,
            policy,
            providers: None,
            signal: Arc::new(crate::ports::NoSignal),
        }
    }

    /// Tells the mailing-list providers that carry a purpose the user has
    /// granted of each change (and revert) of the address, reading the
    /// user's answers from `consents` (no provider is told by default),
    /// waking the delivery workers through `signal` when a change queued a
    /// notice for them.
    #[must_use]
    pub fn with_providers(
        mut self,
        routes: crate::ProviderRoutes,
        consents: Arc<dyn crate::ports::ConsentStore>,
        signal: Arc<dyn crate::ports::WorkSignal>,
    ) -> Self {
        self.providers = Some((routes, consents));
        self.signal = signal;
        self
    }

    /// One notice per provider carrying a purpose `user` has granted.
    async fn provider_notices(&self, user: UserId) -> Result<Vec<crate::NoticeFor>, PortError> {
        let Some((routes, consents)) = &self.providers else { return Ok(Vec::new()) };
        let granted: Vec<_> = consents.answers(user).await?.into_iter().filter(|a| a.granted).collect();
        Ok(routes
            .providers()
            .into_iter()
            .filter(|p| routes.get(p).is_some_and(|r| granted.iter().any(|a| r.purposes.contains(&a.purpose_id))))
            .map(|provider| crate::NoticeFor::to_provider(draw::uuid_v4(self.random.as_ref()), provider))
            .collect())
    }

    /// The policy in force.
    #[must_use]
    pub fn policy(&self) -> &EmailChangePolicy {
        &self.policy
    }

    /// Sends a code to `new_email`, or, when another account holds it, a
    /// notice that someone tried; the caller cannot tell which.
    ///
    /// # Errors
    /// See [`StartEmailChangeError`].
    pub async fn start(&self, who: &Authenticated, new_email: EmailAddress) -> Result<(), StartEmailChangeError> {
        let now = draw::now_millis(self.clock.as_ref());
        if now - who.signed_in_at > self.policy.recent_sign_in {
            return Err(StartEmailChangeError::ReauthenticationRequired);
        }
        let account = self.accounts.get(who.user_id).await?.ok_or(StartEmailChangeError::AccountNotFound)?;
        if account.email == new_email {
            return Err(StartEmailChangeError::SameAddress);
        }
        let destination = self.hasher.hash(DESTINATION_PURPOSE, &[new_email.as_str().as_bytes()]);
        let owner = self.store.owner_of(&new_email).await?;
        let code = draw::six_digit_code(self.random.as_ref());
        let taken = owner.is_some_and(|o| o != who.user_id);
        let content = if taken {
            EmailContent::EmailChangeAddressInUse
        } else {
            EmailContent::EmailChangeCode {
                code: code.clone(),
                valid_minutes: draw::whole_minutes(self.policy.code_ttl),
            }
        };
        // For a taken address the stored hash belongs to no code the user
        // could know, so confirming fails exactly as with a wrong code.
        let code_hash = if taken {
            self.hasher.hash(CODE_PURPOSE, &[&draw::session_token(self.random.as_ref()).reveal().into_bytes()])
        } else {
            self.code_hash(who.user_id, &new_email, &code)
        };
        let expires_at = now + self.policy.code_ttl;
        let request = EmailChangeRequest {
            user_id: who.user_id,
            new_email: new_email.clone(),
            code_hash,
            created_at: now,
            expires_at,
            attempts: 0,
        };
        let id = draw::uuid_v4(self.random.as_ref());
        let sent = EmailChangeCodeSent { id, user_id: who.user_id, destination, sent_at: now };
        // A code to a free address is about this account; a notice to an
        // address another account holds is that person's mail, not this
        // user's (it would also tell them the address is taken).
        let about = who.user_id;
        let message = if taken {
            OutgoingEmail { about: None, ..self.message(about, new_email, content, now, Some(expires_at)) }
        } else {
            self.message(about, new_email, content, now, Some(expires_at))
        };
        match self.store.put_request(&request, &sent, &message, &self.policy.code_limits()).await? {
            PutOutcome::Stored => Ok(()),
            PutOutcome::Limited(wait) => Err(StartEmailChangeError::RateLimited(wait)),
        }
    }

    /// Checks `code` and applies the change: the new address takes effect,
    /// every other session ends, the old address gets a notice with a revert
    /// link. Returns the account as it now is.
    ///
    /// # Errors
    /// See [`ConfirmEmailChangeError`].
    pub async fn confirm(&self, who: &Authenticated, code: &str) -> Result<Account, ConfirmEmailChangeError> {
        let code = draw::normalise_code(code).ok_or(ConfirmEmailChangeError::MalformedCode)?;
        let request =
            self.store.record_change_attempt(who.user_id).await?.ok_or(ConfirmEmailChangeError::NothingPending)?;
        let now = draw::now_millis(self.clock.as_ref());
        if now >= request.expires_at {
            return Err(ConfirmEmailChangeError::CodeExpired);
        }
        if request.attempts > self.policy.max_attempts {
            let wait = (request.created_at + self.policy.resend_cooldown - now).max(Duration::seconds(1));
            return Err(ConfirmEmailChangeError::TooManyAttempts(wait));
        }
        if !request.code_hash.matches(&self.code_hash(who.user_id, &request.new_email, &code)) {
            return Err(ConfirmEmailChangeError::InvalidCode);
        }
        let account = self.accounts.get(who.user_id).await?.ok_or(ConfirmEmailChangeError::AccountNotFound)?;
        let token = draw::session_token(self.random.as_ref());
        let record = EmailChangeRecord {
            id: draw::uuid_v4(self.random.as_ref()),
            user_id: who.user_id,
            old_email: account.email.clone(),
            new_email: request.new_email.clone(),
            changed_at: now,
            revert_hash: token.hash(&self.hasher, REVERT_TOKEN_PURPOSE),
            revert_expires_at: now + self.policy.revert_ttl,
            reverted_at: None,
            voided_at: None,
        };
        let content = EmailContent::EmailChanged {
            new_email_masked: request.new_email.masked(),
            revert_url: format!("{}{}", self.policy.revert_url_base, token.reveal()),
            revert_valid_minutes: draw::whole_minutes(self.policy.revert_ttl),
        };
        let notice = self.message(account.id, account.email, content, now, Some(record.revert_expires_at));
        let application = EmailChangeApplication {
            code_hash: request.code_hash,
            record,
            keep_session: who.session_id,
            notice,
            providers: self.provider_notices(who.user_id).await?,
        };
        match self.store.apply(&application).await? {
            ApplyOutcome::Applied(account) => {
                self.signal.queued_any(&application.providers);
                Ok(account)
            }
            ApplyOutcome::RequestGone => Err(ConfirmEmailChangeError::InvalidCode),
            ApplyOutcome::AddressTaken => Err(ConfirmEmailChangeError::AddressTaken),
        }
    }

    /// Restores the address a change replaced, from the token of the revert
    /// link, and ends every session of the account. Needs no session.
    ///
    /// A revert voids the links of the changes made after the one it
    /// undoes, never those of earlier ones, so the owner of the first
    /// address in a chain always wins. Both the restored address and the
    /// address that was in force are told.
    ///
    /// # Errors
    /// See [`RevertEmailChangeError`].
    pub async fn revert(&self, token: &str) -> Result<(), RevertEmailChangeError> {
        let token = SecretToken::parse(token).ok_or(RevertEmailChangeError::InvalidLink)?;
        let hash = token.hash(&self.hasher, REVERT_TOKEN_PURPOSE);
        let record = self.store.find_record(&hash).await?.ok_or(RevertEmailChangeError::InvalidLink)?;
        let now = draw::now_millis(self.clock.as_ref());
        if record.reverted_at.is_some() || record.voided_at.is_some() {
            return Err(RevertEmailChangeError::AlreadyUsed);
        }
        if now >= record.revert_expires_at {
            return Err(RevertEmailChangeError::Expired);
        }
        // The address in force is read here and checked again by the store
        // under the account's lock; a change committed in between makes the
        // store answer with the address it found, and the revert tries again
        // with that one.
        let Some(account) = self.accounts.get(record.user_id).await? else {
            return Err(RevertEmailChangeError::InvalidLink);
        };
        let mut replacing = account.email;
        for _ in 0..REVERT_TRIES {
            let reversal = self.reversal(&record, replacing, now).await?;
            match self.store.revert(&reversal).await? {
                RevertOutcome::Reverted => {
                    self.signal.queued_any(&reversal.providers);
                    return Ok(());
                }
                RevertOutcome::AlreadyReverted => return Err(RevertEmailChangeError::AlreadyUsed),
                RevertOutcome::AddressTaken => return Err(RevertEmailChangeError::AddressTaken),
                RevertOutcome::AddressMoved { current } => replacing = current,
            }
        }
        Err(RevertEmailChangeError::Unexpected(PortError::msg("the address kept changing during a revert")))
    }

    /// What reverting `record` commits while `replacing` is the address in
    /// force: the restored address is told, and so is `replacing` when it
    /// is another address.
    async fn reversal(
        &self,
        record: &EmailChangeRecord,
        replacing: EmailAddress,
        now: OffsetDateTime,
    ) -> Result<EmailChangeReversal, PortError> {
        let user = record.user_id;
        let restore = record.old_email.clone();
        let mut notices = vec![self.message(user, restore.clone(), EmailContent::EmailChangeReverted, now, None)];
        if replacing != restore {
            let undone = EmailContent::EmailChangeUndone { restored_masked: restore.masked() };
            notices.push(self.message(user, replacing.clone(), undone, now, None));
        }
        Ok(EmailChangeReversal {
            record_id: record.id,
            user_id: user,
            restore,
            replacing,
            now,
            notices,
            providers: self.provider_notices(user).await?,
        })
    }

    fn code_hash(&self, user: UserId, email: &EmailAddress, code: &str) -> SecretHash {
        self.hasher.hash(CODE_PURPOSE, &[user.as_uuid().as_bytes(), email.as_str().as_bytes(), code.as_bytes()])
    }

    fn message(
        &self,
        about: UserId,
        to: EmailAddress,
        content: EmailContent,
        now: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> OutgoingEmail {
        let id = EmailId(draw::uuid_v4(self.random.as_ref()));
        OutgoingEmail { id, to, content, created_at: now, expires_at, about: Some(about) }
    }
}

#[cfg(test)]
#[path = "email_change_tests.rs"]
mod tests;
