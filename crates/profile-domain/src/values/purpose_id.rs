//! `PurposeId`: the name of a consent purpose in the operator's catalogue.

use std::fmt;

/// The longest purpose id accepted.
pub const MAX_PURPOSE_ID_LENGTH: usize = 64;

/// A purpose id: 1 to 64 characters of lower-case ASCII letters, digits, `_`
/// and `-`, starting with a letter (`product_news`, `usage-analytics`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PurposeId(String);

/// Why a string is not a purpose id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a purpose id is 1 to {MAX_PURPOSE_ID_LENGTH} lower-case letters, digits, _ or -, starting with a letter")]
pub struct PurposeIdError;

impl PurposeId {
    /// Parses a purpose id.
    ///
    /// # Errors
    /// [`PurposeIdError`] when the text breaks the rule.
    pub fn parse(text: &str) -> Result<Self, PurposeIdError> {
        if is_identifier(text) { Ok(Self(text.to_owned())) } else { Err(PurposeIdError) }
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` is 1 to 64 lower-case ASCII letters, digits, `_` and `-`,
/// starting with a letter: the rule for purpose and provider ids.
pub(super) fn is_identifier(text: &str) -> bool {
    text.len() <= MAX_PURPOSE_ID_LENGTH
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl fmt::Display for PurposeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_letters_digits_underscores_and_hyphens_are_accepted() {
        for ok in ["a", "product_news", "usage-analytics2", &"x".repeat(64)] {
            assert!(PurposeId::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn empty_capitalised_spaced_leading_digit_and_overlong_ids_are_refused() {
        for bad in ["", "News", "product news", "1news", "_x", "café", &"x".repeat(65)] {
            assert_eq!(PurposeId::parse(bad), Err(PurposeIdError), "{bad:?}");
        }
    }
}
