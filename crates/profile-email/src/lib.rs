//! Email adapters of the profile service: the message templates, and two
//! implementations of the domain's `MailTransport` port:
//!
//! - [`SmtpTransport`]: real SMTP through lettre (plain, STARTTLS or TLS,
//!   optional authentication);
//! - [`DevMailbox`]: writes each message as an `.eml` file into a directory,
//!   the embedded default for development.

mod compose;
mod dev_mailbox;
mod smtp;
mod templates;

pub use compose::{MailSettings, SettingsError};
pub use dev_mailbox::DevMailbox;
pub use smtp::{SEND_TIMEOUT, SmtpConfigError, SmtpTransport};
pub use templates::{Rendered, render};
