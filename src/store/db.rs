//! A database: the keys dict plus the expires dict, with lazy expiry on every access.
//!
//! Lookups take the caller's cached `now` (one logical clock per command, docs/ARCHITECTURE.md, "One cached clock"):
//! a key whose deadline is earlier than `now` is deleted before the lookup answers,
//! exactly as if it had never been there. Keys with a TTL also sit in `expires`, which the
//! active expire cycle ([`crate::store::expire`]) walks.

use bytes::Bytes;

use crate::store::bstr::Bstr;
use crate::store::dict::Dict;
use crate::store::value::{Object, Value};

/// Counters kept per database and summed by INFO.
#[derive(Debug, Default, Clone, Copy)]
pub struct DbStats {
    /// Keys deleted because their TTL passed (lazily or actively).
    pub expired_keys: u64,
    /// Read lookups that found a key.
    pub hits: u64,
    /// Read lookups that found nothing.
    pub misses: u64,
}

/// How objects record accesses, from `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessMode {
    /// The seconds clock of the last access (OBJECT IDLETIME).
    #[default]
    Lru,
    /// A logarithmic frequency counter with decay (OBJECT FREQ).
    Lfu {
        /// `lfu-log-factor`.
        log_factor: u32,
        /// `lfu-decay-time`, in minutes.
        decay_minutes: u32,
    },
}

/// A new object's LFU counter, so fresh keys are not evicted before they get a chance.
const LFU_INIT_VAL: u32 = 5;

/// What happened to a key, for the `new` and `keymiss` notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEvent {
    /// The key was created.
    New,
    /// A read looked for the key and it was not there.
    Miss,
}

/// One numbered database.
#[derive(Default)]
pub struct Db {
    keys: Dict<Bstr, Object>,
    expires: Dict<Bstr, i64>,
    /// How accesses are recorded on objects.
    pub access_mode: AccessMode,
    /// Estimated mean remaining TTL of keys with one, in ms, from the active expire
    /// cycle's samples (INFO keyspace `avg_ttl`).
    pub avg_ttl: i64,
    /// While set, lookups leave access times alone (a CLIENT NO-TOUCH client runs).
    pub no_touch: bool,
    /// While set (CLIENT PAUSE), expired keys read as missing but stay stored, so the
    /// dataset does not change until the pause ends, as in Redis.
    pub expiry_held: bool,
    /// With `expiry_held`: expired keys read as present (a replica applying its
    /// master's stream must see the data the master sees).
    pub expiry_ignored: bool,
    /// State of the generator behind LFU's probabilistic increments.
    lfu_rng: u64,
    /// Record keys deleted by expiry in `expired_log` (someone WATCHes keys or wants
    /// `expired` notifications); off, expiry costs nothing extra.
    pub log_expired: bool,
    /// Keys deleted by expiry since the executor last drained the log.
    pub expired_log: Vec<Bstr>,
    /// Record list and sorted-set keys created in `ready_log` (clients are blocked on
    /// keys); like Redis's `dbAdd` signalling keys as ready, whatever command adds them.
    pub log_ready: bool,
    /// Record created keys and read misses in `key_event_log` (someone wants `new` or
    /// `keymiss` notifications).
    pub log_key_events: bool,
    /// Keys created and keys read but missing, in order, since the executor last
    /// drained the log.
    pub key_event_log: Vec<(KeyEvent, Bstr)>,
    /// List/zset keys added since the executor last drained the log.
    pub ready_log: Vec<Bstr>,
    /// Where the active expire cycle resumes its walk of `expires`.
    pub(crate) expire_cursor: u64,
    /// Counters for INFO.
    pub stats: DbStats,
}

/// The access clock stored on objects: seconds, wrapping.
pub fn access_clock(now_ms: i64) -> u32 {
    (now_ms / 1000) as u32
}

/// Minutes, wrapping at 16 bits, as LFU stamps them.
fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u32) & 0xFFFF
}

/// The stamp a new object gets under `mode`.
pub fn initial_access(mode: AccessMode, now_ms: i64) -> u32 {
    match mode {
        AccessMode::Lru => access_clock(now_ms),
        AccessMode::Lfu { .. } => (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL,
    }
}

/// The LFU counter of a stamp after decay: one step per `decay_minutes` elapsed.
pub fn lfu_counter(stamp: u32, decay_minutes: u32, now_ms: i64) -> u32 {
    let counter = stamp & 0xFF;
    // 16 bits of minutes, as Redis stores them; a stamp written under LRU (a seconds
    // clock, after the policy changed) reads as some time in the past, never a panic.
    let last = (stamp >> 8) & 0xFFFF;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last {
        now - last
    } else {
        65535 - last + now
    };
    let periods = elapsed.checked_div(decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// Whether lookups may record accesses on objects (see [`set_touch_allowed`]).
static TOUCH_ALLOWED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Allows or forbids recording accesses on objects in every database, as Redis stops
/// updating LRU/LFU stamps while a forked child runs: each stamp write would copy a page
/// the child still reads, and a read-heavy load would double the memory of a snapshot.
pub fn set_touch_allowed(allowed: bool) {
    TOUCH_ALLOWED.store(allowed, std::sync::atomic::Ordering::Relaxed);
}

fn touch_allowed() -> bool {
    TOUCH_ALLOWED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Records an access on `obj` under `mode`.
fn touch(obj: &mut Object, mode: AccessMode, rng: &mut u64, now_ms: i64) {
    match mode {
        AccessMode::Lru => obj.access_clock = access_clock(now_ms),
        AccessMode::Lfu {
            log_factor,
            decay_minutes,
        } => {
            let mut counter = lfu_counter(obj.access_clock, decay_minutes, now_ms);
            if counter < 255 {
                let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
                let chance = 1.0 / (base * f64::from(log_factor) + 1.0);
                *rng ^= *rng << 13;
                *rng ^= *rng >> 7;
                *rng ^= *rng << 17;
                if ((*rng >> 11) as f64 / (1u64 << 53) as f64) < chance {
                    counter += 1;
                }
            }
            obj.access_clock = (lfu_minutes(now_ms) << 8) | counter;
        }
    }
}

impl Db {
    /// An empty database.
    pub fn new() -> Self {
        let mut db = Db {
            lfu_rng: 0x2545_F491_4F6C_DD1D,
            ..Self::default()
        };
        db.keys.guard_growth();
        db.expires.guard_growth();
        db
    }

    /// The stamp for an object created now.
    fn fresh_access(&self, now_ms: i64) -> u32 {
        initial_access(self.access_mode, now_ms)
    }

    /// Number of keys (including expired ones not yet reclaimed, as DBSIZE in Redis).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the database holds no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of keys with a TTL.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Deletes `key` if its TTL has passed, unless expiry is held (CLIENT PAUSE).
    /// Returns true if the key has expired (deleted or not): it then reads as missing.
    #[inline]
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: i64) -> bool {
        !self.expires.is_empty() && self.expire_if_due(key, now_ms)
    }

    /// [`Self::expire_if_needed`] once some key has a TTL.
    #[inline(never)]
    fn expire_if_due(&mut self, key: &[u8], now_ms: i64) -> bool {
        match self.expires.get(key) {
            Some(&when) if now_ms > when => {
                if self.expiry_held {
                    return !self.expiry_ignored;
                }
                self.expires.remove(key);
                if let Some((key, obj)) = self.keys.remove(key) {
                    self.note_removed(key.as_slice(), &obj.value);
                    self.stats.expired_keys += 1;
                    if self.log_expired {
                        self.expired_log.push(key);
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Looks a key up for reading: lazy expiry, access clock, hit/miss counters.
    pub fn lookup_read(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Value> {
        let expired = self.expire_if_needed(key, now_ms);
        match self.keys.get_mut(key).filter(|_| !expired) {
            Some(obj) => {
                self.stats.hits += 1;
                if !self.no_touch && touch_allowed() {
                    touch(obj, self.access_mode, &mut self.lfu_rng, now_ms);
                }
                Some(&mut obj.value)
            }
            None => {
                self.stats.misses += 1;
                // Fields, not `note_miss`: `self.keys` is still borrowed by the match.
                if self.log_key_events {
                    self.key_event_log
                        .push((KeyEvent::Miss, Bstr::from_slice(key)));
                }
                None
            }
        }
    }

    /// Logs a read of a missing key for `keymiss` notifications (reads that do not go
    /// through [`Db::lookup_read`] call it themselves).
    pub fn note_miss(&mut self, key: &[u8]) {
        if self.log_key_events {
            self.key_event_log
                .push((KeyEvent::Miss, Bstr::from_slice(key)));
        }
    }

    /// Looks a key up for writing: lazy expiry and access clock, no hit/miss counting.
    pub fn lookup_write(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Value> {
        self.lookup_write_object(key, now_ms)
            .map(|obj| &mut obj.value)
    }

    /// Like [`Db::lookup_write`], giving the whole object (for writes that also change
    /// its bookkeeping).
    pub fn lookup_write_object(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Object> {
        if self.expire_if_needed(key, now_ms) {
            return None;
        }
        let obj = self.keys.get_mut(key)?;
        if !self.no_touch && touch_allowed() {
            touch(obj, self.access_mode, &mut self.lfu_rng, now_ms);
        }
        Some(obj)
    }

    /// The object for `key` without touching it or counting (OBJECT, TYPE-like peeks);
    /// expired keys are deleted first.
    pub fn peek(&mut self, key: &[u8], now_ms: i64) -> Option<&Object> {
        if self.expire_if_needed(key, now_ms) {
            return None;
        }
        self.keys.get(key)
    }

    /// The object stored for `key`, expired or not, untouched (DEBUG OBJECT looks at
    /// the table itself, as Redis's does).
    pub fn stored(&self, key: &[u8]) -> Option<&Object> {
        self.keys.get(key)
    }

    /// True if `key` is stored, expired or not (no lazy expiry: for read-only scans).
    pub fn has_key(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    /// True if `key` exists (after lazy expiry).
    pub fn contains(&mut self, key: &[u8], now_ms: i64) -> bool {
        self.peek(key, now_ms).is_some()
    }

    /// Stores `value` at `key`, dropping any TTL unless `keep_ttl` (SET's KEEPTTL).
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool, now_ms: i64) {
        let obj = Object::new(value, self.fresh_access(now_ms));
        match self.keys.get_mut(key) {
            Some(slot) => {
                let was_stream = matches!(slot.value, Value::Stream(_));
                *slot = obj;
                if was_stream && self.log_ready {
                    self.ready_log.push(Bstr::from_slice(key));
                }
                if !keep_ttl && !self.expires.is_empty() {
                    self.expires.remove(key);
                }
            }
            None => {
                self.note_added(key, &obj.value);
                self.keys.insert(Bstr::from_slice(key), obj);
            }
        }
    }

    /// Logs a created key for `new` notifications, and a key that now holds a list or
    /// sorted set when blocked clients may want it.
    fn note_added(&mut self, key: &[u8], value: &Value) {
        if self.log_key_events {
            self.key_event_log
                .push((KeyEvent::New, Bstr::from_slice(key)));
        }
        if self.log_ready && matches!(value, Value::List(_) | Value::ZSet(_) | Value::Stream(_)) {
            self.ready_log.push(Bstr::from_slice(key));
        }
    }

    /// Logs every stream key before the database is emptied (FLUSHDB, FLUSHALL), only
    /// while clients are blocked, as Redis's `scanDatabaseForDeletedStreams`.
    fn note_streams_dropped(&mut self) {
        if !self.log_ready {
            return;
        }
        let streams: Vec<Bstr> = self
            .keys
            .iter()
            .filter(|(_, obj)| matches!(obj.value, Value::Stream(_)))
            .map(|(key, _)| key.clone())
            .collect();
        self.ready_log.extend(streams);
    }

    /// Logs a stream key deleted or overwritten, so clients blocked in XREADGROUP on it
    /// are answered (Redis signals such keys as ready).
    fn note_removed(&mut self, key: &[u8], value: &Value) {
        if self.log_ready && matches!(value, Value::Stream(_)) {
            self.ready_log.push(Bstr::from_slice(key));
        }
    }

    /// Stores `value` at `key`, which the caller knows is absent (or expired).
    pub fn insert_new(&mut self, key: &[u8], value: Value, now_ms: i64) {
        self.note_added(key, &value);
        self.expires.remove(key);
        self.keys.insert(
            Bstr::from_slice(key),
            Object::new(value, self.fresh_access(now_ms)),
        );
    }

    /// Deletes `key` and its TTL, returning its value if it existed and had not expired.
    pub fn remove(&mut self, key: &[u8], now_ms: i64) -> Option<Value> {
        if self.expire_if_needed(key, now_ms) {
            return None;
        }
        let (_, obj) = self.keys.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.note_removed(key, &obj.value);
        Some(obj.value)
    }

    /// Removes `key` with its TTL and access clock, for moving it elsewhere (RENAME, MOVE).
    pub fn take(&mut self, key: &[u8], now_ms: i64) -> Option<(Object, Option<i64>)> {
        if self.expire_if_needed(key, now_ms) {
            return None;
        }
        let (_, obj) = self.keys.remove(key)?;
        let ttl = self.expires.remove(key).map(|(_, when)| when);
        self.note_removed(key, &obj.value);
        Some((obj, ttl))
    }

    /// Makes room for `keys` keys and `expires` deadlines at once (an RDB file's
    /// RESIZEDB), so loading does not rehash as the tables grow.
    pub fn reserve(&mut self, keys: usize, expires: usize) {
        if self.keys.is_empty() && keys > 0 {
            self.keys = Dict::with_capacity(keys);
        }
        if self.expires.is_empty() && expires > 0 {
            self.expires = Dict::with_capacity(expires);
        }
    }

    /// Adds a loaded key, which must be new: false (and nothing changed) if the key
    /// already exists. One lookup, no copy of the key.
    pub fn insert_loaded(&mut self, key: Bstr, obj: Object, expire_at: Option<i64>) -> bool {
        if self.keys.contains_key(key.as_slice()) {
            return false;
        }
        self.note_added(key.as_slice(), &obj.value);
        if let Some(when) = expire_at {
            self.expires.insert(key.clone(), when);
        }
        self.keys.insert(key, obj);
        true
    }

    /// Puts back an object taken with [`Db::take`] (or a copy) under `key`, replacing
    /// any value and TTL there.
    pub fn put(&mut self, key: &[u8], obj: Object, expire_at: Option<i64>) {
        self.note_added(key, &obj.value);
        self.keys.insert(Bstr::from_slice(key), obj);
        match expire_at {
            Some(when) => {
                self.expires.insert(Bstr::from_slice(key), when);
            }
            None => {
                self.expires.remove(key);
            }
        }
    }

    /// The absolute expire time of `key` in ms, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<i64> {
        self.expires.get(key).copied()
    }

    /// Sets the absolute expire time of an existing key. Returns false if it is absent.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) -> bool {
        if !self.keys.contains_key(key) {
            return false;
        }
        match self.expires.get_mut(key) {
            Some(slot) => *slot = when_ms,
            None => {
                self.expires.insert(Bstr::from_slice(key), when_ms);
            }
        }
        true
    }

    /// Removes the TTL of `key`. Returns true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Deletes every key. Returns how many there were.
    pub fn clear(&mut self) -> usize {
        self.note_streams_dropped();
        let count = self.keys.len();
        self.keys.clear();
        self.expires.clear();
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        count
    }

    /// Empties the database in O(1), handing back its contents so a caller can drop
    /// them elsewhere (FLUSHALL ASYNC frees on a background thread).
    pub fn take_all(&mut self) -> (Dict<Bstr, Object>, Dict<Bstr, i64>) {
        self.note_streams_dropped();
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        (self.keys.take_all(), self.expires.take_all())
    }

    /// One SCAN step over the keys; returns the next cursor.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&Bstr, &Object)) -> u64 {
        self.keys.scan(cursor, |key, obj| visit(key, obj))
    }

    /// Every key (KEYS), including expired keys not yet reclaimed; the caller filters.
    pub fn iter(&self) -> impl Iterator<Item = (&Bstr, &Object)> {
        self.keys.iter()
    }

    /// A random key that has not expired, or `None` if the database is empty (RANDOMKEY).
    /// Expired keys met on the way are deleted, with a bounded number of tries when every
    /// key has a TTL.
    pub fn random_key(&mut self, now_ms: i64, rng: &mut impl FnMut() -> u64) -> Option<Bytes> {
        for _ in 0..100 {
            let key = self
                .keys
                .random_entry(rng)
                .map(|(k, _)| Bytes::copy_from_slice(k.as_slice()))?;
            if !self.expire_if_needed(&key, now_ms) {
                return Some(key);
            }
        }
        self.keys
            .random_entry(rng)
            .map(|(k, _)| Bytes::copy_from_slice(k.as_slice()))
    }

    /// Visits up to `count` keys with a TTL, resuming the walk where the last call
    /// stopped; for the active expire cycle. Returns (keys seen, deadlines due).
    pub(crate) fn sample_expires(
        &mut self,
        count: usize,
        now_ms: i64,
        due: &mut Vec<Bstr>,
    ) -> usize {
        let mut seen = 0;
        let mut buckets = 0;
        let (mut ttl_sum, mut ttl_samples) = (0i64, 0i64);
        while seen < count && buckets < count * 20 {
            self.expire_cursor = self.expires.scan(self.expire_cursor, |key, &when| {
                seen += 1;
                if now_ms > when {
                    due.push(key.clone());
                } else {
                    ttl_sum = ttl_sum.saturating_add(when - now_ms);
                    ttl_samples += 1;
                }
            });
            buckets += 1;
            if self.expire_cursor == 0 {
                break;
            }
        }
        if ttl_samples > 0 {
            self.note_ttl_sample(ttl_sum / ttl_samples);
        }
        seen
    }

    /// Folds one sample's mean TTL into `avg_ttl` (INFO keyspace), a running average
    /// weighted like Redis's (each new sample counts for 1/50).
    fn note_ttl_sample(&mut self, mean_ms: i64) {
        self.avg_ttl = if self.avg_ttl == 0 {
            mean_ms
        } else {
            (self.avg_ttl / 50) * 49 + mean_ms / 50
        };
    }

    /// Deletes a key found due by [`Db::sample_expires`].
    pub(crate) fn delete_expired(&mut self, key: &[u8]) {
        self.expires.remove(key);
        if let Some((key, obj)) = self.keys.remove(key) {
            self.note_removed(key.as_slice(), &obj.value);
            self.stats.expired_keys += 1;
            if self.log_expired {
                self.expired_log.push(key);
            }
        }
    }

    /// Calls `visit` on up to `count` keys sampled from random places, for eviction:
    /// only keys with a TTL when `volatile`. `visit` gets the key, its object and its
    /// deadline (0 when not `volatile`). A key may be visited twice.
    pub fn sample_for_eviction(
        &self,
        volatile: bool,
        count: usize,
        rng: &mut impl FnMut() -> u64,
        mut visit: impl FnMut(&Bstr, &Object, i64),
    ) {
        if volatile {
            self.expires.sample(count, rng, |key, &when| {
                if let Some(obj) = self.keys.get(key.as_slice()) {
                    visit(key, obj, when);
                }
            });
        } else {
            self.keys.sample(count, rng, |key, obj| visit(key, obj, 0));
        }
    }

    /// A random key for the random eviction policies (only keys with a TTL when
    /// `volatile`).
    pub fn random_eviction_key(
        &self,
        volatile: bool,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<Bstr> {
        if volatile {
            self.expires.random_entry(rng).map(|(key, _)| key.clone())
        } else {
            self.keys.random_entry(rng).map(|(key, _)| key.clone())
        }
    }

    /// True if `key` is still there to evict (with a TTL when `volatile`).
    pub fn is_eviction_candidate(&self, key: &[u8], volatile: bool) -> bool {
        if volatile {
            self.expires.contains_key(key)
        } else {
            self.keys.contains_key(key)
        }
    }

    /// Deletes `key` chosen for eviction, with its TTL; returns its value for the caller
    /// to free (now or in the background).
    pub fn evict(&mut self, key: &[u8]) -> Option<Value> {
        let (_, obj) = self.keys.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.note_removed(key, &obj.value);
        Some(obj.value)
    }

    /// Cron housekeeping: shrink sparse tables and move rehashing along for up to
    /// `budget` (the keys first, then the expires). True if it rehashed anything.
    pub fn housekeeping(&mut self, budget: std::time::Duration) -> bool {
        self.keys.shrink_if_needed();
        self.expires.shrink_if_needed();
        self.keys.rehash_for(budget) > 0 || self.expires.rehash_for(budget) > 0
    }

    /// Bytes of table overhead (buckets and nodes), for INFO memory.
    pub fn overhead(&self) -> usize {
        self.keys_overhead() + self.expires_overhead()
    }

    /// Bytes of the keys table's buckets and nodes (MEMORY STATS
    /// `overhead.hashtable.main`).
    pub fn keys_overhead(&self) -> usize {
        self.keys.memory_overhead()
    }

    /// Bytes of the expires table's buckets and nodes (MEMORY STATS
    /// `overhead.hashtable.expires`).
    pub fn expires_overhead(&self) -> usize {
        self.expires.memory_overhead()
    }
}
