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
        EmailContent::SignInCode { code, valid_minutes } => Message {
            subject: format!("{code} is your {product} sign-in code"),
            blocks: vec![
                Block::Text(format!("Your sign-in code for {product}:")),
                Block::Code(code.clone()),
                Block::Text(format!("Enter it on the sign-in page. It works once, for {valid_minutes} minutes.")),
                Block::Quiet("If you did not try to sign in, ignore this message: nobody can sign in without the code.".into()),
            ],
        },
        EmailContent::EmailChangeCode { code, valid_minutes } => Message {
            subject: format!("{code} confirms your new {product} address"),
            blocks: vec![
                Block::Text(format!("Someone asked to make this the address they sign in to {product} with. To confirm, enter this code:")),
                Block::Code(code.clone()),
                Block::Text(format!("It works once, for {valid_minutes} minutes. Until then nothing changes.")),
                Block::Quiet("If it was not you, ignore this message: without the code the address is not used.".into()),
            ],
        },
        EmailContent::EmailChangeAddressInUse => Message {
            subject: format!("Someone tried to use this address on {product}"),
            blocks: vec![
                Block::Text(format!("Someone signed in to {product} asked to use this address for their account. It already belongs to an account, so nothing changed.")),
                Block::Quiet("If you did this, sign in with this address instead. Otherwise there is nothing to do.".into()),
            ],
        },
        EmailContent::EmailChanged { new_email_masked, revert_url, revert_valid_minutes } => Message {
            subject: format!("Your {product} sign-in address was changed"),
            blocks: vec![
                Block::Text(format!("The address you sign in to {product} with was changed to {new_email_masked}. This address no longer signs in.")),
                Block::Text(format!("If you did not do this, restore your old address with this link (it works for {}); every session of the account will be signed out:", span(*revert_valid_minutes))),
                Block::Link(revert_url.clone()),
                Block::Quiet("If you made the change, there is nothing to do.".into()),
            ],
        },
        EmailContent::AccountDeleted { receipt_url } => Message {
            subject: format!("Your {product} account was deleted"),
            blocks: vec![
                Block::Text(format!("Your {product} account and everything stored about you were deleted, as you asked. Mailing lists that had your address were told to remove it. This is the last message this address gets from {product} about the account.")),
                Block::Text("The receipt shows each step and when it was done; it holds nothing about you:".into()),
                Block::Link(receipt_url.clone()),
                Block::Quiet("If you did not ask for this, someone signed in to your account; you can sign in again to start a new, empty account.".into()),
            ],
        },
        EmailContent::EmailChangeUndone { restored_masked } => Message {
            subject: format!("Your {product} sign-in address change was undone"),
            blocks: vec![
                Block::Text(format!("The change that made this the address you sign in to {product} with was undone from the old address, {restored_masked}. This address no longer signs in, and every session of the account was signed out.")),
                Block::Quiet("If you did not ask for the change, there is nothing to do: the old address is in force again. If you did, sign in with the old address and check your profile.".into()),
            ],
        },
        EmailContent::EmailChangeReverted => Message {
            subject: format!("Your {product} sign-in address was restored"),
            blocks: vec![
                Block::Text(format!("This address signs in to {product} again, and every session of the account was signed out.")),
                Block::Quiet("Sign in again with this address. If you did not ask for this, sign in and check your profile.".into()),
            ],
        },
    }
    .render(product)
}

/// A message as a subject and a few blocks, rendered alike in text and HTML.
struct Message {
    subject: String,
    blocks: Vec<Block>,
}

enum Block {
    /// A paragraph.
    Text(String),
    /// A code, large and easy to copy.
    Code(String),
    /// A link, shown in full.
    Link(String),
    /// A quieter closing paragraph.
    Quiet(String),
}

impl Message {
    fn render(self, product: &str) -> Rendered {
        let mut text = String::new();
        let mut html = String::from(
            "<!doctype html>\n<html><body style=\"font-family:system-ui,sans-serif;color:#1f2328;max-width:32rem\">\n",
        );
        for block in &self.blocks {
            match block {
                Block::Text(t) => {
                    text.push_str(&format!("{t}\n\n"));
                    html.push_str(&format!("<p>{}</p>\n", escape(t)));
                }
                Block::Code(code) => {
                    text.push_str(&format!("    {}\n\n", spaced(code)));
                    html.push_str(&format!(
                        "<p style=\"font-family:ui-monospace,monospace;font-size:2rem;letter-spacing:.3rem;\
                         font-weight:600;user-select:all\">{}</p>\n",
                        escape(code)
                    ));
                }
                Block::Link(url) => {
                    text.push_str(&format!("{url}\n\n"));
                    html.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(url)));
                }
                Block::Quiet(t) => {
                    text.push_str(&format!("{t}\n"));
                    html.push_str(&format!("<p style=\"color:#59636e\">{}</p>\n", escape(t)));
                }
            }
        }
        text.push_str(&format!("\n-- \n{product}\n"));
        html.push_str("</body></html>\n");
        Rendered { subject: self.subject, text, html }
    }
}

/// A span of minutes in the largest whole unit that fits: `7 days`, `3 hours`.
fn span(minutes: u32) -> String {
    let (n, unit) = match minutes {
        m if m >= 1440 && m % 1440 == 0 => (m / 1440, "day"),
        m if m >= 60 && m % 60 == 0 => (m / 60, "hour"),
        m => (m, "minute"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The code with a thin gap in the middle, easier to read aloud and to type.
fn spaced(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
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
    fn every_message_says_what_happened_and_what_to_do_if_it_was_not_you() {
        let all = [
            EmailContent::SignInCode { code: "123456".into(), valid_minutes: 10 },
            EmailContent::EmailChangeCode { code: "123456".into(), valid_minutes: 15 },
            EmailContent::EmailChangeAddressInUse,
            EmailContent::EmailChanged {
                new_email_masked: "n***@example.com".into(),
                revert_url: "https://p.example/email-change/revert?token=ab&x=<y>".into(),
                revert_valid_minutes: 7 * 24 * 60,
            },
            EmailContent::EmailChangeReverted,
            EmailContent::EmailChangeUndone { restored_masked: "o***@example.com".into() },
            EmailContent::AccountDeleted { receipt_url: "https://p.example/v1/deletion-receipts/1".into() },
        ];
        let what_if_not_you = [
            "If you did not try to sign in",
            "If it was not you",
            "If you did this, sign in with this address instead",
            "If you did not do this, restore your old address",
            "If you did not ask for this",
            "If you did not ask for the change",
            "If you did not ask for this, someone signed in",
        ];
        for (content, advice) in all.iter().zip(what_if_not_you) {
            let m = render(content, "Meet");
            assert!(m.subject.contains("Meet"), "{}", content.kind());
            assert!(m.text.contains(advice) && m.html.contains(advice), "{}", content.kind());
            assert!(!m.html.contains("src=") && !m.html.contains("<img"), "nothing loaded in {}", content.kind());
            let links = m.html.matches("href=").count();
            assert_eq!(
                links,
                usize::from(matches!(content.kind(), "email_changed" | "account_deleted")),
                "only the revert or receipt link in {}",
                content.kind()
            );
        }
    }

    #[test]
    fn the_change_notice_carries_the_revert_link_escaped_in_html() {
        let m = render(
            &EmailContent::EmailChanged {
                new_email_masked: "n***@example.com".into(),
                revert_url: "https://p.example/r?token=ab&x=1".into(),
                revert_valid_minutes: 7 * 24 * 60,
            },
            "Meet",
        );
        assert!(m.text.contains("https://p.example/r?token=ab&x=1"));
        assert!(m.html.contains("href=\"https://p.example/r?token=ab&amp;x=1\""));
        assert!(m.text.contains("n***@example.com") && m.text.contains("7 days"));
        assert_eq!(
            (span(1), span(120), span(90), span(2880)),
            ("1 minute".into(), "2 hours".into(), "90 minutes".into(), "2 days".into())
        );
    }

    #[test]
    fn the_html_loads_nothing_from_elsewhere() {
        let m = code_message("Meet");
        assert!(!m.html.contains("<img"));
        assert!(!m.html.contains("http"));
    }
}
