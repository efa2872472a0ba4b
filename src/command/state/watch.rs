//! The WATCH registry: which clients watch which keys, and whose transaction must fail.
//!
//! As in Redis 7.0, a key that had already expired (but was still stored) when it was
//! watched is flagged: its deletion is no change, and while it stays expired a SWAPDB
//! that brings another expired copy is no change either.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

use crate::store::Db;

/// One client watching one key.
#[derive(Debug, Clone, Copy)]
struct Watcher {
    client: u64,
    /// The key was stored but past its deadline when watched.
    expired: bool,
}

/// Which clients watch which keys, and whose transactions a write has doomed.
#[derive(Debug, Default)]
pub struct WatchRegistry {
    /// The clients watching each (db, key).
    by_key: HashMap<(usize, Bytes), Vec<Watcher>>,
    /// Clients whose next EXEC must fail.
    doomed: HashSet<u64>,
}

/// True if `key` is stored in `db` with a deadline already past.
pub fn is_stale(db: &Db, key: &[u8], now_ms: i64) -> bool {
    db.has_key(key) && db.expire_at(key).is_some_and(|when| now_ms > when)
}

impl WatchRegistry {
    /// True when nobody watches anything (the common case: touching is then free).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Records that `client` watches `key` in `db`; `expired` when the key is stored
    /// but already past its deadline.
    pub fn watch(&mut self, client: u64, db: usize, key: &Bytes, expired: bool) {
        // Owned: a watch outlives the command, and must not pin its query buffer.
        let owned = Bytes::copy_from_slice(key);
        let watchers = self.by_key.entry((db, owned)).or_default();
        if !watchers.iter().any(|w| w.client == client) {
            watchers.push(Watcher { client, expired });
        }
    }

    /// Forgets every watch of `client` (listed in its session) and its doom.
    pub fn unwatch_all(&mut self, client: u64, watched: &[(usize, Bytes)]) {
        for slot in watched {
            if let Some(watchers) = self.by_key.get_mut(slot) {
                watchers.retain(|w| w.client != client);
                if watchers.is_empty() {
                    self.by_key.remove(slot);
                }
            }
        }
        self.doomed.remove(&client);
    }

    /// True if `client` watched `key` in `db` when it had already expired (EXEC then
    /// does not count its expiry as a change).
    pub fn watched_expired(&self, client: u64, db: usize, key: &Bytes) -> bool {
        self.by_key
            .get(&(db, key.clone()))
            .is_some_and(|ws| ws.iter().any(|w| w.client == client && w.expired))
    }

    /// `key` in `db` was modified (`stored`: it exists now): its watchers' EXECs fail.
    /// A watcher that saw it already expired is spared when it is now deleted (no
    /// logical change); as in Redis, meeting such a watcher while the key is still
    /// stored ends the pass.
    pub fn touch(&mut self, db: usize, key: &[u8], stored: bool) {
        if self.by_key.is_empty() {
            return;
        }
        let Some(watchers) = self.by_key.get_mut(&(db, Bytes::copy_from_slice(key))) else {
            return;
        };
        for watcher in watchers.iter_mut() {
            if watcher.expired {
                if !stored {
                    watcher.expired = false;
                    continue;
                }
                break;
            }
            self.doomed.insert(watcher.client);
        }
    }

    /// Database `index` (`emptied`) is flushed, or swapped with `replaced_with`
    /// (SWAPDB): a watched key present in either changes, except an expired key that
    /// is gone or replaced by another expired one, and a missing key replaced by an
    /// expired one (then flagged expired), as Redis's `touchAllWatchedKeysInDb`.
    pub fn touch_db(
        &mut self,
        index: usize,
        emptied: &Db,
        replaced_with: Option<&Db>,
        now_ms: i64,
    ) {
        for ((db, key), watchers) in self.by_key.iter_mut() {
            if *db != index {
                continue;
            }
            let in_emptied = emptied.has_key(key);
            let in_replacement = replaced_with.is_some_and(|r| r.has_key(key));
            if !in_emptied && !in_replacement {
                continue;
            }
            let replacement_stale = replaced_with.is_some_and(|r| is_stale(r, key, now_ms));
            for watcher in watchers.iter_mut() {
                if watcher.expired {
                    if !in_replacement {
                        watcher.expired = false;
                        continue;
                    }
                    if replacement_stale {
                        continue;
                    }
                } else if !in_emptied && replacement_stale {
                    watcher.expired = true;
                    continue;
                }
                self.doomed.insert(watcher.client);
            }
        }
    }

    /// True if a watched key of `client` was modified.
    pub fn is_doomed(&self, client: u64) -> bool {
        self.doomed.contains(&client)
    }

    /// Marks `client`'s transaction as failed.
    pub fn doom(&mut self, client: u64) {
        self.doomed.insert(client);
    }
}
