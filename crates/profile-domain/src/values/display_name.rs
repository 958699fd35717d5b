//! `DisplayName`: the name shown under a user's video in rooms.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// The longest display name accepted, in Unicode scalar values after
/// normalisation.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// A display name: NFC-normalised, trimmed, with every run of whitespace made
/// one space, 1 to [`MAX_DISPLAY_NAME_CHARS`] characters, and free of control
/// and invisible formatting characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(std::sync::Arc<str>);

/// Why a string is not an acceptable display name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    /// Nothing is left once whitespace is trimmed.
    #[error("the display name is empty")]
    Empty,
    /// More than [`MAX_DISPLAY_NAME_CHARS`] characters.
    #[error("the display name is longer than {MAX_DISPLAY_NAME_CHARS} characters")]
    TooLong,
    /// A control character (such as a bell or NUL; line breaks count as
    /// spaces) or an invisible formatting character (such as a zero-width
    /// space or a direction override).
    #[error("the display name contains a control or invisible character (U+{0:04X})")]
    ForbiddenCharacter(u32),
}

impl DisplayName {
    /// Parses and normalises a name typed by a user.
    ///
    /// # Errors
    /// Returns the first rule the input breaks.
    pub fn parse(input: &str) -> Result<Self, DisplayNameError> {
        let normalised: String = input.nfc().collect();
        let mut name = String::with_capacity(normalised.len());
        for word in normalised.split(char::is_whitespace).filter(|w| !w.is_empty()) {
            if let Some(bad) = word.chars().find(|c| is_forbidden(*c)) {
                return Err(DisplayNameError::ForbiddenCharacter(u32::from(bad)));
            }
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(word);
        }
        match name.chars().count() {
            0 => Err(DisplayNameError::Empty),
            n if n > MAX_DISPLAY_NAME_CHARS => Err(DisplayNameError::TooLong),
            _ => Ok(Self(name.into())),
        }
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Control characters (Unicode category Cc), the format characters of
/// category Cf that render as nothing or reorder text, and the Hangul fillers
/// that are often abused as invisible names. The zero-width joiner and the
/// tag characters stay allowed: emoji sequences need them.
fn is_forbidden(c: char) -> bool {
    const ZERO_WIDTH_JOINER: char = '\u{200D}';
    if c.is_control() {
        return true;
    }
    if c == ZERO_WIDTH_JOINER || ('\u{E0020}'..='\u{E007F}').contains(&c) {
        return false;
    }
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{08E2}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0E}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
    )
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names are personal data: debug output hides them.
impl fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DisplayName(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_inner_whitespace_collapsed() {
        let name = DisplayName::parse("  Ada \t  Lovelace\u{00A0} ").unwrap();
        assert_eq!(name.as_str(), "Ada Lovelace");
    }

    #[test]
    fn a_name_is_unicode_normalised_to_nfc() {
        let decomposed = "Zoe\u{0301}";
        let name = DisplayName::parse(decomposed).unwrap();
        assert_eq!(name.as_str(), "Zo\u{00E9}");
    }

    #[test]
    fn an_empty_name_or_one_of_only_spaces_is_rejected() {
        for input in ["", " ", "\t \u{3000} ", "\u{2003}"] {
            assert_eq!(DisplayName::parse(input), Err(DisplayNameError::Empty), "{input:?}");
        }
    }

    #[test]
    fn a_name_of_64_characters_is_accepted_and_65_is_rejected() {
        let at_limit = "\u{00E9}".repeat(MAX_DISPLAY_NAME_CHARS);
        assert!(DisplayName::parse(&at_limit).is_ok());
        let over = "x".repeat(MAX_DISPLAY_NAME_CHARS + 1);
        assert_eq!(DisplayName::parse(&over), Err(DisplayNameError::TooLong));
    }

    #[test]
    fn the_length_limit_counts_characters_after_normalisation() {
        let decomposed = "e\u{0301}".repeat(MAX_DISPLAY_NAME_CHARS);
        assert!(DisplayName::parse(&decomposed).is_ok());
    }

    #[test]
    fn control_and_invisible_characters_are_rejected() {
        for (input, code) in [
            ("Ada\u{0000}", 0x0000),
            ("Ada\u{0007}x", 0x0007),
            ("Ada\u{007F}", 0x007F),
            ("A\u{200B}da", 0x200B),
            ("Ada\u{202E}ecalevol", 0x202E),
            ("\u{FEFF}Ada", 0xFEFF),
            ("\u{3164}", 0x3164),
            ("A\u{2066}da", 0x2066),
            ("A\u{00AD}da", 0x00AD),
        ] {
            assert_eq!(DisplayName::parse(input), Err(DisplayNameError::ForbiddenCharacter(code)), "{input:?}");
        }
    }

    #[test]
    fn a_newline_inside_a_name_is_treated_as_whitespace() {
        assert_eq!(DisplayName::parse("Ada\nLovelace").unwrap().as_str(), "Ada Lovelace");
    }

    #[test]
    fn emoji_sequences_with_joiners_are_kept() {
        let family = "Fam \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(DisplayName::parse(family).unwrap().as_str(), family);
    }

    #[test]
    fn names_in_any_script_are_accepted() {
        for input in ["山田 太郎", "Σωκράτης", "محمد", "Renée O'Connor-Smith"] {
            assert!(DisplayName::parse(input).is_ok(), "{input}");
        }
    }
}
