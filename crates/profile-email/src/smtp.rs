//! SMTP delivery through lettre.

use std::time::Duration;

use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use profile_domain::OutgoingEmail;
use profile_domain::ports::{MailTransport, SendError};

use crate::MailSettings;

/// The longest one message may take to hand over, connection included.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// A `MailTransport` that speaks SMTP to a relay.
#[derive(Clone)]
pub struct SmtpTransport {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    settings: MailSettings,
}

/// Why an SMTP URL is not usable.
#[derive(Debug, thiserror::Error)]
#[error(
    "the SMTP URL is not valid: use smtp://host:port (plain), smtp://host:587?tls=required (STARTTLS) \
     or smtps://host:465 (TLS), with optional user:password@"
)]
pub struct SmtpConfigError(#[source] lettre::transport::smtp::Error);

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpTransport")
    }
}

impl SmtpTransport {
    /// A transport for `url`: `smtp://host:port` (plain),
    /// `smtp://host:port?tls=required` (STARTTLS), `smtp://…?tls=opportunistic`,
    /// or `smtps://host:port` (TLS); `user:password@` adds authentication.
    ///
    /// # Errors
    /// [`SmtpConfigError`] when the URL is malformed.
    pub fn from_url(url: &str, settings: MailSettings) -> Result<Self, SmtpConfigError> {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(SmtpConfigError)?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Self { mailer, settings })
    }
}

/// Maps a lettre error to the domain's, keeping only the reply code: servers
/// echo addresses in their replies, and those must not reach the logs.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let code = error.status().map(|c| c.to_string());
    if error.is_permanent() {
        SendError::Permanent(format!("server replied {}", code.as_deref().unwrap_or("5xx")))
    } else if error.is_transient() {
        SendError::Transient(format!("server replied {}", code.as_deref().unwrap_or("4xx")))
    } else if error.is_timeout() {
        SendError::Transient("timed out".into())
    } else if error.is_tls() {
        SendError::Transient("TLS failure".into())
    } else {
        SendError::Transient("connection failed".into())
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError> {
        let message = self.settings.compose(email)?;
        match tokio::time::timeout(SEND_TIMEOUT, self.mailer.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(SendError::Transient("timed out".into())),
        }
    }
}
