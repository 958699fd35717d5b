//! The server secret that keys the hashes of codes and tokens: from the
//! configuration, or generated once and kept in the data directory.

use std::io::Write;
use std::path::Path;

use profile_domain::SecretKey;

/// Why no secret key could be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    #[error("the secret key must be at least 32 bytes (64 hex digits recommended)")]
    TooShort,
    #[error("cannot read or write the secret key file")]
    Io(#[from] std::io::Error),
}

/// The configured key, or the one in `data_dir/secret.key` (made on first run).
pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<SecretKey, SecretKeyError> {
    if let Some(text) = configured {
        return key_from_text(text);
    }
    let path = data_dir.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => key_from_text(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0_u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
            std::fs::create_dir_all(data_dir)?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path)?;
            file.write_all(hex::encode(bytes).as_bytes())?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "generated a new secret key");
            key_from_text(&hex::encode(bytes))
        }
        Err(e) => Err(e.into()),
    }
}

/// Hex text is decoded; any other text is used as its bytes.
fn key_from_text(text: &str) -> Result<SecretKey, SecretKeyError> {
    let text = text.trim();
    let bytes = hex::decode(text).unwrap_or_else(|_| text.as_bytes().to_vec());
    SecretKey::new(bytes).map_err(|_| SecretKeyError::TooShort)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        load_or_create(None, dir.path()).unwrap();
        let first = std::fs::read_to_string(dir.path().join("secret.key")).unwrap();
        load_or_create(None, dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("secret.key")).unwrap(), first);
        assert_eq!(first.len(), 64);
    }

    #[test]
    fn a_short_configured_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load_or_create(Some("abcd"), dir.path()), Err(SecretKeyError::TooShort)));
        assert!(load_or_create(Some(&"ab".repeat(32)), dir.path()).is_ok());
    }
}
