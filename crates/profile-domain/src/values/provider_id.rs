//! `ProviderId`: the name of a mailing-list provider in the operator's
//! configuration.

use std::fmt;

use super::purpose_id::is_identifier;

/// A provider id, by the same rule as purpose ids: 1 to 64 lower-case ASCII
/// letters, digits, `_` and `-`, starting with a letter (`listmonk`, `crm-eu`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderId(String);

/// Why a string is not a provider id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a provider id is 1 to 64 lower-case letters, digits, _ or -, starting with a letter")]
pub struct ProviderIdError;

impl ProviderId {
    /// Parses a provider id.
    ///
    /// # Errors
    /// [`ProviderIdError`] when the text breaks the rule.
    pub fn parse(text: &str) -> Result<Self, ProviderIdError> {
        if is_identifier(text) { Ok(Self(text.to_owned())) } else { Err(ProviderIdError) }
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_follow_the_purpose_id_rule() {
        assert!(ProviderId::parse("crm-eu_2").is_ok());
        for bad in ["", "Listmonk", "a b", "9x", &"x".repeat(65)] {
            assert_eq!(ProviderId::parse(bad), Err(ProviderIdError), "{bad:?}");
        }
    }
}
