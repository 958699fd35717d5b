//! The randomness port.

/// A source of cryptographically secure random bytes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Randomness: Send + Sync {
    /// Fills `buf` with random bytes. Adapters must use a CSPRNG and may
    /// abort the process if the operating system cannot provide entropy.
    fn fill(&self, buf: &mut [u8]);
}
