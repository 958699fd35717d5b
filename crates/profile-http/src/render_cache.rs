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
    pub(crate) fn get(&self, user: UserId, value: &V, mut render: impl FnMut(&V) -> Rendered) -> Rendered {
        // `get_many` answers one rendering per value given.
        self.get_many([(user, value)], &mut render).pop().unwrap_or_else(|| render(value))
    }

    /// The renderings of many users' current values, in the order given:
    /// those kept are found under one read of the cache, the others are
    /// rendered and kept under one write.
    pub(crate) fn get_many<'v>(
        &self,
        values: impl IntoIterator<Item = (UserId, &'v V)>,
        mut render: impl FnMut(&V) -> Rendered,
    ) -> Vec<Rendered>
    where
        V: 'v,
    {
        let values: Vec<(UserId, &V)> = values.into_iter().collect();
        let mut out: Vec<Option<Rendered>> = {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            let fresh = entries.started.elapsed() < RETAIN;
            values
                .iter()
                .map(|(user, value)| {
                    entries.by_user.get(user).filter(|(kept, _)| fresh && kept == *value).map(|(_, r)| r.clone())
                })
                .collect()
        };
        if out.iter().any(Option::is_none) {
            let made: Vec<(usize, Rendered)> = out
                .iter()
                .enumerate()
                .filter(|(_, kept)| kept.is_none())
                .map(|(i, _)| (i, render(values[i].1)))
                .collect();
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            if entries.by_user.len() + made.len() > MAX_ENTRIES || entries.started.elapsed() >= RETAIN {
                entries.by_user.clear();
                entries.started = Instant::now();
            }
            for (i, rendered) in made {
                let (user, value) = values[i];
                entries.by_user.insert(user, (value.clone(), rendered.clone()));
                out[i] = Some(rendered);
            }
        }
        out.into_iter().flatten().collect()
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

    #[test]
    fn many_values_come_back_in_order_and_only_the_new_ones_are_rendered() {
        let cache = RenderCache::new();
        let users: Vec<UserId> = (1..=3).map(|n| UserId::new_v7(1, [n; 10])).collect();
        let mut renders = 0;
        let mut render = |v: &String| {
            renders += 1;
            Rendered::of(v.clone().into_bytes())
        };
        let (a, b, c) = ("a".to_owned(), "b".to_owned(), "c".to_owned());
        cache.get(users[1], &b, &mut render);
        let all = cache.get_many([(users[0], &a), (users[1], &b), (users[2], &c)], &mut render);
        let texts: Vec<&[u8]> = all.iter().map(|r| &r.json[..]).collect();
        assert_eq!(texts, [b"a", b"b", b"c"]);
        let changed = "B".to_owned();
        let again = cache.get_many([(users[1], &changed), (users[0], &a)], &mut render);
        assert_eq!((&again[0].json[..], &again[1].json[..]), (&b"B"[..], &b"a"[..]));
        assert_eq!(renders, 4, "b was kept from before; only the changed value is rendered again");
    }
}
