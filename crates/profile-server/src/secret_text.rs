//! A configuration value that must not be printed: `Debug` shows a URL
//! without its password (`postgres://profile:***@db/profile`) and anything
//! else as `<redacted>`; the value itself is read with [`SecretText::expose`].

use serde::{Deserialize, Serialize};

/// A secret read from the configuration (a key, or a URL with a password).
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    /// The value, for the one place that uses it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.has_host() => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                if !url.username().is_empty() {
                    let _ = url.set_username("***");
                }
                url.set_query(None);
                write!(f, "{:?}", url.as_str())
            }
            _ => f.write_str("<redacted>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_and_other_secrets_are_hidden() {
        let url = SecretText("postgres://profile:hunter2@db:5432/p?password=x".into());
        assert_eq!(format!("{url:?}"), r#""postgres://***:***@db:5432/p""#);
        assert_eq!(format!("{:?}", SecretText("ab".repeat(32))), "<redacted>");
        assert_eq!(url.expose(), "postgres://profile:hunter2@db:5432/p?password=x");
    }
}
