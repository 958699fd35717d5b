//! `EmailAddress`: a parsed, normalised address a user signs in with.

use std::fmt;

/// The longest address accepted, in characters (RFC 5321 path limit less the
/// angle brackets).
pub const MAX_EMAIL_LENGTH: usize = 254;
/// The longest local part (before the `@`) accepted, in characters.
pub const MAX_LOCAL_PART_LENGTH: usize = 64;
/// The longest domain label accepted, in characters.
pub const MAX_DOMAIN_LABEL_LENGTH: usize = 63;

/// An email address in normal form: trimmed and lower-cased, so that two
/// spellings of one address compare equal.
///
/// Accepted: a dot-atom local part (RFC 5322 `atext` and single dots) and a
/// domain of at least two DNS labels. Quoted local parts, IP-literal domains
/// and non-ASCII addresses are refused with a clear error; internationalised
/// domains are accepted in their ASCII (`xn--`) form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(std::sync::Arc<str>);

/// Why a string is not an acceptable email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    /// Nothing but whitespace was given.
    #[error("the email address is empty")]
    Empty,
    /// Longer than [`MAX_EMAIL_LENGTH`].
    #[error("the email address is longer than {MAX_EMAIL_LENGTH} characters")]
    TooLong,
    /// No `@`, or more than one outside a quoted part.
    #[error("the email address must contain exactly one @")]
    MissingAt,
    /// The part before the `@` is empty, too long or has characters not allowed.
    #[error("the part before the @ is not valid")]
    InvalidLocalPart,
    /// The part after the `@` is not a valid domain name.
    #[error("the part after the @ is not a valid domain name")]
    InvalidDomain,
    /// The address has characters outside ASCII.
    #[error(
        "addresses with non-ASCII characters are not supported; write an internationalised domain in its xn-- form"
    )]
    NonAscii,
}

impl EmailAddress {
    /// Parses and normalises an address typed by a user.
    ///
    /// # Errors
    /// Returns the first rule the input breaks.
    pub fn parse(input: &str) -> Result<Self, EmailAddressError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_LENGTH {
            return Err(EmailAddressError::TooLong);
        }
        if !trimmed.is_ascii() {
            return Err(EmailAddressError::NonAscii);
        }
        let mut parts = trimmed.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailAddressError::MissingAt);
        };
        if !is_dot_atom(local) || local.len() > MAX_LOCAL_PART_LENGTH {
            return Err(EmailAddressError::InvalidLocalPart);
        }
        if !is_host_name(domain) {
            return Err(EmailAddressError::InvalidDomain);
        }
        Ok(Self(trimmed.to_ascii_lowercase().into()))
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with most of the local part hidden, for showing to someone
    /// who may not own it (`j***@example.com`).
    #[must_use]
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

/// `atext` from RFC 5322 section 3.2.3, with dots only between atoms.
fn is_dot_atom(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)))
}

/// A DNS host name of at least two labels whose last label is not numeric.
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= MAX_DOMAIN_LABEL_LENGTH
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let top_level_ok = labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    labels.len() >= 2 && labels.iter().all(label_ok) && top_level_ok
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Addresses are personal data: debug output hides them so they cannot reach
/// a log line by accident.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.ORG \n").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.org");
    }

    #[test]
    fn two_spellings_of_one_address_are_equal() {
        assert_eq!(EmailAddress::parse("BOB@example.com").unwrap(), EmailAddress::parse("bob@EXAMPLE.com").unwrap());
    }

    #[test]
    fn common_real_world_addresses_are_accepted() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "user_name-1@xn--bcher-kva.example",
            "x@123.example.com",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn malformed_addresses_are_rejected_with_the_rule_they_break() {
        use EmailAddressError as E;
        let cases: &[(&str, EmailAddressError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            ("plainaddress", E::MissingAt),
            ("a@b@example.com", E::MissingAt),
            ("@example.com", E::InvalidLocalPart),
            (".a@example.com", E::InvalidLocalPart),
            ("a.@example.com", E::InvalidLocalPart),
            ("a..b@example.com", E::InvalidLocalPart),
            ("a b@example.com", E::InvalidLocalPart),
            ("\"quoted\"@example.com", E::InvalidLocalPart),
            ("a@", E::InvalidDomain),
            ("a@localhost", E::InvalidDomain),
            ("a@-example.com", E::InvalidDomain),
            ("a@example-.com", E::InvalidDomain),
            ("a@example..com", E::InvalidDomain),
            ("a@[127.0.0.1]", E::InvalidDomain),
            ("a@1.2.3.4", E::InvalidDomain),
            ("a@exa_mple.com", E::InvalidDomain),
            ("a@bücher.example", E::NonAscii),
            ("jürgen@example.com", E::NonAscii),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input).as_ref(), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn an_address_of_254_characters_is_accepted_and_255_is_rejected() {
        let domain = format!("{}.{}.{}.com", "a".repeat(63), "b".repeat(63), "c".repeat(57));
        let at_limit = format!("{}@{domain}", "x".repeat(MAX_EMAIL_LENGTH - 1 - domain.len()));
        assert_eq!(at_limit.len(), MAX_EMAIL_LENGTH);
        assert!(EmailAddress::parse(&at_limit).is_ok());
        let over = format!("y{at_limit}");
        assert_eq!(EmailAddress::parse(&over), Err(EmailAddressError::TooLong));
    }

    #[test]
    fn a_local_part_of_65_characters_is_rejected() {
        let ok = format!("{}@example.com", "l".repeat(MAX_LOCAL_PART_LENGTH));
        assert!(EmailAddress::parse(&ok).is_ok());
        let over = format!("{}@example.com", "l".repeat(MAX_LOCAL_PART_LENGTH + 1));
        assert_eq!(EmailAddress::parse(&over), Err(EmailAddressError::InvalidLocalPart));
    }

    #[test]
    fn a_domain_label_of_64_characters_is_rejected() {
        let over = format!("a@{}.com", "d".repeat(MAX_DOMAIN_LABEL_LENGTH + 1));
        assert_eq!(EmailAddress::parse(&over), Err(EmailAddressError::InvalidDomain));
    }

    #[test]
    fn debug_output_never_shows_the_address() {
        let email = EmailAddress::parse("secret@example.com").unwrap();
        assert!(!format!("{email:?}").contains("secret"));
    }

    #[test]
    fn a_masked_address_keeps_only_the_first_letter_and_the_domain() {
        let email = EmailAddress::parse("ada@example.com").unwrap();
        assert_eq!(email.masked(), "a***@example.com");
    }
}
