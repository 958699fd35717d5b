//! Service clients: the product's other services (the meeting-room service)
//! call with a key of their own, configured as its SHA-256 with the scopes
//! it grants. Keys are compared in constant time against every client;
//! failures are limited per client address, counted for every instance.

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use profile_domain::LimitName;
use profile_domain::use_cases::RateLimits;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::client::client_key;
use crate::error::{ApiError, ErrorCode};

/// What a service key allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceScope {
    /// `profiles:read`: public profiles (`/v1/profiles/*`).
    ProfilesRead,
}

impl ServiceScope {
    /// Every scope.
    pub const ALL: [Self; 1] = [Self::ProfilesRead];

    /// The scope's name, as configured.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfilesRead => "profiles:read",
        }
    }

    /// The scope with this name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A service client as configured.
#[derive(Clone)]
pub struct ServiceClient {
    /// The client's id (`rooms`).
    pub id: String,
    /// The SHA-256 of its key; the key itself is never stored.
    pub key_sha256: [u8; 32],
    /// What its key allows.
    pub scopes: Vec<ServiceScope>,
}

impl std::fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceClient").field("id", &self.id).field("scopes", &self.scopes).finish_non_exhaustive()
    }
}

/// A service key, as `Authorization: Bearer <key>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "ServiceKey")]
pub struct ServiceKey(Bearer);

/// The service key, or its absence (answered `service_key_invalid` like a
/// wrong key).
#[derive(SecurityScheme)]
pub enum ServiceAuth {
    /// A key was sent.
    Key(ServiceKey),
    /// No key was sent.
    #[oai(fallback)]
    Missing,
}

/// Checks service keys and their scopes.
pub(crate) struct ServiceGuard {
    pub(crate) clients: Vec<ServiceClient>,
    /// Counts wrong keys per client address (`service_key_failures_per_ip`).
    pub(crate) limits: Arc<RateLimits>,
    pub(crate) trust_proxy_headers: bool,
}

impl ServiceGuard {
    /// The id of the client whose key was sent, when its key grants `scope`.
    ///
    /// The right key costs no write: only wrong or missing keys are
    /// counted. A client address over the limit is refused before its key
    /// is compared, on every instance that has seen it fail.
    pub(crate) async fn check(&self, auth: &ServiceAuth, req: &Request, scope: ServiceScope) -> Result<&str, ApiError> {
        let name = LimitName::ServiceKeyFailuresPerClient;
        let client = client_key(req, self.trust_proxy_headers);
        self.limits.refused(name, &client)?;
        let presented = match auth {
            ServiceAuth::Key(key) => Some(<[u8; 32]>::from(Sha256::digest(key.0.token.as_bytes()))),
            ServiceAuth::Missing => None,
        };
        // Every client's hash is compared, so the time taken does not tell
        // which one came close.
        let mut found = None;
        if let Some(presented) = presented {
            for candidate in &self.clients {
                if bool::from(presented.ct_eq(&candidate.key_sha256)) {
                    found = Some(candidate);
                }
            }
        }
        let Some(found) = found else {
            self.limits.count(name, &client).await?;
            return Err(ApiError::of(ErrorCode::ServiceKeyInvalid));
        };
        if !found.scopes.contains(&scope) {
            return Err(ApiError::with_message(
                ErrorCode::ScopeMissing,
                format!("this service key does not grant the {} scope", scope.as_str()),
            ));
        }
        Ok(&found.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_back_and_unknown_ones_do_not() {
        for scope in ServiceScope::ALL {
            assert_eq!(ServiceScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(ServiceScope::parse("profiles:write"), None);
    }

    #[test]
    fn a_client_prints_no_key_hash() {
        let client = ServiceClient { id: "rooms".into(), key_sha256: [0xab; 32], scopes: vec![] };
        let shown = format!("{client:?}");
        assert!(shown.contains("rooms") && !shown.contains("abab") && !shown.contains("171"), "{shown}");
    }
}
