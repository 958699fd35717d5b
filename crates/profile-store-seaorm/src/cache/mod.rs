//! Caches of what nearly every request reads (sessions by the hash of their
//! token, accounts, current pictures, public profiles), so the read path
//! rarely reaches the database.
//!
//! They stay true by two rules. A change commits, in its transaction, a row
//! in the invalidation feed naming the account by a keyed hash, and drops
//! the account's entries of this instance as soon as it has committed; the
//! other instances read the feed every few hundred milliseconds and drop
//! theirs. A cache is trusted only while its last read of the feed is
//! recent (`trust_for`, one second by default): past that every read goes
//! to the database. An entry read from the database is kept only if no
//! entry was dropped while it was being read (an epoch counts the drops),
//! so a read that started before a change can never put back what the
//! change dropped.

mod feed;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use profile_domain::ports::Clock;
use profile_domain::{Account, Picture, PublicProfile, Session, SessionId, UserId};
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) use feed::{flush_touches, poll, purge, record};

/// How the caches of a store work.
#[derive(Clone)]
pub struct CachePolicy {
    /// Keys the hash that names an account in the feed; every instance on
    /// a database must use the same key (derive it from the server key).
    pub key: [u8; 32],
    /// Whether this instance reads through its caches; with `false` it
    /// still writes the feed, for instances that do.
    pub enabled: bool,
    /// Entries kept at most (sessions and accounts together); past it the
    /// caches start empty again.
    pub max_entries: usize,
    /// How old the last read of the feed may be for the caches to be
    /// trusted: the longest another instance's change can go unseen.
    pub trust_for: Duration,
    /// How far back each read of the feed looks (longer than any change's
    /// transaction and any skew between the instances' clocks).
    pub window: Duration,
    /// The time the feed's rows are written and read with (every
    /// instance's clocks in step, as the README asks of several instances).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CachePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachePolicy")
            .field("enabled", &self.enabled)
            .field("max_entries", &self.max_entries)
            .field("trust_for", &self.trust_for)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl CachePolicy {
    /// Caches on, keyed by `key`, with the default bounds: 200,000 entries,
    /// trusted for one second after a read of the feed, which looks ten
    /// seconds back on `clock`.
    #[must_use]
    pub fn new(key: [u8; 32], clock: Arc<dyn Clock>) -> Self {
        Self {
            key,
            clock,
            enabled: true,
            max_entries: 200_000,
            trust_for: Duration::from_secs(1),
            window: Duration::from_secs(10),
        }
    }
}

/// A ticket taken before a read of the database: the entry it read may be
/// kept only while the epoch is still the ticket's.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(u64);

/// The key of a cached session: the keyed hash of its token, which is
/// uniformly random and out of a client's control, so its first bytes are
/// hash enough.
type SessionKey = [u8; 32];

/// Hashes a [`SessionKey`] by its first eight bytes.
#[derive(Default)]
struct FirstBytes(u64);

impl std::hash::Hasher for FirstBytes {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut word = [0_u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(word);
    }
}

type Sessions = HashMap<SessionKey, Session, std::hash::BuildHasherDefault<FirstBytes>>;

#[derive(Default)]
struct UserEntry {
    account: Option<Account>,
    current_picture: Option<Option<Picture>>,
    public: Option<Option<PublicProfile>>,
    sessions: Vec<SessionKey>,
}

#[derive(Default)]
struct State {
    sessions: Sessions,
    session_keys: HashMap<SessionId, SessionKey>,
    users: HashMap<UserId, UserEntry>,
    subjects: HashMap<String, UserId>,
    /// Feed rows already applied, with their time, until they leave the window.
    seen: HashMap<Uuid, i64>,
}

impl State {
    fn entries(&self) -> usize {
        self.sessions.len() + self.users.len()
    }

    fn drop_user(&mut self, user: UserId) {
        if let Some(entry) = self.users.remove(&user) {
            for key in entry.sessions {
                if let Some(session) = self.sessions.remove(&key) {
                    self.session_keys.remove(&session.id);
                }
            }
        }
    }
}

/// The caches of one store (shared by its clones).
pub(crate) struct Caches {
    policy: Option<CachePolicy>,
    epoch: AtomicU64,
    /// When the feed was last read, in nanoseconds from `born` (negative:
    /// before it; `i64::MIN`: never); an atomic, as every request reads it.
    polled_at: AtomicI64,
    born: Instant,
    state: RwLock<State>,
    /// Sessions used since the last flush, and when: written together with
    /// the next read of the feed rather than one write per request.
    touches: Mutex<HashMap<SessionId, OffsetDateTime>>,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches").field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl Caches {
    /// No caches, and no feed written (a store opened for a one-off task).
    pub(crate) fn off() -> Self {
        Self::with(None)
    }

    pub(crate) fn with(policy: Option<CachePolicy>) -> Self {
        Self {
            policy,
            epoch: AtomicU64::new(0),
            polled_at: AtomicI64::new(i64::MIN),
            born: Instant::now(),
            state: RwLock::new(State::default()),
            touches: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn policy(&self) -> Option<&CachePolicy> {
        self.policy.as_ref()
    }

    /// The name of `user` in the feed: the first 16 bytes of an HMAC-SHA256
    /// of the id under the key, in hex; `None` without a key.
    pub(crate) fn subject(&self, user: UserId) -> Option<String> {
        let policy = self.policy.as_ref()?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&policy.key).ok()?;
        mac.update(b"profile-cache-subject-v1:");
        mac.update(user.as_uuid().as_bytes());
        Some(hex::encode(&mac.finalize().into_bytes()[..16]))
    }

    /// A ticket for a read whose result may be kept, when the caches are on
    /// and trusted (the feed was read recently enough).
    pub(crate) fn ticket(&self) -> Option<Ticket> {
        let policy = self.policy.as_ref().filter(|p| p.enabled)?;
        let polled = self.polled_at.load(Ordering::Acquire);
        if polled == i64::MIN {
            return None;
        }
        let now = i64::try_from(self.born.elapsed().as_nanos()).unwrap_or(i64::MAX);
        if i128::from(now) - i128::from(polled) >= i128::try_from(policy.trust_for.as_nanos()).unwrap_or(i128::MAX) {
            return None;
        }
        Some(Ticket(self.epoch.load(Ordering::Acquire)))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `put` on the state if nothing was dropped since `ticket`.
    fn keep(&self, ticket: Ticket, user: UserId, put: impl FnOnce(&mut State)) {
        let Some(policy) = &self.policy else { return };
        let Some(subject) = self.subject(user) else { return };
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        // Checked under the write lock, which every drop also takes.
        if self.epoch.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if state.entries() >= policy.max_entries {
            let seen = std::mem::take(&mut state.seen);
            *state = State { seen, ..State::default() };
        }
        state.subjects.insert(subject, user);
        put(&mut state);
    }

    /// The cached session whose token hashes to `hash`.
    pub(crate) fn session(&self, hash: &SessionKey) -> Option<Session> {
        self.read().sessions.get(hash).cloned()
    }

    pub(crate) fn keep_session(&self, ticket: Ticket, session: &Session) {
        let key = *session.token_hash.as_bytes();
        self.keep(ticket, session.user_id, |state| {
            state.sessions.insert(key, session.clone());
            state.session_keys.insert(session.id, key);
            state.users.entry(session.user_id).or_default().sessions.push(key);
        });
    }

    /// Records in the cached copy that the session was used at `at` (its
    /// last-seen time is not worth a feed row).
    pub(crate) fn touched(&self, id: SessionId, at: OffsetDateTime) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = state.session_keys.get(&id).copied()
            && let Some(session) = state.sessions.get_mut(&key)
        {
            session.last_seen_at = at;
        }
    }

    /// Defers the write of a session's last-seen time to the next flush,
    /// when the caches are on; `false` (write it now) otherwise.
    pub(crate) fn defer_touch(&self, id: SessionId, at: OffsetDateTime) -> bool {
        if !self.policy.as_ref().is_some_and(|p| p.enabled) {
            return false;
        }
        self.touched(id, at);
        let mut touches = self.touches.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = touches.entry(id).or_insert(at);
        *kept = (*kept).max(at);
        true
    }

    /// The deferred touches, taken for writing.
    pub(crate) fn take_touches(&self) -> HashMap<SessionId, OffsetDateTime> {
        std::mem::take(&mut *self.touches.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts back touches whose write failed, for the next flush.
    pub(crate) fn return_touches(&self, failed: HashMap<SessionId, OffsetDateTime>) {
        let mut touches = self.touches.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, at) in failed {
            let kept = touches.entry(id).or_insert(at);
            *kept = (*kept).max(at);
        }
    }

    /// The cached account.
    pub(crate) fn account(&self, user: UserId) -> Option<Account> {
        self.read().users.get(&user).and_then(|e| e.account.clone())
    }

    pub(crate) fn keep_account(&self, ticket: Ticket, account: &Account) {
        self.keep(ticket, account.id, |state| {
            state.users.entry(account.id).or_default().account = Some(account.clone());
        });
    }

    /// The cached current picture (`Some(None)`: known to have none).
    pub(crate) fn current_picture(&self, user: UserId) -> Option<Option<Picture>> {
        self.read().users.get(&user).and_then(|e| e.current_picture.clone())
    }

    pub(crate) fn keep_current_picture(&self, ticket: Ticket, user: UserId, picture: Option<&Picture>) {
        self.keep(ticket, user, |state| {
            state.users.entry(user).or_default().current_picture = Some(picture.cloned());
        });
    }

    /// The cached public profile (`Some(None)`: known not to be shown).
    pub(crate) fn public(&self, user: UserId) -> Option<Option<PublicProfile>> {
        self.read().users.get(&user).and_then(|e| e.public.clone())
    }

    pub(crate) fn keep_public(&self, ticket: Ticket, user: UserId, profile: Option<&PublicProfile>) {
        self.keep(ticket, user, |state| {
            state.users.entry(user).or_default().public = Some(profile.cloned());
        });
    }

    /// Drops everything cached about `user` (after a change committed).
    pub(crate) fn changed(&self, user: UserId) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        state.drop_user(user);
        if let Some(subject) = self.subject(user) {
            state.subjects.remove(&subject);
        }
    }

    /// Applies rows read from the feed (`(id, subject, at_ms)`), dropping
    /// the entries of every account they name, and notes the read.
    pub(crate) fn apply(&self, rows: &[(Uuid, String, i64)], read_at: Instant, now_ms: i64) {
        let window_ms = self.policy.as_ref().map_or(0, |p| i64::try_from(p.window.as_millis()).unwrap_or(i64::MAX));
        {
            let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
            let fresh: Vec<&(Uuid, String, i64)> =
                rows.iter().filter(|(id, _, _)| !state.seen.contains_key(id)).collect();
            if !fresh.is_empty() {
                self.epoch.fetch_add(1, Ordering::AcqRel);
            }
            for (id, subject, at_ms) in fresh {
                state.seen.insert(*id, *at_ms);
                if let Some(user) = state.subjects.remove(subject) {
                    state.drop_user(user);
                }
            }
            // Twice the window: a row is never read again once forgotten.
            state.seen.retain(|_, at| *at >= now_ms.saturating_sub(window_ms.saturating_mul(2)));
        }
        let nanos = |d: Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
        let at = match read_at.checked_duration_since(self.born) {
            Some(after) => nanos(after),
            None => -nanos(self.born.duration_since(read_at)),
        };
        self.polled_at.store(at.max(i64::MIN + 1), Ordering::Release);
    }
}

#[cfg(test)]
mod tests;
