//! The developer mailbox: each message becomes an `.eml` file in a directory,
//! written atomically (a temporary file renamed into place), so a reader never
//! sees half a message.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use profile_domain::OutgoingEmail;
use profile_domain::ports::{MailTransport, SendError};

use crate::MailSettings;

/// A `MailTransport` that writes `.eml` files into a directory.
#[derive(Clone, Debug)]
pub struct DevMailbox {
    dir: PathBuf,
    settings: MailSettings,
}

impl DevMailbox {
    /// A mailbox in `dir`, created if missing.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(dir: impl Into<PathBuf>, settings: MailSettings) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, settings })
    }

    /// The directory messages are written to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl MailTransport for DevMailbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError> {
        let raw = self.settings.compose(email)?.formatted();
        let millis = email.created_at.unix_timestamp_nanos() / 1_000_000;
        let name = format!("{millis}-{}.eml", email.id.0);
        let temporary = self.dir.join(format!(".{name}.tmp"));
        let io_failure = |_| SendError::Transient("the mailbox directory could not be written".into());
        tokio::fs::write(&temporary, raw).await.map_err(io_failure)?;
        tokio::fs::rename(&temporary, self.dir.join(name)).await.map_err(io_failure)
    }
}
