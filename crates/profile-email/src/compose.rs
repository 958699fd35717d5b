//! Turning an outgoing email into a MIME message.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use profile_domain::OutgoingEmail;
use profile_domain::ports::SendError;

use crate::templates::render;

/// What every message shares: who sends it and in whose name.
#[derive(Clone, Debug)]
pub struct MailSettings {
    from: Mailbox,
    product_name: String,
}

/// Why mail settings are not usable.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The sender is not an address lettre accepts (`Name <addr@host>`).
    #[error("the sender address is not valid")]
    InvalidFrom(#[source] lettre::address::AddressError),
}

impl MailSettings {
    /// Settings with the sender `from` (`Name <address>` or a bare address)
    /// and the product name used in subjects and bodies.
    ///
    /// # Errors
    /// [`SettingsError::InvalidFrom`] when `from` is not a valid mailbox.
    pub fn new(from: &str, product_name: &str) -> Result<Self, SettingsError> {
        let from = from.parse().map_err(SettingsError::InvalidFrom)?;
        Ok(Self { from, product_name: product_name.to_owned() })
    }

    /// Builds the MIME message: multipart/alternative, text and HTML, with a
    /// Message-ID derived from the email's id so a retry keeps its identity.
    pub(crate) fn compose(&self, email: &OutgoingEmail) -> Result<Message, SendError> {
        let rendered = render(&email.content, &self.product_name);
        let to: Mailbox = email
            .to
            .as_str()
            .parse()
            .map_err(|_| SendError::Permanent("recipient address refused by the mail library".into()))?;
        let domain = self.from.email.domain().to_owned();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!("<{}@{domain}>", email.id.0)))
            .date(email.created_at.into())
            .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
            .map_err(|_| SendError::Permanent("message could not be built".into()))
    }
}
