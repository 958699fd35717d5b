//! Mailing-list providers: outside services that hold copies of the email
//! lists. Each is told of every consent change to the purposes it carries,
//! in order, through its own outbox; and may report unsubscribes back.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{ConsentChannel, EmailAddress, ProviderId, PublicProfile, PurposeCatalogue, PurposeId, UserId};

/// One provider and the purposes whose changes it receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRoute {
    /// The provider.
    pub provider: ProviderId,
    /// The purposes it carries (its lists).
    pub purposes: Vec<PurposeId>,
}

/// Why a set of routes is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderRoutesError {
    /// Two providers have the same id.
    #[error("provider {0} is configured twice")]
    Duplicate(String),
    /// A provider names a purpose the catalogue does not have.
    #[error("provider {provider} names purpose {purpose}, which is not in the catalogue")]
    UnknownPurpose {
        /// The provider.
        provider: String,
        /// The purpose it names.
        purpose: String,
    },
}

/// Which providers receive the changes of which purposes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderRoutes(Vec<ProviderRoute>);

impl ProviderRoutes {
    /// Checks the routes against the catalogue.
    ///
    /// # Errors
    /// [`ProviderRoutesError`] for a duplicate provider or a purpose not in
    /// the catalogue.
    pub fn new(routes: Vec<ProviderRoute>, catalogue: &PurposeCatalogue) -> Result<Self, ProviderRoutesError> {
        for (i, route) in routes.iter().enumerate() {
            if routes[..i].iter().any(|r| r.provider == route.provider) {
                return Err(ProviderRoutesError::Duplicate(route.provider.to_string()));
            }
            if let Some(unknown) = route.purposes.iter().find(|p| catalogue.get(p).is_none()) {
                return Err(ProviderRoutesError::UnknownPurpose {
                    provider: route.provider.to_string(),
                    purpose: unknown.to_string(),
                });
            }
        }
        Ok(Self(routes))
    }

    /// The providers that receive changes of `purpose`.
    #[must_use]
    pub fn receivers_of(&self, purpose: &PurposeId) -> Vec<ProviderId> {
        self.0.iter().filter(|r| r.purposes.contains(purpose)).map(|r| r.provider.clone()).collect()
    }

    /// The route of one provider.
    #[must_use]
    pub fn get(&self, provider: &ProviderId) -> Option<&ProviderRoute> {
        self.0.iter().find(|r| &r.provider == provider)
    }

    /// Every configured provider.
    #[must_use]
    pub fn providers(&self) -> Vec<ProviderId> {
        self.0.iter().map(|r| r.provider.clone()).collect()
    }
}

/// A notice to queue for one receiver (a mailing-list provider, or one of
/// the product's services) with a change; its id is the delivery's id,
/// which the receiver sees (and can deduplicate on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeFor {
    /// The delivery's id.
    pub id: Uuid,
    /// Who receives it.
    pub provider: ProviderId,
    /// Whether the receiver is told the user's address: mailing-list
    /// providers are (their lists are of addresses); services never are.
    pub with_email: bool,
}

impl NoticeFor {
    /// A notice for a mailing-list provider, which is told the address.
    #[must_use]
    pub const fn to_provider(id: Uuid, provider: ProviderId) -> Self {
        Self { id, provider, with_email: true }
    }

    /// A notice for one of the product's services, never told the address.
    #[must_use]
    pub const fn to_service(id: Uuid, service: ProviderId) -> Self {
        Self { id, provider: service, with_email: false }
    }
}

/// What a provider is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderEvent {
    /// A user granted or withdrew a purpose.
    ConsentChanged {
        /// The purpose.
        purpose: PurposeId,
        /// Granted (`true`) or withdrawn.
        granted: bool,
        /// The purpose version answered.
        version: u32,
        /// Where the change came from.
        channel: ConsentChannel,
        /// When it was made.
        at: OffsetDateTime,
    },
    /// The user's login address changed (or a change was reverted); the
    /// notice's `email` is the address now.
    EmailChanged {
        /// The address before the change.
        previous_email: EmailAddress,
        /// When it changed.
        at: OffsetDateTime,
    },
    /// The user deleted their account: the provider must drop the address
    /// (GDPR Art. 17 and 19). Nothing about the user follows it.
    AccountErased {
        /// When the deletion was asked for.
        at: OffsetDateTime,
    },
    /// The display name or the picture changed (services only): the public
    /// profile as committed with the change.
    ProfileUpdated {
        /// The profile after the change.
        profile: PublicProfile,
    },
}

impl ProviderEvent {
    /// The type name of [`ProviderEvent::ConsentChanged`].
    pub const CONSENT_CHANGED: &'static str = "consent.changed";
    /// The type name of [`ProviderEvent::EmailChanged`].
    pub const EMAIL_CHANGED: &'static str = "email.changed";
    /// The type name of [`ProviderEvent::AccountErased`].
    pub const ACCOUNT_ERASED: &'static str = "account.erased";
    /// The type name of [`ProviderEvent::ProfileUpdated`].
    pub const PROFILE_UPDATED: &'static str = "profile.updated";

    /// The event's stable type name, as sent and stored.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::ConsentChanged { .. } => Self::CONSENT_CHANGED,
            Self::EmailChanged { .. } => Self::EMAIL_CHANGED,
            Self::AccountErased { .. } => Self::ACCOUNT_ERASED,
            Self::ProfileUpdated { .. } => Self::PROFILE_UPDATED,
        }
    }

    /// When the change happened.
    #[must_use]
    pub const fn at(&self) -> OffsetDateTime {
        match self {
            Self::ConsentChanged { at, .. } | Self::EmailChanged { at, .. } | Self::AccountErased { at } => *at,
            Self::ProfileUpdated { profile } => profile.updated_at,
        }
    }
}

impl From<&crate::ConsentEvent> for ProviderEvent {
    /// The change a ledger entry makes, as providers are told of it.
    fn from(event: &crate::ConsentEvent) -> Self {
        Self::ConsentChanged {
            purpose: event.purpose_id.clone(),
            granted: event.granted,
            version: event.version,
            channel: event.channel,
            at: event.at,
        }
    }
}

/// A queued notice, as handed to the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderNotice {
    /// The delivery's id (stable across retries).
    pub id: Uuid,
    /// Who receives it.
    pub provider: ProviderId,
    /// Whom it is about.
    pub user_id: UserId,
    /// The user's address when the change was committed; `None` for a
    /// notice to a service, which is never told it.
    pub email: Option<EmailAddress>,
    /// The user's notice number: it grows with every notice about the user
    /// (to any provider), so a provider that sees a number not above the
    /// last one it applied for the user can drop the notice.
    pub sequence: u64,
    /// What happened.
    pub event: ProviderEvent,
}
