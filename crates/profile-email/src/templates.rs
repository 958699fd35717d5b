//! Message templates: every kind of message in plain text and HTML. Short,
//! saying what happened and what to do if it was not you; no tracking.

use profile_domain::EmailContent;

/// A message rendered for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// Renders `content` for a product called `product`.
#[must_use]
pub fn render(content: &EmailContent, product: &str) -> Rendered {
    match content {
        EmailContent::SignInCode { code, valid_minutes } => sign_in_code(product, code, *valid_minutes),
    }
}

/// The code with a thin gap in the middle, easier to read aloud and to type.
fn spaced(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
}

fn sign_in_code(product: &str, code: &str, minutes: u32) -> Rendered {
    let subject = format!("{code} is your {product} sign-in code");
    let text = format!(
        "Your sign-in code for {product}:\n\n    {spaced}\n\n\
         Enter it on the sign-in page. It works once, for {minutes} minutes.\n\n\
         If you did not try to sign in, ignore this message: nobody can sign in without the code.\n",
        spaced = spaced(code),
    );
    let product_html = escape(product);
    let html = format!(
        "<!doctype html>\n<html><body style=\"font-family:system-ui,sans-serif;color:#1f2328;max-width:32rem\">\n\
         <p>Your sign-in code for {product_html}:</p>\n\
         <p style=\"font-family:ui-monospace,monospace;font-size:2rem;letter-spacing:.3rem;font-weight:600;\
         user-select:all\">{code}</p>\n\
         <p>Enter it on the sign-in page. It works once, for {minutes} minutes.</p>\n\
         <p style=\"color:#59636e\">If you did not try to sign in, ignore this message: \
         nobody can sign in without the code.</p>\n</body></html>\n",
        code = escape(code),
    );
    Rendered { subject, text, html }
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_message(product: &str) -> Rendered {
        render(&EmailContent::SignInCode { code: "042917".into(), valid_minutes: 10 }, product)
    }

    #[test]
    fn the_code_is_in_the_subject_and_both_bodies() {
        let m = code_message("Meet");
        assert_eq!(m.subject, "042917 is your Meet sign-in code");
        assert!(m.text.contains("042 917"));
        assert!(m.html.contains(">042917<"));
    }

    #[test]
    fn the_message_says_how_long_the_code_works_and_what_to_do_if_it_was_not_you() {
        let m = code_message("Meet");
        for body in [&m.text, &m.html] {
            assert!(body.contains("10 minutes"));
            assert!(body.contains("If you did not try to sign in"));
        }
    }

    #[test]
    fn the_product_name_is_escaped_in_html() {
        let m = code_message("<b>Tom & Jerry's</b>");
        assert!(m.html.contains("&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;"));
        assert!(!m.html.contains("<b>Tom"));
    }

    #[test]
    fn the_html_loads_nothing_from_elsewhere() {
        let m = code_message("Meet");
        assert!(!m.html.contains("<img"));
        assert!(!m.html.contains("http"));
    }
}
