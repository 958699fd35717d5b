//! The adapters built from the configuration: the mail transport, the
//! webhook transport, the blob store and the picture processor.

use std::sync::Arc;

use profile_domain::ports::MailTransport;
use profile_email::{DevMailbox, MailSettings, SmtpTransport};

use super::WiringError;
use crate::config::Config;

pub(super) fn mail(config: &Config) -> Result<Arc<dyn MailTransport>, WiringError> {
    let settings = MailSettings::new(&config.mail_from, &config.product_name)?;
    Ok(match &config.smtp_url {
        Some(url) => {
            tracing::info!("mail goes out by SMTP");
            Arc::new(SmtpTransport::from_url(url.expose(), settings)?)
        }
        None => {
            let mailbox = DevMailbox::open(config.mail_dir(), settings).map_err(WiringError::Mailbox)?;
            tracing::info!(dir = %mailbox.dir().display(), "no SMTP URL set: messages are written as .eml files to the developer mailbox");
            Arc::new(mailbox)
        }
    })
}
