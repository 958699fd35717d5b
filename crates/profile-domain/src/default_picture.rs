//! The default picture: the display name's initials on a colour derived
//! from the user id, as SVG, so clients never special-case "no picture".
//! Its file name carries a tag of what it shows, so a new name gives a new
//! URL and no cache shows stale initials.

use sha2::{Digest, Sha256};

use crate::{DisplayName, UserId};

/// Up to two initials: the first letter or digit of the first and of the
/// last word, upper-cased (one character each); none without a name (the address is never used: the
/// picture is public).
#[must_use]
pub fn initials(name: Option<&DisplayName>) -> String {
    let Some(name) = name else { return String::new() };
    let words: Vec<&str> = name.as_str().split_whitespace().collect();
    let first_letter = |w: &str| w.chars().find(|c| c.is_alphanumeric());
    let mut letters: Vec<char> = words.first().and_then(|w| first_letter(w)).into_iter().collect();
    if words.len() > 1 {
        letters.extend(words.last().and_then(|w| first_letter(w)));
    }
    letters.into_iter().filter_map(|c| c.to_uppercase().next()).collect()
}

/// The hue (0 to 359) of the user's background colour.
#[must_use]
pub fn hue(user: UserId) -> u16 {
    let digest = Sha256::digest(user.as_uuid().as_bytes());
    (u16::from_be_bytes([digest[0], digest[1]])) % 360
}

/// The file name of the default picture at `size`:
/// `default-{tag}-{size}.svg`, the tag changing with what it shows.
#[must_use]
pub fn default_picture_name(user: UserId, name: Option<&DisplayName>, size: u32) -> String {
    let digest = Sha256::digest(format!("v1|{}|{}", initials(name), hue(user)).as_bytes());
    format!("default-{}-{size}.svg", hex::encode(&digest[..8]))
}

/// The SVG of the default picture at `size` pixels.
#[must_use]
pub fn default_picture_svg(user: UserId, name: Option<&DisplayName>, size: u32) -> String {
    let text: String = initials(name)
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 100 100\">\
         <rect width=\"100\" height=\"100\" fill=\"hsl({hue},45%,42%)\"/>\
         <text x=\"50\" y=\"50\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" \
         font-size=\"40\" font-weight=\"600\" fill=\"#fff\">{text}</text></svg>",
        hue = hue(user)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> DisplayName {
        DisplayName::parse(text).unwrap()
    }

    #[test]
    fn initials_are_the_first_and_last_words_first_letters() {
        assert_eq!(initials(Some(&name("ada lovelace"))), "AL");
        assert_eq!(initials(Some(&name("Ada Augusta King Lovelace"))), "AL");
        assert_eq!(initials(Some(&name("Ada"))), "A");
        assert_eq!(initials(Some(&name("élodie ßaum"))), "ÉS");
        assert_eq!(initials(Some(&name("李 小龍"))), "李小");
        assert_eq!(initials(Some(&name("(ada) <b>"))), "AB");
        assert_eq!(initials(None), "");
    }

    #[test]
    fn the_name_changes_with_the_initials_and_the_svg_escapes_text() {
        let user = UserId::new_v7(1, [1; 10]);
        let ada = default_picture_name(user, Some(&name("Ada Lovelace")), 128);
        assert_ne!(ada, default_picture_name(user, Some(&name("Bob Lovelace")), 128));
        assert_eq!(ada, default_picture_name(user, Some(&name("Ann Lee")), 128), "same initials, same picture");
        assert_ne!(ada, default_picture_name(UserId::new_v7(2, [9; 10]), Some(&name("Ada Lovelace")), 128));
        assert!(ada.starts_with("default-") && ada.ends_with("-128.svg"));
        let svg = default_picture_svg(user, Some(&name("<x> &y")), 64);
        assert!(svg.contains(">XY</text>") && !svg.contains("<x>") && svg.contains("width=\"64\""), "{svg}");
    }
}
