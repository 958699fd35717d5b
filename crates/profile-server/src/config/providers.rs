//! The `[providers]` section: mailing-list providers, told of every consent
//! change to the purposes they carry, and how delivery to them is paced.

use profile_domain::{ProviderId, ProviderRoute, ProviderRoutes, PurposeCatalogue, PurposeId, WebhookSecret};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::config::environment::{PROVIDER_SECRET, id_part};

/// The longest `report_tolerance_secs` accepted: report ids are remembered
/// for 7 days, and a report must be refused by its age long before its id
/// is forgotten.
const MAX_REPORT_TOLERANCE_SECS: u64 = 3600;

/// One provider, as configured in `[[providers.endpoints]]`.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// The provider's id (`listmonk`, `crm-eu`).
    pub id: String,
    /// Where notices are POSTed.
    pub url: String,
    /// The secret notices are signed with (`whsec_…`); or set
    /// `PROFILE_PROVIDER_<ID>_SECRET`.
    #[serde(default)]
    pub secret: Option<String>,
    /// The secret the provider signs its reports with; unset, the provider
    /// cannot report unsubscribes. Or set `PROFILE_PROVIDER_<ID>_REPORT_SECRET`.
    #[serde(default)]
    pub report_secret: Option<String>,
    /// The purposes whose changes it receives.
    pub purposes: Vec<String>,
}

impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| ".."))
            .field("report_secret", &self.report_secret.as_ref().map(|_| ".."))
            .field("purposes", &self.purposes)
            .finish()
    }
}

/// The providers and the pacing of delivery to them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvidersConfig {
    pub poll_interval_ms: u64,
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    pub lease_secs: u64,
    pub batch_size: u32,
    /// How far a report's timestamp may be from now, either way.
    pub report_tolerance_secs: u64,
    pub endpoints: Vec<EndpointConfig>,
}

impl Default for ProvidersConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1000,
            retry_base_secs: 5,
            retry_max_secs: 3600,
            lease_secs: 120,
            batch_size: 50,
            report_tolerance_secs: 300,
            endpoints: Vec::new(),
        }
    }
}

/// A provider ready for wiring.
pub struct Endpoint {
    pub id: ProviderId,
    pub url: url::Url,
    pub secret: WebhookSecret,
    pub report_secret: Option<WebhookSecret>,
}

impl ProvidersConfig {
    /// The endpoints and their routes, checked against the catalogue.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the provider and what is wrong (never
    /// quoting a secret).
    pub fn endpoints(&self, catalogue: &PurposeCatalogue) -> Result<(Vec<Endpoint>, ProviderRoutes), ConfigError> {
        let mut endpoints = Vec::with_capacity(self.endpoints.len());
        let mut routes = Vec::with_capacity(self.endpoints.len());
        for e in &self.endpoints {
            let invalid = |what: &str| ConfigError::Invalid(format!("provider {:?}: {what}", e.id));
            let id = ProviderId::parse(&e.id).map_err(|err| invalid(&err.to_string()))?;
            if endpoints.iter().any(|other: &Endpoint| id_part(other.id.as_str()) == id_part(&e.id)) {
                return Err(invalid("another provider's id differs only in - and _, so their secret variables clash"));
            }
            let url = url::Url::parse(&e.url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| invalid("url must be an http or https URL"))?;
            let parse_secret =
                |text: &str, name: &str| WebhookSecret::parse(text).map_err(|err| invalid(&format!("{name}: {err}")));
            let secret = e
                .secret
                .as_deref()
                .ok_or_else(|| invalid(&format!("secret is required (or set {})", PROVIDER_SECRET.name_for(&e.id))))
                .and_then(|s| parse_secret(s, "secret"))?;
            let report_secret = e.report_secret.as_deref().map(|s| parse_secret(s, "report_secret")).transpose()?;
            let purposes = e
                .purposes
                .iter()
                .map(|p| PurposeId::parse(p).map_err(|_| invalid(&format!("{p:?} is not a purpose id"))))
                .collect::<Result<Vec<_>, _>>()?;
            if purposes.is_empty() {
                return Err(invalid("purposes must name at least one purpose"));
            }
            routes.push(ProviderRoute { provider: id.clone(), purposes });
            endpoints.push(Endpoint { id, url, secret, report_secret });
        }
        let routes = ProviderRoutes::new(routes, catalogue).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Ok((endpoints, routes))
    }

    /// Checks the pacing values.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] saying which rule is broken.
    pub fn validate_pacing(&self, delivery_timeout_secs: u64) -> Result<(), ConfigError> {
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if [self.poll_interval_ms, self.retry_base_secs, self.lease_secs, u64::from(self.batch_size)].contains(&0)
            || self.retry_max_secs < self.retry_base_secs
        {
            return invalid("providers values must be above zero, and retry_max_secs at least retry_base_secs");
        }
        if self.lease_secs <= delivery_timeout_secs {
            return invalid("providers.lease_secs must be longer than one delivery may take (15 seconds)");
        }
        if self.report_tolerance_secs == 0 || self.report_tolerance_secs > MAX_REPORT_TOLERANCE_SECS {
            return invalid("providers.report_tolerance_secs must be between 1 and 3600");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConsentConfig;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn endpoint(id: &str, purposes: &[&str]) -> EndpointConfig {
        EndpointConfig {
            id: id.into(),
            url: "https://lists.example.com/hooks".into(),
            secret: Some(SECRET.into()),
            report_secret: None,
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn check(endpoints: Vec<EndpointConfig>) -> Result<(Vec<Endpoint>, ProviderRoutes), ConfigError> {
        let catalogue = ConsentConfig::default().catalogue().unwrap();
        ProvidersConfig { endpoints, ..ProvidersConfig::default() }.endpoints(&catalogue)
    }

    #[test]
    fn a_provider_routes_the_purposes_it_names() {
        let (endpoints, routes) = check(vec![endpoint("lists", &["newsletter"])]).unwrap();
        assert_eq!(endpoints[0].id.as_str(), "lists");
        assert_eq!(routes.receivers_of(&PurposeId::parse("newsletter").unwrap()).len(), 1);
        assert!(routes.receivers_of(&PurposeId::parse("product_news").unwrap()).is_empty());
    }

    #[test]
    fn bad_providers_are_refused_naming_them_and_never_quoting_a_secret() {
        let cases = [
            (endpoint("Lists", &["newsletter"]), "provider id"),
            (EndpointConfig { url: "ftp://x".into(), ..endpoint("a", &["newsletter"]) }, "url"),
            (EndpointConfig { secret: None, ..endpoint("a", &["newsletter"]) }, "PROFILE_PROVIDER_A_SECRET"),
            (EndpointConfig { secret: Some("whsec_c2hvcnQ=".into()), ..endpoint("a", &["newsletter"]) }, "secret"),
            (endpoint("a", &[]), "at least one"),
            (endpoint("a", &["nothing_like_it"]), "not in the catalogue"),
        ];
        for (bad, needle) in cases {
            let message = check(vec![bad]).err().unwrap().to_string();
            assert!(message.contains(needle), "{message}");
            assert!(!message.contains("c2hvcnQ") && !message.contains("MfKQ"), "{message}");
        }
        let twice = check(vec![endpoint("a", &["newsletter"]), endpoint("a", &["newsletter"])]);
        assert!(twice.err().unwrap().to_string().contains("clash"), "caught by the variable names first");
        let clash = check(vec![endpoint("crm-eu", &["newsletter"]), endpoint("crm_eu", &["newsletter"])]);
        assert!(clash.err().unwrap().to_string().contains("clash"));
        let shown = format!("{:?}", endpoint("a", &["newsletter"]));
        assert!(!shown.contains("MfKQ"), "{shown}");
    }

    #[test]
    fn pacing_limits_are_checked() {
        assert!(ProvidersConfig::default().validate_pacing(15).is_ok());
        let bad = [
            ProvidersConfig { lease_secs: 15, ..ProvidersConfig::default() },
            ProvidersConfig { report_tolerance_secs: 3601, ..ProvidersConfig::default() },
            ProvidersConfig { report_tolerance_secs: 0, ..ProvidersConfig::default() },
            ProvidersConfig { retry_max_secs: 1, ..ProvidersConfig::default() },
        ];
        for config in bad {
            assert!(config.validate_pacing(15).is_err());
        }
        let edge = ProvidersConfig { lease_secs: 16, report_tolerance_secs: 3600, ..ProvidersConfig::default() };
        assert!(edge.validate_pacing(15).is_ok());
    }
}
