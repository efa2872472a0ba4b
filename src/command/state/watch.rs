//! The WATCH registry: which clients watch which keys, and whose transaction must fail.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

/// Which clients watch which keys, and whose transactions a write has doomed.
#[derive(Debug, Default)]
pub struct WatchRegistry {
    /// Client ids watching each (db, key).
    by_key: HashMap<(usize, Bytes), Vec<u64>>,
    /// Clients whose next EXEC must fail.
    doomed: HashSet<u64>,
}

impl WatchRegistry {
    /// True when nobody watches anything (the common case: touching is then free).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Records that `client` watches `key` in `db`.
    pub fn watch(&mut self, client: u64, db: usize, key: &Bytes) {
        // Owned: a watch outlives the command, and must not pin its query buffer.
        let owned = Bytes::copy_from_slice(key);
        let watchers = self.by_key.entry((db, owned)).or_default();
        if !watchers.contains(&client) {
            watchers.push(client);
        }
    }

    /// Forgets every watch of `client` (listed in its session) and its doom.
    pub fn unwatch_all(&mut self, client: u64, watched: &[(usize, Bytes)]) {
        for slot in watched {
            if let Some(watchers) = self.by_key.get_mut(slot) {
                watchers.retain(|&id| id != client);
                if watchers.is_empty() {
                    self.by_key.remove(slot);
                }
            }
        }
        self.doomed.remove(&client);
    }

    /// `key` in `db` was modified: every client watching it will fail its EXEC.
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        if let Some(watchers) = self.by_key.get(&(db, Bytes::copy_from_slice(key))) {
            self.doomed.extend(watchers.iter().copied());
        }
    }

    /// Every watched key of database `db` that `exists` says is present counts as
    /// modified (FLUSHDB, FLUSHALL, SWAPDB).
    pub fn touch_db(&mut self, db: usize, mut exists: impl FnMut(&[u8]) -> bool) {
        let hit: Vec<u64> = self
            .by_key
            .iter()
            .filter(|((key_db, key), _)| *key_db == db && exists(key))
            .flat_map(|(_, watchers)| watchers.iter().copied())
            .collect();
        self.doomed.extend(hit);
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
