//! The one small per-process cache: parsed keys, SpectroCoin's fetched key, OAuth
//! tokens. A PHP-FPM worker serves a handful of merchants, so a short list compared
//! key by key beats hashing (a SHA-256 of a 450-byte PEM cost more than the rest of a
//! verification; `String` equality compares lengths first). Full ⇒ cleared, not evicted
//! one by one: the next requests refill it.

use std::borrow::Borrow;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Entry<K, V> {
    key: K,
    value: V,
    stored: Instant,
    expires: Option<Instant>,
}

/// Up to `limit` entries, each with an optional time to live.
pub struct TtlCache<K, V> {
    entries: Mutex<Vec<Entry<K, V>>>,
    limit: usize,
}

impl<K: PartialEq, V: Clone> TtlCache<K, V> {
    pub const fn new(limit: usize) -> Self {
        TtlCache {
            entries: Mutex::new(Vec::new()),
            limit,
        }
    }

    /// The live value for `key` and how long ago it was stored. A poisoned lock
    /// (a panic elsewhere) makes the cache a miss, never an error.
    pub fn get<Q>(&self, key: &Q) -> Option<(V, Duration)>
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        let entries = self.entries.lock().ok()?;
        let now = Instant::now();
        entries
            .iter()
            .find(|e| e.key.borrow() == key)
            .filter(|e| e.expires.is_none_or(|at| now < at))
            .map(|e| (e.value.clone(), now.duration_since(e.stored)))
    }

    /// Stores `value` for `key`, replacing what was there.
    pub fn insert(&self, key: K, value: V, ttl: Option<Duration>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|e| e.key != key);
            Self::push(&mut entries, self.limit, key, value.clone(), ttl);
        }
    }

    /// Stores `value` unless a live one is there already (another thread got there first):
    /// returns the one kept, so every caller shares one value.
    pub fn insert_if_absent(&self, key: K, value: V, ttl: Option<Duration>) -> V {
        let Ok(mut entries) = self.entries.lock() else {
            return value;
        };
        let now = Instant::now();
        if let Some(e) = entries
            .iter()
            .find(|e| e.key == key && e.expires.is_none_or(|at| now < at))
        {
            return e.value.clone();
        }
        entries.retain(|e| e.key != key);
        Self::push(&mut entries, self.limit, key, value.clone(), ttl);
        value
    }

    /// Forgets `key`.
    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|e| e.key.borrow() != key);
        }
    }

    /// Makes `key`'s entry look stored `by` earlier (tests of age-based refreshes).
    #[cfg(test)]
    pub fn backdate<Q>(&self, key: &Q, by: Duration)
    where
        K: Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        if let Ok(mut entries) = self.entries.lock() {
            for e in entries.iter_mut().filter(|e| e.key.borrow() == key) {
                e.stored = e.stored.checked_sub(by).unwrap_or(e.stored);
            }
        }
    }

    fn push(entries: &mut Vec<Entry<K, V>>, limit: usize, key: K, value: V, ttl: Option<Duration>) {
        if entries.len() >= limit {
            entries.clear();
        }
        let stored = Instant::now();
        entries.push(Entry {
            key,
            value,
            stored,
            expires: ttl.map(|t| stored + t),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_until_their_ttl_and_a_full_cache_starts_over() {
        let cache: TtlCache<String, u32> = TtlCache::new(2);
        cache.insert("a".into(), 1, None);
        cache.insert("b".into(), 2, Some(Duration::ZERO));
        assert_eq!(cache.get("a").map(|(v, _)| v), Some(1));
        assert_eq!(cache.get("b"), None, "expired");
        // Full: cleared, then the new entry stored.
        cache.insert("c".into(), 3, None);
        assert_eq!(
            (cache.get("a"), cache.get("c").map(|(v, _)| v)),
            (None, Some(3))
        );
        cache.insert("c".into(), 4, None);
        assert_eq!(cache.get("c").map(|(v, _)| v), Some(4), "replaced");
        assert_eq!(
            cache.insert_if_absent("c".into(), 5, None),
            4,
            "the first one is kept"
        );
        cache.remove("c");
        assert_eq!(cache.insert_if_absent("c".into(), 6, None), 6);
        let (_, age) = cache.get("c").unwrap();
        assert!(age < Duration::from_secs(5));
    }
}
