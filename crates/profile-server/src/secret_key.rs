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
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(data_dir, &path),
        Err(e) => Err(e.into()),
    }
}

/// Writes a new random key to a temporary file and links it into place, so
/// that of two instances starting at once one wins and both use its key.
fn create(data_dir: &Path, path: &Path) -> Result<SecretKey, SecretKeyError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    std::fs::create_dir_all(data_dir)?;
    let temporary = data_dir.join(format!(".secret.key.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary)?;
    file.write_all(hex::encode(bytes).as_bytes())?;
    file.sync_all()?;
    let linked = std::fs::hard_link(&temporary, path);
    std::fs::remove_file(&temporary)?;
    match linked {
        Ok(()) => tracing::info!(path = %path.display(), "generated a new secret key"),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    key_from_text(&std::fs::read_to_string(path)?)
}

/// 64 or more hex digits are decoded; any other text is used as its bytes.
fn key_from_text(text: &str) -> Result<SecretKey, SecretKeyError> {
    let text = text.trim();
    let decoded = (text.len() >= 64).then(|| hex::decode(text).ok()).flatten();
    let bytes = decoded.unwrap_or_else(|| text.as_bytes().to_vec());
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
