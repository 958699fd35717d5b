//! Files the server makes are its owner's alone: the process umask is set
//! to `077` before anything is written, so the data directory, the SQLite
//! database and its journal files, the server key, picture files on the
//! local disk and the developer mailbox are created 0600 (files) and 0700
//! (directories), whichever crate writes them. Existing files keep their
//! modes.

/// Sets the owner-only umask (Unix; elsewhere nothing).
pub(crate) fn owner_only() {
    #[cfg(unix)]
    {
        let _previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}
