//! Profiles rendered once per version: the JSON of a profile (and its
//! entity tag) is kept beside the value it was made from, and reused while
//! a request finds the same value, so a read copies bytes instead of
//! writing JSON. Whatever it holds is dropped at least every minute, so
//! an erased account's JSON does not outlive its rows for long in memory.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use profile_domain::UserId;
use sha2::{Digest, Sha256};

/// Profiles kept at most; past it the cache starts empty again.
const MAX_ENTRIES: usize = 100_000;

/// How long the cache keeps what it holds, at most.
const RETAIN: Duration = Duration::from_secs(60);

/// A profile's JSON and its entity tag.
#[derive(Clone, Debug)]
pub(crate) struct Rendered {
    pub(crate) json: bytes::Bytes,
    pub(crate) etag: std::sync::Arc<str>,
}

impl Rendered {
    /// `json`, with a strong entity tag made from its bytes.
    pub(crate) fn of(json: Vec<u8>) -> Self {
        let digest = Sha256::digest(&json);
        let etag = format!("\"{}\"", hex::encode(&digest[..12]));
        Self { json: json.into(), etag: etag.into() }
    }
}

/// The rendered form of the last value seen for each user.
pub(crate) struct RenderCache<V> {
    entries: RwLock<Entries<V>>,
}

struct Entries<V> {
    started: Instant,
    by_user: HashMap<UserId, (V, Rendered)>,
}

impl<V: PartialEq + Clone> RenderCache<V> {
    pub(crate) fn new() -> Self {
        Self { entries: RwLock::new(Entries { started: Instant::now(), by_user: HashMap::new() }) }
    }

    /// The rendering of `value`, `user`'s current version: the kept one when
    /// it was made from an equal value, else `render`'s, kept for next time.
    pub(crate) fn get(&self, user: UserId, value: &V, render: impl FnOnce(&V) -> Rendered) -> Rendered {
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((kept, rendered)) = entries.by_user.get(&user)
                && kept == value
                && entries.started.elapsed() < RETAIN
            {
                return rendered.clone();
            }
        }
        let rendered = render(value);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.by_user.len() >= MAX_ENTRIES || entries.started.elapsed() >= RETAIN {
            entries.by_user.clear();
            entries.started = Instant::now();
        }
        entries.by_user.insert(user, (value.clone(), rendered.clone()));
        rendered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_rendered_once_until_it_changes() {
        let cache = RenderCache::new();
        let user = UserId::new_v7(1, [1; 10]);
        let mut renders = 0;
        let mut render = |v: &String| {
            renders += 1;
            Rendered::of(v.clone().into_bytes())
        };
        let first = cache.get(user, &"a".to_owned(), &mut render);
        let again = cache.get(user, &"a".to_owned(), &mut render);
        assert_eq!((first.json.clone(), &*first.etag), (again.json, &*again.etag));
        let changed = cache.get(user, &"b".to_owned(), &mut render);
        assert_ne!(changed.etag, first.etag);
        assert_eq!(renders, 2);
    }
}
