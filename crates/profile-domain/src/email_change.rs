//! A change of login address: the pending request, confirmed by a code sent
//! to the new address, and the record kept of every change.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{EmailAddress, SecretHash, UserId};

/// A change waiting for its code. One per account; a new one replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangeRequest {
    /// Whose login address would change.
    pub user_id: UserId,
    /// The address asked for.
    pub new_email: EmailAddress,
    /// The keyed hash of the user, the new address and the code.
    pub code_hash: SecretHash,
    /// When the code was made.
    pub created_at: OffsetDateTime,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
    /// Tries made against this code, the current one included.
    pub attempts: u32,
}

/// A code sent for a change, kept briefly to enforce the hourly limits. The
/// destination is kept only as a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangeCodeSent {
    /// The log entry's identifier.
    pub id: Uuid,
    /// Who asked.
    pub user_id: UserId,
    /// The keyed hash of the address the code went to.
    pub destination: SecretHash,
    /// When.
    pub sent_at: OffsetDateTime,
}

/// The limits on sending change codes, checked by the store inside the
/// transaction that records a new code, so parallel requests cannot slip past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeLimits {
    /// The least time between two codes of one user.
    pub resend_cooldown: time::Duration,
    /// Codes per user per window.
    pub per_user: u32,
    /// Codes per destination per window.
    pub per_destination: u32,
    /// The window of the two counts.
    pub window: time::Duration,
}

impl CodeLimits {
    /// How long to wait before another code may go out, given the codes sent
    /// since `now - window`; `None` when one may go now.
    #[must_use]
    pub fn wait(&self, recent: &RecentCodes, now: OffsetDateTime) -> Option<time::Duration> {
        let mut wait = time::Duration::ZERO;
        if let Some(last) = recent.for_user.last() {
            wait = wait.max(*last + self.resend_cooldown - now);
        }
        let over = |times: &[OffsetDateTime], max: u32| {
            let max = max as usize;
            (times.len() >= max).then(|| times[times.len() - max] + self.window - now)
        };
        for extra in [over(&recent.for_user, self.per_user), over(&recent.for_destination, self.per_destination)] {
            wait = wait.max(extra.unwrap_or(time::Duration::ZERO));
        }
        (wait > time::Duration::ZERO).then_some(wait)
    }
}

/// How many codes went out recently, for the limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentCodes {
    /// The user's codes since the start of the window, oldest first.
    pub for_user: Vec<OffsetDateTime>,
    /// Codes to the destination since the start of the window, oldest first.
    pub for_destination: Vec<OffsetDateTime>,
}

/// One applied change of login address, kept as account history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailChangeRecord {
    /// The record's identifier.
    pub id: Uuid,
    /// Whose address changed.
    pub user_id: UserId,
    /// The address before.
    pub old_email: EmailAddress,
    /// The address after.
    pub new_email: EmailAddress,
    /// When the change was applied.
    pub changed_at: OffsetDateTime,
    /// The keyed hash of the revert link's token.
    pub revert_hash: SecretHash,
    /// When the revert link stops working.
    pub revert_expires_at: OffsetDateTime,
    /// When the change was reverted, if it was.
    pub reverted_at: Option<OffsetDateTime>,
    /// When the link stopped working because another change of the account
    /// was reverted (a revert undoes the whole chain of changes).
    pub voided_at: Option<OffsetDateTime>,
}
