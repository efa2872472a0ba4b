//! `Dict`: the keyspace hash table (docs/ARCHITECTURE.md, "The dict and its SCAN guarantee").
//!
//! # Layout
//!
//! A chained hash table keyed by byte strings. Each table is a power-of-two array of
//! buckets; a bucket is an `Option<NodeBox>` (8 bytes, the null pointer being `None`)
//! heading a singly linked chain of `Node { next, value, key }` (`dict/node.rs`: a node
//! may hold its key's bytes in its own allocation). No hash is stored in a node: memory
//! per key matters more than the cost of re-hashing a key while rehashing.
//!
//! # Growth, shrink and incremental rehash
//!
//! A dict owns two tables, `ht[0]` and `ht[1]`. Normally only `ht[0]` is in use. When an
//! insert finds the load factor at 1 (`len >= buckets`) it allocates `ht[1]` at the next
//! power of two `>= 2 * len` and starts a rehash; [`Dict::shrink_if_needed`], called from
//! the cron, does the same towards a smaller table once fewer than 10% of the buckets are
//! used. The elements are then moved one bucket at a time: every insert, remove and
//! mutable lookup moves one bucket (skipping at most 10 empty ones), and the cron moves
//! more with [`Dict::rehash_for`]. So no single command pays for rehashing millions of
//! keys. While rehashing, lookups search both tables and inserts go to `ht[1]`; when
//! `ht[0]` is empty, `ht[1]` becomes `ht[0]`.
//!
//! # Hashing
//!
//! Keys are hashed with SipHash-1-2 keyed by a per-process random secret (`util::hash`,
//! shared by every dict), so clients cannot choose keys that collide.
//!
//! # The SCAN guarantee
//!
//! [`Dict::scan`] walks bucket indexes with Redis's reverse-binary cursor: the cursor's
//! bits are incremented from the most significant end of the bucket mask. Because table
//! sizes are powers of two, the buckets of a larger table that a smaller table's bucket
//! splits into share its low bits, and reversed increments visit all of them before
//! moving on. Hence an element present for the whole scan is returned at least once even
//! if the table grows, shrinks or rehashes between calls (it may be returned twice).
//!
//! # Borrowing instead of safe iterators
//!
//! Redis pauses rehashing while a "safe iterator" is alive. Here every read-only walk
//! (`iter`, `scan`, `sample`, `random_entry`) borrows the dict immutably, so the borrow
//! checker already forbids the rehash steps that could move entries under it.

use std::fmt;
use std::iter::{self, Chain};
use std::mem;
use std::slice;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::util::hash::key_eq;
use bytes::Bytes;

mod buckets;
mod node;

use buckets::Buckets;

pub use node::DictKey;
use node::{Link, Node, NodeBox};

/// Bucket count of a table allocated for the first insert, and the smallest shrink target.
const MIN_BUCKETS: usize = 4;
/// Bucket arrays of at least this many bytes (all mappings of their own,
/// `dict/buckets.rs`): the rehash hands their pages back as it goes.
const RELEASE_MIN_BYTES: usize = 4 << 20;
/// The rehash releases an old table's emptied pages in runs of this many buckets
/// (512 KB of buckets: 128 pages, a few tens of µs of kernel work).
const RELEASE_RUN: usize = 1 << 16;
/// Shrink when fewer than this percentage of buckets is used.
const MIN_FILL_PERCENT: usize = 10;
/// Empty buckets a rehash step may skip per bucket it is asked to move.
const EMPTY_VISITS_PER_STEP: usize = 10;
/// Buckets moved between two clock reads in [`Dict::rehash_for`].
const REHASH_BATCH: usize = 100;
/// When resizing is disallowed, grow anyway past this many elements per bucket.
const FORCE_RESIZE_RATIO: usize = 5;
/// Entries sampled by [`Dict::random_entry`] before picking one of them.
const FAIR_POOL: usize = 15;
/// Random bucket probes of the fallback random pick before it walks linearly.
const RANDOM_PROBES: usize = 100;
/// Sampling jumps to a new random bucket after this many empty buckets in a row.
const SAMPLE_EMPTY_RUN: usize = 5;

/// Whether tables may be resized for balance (see [`set_resize_allowed`]).
static RESIZE_ALLOWED: AtomicBool = AtomicBool::new(true);

/// Allows or forbids resizing for balance in every dict of the process, like Redis's
/// `dictEnableResize`/`dictDisableResize`. While a forked child writes a snapshot, a
/// rehash would dirty pages for nothing, so the server forbids it: then a table grows only
/// past [`FORCE_RESIZE_RATIO`] elements per bucket and never shrinks.
pub fn set_resize_allowed(allowed: bool) {
    RESIZE_ALLOWED.store(allowed, Ordering::Relaxed);
}

fn resize_allowed() -> bool {
    RESIZE_ALLOWED.load(Ordering::Relaxed)
}

impl DictKey for Vec<u8> {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

impl DictKey for Box<[u8]> {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

impl DictKey for Bytes {
    fn key_bytes(&self) -> &[u8] {
        self
    }
}

/// The keyed hash of `bytes` (`util::hash`): one secret key per process, shared by
/// every dict so a key hashes alike in all of them.
#[inline]
fn hash_key(bytes: &[u8]) -> u64 {
    crate::util::hash::hash_bytes(bytes)
}

/// The nodes of a chain, head first.
fn chain_iter<K: DictKey, V>(link: &Link<K, V>) -> impl Iterator<Item = &Node<K, V>> {
    iter::successors(link.as_deref(), |node| node.next.as_deref())
}

/// The link holding `key` in this chain, or the empty tail link when it is absent.
#[inline(always)]
fn chain_slot<'a, K: DictKey, V>(mut link: &'a mut Link<K, V>, key: &[u8]) -> &'a mut Link<K, V> {
    while link
        .as_ref()
        .is_some_and(|node| !key_eq(node.key.key_bytes(), key))
    {
        if let Some(node) = link {
            link = &mut node.next;
        }
    }
    link
}

/// Frees a chain node by node, so a long chain cannot overflow the stack.
fn drop_chain<K: DictKey, V>(mut link: Link<K, V>) {
    while let Some(mut node) = link {
        link = node.next.take();
    }
}

/// One bucket array and the number of elements chained from it.
struct Table<K: DictKey, V> {
    buckets: Buckets<K, V>,
    used: usize,
}

impl<K: DictKey, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            buckets: Buckets::default(),
            used: 0,
        }
    }
}

impl<K: DictKey, V> Drop for Table<K, V> {
    /// Frees the chains, if any, then the array without a second walk over it
    /// (`Buckets` frees without visiting): the old table a rehash leaves behind is tens
    /// of MB of empty buckets, and reading it all again stalled the command finishing it.
    fn drop(&mut self) {
        if self.used > 0 {
            for bucket in self.buckets.iter_mut() {
                drop_chain(bucket.take());
            }
        }
    }
}

/// Releases the memory pages wholly inside `buckets[from..to]`, which must all be
/// empty: they read back as zeroes, that is as empty buckets (see [`Table::with_size`]).
///
/// The rehash calls this for the part of a big old table it has moved past, so the
/// pages are handed back a few at a time instead of all at once when the table is
/// freed: unmapping 64 MB of touched pages takes the kernel ~5 ms.
fn release_empty_pages<K: DictKey, V>(buckets: &mut [Link<K, V>], from: usize, to: usize) {
    debug_assert!(buckets[from..to].iter().all(Option::is_none));
    let page = 4096;
    let base = buckets.as_mut_ptr() as usize;
    let start = (base + from * mem::size_of::<Link<K, V>>()).next_multiple_of(page);
    let end = (base + to * mem::size_of::<Link<K, V>>()) / page * page;
    if end > start {
        // SAFETY: `[start, end)` lies inside the `buckets` allocation, which this
        // borrow holds exclusively, and every bucket in it is `None`, all zero bytes.
        // MADV_DONTNEED on private anonymous memory makes those pages read back as
        // zeroes, so the buckets stay `None`; nothing else is in that range. A failure
        // leaves the pages as they were, which is just as valid.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

impl<K: DictKey, V> Table<K, V> {
    /// A table of `size` empty buckets; `size` is a power of two.
    ///
    /// The array comes zeroed (`dict/buckets.rs`) rather than written bucket by bucket:
    /// a big table is a fresh mapping whose pages the kernel zeroes when they are first
    /// touched, so doubling a table of 10M keys no longer writes 128 MB (and takes 32K
    /// page faults) in one go, stalling every client for ~100 ms; the pages are faulted
    /// in a few at a time as the incremental rehash fills them.
    fn with_size(size: usize) -> Self {
        debug_assert!(size.is_power_of_two());
        Table {
            buckets: Buckets::zeroed(size),
            used: 0,
        }
    }

    fn size(&self) -> usize {
        self.buckets.len()
    }

    /// The bucket of `hash`, or `None` when the table has no buckets.
    #[inline(always)]
    fn index(&self, hash: u64) -> Option<usize> {
        let size = self.size();
        (size > 0).then(|| hash as usize & (size - 1))
    }
}

impl<K: DictKey, V> Table<K, V> {
    fn find(&self, hash: u64, key: &[u8]) -> Option<&Node<K, V>> {
        let bucket = &self.buckets[self.index(hash)?];
        chain_iter(bucket).find(|node| key_eq(node.key.key_bytes(), key))
    }

    #[inline(always)]
    fn find_mut(&mut self, hash: u64, key: &[u8]) -> Option<&mut Node<K, V>> {
        let index = self.index(hash)?;
        chain_slot(&mut self.buckets[index], key).as_deref_mut()
    }

    /// The link holding `key`, or the empty tail link of its bucket, with the counter to
    /// bump on insertion. The table must have buckets.
    #[inline(always)]
    fn slot(&mut self, hash: u64, key: &[u8]) -> (&mut Link<K, V>, &mut usize) {
        debug_assert!(self.size() > 0, "slot() on a table without buckets");
        let index = hash as usize & (self.size().wrapping_sub(1));
        let Table { buckets, used } = self;
        (chain_slot(&mut buckets[index], key), used)
    }

    /// Detaches the node of `key` from its chain.
    fn unlink(&mut self, hash: u64, key: &[u8]) -> Option<NodeBox<K, V>> {
        let index = self.index(hash)?;
        let link = chain_slot(&mut self.buckets[index], key);
        let mut node = link.take()?;
        *link = node.next.take();
        self.used -= 1;
        Some(node)
    }

    /// Calls `f` on every entry of bucket `index` (taken modulo the size).
    fn visit_bucket(&self, index: u64, f: &mut impl FnMut(&K, &V)) {
        let mask = self.size().wrapping_sub(1) as u64;
        for node in chain_iter(&self.buckets[(index & mask) as usize]) {
            f(&node.key, &node.value);
        }
    }
}

/// A chained hash table from byte-string keys to values, with incremental rehashing,
/// a rehash-proof SCAN cursor and random sampling. See the module documentation.
pub struct Dict<K: DictKey, V> {
    /// `ht[0]` is the table in use; `ht[1]` has buckets only while rehashing.
    ht: [Table<K, V>; 2],
    /// While rehashing, the next `ht[0]` bucket to move; all buckets below it are empty.
    rehash_idx: Option<usize>,
    /// Grows only when the bigger table fits under the memory limit (keyspace tables).
    guarded: bool,
}

impl<K: DictKey, V> Default for Dict<K, V> {
    fn default() -> Self {
        Dict {
            ht: [Table::default(), Table::default()],
            rehash_idx: None,
            guarded: false,
        }
    }
}

impl<K: DictKey, V> Dict<K, V> {
    /// An empty dict; it allocates nothing until the first insert.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty dict with room for `n` elements before it needs to grow.
    pub fn with_capacity(n: usize) -> Self {
        let mut dict = Self::new();
        if n > 0 {
            dict.ht[0] = Table::with_size(target_size(n));
        }
        dict
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    /// True when the dict holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bucket slots allocated in both tables (for INFO, MEMORY and DEBUG HTSTATS).
    pub fn buckets(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }

    /// True while elements are being moved from the old table to the new one.
    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|node| &node.value)
    }

    /// The stored key and the value of `key`, if present.
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&K, &V)> {
        self.find(key).map(|node| (&node.key, &node.value))
    }

    /// The value of `key` for modification, if present. Does one rehash step.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_step();
        let hash = hash_key(key);
        let [old, new] = &mut self.ht;
        if let Some(node) = old.find_mut(hash, key) {
            return Some(&mut node.value);
        }
        new.find_mut(hash, key).map(|node| &mut node.value)
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Sets `key` to `value`. If the key was present, its value is replaced, the stored
    /// key is kept and the old value is returned. Does one rehash step.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.rehash_step();
        let hash = hash_key(key.key_bytes());
        let (link, used) = self.entry_slot(hash, key.key_bytes());
        match link {
            Some(node) => Some(mem::replace(&mut node.value, value)),
            None => {
                *link = Some(NodeBox::new(key, value));
                *used += 1;
                None
            }
        }
    }

    /// The value of `key`, inserting `make_key()` → `make_value()` first if it is absent.
    /// Returns the value and whether it was inserted. Does one rehash step.
    pub fn get_or_insert_with(
        &mut self,
        key: &[u8],
        make_key: impl FnOnce() -> K,
        make_value: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
        self.rehash_step();
        let (link, used) = self.entry_slot(hash_key(key), key);
        let inserted = link.is_none();
        if inserted {
            *used += 1;
        }
        let node = link.get_or_insert_with(|| NodeBox::with_bytes(key, make_key, make_value()));
        debug_assert!(
            key_eq(node.key.key_bytes(), key),
            "make_key() built a different key"
        );
        (&mut node.value, inserted)
    }

    /// Removes `key`, returning the stored key and its value. Does one rehash step.
    /// Never shrinks the table: the cron does that with [`Dict::shrink_if_needed`].
    pub fn remove(&mut self, key: &[u8]) -> Option<(K, V)> {
        self.rehash_step();
        let hash = hash_key(key);
        let [old, new] = &mut self.ht;
        let node = old.unlink(hash, key).or_else(|| new.unlink(hash, key))?;
        Some(node.into_parts())
    }

    /// Removes every element and frees the bucket arrays.
    pub fn clear(&mut self) {
        drop(self.take_all());
    }

    /// Moves every element out into a new dict in O(1), leaving this one empty, so the
    /// caller can free the old contents elsewhere (FLUSHALL ASYNC).
    pub fn take_all(&mut self) -> Self {
        let guarded = self.guarded;
        let all = mem::take(self);
        self.guarded = guarded;
        all
    }

    /// Makes this dict grow only when its bigger table fits under the memory limit
    /// (`util::alloc::fits_under_limit`), unless it is already crowded (more than 1.618
    /// elements per bucket), as Redis guards the keyspace's tables: a table doubling
    /// at the limit would otherwise force evictions for bookkeeping alone.
    pub fn guard_growth(&mut self) {
        self.guarded = true;
    }

    /// Visits every element, in no particular order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        let [old, new] = &self.ht;
        Iter {
            buckets: old.buckets.iter().chain(new.buckets.iter()),
            node: None,
            remaining: self.len(),
        }
    }

    /// Visits every element with its value mutable, in no particular order.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let remaining = self.len();
        let [old, new] = &mut self.ht;
        IterMut {
            buckets: old.buckets.iter_mut().chain(new.buckets.iter_mut()),
            node: None,
            remaining,
        }
    }

    /// Keeps only the elements for which `f` returns true. Never resizes.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        for table in self.ht.iter_mut() {
            let Table { buckets, used } = table;
            for bucket in buckets.iter_mut() {
                *used -= retain_chain(bucket, &mut f);
            }
        }
    }

    /// Starts shrinking when the table is mostly empty: more than [`MIN_BUCKETS`] buckets
    /// and under 10% of them used. Returns true if a shrink was started. Called by the
    /// cron (and by value types after deletions), never implicitly.
    pub fn shrink_if_needed(&mut self) -> bool {
        let size = self.ht[0].size();
        let sparse = self.len() * 100 < size * MIN_FILL_PERCENT;
        if self.is_rehashing() || !resize_allowed() || size <= MIN_BUCKETS || !sparse {
            return false;
        }
        self.start_resize(target_size(self.len()));
        true
    }

    /// Moves up to `n` buckets to the new table (skipping at most `10 * n` empty ones).
    /// Returns true if rehashing work remains.
    pub fn rehash_steps(&mut self, n: usize) -> bool {
        self.rehash(n);
        self.is_rehashing()
    }

    /// Rehashes in batches of 100 buckets until done or `budget` has elapsed (checked
    /// after each batch); nothing while resizing is forbidden (a forked child runs).
    /// Returns the number of buckets moved.
    pub fn rehash_for(&mut self, budget: Duration) -> usize {
        let start = Instant::now();
        let mut moved = 0;
        while self.is_rehashing() && resize_allowed() {
            moved += self.rehash(REHASH_BATCH);
            if start.elapsed() >= budget {
                break;
            }
        }
        moved
    }

    /// One SCAN step with Redis's semantics: visits the bucket(s) of `cursor`, calling `f`
    /// on each element, and returns the next cursor, 0 when the scan is complete.
    ///
    /// The cursor is incremented in reverse-binary order over the bucket mask. While
    /// rehashing, the smaller table's bucket is visited together with every bucket of the
    /// larger table that it expands to. Every element present for the whole scan is
    /// returned at least once, even if the table grows, shrinks or rehashes between calls;
    /// some may be returned more than once.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&K, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let [old, new] = &self.ht;
        if !self.is_rehashing() {
            old.visit_bucket(cursor, &mut f);
            return next_cursor(cursor, old.size() as u64 - 1);
        }
        let (small, large) = if old.size() <= new.size() {
            (old, new)
        } else {
            (new, old)
        };
        let small_mask = small.size() as u64 - 1;
        let large_mask = large.size() as u64 - 1;
        let mut v = cursor;
        small.visit_bucket(v, &mut f);
        // Visit the expansions of the small bucket still ahead of the cursor: increment
        // over the large mask until the bits above the small mask wrap to zero, which
        // carries into the small bits and so yields the next cursor. (Incrementing those
        // bits in plain binary order instead could skip an expansion that the cursor,
        // coming from a larger table, had not reached yet.)
        loop {
            large.visit_bucket(v, &mut f);
            v = next_cursor(v, large_mask);
            if v & (small_mask ^ large_mask) == 0 {
                return v;
            }
        }
    }

    /// A random element, or `None` when empty. Fair-ish like Redis's
    /// `dictGetFairRandomKey`: sample up to 15 elements from a random place and pick one of
    /// them, which evens out the bias towards elements in short chains.
    pub fn random_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let mut pool: [Option<&Node<K, V>>; FAIR_POOL] = [None; FAIR_POOL];
        let mut found = 0;
        self.sample_nodes(FAIR_POOL, rng, |node| {
            if let Some(slot) = pool.get_mut(found) {
                *slot = Some(node);
                found += 1;
            }
        });
        let node = match found {
            0 => self.random_node(rng),
            _ => pool[(rng() % found as u64) as usize],
        };
        node.map(|node| (&node.key, &node.value))
    }

    /// Calls `f` on up to `count` elements taken from random places, like Redis's
    /// `dictGetSomeKeys`: start at a random bucket and walk on, jumping elsewhere after a
    /// run of empty buckets. Work is bounded by `10 * count` bucket indexes (each read in
    /// both tables while rehashing, as Redis does), so fewer elements may be returned,
    /// and an element may be returned more than once. For eviction and expiry sampling.
    pub fn sample(&self, count: usize, rng: &mut impl FnMut() -> u64, mut f: impl FnMut(&K, &V)) {
        self.sample_nodes(count, rng, |node| f(&node.key, &node.value));
    }

    /// Bytes used by the bucket arrays and nodes, excluding what keys and values own on
    /// the heap (and the allocator's own overhead).
    pub fn memory_overhead(&self) -> usize {
        self.buckets() * mem::size_of::<Link<K, V>>() + self.len() * mem::size_of::<Node<K, V>>()
    }

    fn find(&self, key: &[u8]) -> Option<&Node<K, V>> {
        let hash = hash_key(key);
        let [old, new] = &self.ht;
        old.find(hash, key).or_else(|| new.find(hash, key))
    }

    /// The link holding `key` (in either table), or the vacant tail link where it would
    /// be inserted, with that table's element counter. Grows first if due, as Redis does
    /// before looking for an insert position.
    fn entry_slot(&mut self, hash: u64, key: &[u8]) -> (&mut Link<K, V>, &mut usize) {
        self.expand_if_needed();
        let rehashing = self.is_rehashing();
        let [old, new] = &mut self.ht;
        let target = if rehashing {
            let (link, used) = old.slot(hash, key);
            if link.is_some() {
                return (link, used);
            }
            new
        } else {
            old
        };
        target.slot(hash, key)
    }

    /// Allocates the first table, or starts growing once the load factor reaches 1.
    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let (len, size) = (self.len(), self.ht[0].size());
        if size == 0 {
            self.start_resize(MIN_BUCKETS);
        } else if growth_due(len, size, resize_allowed()) {
            if let Some(target) = len
                .checked_mul(2)
                .and_then(usize::checked_next_power_of_two)
            {
                if self.guarded && !growth_fits(len, size, target) {
                    return;
                }
                self.start_resize(target);
            }
        }
    }

    /// Begins moving everything to a table of `size` buckets. An empty first table is
    /// simply replaced.
    fn start_resize(&mut self, size: usize) {
        debug_assert!(!self.is_rehashing());
        debug_assert!(size != self.ht[0].size(), "resize to the same size");
        let table = Table::with_size(size);
        if self.ht[0].used == 0 {
            self.ht[0] = table;
        } else {
            self.ht[1] = table;
            self.rehash_idx = Some(0);
        }
    }

    /// One rehash step, done by every mutating operation while rehashing, except while
    /// a forked child runs (resizing forbidden): moving a bucket rewrites every node in
    /// it, and under a read-heavy load that copies the whole keyspace page by page.
    /// Lookups search both tables meanwhile; the rehash resumes when the child is gone.
    fn rehash_step(&mut self) {
        if self.is_rehashing() && resize_allowed() {
            self.rehash(1);
        }
    }

    /// Moves up to `n` non-empty buckets of `ht[0]`, visiting at most `10 * n` empty ones,
    /// and finishes the rehash when `ht[0]` is empty. Returns the buckets moved.
    fn rehash(&mut self, n: usize) -> usize {
        let Some(mut index) = self.rehash_idx else {
            return 0;
        };
        let mut empty_visits = n.saturating_mul(EMPTY_VISITS_PER_STEP);
        let mut moved = 0;
        while moved < n && self.ht[0].used > 0 {
            match self.ht[0].buckets.get(index) {
                Some(None) if empty_visits > 1 => empty_visits -= 1,
                Some(None) => {
                    index += 1;
                    break;
                }
                Some(Some(_)) => {
                    self.move_bucket(index);
                    moved += 1;
                }
                None => {
                    debug_assert!(false, "rehash index past a table that still has elements");
                    break;
                }
            }
            index += 1;
        }
        let from = self.rehash_idx.replace(index).unwrap_or(0);
        if self.ht[0].used == 0 {
            self.finish_rehash();
        } else {
            self.release_moved(from, index);
        }
        moved
    }

    /// Releases the pages of a big old table that the rehash index has just moved past
    /// (buckets `from..to` were its last steps; whole [`RELEASE_RUN`]s are released).
    fn release_moved(&mut self, from: usize, to: usize) {
        let old = &mut self.ht[0].buckets;
        if from / RELEASE_RUN == to / RELEASE_RUN || mem::size_of_val(&**old) < RELEASE_MIN_BYTES {
            return;
        }
        let run_start = from / RELEASE_RUN * RELEASE_RUN;
        release_empty_pages(old, run_start, to / RELEASE_RUN * RELEASE_RUN);
    }

    /// Moves the chain of `ht[0]` bucket `index` to the heads of its `ht[1]` buckets.
    fn move_bucket(&mut self, index: usize) {
        let [old, new] = &mut self.ht;
        let mask = new.size() - 1;
        let mut chain = old.buckets[index].take();
        while let Some(mut node) = chain {
            chain = node.next.take();
            let target = &mut new.buckets[hash_key(node.key.key_bytes()) as usize & mask];
            node.next = target.take();
            *target = Some(node);
            old.used -= 1;
            new.used += 1;
        }
    }

    fn finish_rehash(&mut self) {
        debug_assert_eq!(self.ht[0].used, 0);
        self.ht[0] = mem::take(&mut self.ht[1]);
        self.rehash_idx = None;
    }

    /// The sampling walk behind [`Dict::sample`] and [`Dict::random_entry`].
    fn sample_nodes<'a>(
        &'a self,
        count: usize,
        rng: &mut impl FnMut() -> u64,
        mut f: impl FnMut(&'a Node<K, V>),
    ) {
        let count = count.min(self.len());
        if count == 0 {
            return;
        }
        let [old, new] = &self.ht;
        let moved_below = self.rehash_idx.unwrap_or(0);
        let mask = old.size().max(new.size()) - 1;
        let start = rng();
        let mut index = start as usize & mask;
        // Which table is read first at an index is random: a fixed order would hide the
        // second table's chain behind a first chain long enough to fill a small sample.
        let order = if start >> 63 == 0 {
            [(0, old), (1, new)]
        } else {
            [(1, new), (0, old)]
        };
        let (mut steps, mut emitted, mut empty_run) = (count.saturating_mul(10), 0, 0);
        while emitted < count && steps > 0 {
            steps -= 1;
            // Old buckets below the rehash index are empty; past the end of a smaller new
            // table there is nothing else to see, so jump to the unmoved part.
            if index < moved_below && index >= new.size() {
                index = moved_below;
            }
            for (t, table) in order {
                if index >= table.size() || (t == 0 && index < moved_below) {
                    continue;
                }
                let bucket = &table.buckets[index];
                if bucket.is_none() {
                    empty_run += 1;
                    if empty_run >= SAMPLE_EMPTY_RUN && empty_run > count {
                        index = rng() as usize & mask;
                        empty_run = 0;
                    }
                    continue;
                }
                empty_run = 0;
                emitted += sample_chain(bucket, count - emitted, rng, &mut f);
                if emitted == count {
                    return;
                }
            }
            index = (index + 1) & mask;
        }
    }

    /// A uniformly chosen non-empty bucket (over both tables' unmoved buckets) and a
    /// uniformly chosen node of its chain. After [`RANDOM_PROBES`] empty probes it walks
    /// on from the last probe, so it ends even with a degenerate rng.
    fn random_node(&self, rng: &mut impl FnMut() -> u64) -> Option<&Node<K, V>> {
        let start = self.rehash_idx.unwrap_or(0);
        let span = (self.buckets())
            .checked_sub(start)
            .filter(|&span| span > 0)?;
        let mut offset = 0;
        for _ in 0..RANDOM_PROBES {
            offset = (rng() % span as u64) as usize;
            if let Some(node) = self.pick_in_bucket(start + offset, rng) {
                return Some(node);
            }
        }
        (0..span).find_map(|step| self.pick_in_bucket(start + (offset + step) % span, rng))
    }

    /// A random node of bucket `index` of the two tables seen as one array.
    fn pick_in_bucket(&self, index: usize, rng: &mut impl FnMut() -> u64) -> Option<&Node<K, V>> {
        let [old, new] = &self.ht;
        let bucket = match index.checked_sub(old.size()) {
            None => &old.buckets[index],
            Some(index) => new.buckets.get(index)?,
        };
        let len = chain_iter(bucket).count();
        if len == 0 {
            return None;
        }
        chain_iter(bucket).nth((rng() % len as u64) as usize)
    }
}

/// Calls `f` on up to `need` nodes of a chain and returns how many. When the chain is
/// longer than `need`, it is read cyclically from a random node, so that no node is
/// beyond reach of a small sample.
fn sample_chain<'a, K: DictKey, V>(
    bucket: &'a Link<K, V>,
    need: usize,
    rng: &mut impl FnMut() -> u64,
    f: &mut impl FnMut(&'a Node<K, V>),
) -> usize {
    let len = chain_iter(bucket).count();
    let skip = if len > need {
        (rng() % len as u64) as usize
    } else {
        0
    };
    let cyclic = chain_iter(bucket).skip(skip).chain(chain_iter(bucket));
    let take = need.min(len);
    cyclic.take(take).for_each(f);
    take
}

/// Removes the nodes of a chain that `f` rejects; returns how many were removed. The
/// kept nodes are relinked in reverse order, which does not matter in a bucket.
fn retain_chain<K: DictKey, V>(
    bucket: &mut Link<K, V>,
    f: &mut impl FnMut(&K, &mut V) -> bool,
) -> usize {
    let mut rest = bucket.take();
    let mut removed = 0;
    while let Some(mut node) = rest {
        rest = node.next.take();
        let Node { key, value, .. } = &mut *node;
        if f(key, value) {
            node.next = bucket.take();
            *bucket = Some(node);
        } else {
            removed += 1;
        }
    }
    removed
}

/// Whether a table of `size` buckets holding `len` elements should grow: at load factor
/// 1, or only past [`FORCE_RESIZE_RATIO`] when resizing is not `allowed`.
/// Whether a guarded table of `size` buckets holding `len` elements may grow to
/// `target` buckets: always when crowded past 1.618 per bucket (Redis's
/// `HASHTABLE_MAX_LOAD_FACTOR`), else only if the new table fits under the memory limit.
fn growth_fits(len: usize, size: usize, target: usize) -> bool {
    let crowded = len.saturating_mul(1000) / size > 1618;
    crowded || crate::util::alloc::fits_under_limit(target * mem::size_of::<usize>())
}

fn growth_due(len: usize, size: usize, allowed: bool) -> bool {
    len >= size && (allowed || len / size > FORCE_RESIZE_RATIO)
}

/// Bucket count for `n` elements: the next power of two `>= n`, at least [`MIN_BUCKETS`].
fn target_size(n: usize) -> usize {
    n.max(MIN_BUCKETS)
        .checked_next_power_of_two()
        .unwrap_or(1 << (usize::BITS - 1))
}

/// The SCAN cursor after `cursor` for a table of mask `mask`: set the bits above the
/// mask, then increment the reversed cursor, so the high bits of the mask change first.
fn next_cursor(cursor: u64, mask: u64) -> u64 {
    (cursor | !mask)
        .reverse_bits()
        .wrapping_add(1)
        .reverse_bits()
}

/// A deep copy with the same contents (COPY of a collection), in a fresh table sized for them.
impl<K: DictKey + Clone, V: Clone> Clone for Dict<K, V> {
    fn clone(&self) -> Self {
        let mut copy = Dict::with_capacity(self.len());
        for (key, value) in self.iter() {
            copy.insert(key.clone(), value.clone());
        }
        copy
    }
}

impl<K: DictKey + fmt::Debug, V: fmt::Debug> fmt::Debug for Dict<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, K: DictKey, V> IntoIterator for &'a Dict<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The buckets of one table, for the iterators.
type BucketIter<'a, K, V> = slice::Iter<'a, Link<K, V>>;
type BucketIterMut<'a, K, V> = slice::IterMut<'a, Link<K, V>>;

/// Iterator over a dict's elements, from [`Dict::iter`].
pub struct Iter<'a, K: DictKey, V> {
    buckets: Chain<BucketIter<'a, K, V>, BucketIter<'a, K, V>>,
    node: Option<&'a Node<K, V>>,
    remaining: usize,
}

impl<'a, K: DictKey, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node {
                self.node = node.next.as_deref();
                self.remaining -= 1;
                return Some((&node.key, &node.value));
            }
            if self.remaining == 0 {
                return None;
            }
            self.node = self.buckets.next()?.as_deref();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K: DictKey, V> ExactSizeIterator for Iter<'_, K, V> {}

/// Iterator over a dict's elements with mutable values, from [`Dict::iter_mut`].
pub struct IterMut<'a, K: DictKey, V> {
    buckets: Chain<BucketIterMut<'a, K, V>, BucketIterMut<'a, K, V>>,
    node: Option<&'a mut Node<K, V>>,
    remaining: usize,
}

impl<'a, K: DictKey, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node.take() {
                let Node { key, value, next } = node;
                self.node = next.as_deref_mut();
                self.remaining -= 1;
                return Some((&*key, value));
            }
            if self.remaining == 0 {
                return None;
            }
            self.node = self.buckets.next()?.as_deref_mut();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K: DictKey, V> ExactSizeIterator for IterMut<'_, K, V> {}

#[cfg(test)]
mod tests;
