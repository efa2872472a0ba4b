//! The big encoding of a sorted set: a skiplist with spans (the distance each forward
//! link jumps) that is also its own member → node hash index, so each member is stored
//! exactly once.
//!
//! # Layout
//!
//! Nodes live in one arena (`Vec<Node>`) and refer to each other by `u32` index, so a
//! member costs one 56-byte slot and no allocation of its own (members up to 22 bytes are
//! inline in their [`Bstr`]). A node carries
//!
//! * its member and score, its backward link and its level-0 forward link (a level-0
//!   span is always 1, so it is not stored);
//! * when its level is above 1, the index of its block of upper links (`level - 1`
//!   [`Link`]s) in a shared pool; three nodes in four have level 1 and no block. An upper
//!   link also carries copies of the score and the block index of the node it leads to,
//!   so a search at the upper levels reads one block per step, as Redis reads one node
//!   per step (members are read only on equal scores, as in Redis);
//! * the index half: `hash`, the low 32 bits of the member's keyed SipHash, and
//!   `chain`, the next node of the same hash bucket.
//!
//! The hash index is a power-of-two array of `u32` bucket heads chained through the
//! nodes, so a score lookup by member is O(1) on average and costs 4 bytes per bucket
//! plus the 8 bytes of `hash` and `chain` per node. Insert, delete, rank and rank lookup
//! are O(log n) through the skiplist, exactly ordered as Redis orders a zset: by score,
//! then by member bytes.
//!
//! Free node slots are chained through `chain` (a free slot has level 0); free upper
//! blocks are chained per size through their first link, and both are reused by later
//! inserts. When deletes leave the arena three-quarters empty and at most 65,536
//! members remain, the list is rebuilt compactly in one linear pass (a few
//! milliseconds at most); a bigger set keeps its free slots until then.
//!
//! # Resizing and SCAN
//!
//! The bucket array doubles when it would hold more members than buckets and shrinks when
//! under a tenth full, incrementally as Redis's dict does: a second array is allocated
//! (zeroed, so untouched until used; a bucket stores node + 1, 0 being empty) and every
//! insert and delete moves one more old bucket into it, relinking nodes by their cached
//! hash without hashing any member again. Until a bucket has moved, its members are found
//! in the old array. SCAN walks the buckets with Redis's reverse-binary cursor (visiting
//! both arrays while a resize is under way), so a member present for the whole scan is
//! returned at least once even if the index is resized between calls.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use crate::store::bstr::Bstr;

/// "No node".
const NIL: u32 = u32::MAX;
/// The header, which is not in the arena.
const HEAD: u32 = u32::MAX - 1;
/// Highest level a node may reach (Redis's ZSKIPLIST_MAXLEVEL).
const MAX_LEVEL: usize = 32;
/// Smallest bucket array.
const MIN_BUCKETS: usize = 4;
/// The bucket array shrinks when fewer than one member per this many buckets remains.
const SHRINK_RATIO: usize = 10;
/// Arenas at least this big are rebuilt when three quarters of their slots are free...
const COMPACT_MIN: usize = 1024;
/// ...provided at most this many members are left, which bounds the pause of one
/// rebuild to a few milliseconds (bigger arenas keep their free slots for reuse).
const COMPACT_MAX_LIVE: usize = 1 << 16;

/// One forward link, with copies of the score and upper block of the node it leads to
/// (kept in step by every change of a link or of a linked node's score).
#[derive(Debug, Clone, Copy)]
struct Link {
    score: f64,
    next: u32,
    span: u32,
    next_upper: u32,
}

/// "No link" (also the filler of a fresh upper block).
const NO_LINK: Link = Link {
    score: 0.0,
    next: NIL,
    span: 0,
    next_upper: NIL,
};

/// Where a search stands: a node (or [`HEAD`]) and its upper block.
#[derive(Debug, Clone, Copy)]
struct At {
    x: u32,
    up: u32,
}

/// The start of every search.
const AT_HEAD: At = At { x: HEAD, up: NIL };

/// One member (or a free slot when `level` is 0).
#[derive(Debug, Clone)]
struct Node {
    ele: Bstr,
    score: f64,
    backward: u32,
    next0: u32,
    upper: u32,
    chain: u32,
    hash: u32,
    level: u8,
}

/// A skiplist ordered by (score, member) with an O(1) member lookup.
#[derive(Debug, Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    uppers: Vec<Link>,
    free_uppers: [u32; MAX_LEVEL],
    free_node: u32,
    head: [Link; MAX_LEVEL],
    buckets: Vec<u32>,
    rehash: Vec<u32>,
    rehash_idx: usize,
    level: usize,
    len: usize,
    tail: u32,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> Self {
        Self::new()
    }
}

/// True when (s1, e1) sorts before (s2, e2).
fn before(s1: f64, e1: &[u8], s2: f64, e2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && e1 < e2)
}

/// The per-process SipHash key of member indexes (clients cannot choose collisions).
fn hash_member(ele: &[u8]) -> u32 {
    static SEED: OnceLock<RandomState> = OnceLock::new();
    let mut hasher = SEED.get_or_init(RandomState::new).build_hasher();
    hasher.write(ele);
    hasher.finish() as u32
}

/// The reverse-binary increment of a SCAN cursor over `mask`.
fn next_cursor(cursor: u64, mask: u64) -> u64 {
    (cursor | !mask)
        .reverse_bits()
        .wrapping_add(1)
        .reverse_bits()
}

impl SkipList {
    /// An empty list.
    pub fn new() -> Self {
        SkipList {
            nodes: Vec::new(),
            uppers: Vec::new(),
            free_uppers: [NIL; MAX_LEVEL],
            free_node: NIL,
            head: [NO_LINK; MAX_LEVEL],
            buckets: Vec::new(),
            rehash: Vec::new(),
            rehash_idx: 0,
            level: 1,
            len: 0,
            tail: NIL,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// An empty list with room for `n` members.
    pub fn with_capacity(n: usize) -> Self {
        let mut list = Self::new();
        list.nodes.reserve_exact(n);
        list.resize_index(n.max(MIN_BUCKETS).next_power_of_two());
        list
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A random level with p = 1/4 per extra level.
    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if level < MAX_LEVEL && (self.rng & 0xffff) < 0x4000 {
                level += 1;
            } else {
                return level;
            }
        }
    }

    fn node(&self, x: u32) -> &Node {
        &self.nodes[x as usize]
    }

    /// The forward link at level `i` from where a search stands. Level-0 links are read
    /// from the next node itself (only `next0` is stored, and its span is always 1).
    fn fwd(&self, at: At, i: usize) -> Link {
        if i > 0 {
            return if at.x == HEAD {
                self.head[i]
            } else {
                self.uppers[at.up as usize + i - 1]
            };
        }
        let next = if at.x == HEAD {
            self.head[0].next
        } else {
            self.node(at.x).next0
        };
        if next == NIL {
            return Link { span: 1, ..NO_LINK };
        }
        let n = self.node(next);
        Link {
            score: n.score,
            next,
            span: 1,
            next_upper: n.upper,
        }
    }

    /// Where a search stands at node `x` (or [`HEAD`]).
    fn at(&self, x: u32) -> At {
        let up = if x == HEAD { NIL } else { self.node(x).upper };
        At { x, up }
    }

    /// The forward link of `x` (a node or [`HEAD`]) at level `i`.
    fn link(&self, x: u32, i: usize) -> Link {
        self.fwd(self.at(x), i)
    }

    /// A link to node `next` (or to nothing) with its copies filled in.
    fn link_to(&self, next: u32, span: u32) -> Link {
        if next == NIL {
            return Link { span, ..NO_LINK };
        }
        let n = self.node(next);
        Link {
            score: n.score,
            next,
            span,
            next_upper: n.upper,
        }
    }

    /// True when the node `l` leads to sorts before (score, ele); reads the member only
    /// on equal scores.
    fn leads_before(&self, l: &Link, score: f64, ele: &[u8]) -> bool {
        l.score < score || (l.score == score && self.node(l.next).ele.as_slice() < ele)
    }

    /// The last node (or [`HEAD`]) before (score, ele) at every level below
    /// `self.level`, and the rank of each.
    fn search(&self, score: f64, ele: &[u8]) -> ([u32; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut at = AT_HEAD;
        let mut traversed = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = self.fwd(at, i);
                if l.next == NIL || !self.leads_before(&l, score, ele) {
                    break;
                }
                traversed += l.span as usize;
                at = At {
                    x: l.next,
                    up: l.next_upper,
                };
            }
            update[i] = at.x;
            rank[i] = traversed;
        }
        (update, rank)
    }

    /// Sets the forward link of `x` at level `i` (a node's level-0 span is implicit).
    fn set_link(&mut self, x: u32, i: usize, link: Link) {
        if x == HEAD {
            self.head[i] = link;
        } else if i == 0 {
            self.nodes[x as usize].next0 = link.next;
        } else {
            let at = self.nodes[x as usize].upper as usize + i - 1;
            self.uppers[at] = link;
        }
    }

    /// Adds `delta` (wrapping) to the span of `x` at level `i`. Spans of links to nothing
    /// are bookkeeping only and never read for a result, so wrapping is harmless there.
    fn add_span(&mut self, x: u32, i: usize, delta: u32) {
        let mut l = self.link(x, i);
        l.span = l.span.wrapping_add(delta);
        self.set_link(x, i, l);
    }

    /// True when node `a` sorts before node `b`.
    #[cfg(test)]
    fn precedes(&self, a: u32, b: u32) -> bool {
        let (na, nb) = (self.node(a), self.node(b));
        before(na.score, na.ele.as_slice(), nb.score, nb.ele.as_slice())
    }

    /// A slot for a new node of `level` (its links unset).
    fn alloc_node(&mut self, ele: Bstr, score: f64, hash: u32, level: usize) -> u32 {
        let upper = if level > 1 {
            self.alloc_uppers(level - 1)
        } else {
            NIL
        };
        let node = Node {
            ele,
            score,
            backward: NIL,
            next0: NIL,
            upper,
            chain: NIL,
            hash,
            level: level as u8,
        };
        if self.free_node != NIL {
            let x = self.free_node;
            self.free_node = self.node(x).chain;
            self.nodes[x as usize] = node;
            x
        } else {
            debug_assert!(self.nodes.len() < HEAD as usize);
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    /// A block of `n` upper links from the pool.
    fn alloc_uppers(&mut self, n: usize) -> u32 {
        let free = self.free_uppers[n];
        if free != NIL {
            self.free_uppers[n] = self.uppers[free as usize].next;
            return free;
        }
        let at = self.uppers.len() as u32;
        self.uppers.extend(std::iter::repeat_n(NO_LINK, n));
        at
    }

    /// Returns the slot of an unlinked, unindexed node to the free lists.
    fn free_slot(&mut self, x: u32) {
        let (level, upper) = (self.node(x).level as usize, self.node(x).upper);
        if level > 1 {
            self.uppers[upper as usize].next = self.free_uppers[level - 1];
            self.free_uppers[level - 1] = upper;
        }
        let free_node = self.free_node;
        let n = &mut self.nodes[x as usize];
        n.ele = Bstr::empty();
        n.level = 0;
        n.chain = free_node;
        self.free_node = x;
    }

    /// True while the index is moving from `buckets` to `rehash`.
    fn rehashing(&self) -> bool {
        !self.rehash.is_empty()
    }

    /// The bucket count the index is at or moving to.
    fn index_size(&self) -> usize {
        if self.rehashing() {
            self.rehash.len()
        } else {
            self.buckets.len()
        }
    }

    /// The bucket holding a member of `hash`: in the old array unless that bucket was
    /// already moved. `(true, b)` is bucket `b` of the new array.
    fn slot(&self, hash: u32) -> (bool, usize) {
        let b = hash as usize & (self.buckets.len() - 1);
        if !self.rehashing() || b >= self.rehash_idx {
            (false, b)
        } else {
            (true, hash as usize & (self.rehash.len() - 1))
        }
    }

    /// The first node of a bucket.
    fn head_of(&self, (new, b): (bool, usize)) -> u32 {
        let head = if new { self.rehash[b] } else { self.buckets[b] };
        head.wrapping_sub(1)
    }

    /// Makes `x` the first node of a bucket.
    fn set_head(&mut self, (new, b): (bool, usize), x: u32) {
        let head = x.wrapping_add(1);
        if new {
            self.rehash[b] = head;
        } else {
            self.buckets[b] = head;
        }
    }

    /// The node holding `ele`, or [`NIL`].
    fn find(&self, ele: &[u8]) -> u32 {
        if self.buckets.is_empty() {
            return NIL;
        }
        let hash = hash_member(ele);
        let mut x = self.head_of(self.slot(hash));
        while x != NIL {
            let n = self.node(x);
            if n.hash == hash && n.ele.as_slice() == ele {
                return x;
            }
            x = n.chain;
        }
        NIL
    }

    /// Relinks every node into a fresh bucket array of `size` (a power of two) at once;
    /// for new and rebuilt lists, whose size is bounded.
    fn resize_index(&mut self, size: usize) {
        let mut buckets = vec![0u32; size];
        let mask = size - 1;
        for (x, n) in self.nodes.iter_mut().enumerate() {
            if n.level != 0 {
                let b = n.hash as usize & mask;
                n.chain = buckets[b].wrapping_sub(1);
                buckets[b] = x as u32 + 1;
            }
        }
        self.buckets = buckets;
        self.rehash = Vec::new();
        self.rehash_idx = 0;
    }

    /// Starts moving the index to `size` buckets (finishing a move in progress first).
    /// A zeroed array comes from the allocator untouched, so starting costs nothing.
    fn start_resize(&mut self, size: usize) {
        if self.rehashing() {
            self.rehash_steps(usize::MAX);
        }
        if self.buckets.is_empty() {
            self.buckets = vec![0u32; size];
        } else if size != self.buckets.len() {
            self.rehash = vec![0u32; size];
            self.rehash_idx = 0;
        }
    }

    /// Moves up to `n` buckets of a resize in progress (visiting at most ten empty ones
    /// per bucket asked for, unless finishing), like Redis's incremental rehash.
    fn rehash_steps(&mut self, mut n: usize) {
        let mut empty_visits = n.saturating_mul(10);
        while n > 0 && self.rehashing() {
            if self.rehash_idx >= self.buckets.len() {
                self.buckets = std::mem::take(&mut self.rehash);
                self.rehash_idx = 0;
                return;
            }
            let mut x = self.head_of((false, self.rehash_idx));
            if x == NIL {
                self.rehash_idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    return;
                }
                continue;
            }
            self.buckets[self.rehash_idx] = 0;
            let mask = self.rehash.len() - 1;
            while x != NIL {
                let next = self.node(x).chain;
                let b = (true, self.node(x).hash as usize & mask);
                self.nodes[x as usize].chain = self.head_of(b);
                self.set_head(b, x);
                x = next;
            }
            self.rehash_idx += 1;
            n -= 1;
        }
    }

    /// Adds node `x` to the hash index (which has buckets).
    fn index_add(&mut self, x: u32) {
        let slot = self.slot(self.node(x).hash);
        self.nodes[x as usize].chain = self.head_of(slot);
        self.set_head(slot, x);
    }

    /// Removes node `x` from the hash index.
    fn index_remove(&mut self, x: u32) {
        let slot = self.slot(self.node(x).hash);
        let after = self.node(x).chain;
        if self.head_of(slot) == x {
            self.set_head(slot, after);
            return;
        }
        let mut p = self.head_of(slot);
        while p != NIL {
            let next = self.node(p).chain;
            if next == x {
                self.nodes[p as usize].chain = after;
                return;
            }
            p = next;
        }
        debug_assert!(false, "node missing from its bucket");
    }

    /// Inserts a member that is not present yet.
    pub fn insert(&mut self, score: f64, ele: &[u8]) {
        self.insert_hashed(score, Bstr::from_slice(ele), hash_member(ele));
    }

    fn insert_hashed(&mut self, score: f64, ele: Bstr, hash: u32) {
        self.rehash_steps(1);
        if self.len >= self.index_size() {
            self.start_resize((self.index_size() * 2).max(MIN_BUCKETS));
        }
        let level = self.random_level();
        let x = self.alloc_node(ele, score, hash, level);
        self.index_add(x);
        self.link_node(x);
    }

    /// Links node `idx` (member, score and level set) into its place in the order.
    #[allow(clippy::needless_range_loop)]
    fn link_node(&mut self, idx: u32) {
        let level = self.node(idx).level as usize;
        let (mut update, mut rank) = {
            let n = self.node(idx);
            self.search(n.score, n.ele.as_slice())
        };
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.head[i] = Link {
                    span: self.len as u32,
                    ..NO_LINK
                };
            }
            self.level = level;
        }
        for i in 0..level {
            let up = self.link(update[i], i);
            let skipped = (rank[0] - rank[i]) as u32;
            let mine = Link {
                span: up.span.wrapping_sub(skipped),
                ..up
            };
            self.set_link(idx, i, mine);
            let to_me = self.link_to(idx, skipped + 1);
            self.set_link(update[i], i, to_me);
        }
        for i in level..self.level {
            self.add_span(update[i], i, 1);
        }
        let back = if update[0] == HEAD { NIL } else { update[0] };
        self.nodes[idx as usize].backward = back;
        let next = self.node(idx).next0;
        if next != NIL {
            self.nodes[next as usize].backward = idx;
        } else {
            self.tail = idx;
        }
        self.len += 1;
    }

    /// Unlinks node `target` from the order (it stays allocated and indexed).
    #[allow(clippy::needless_range_loop)]
    fn unlink_node(&mut self, target: u32) {
        let (update, _) = {
            let n = self.node(target);
            self.search(n.score, n.ele.as_slice())
        };
        debug_assert_eq!(self.link(update[0], 0).next, target);
        for i in 0..self.level {
            let up = self.link(update[i], i);
            if up.next == target {
                let t = self.link(target, i);
                let span = up.span.wrapping_add(t.span).wrapping_sub(1);
                self.set_link(update[i], i, Link { span, ..t });
            } else {
                self.add_span(update[i], i, u32::MAX);
            }
        }
        let (next, back) = (self.node(target).next0, self.node(target).backward);
        if next != NIL {
            self.nodes[next as usize].backward = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.head[self.level - 1].next == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// The score of `ele`.
    pub fn score(&self, ele: &[u8]) -> Option<f64> {
        let x = self.find(ele);
        (x != NIL).then(|| self.node(x).score)
    }

    /// True when `ele` is a member.
    pub fn contains(&self, ele: &[u8]) -> bool {
        self.find(ele) != NIL
    }

    /// Removes `ele`, returning its score; `None` when absent.
    pub fn delete(&mut self, ele: &[u8]) -> Option<f64> {
        let x = self.find(ele);
        if x == NIL {
            return None;
        }
        self.rehash_steps(1);
        let score = self.node(x).score;
        self.unlink_node(x);
        self.index_remove(x);
        self.free_slot(x);
        self.shrink_if_sparse();
        Some(score)
    }

    /// Gives back memory after many deletes: rebuilds a mostly free arena, shrinks a
    /// mostly empty bucket array.
    fn shrink_if_sparse(&mut self) {
        if self.nodes.len() >= COMPACT_MIN
            && self.len * 4 < self.nodes.len()
            && self.len <= COMPACT_MAX_LIVE
        {
            self.compact();
        } else if self.index_size() > MIN_BUCKETS && self.len * SHRINK_RATIO < self.index_size() {
            self.start_resize(self.len.max(MIN_BUCKETS).next_power_of_two());
        }
    }

    /// Rebuilds the list into exactly sized arenas in one ordered pass (members move,
    /// none is copied, nothing is searched or hashed again): O(n) in the members left,
    /// which is at most a third of the deletes since the arena was last this full.
    fn compact(&mut self) {
        let mut fresh = SkipList::new();
        fresh.rng = self.rng;
        fresh.nodes.reserve_exact(self.len);
        let mut tails = [HEAD; MAX_LEVEL];
        let mut tail_rank = [0usize; MAX_LEVEL];
        let (mut rank, mut prev) = (0usize, NIL);
        let mut x = self.head[0].next;
        while x != NIL {
            let n = &mut self.nodes[x as usize];
            let (score, hash, next) = (n.score, n.hash, n.next0);
            let ele = std::mem::take(&mut n.ele);
            let level = fresh.random_level();
            let y = fresh.alloc_node(ele, score, hash, level);
            rank += 1;
            fresh.level = fresh.level.max(level);
            for i in 0..level {
                let link = fresh.link_to(y, (rank - tail_rank[i]) as u32);
                fresh.set_link(tails[i], i, link);
                (tails[i], tail_rank[i]) = (y, rank);
            }
            fresh.nodes[y as usize].backward = prev;
            prev = y;
            x = next;
        }
        for i in 0..fresh.level {
            let span = (rank - tail_rank[i]) as u32;
            fresh.set_link(tails[i], i, Link { span, ..NO_LINK });
        }
        fresh.len = rank;
        fresh.tail = prev;
        fresh.resize_index(rank.max(MIN_BUCKETS).next_power_of_two());
        *self = fresh;
    }

    /// Changes the score of `ele`, returning the old one; `None` when absent. A level-1
    /// node stays where it is when the new score keeps its place; otherwise the node is
    /// relinked (its member is never copied).
    pub fn update_score(&mut self, ele: &[u8], score: f64) -> Option<f64> {
        let x = self.find(ele);
        if x == NIL {
            return None;
        }
        let (old, back, next) = {
            let n = self.node(x);
            (n.score, n.backward, n.next0)
        };
        let fits_after = back == NIL || {
            let b = self.node(back);
            before(b.score, b.ele.as_slice(), score, ele)
        };
        let fits_before = next == NIL || {
            let n = self.node(next);
            before(score, ele, n.score, n.ele.as_slice())
        };
        // Only a level-1 node can change in place: no upper link holds a copy of its score.
        if fits_after && fits_before && self.node(x).level == 1 {
            self.nodes[x as usize].score = score;
        } else {
            self.unlink_node(x);
            self.nodes[x as usize].score = score;
            self.link_node(x);
        }
        Some(old)
    }

    /// Number of members for which `pred` holds, `pred` being true for a prefix of the
    /// order (monotonic: once false, false for every later member).
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        self.walk_count(|l| pred(self.node(l.next).ele.as_slice(), l.score))
    }

    /// [`SkipList::count_before`] for a predicate on scores alone, which never reads a
    /// member (one block per step).
    pub fn count_before_score(&self, pred: impl Fn(f64) -> bool) -> usize {
        self.walk_count(|l| pred(l.score))
    }

    /// How many nodes a search passes while `go` holds for the link ahead.
    fn walk_count(&self, go: impl Fn(&Link) -> bool) -> usize {
        let mut at = AT_HEAD;
        let mut rank = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = self.fwd(at, i);
                if l.next == NIL || !go(&l) {
                    break;
                }
                rank += l.span as usize;
                at = At {
                    x: l.next,
                    up: l.next_upper,
                };
            }
        }
        rank
    }

    /// 0-based rank of `ele`; `None` when absent.
    pub fn rank(&self, ele: &[u8]) -> Option<usize> {
        let score = self.score(ele)?;
        Some(self.walk_count(|l| self.leads_before(l, score, ele)))
    }

    /// The node at 0-based `rank`, or [`NIL`].
    fn node_at(&self, rank: usize) -> u32 {
        if rank >= self.len {
            return NIL;
        }
        let want = rank + 1;
        let mut at = AT_HEAD;
        let mut traversed = 0;
        for i in (0..self.level).rev() {
            loop {
                let l = self.fwd(at, i);
                if l.next == NIL || traversed + l.span as usize > want {
                    break;
                }
                traversed += l.span as usize;
                at = At {
                    x: l.next,
                    up: l.next_upper,
                };
            }
            if traversed == want {
                return at.x;
            }
        }
        NIL
    }

    /// The member at 0-based `rank`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        let x = self.node_at(rank);
        (x != NIL).then(|| {
            let n = self.node(x);
            (n.ele.as_slice(), n.score)
        })
    }

    /// Visits ranks `start..end` (clamped), in order, or in reverse order when `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let end = end.min(self.len);
        if start >= end {
            return;
        }
        let mut x = self.node_at(if rev { end - 1 } else { start });
        for _ in start..end {
            if x == NIL {
                return;
            }
            let n = self.node(x);
            f(n.ele.as_slice(), n.score);
            x = if rev { n.backward } else { n.next0 };
        }
    }

    /// Calls `f` on every member of a bucket.
    fn visit_bucket(&self, slot: (bool, usize), f: &mut impl FnMut(&[u8], f64)) {
        let mut x = self.head_of(slot);
        while x != NIL {
            let n = self.node(x);
            f(n.ele.as_slice(), n.score);
            x = n.chain;
        }
    }

    /// One SCAN step: visits the members of bucket `cursor` and returns the next cursor,
    /// 0 when the scan is complete. While the index is being resized, the bucket of the
    /// smaller array is visited with every bucket of the larger one it expands to (each
    /// member is in exactly one of them), as Redis's dictScan does.
    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        if self.buckets.is_empty() || self.len == 0 {
            return 0;
        }
        let old_mask = self.buckets.len() as u64 - 1;
        if !self.rehashing() {
            self.visit_bucket((false, (cursor & old_mask) as usize), &mut f);
            return next_cursor(cursor, old_mask);
        }
        let new_mask = self.rehash.len() as u64 - 1;
        let (small, small_mask, large, large_mask) = if old_mask < new_mask {
            (false, old_mask, true, new_mask)
        } else {
            (true, new_mask, false, old_mask)
        };
        let mut v = cursor;
        self.visit_bucket((small, (v & small_mask) as usize), &mut f);
        loop {
            self.visit_bucket((large, (v & large_mask) as usize), &mut f);
            v = next_cursor(v, large_mask);
            if v & (small_mask ^ large_mask) == 0 {
                return v;
            }
        }
    }

    /// Approximate heap bytes used.
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.uppers.capacity() * std::mem::size_of::<Link>()
            + (self.buckets.capacity() + self.rehash.capacity()) * 4
            + self.nodes.iter().map(|n| n.ele.heap_size()).sum::<usize>()
    }

    /// True while the member index is being resized (tests only).
    #[cfg(test)]
    pub fn index_resizing(&self) -> bool {
        self.rehashing()
    }

    /// Checks every internal invariant (tests only): order, spans, backward links,
    /// tail, length and the index.
    #[cfg(test)]
    pub fn check_invariants(&self) {
        let mut x = self.head[0].next;
        let mut prev = NIL;
        let mut count = 0;
        let mut ranks = std::collections::HashMap::new();
        while x != NIL {
            count += 1;
            ranks.insert(x, count);
            assert_eq!(self.node(x).backward, prev);
            if prev != NIL {
                assert!(self.precedes(prev, x));
            }
            assert_eq!(self.find(self.node(x).ele.as_slice()), x);
            prev = x;
            x = self.node(x).next0;
        }
        assert_eq!(count, self.len);
        assert_eq!(self.tail, prev);
        for i in 1..self.level {
            let mut x = HEAD;
            loop {
                let l = self.link(x, i);
                if l.next == NIL {
                    break;
                }
                let from = if x == HEAD { 0 } else { ranks[&x] };
                assert_eq!(l.span as usize, ranks[&l.next] - from, "span at level {i}");
                assert_eq!(l.score.to_bits(), self.node(l.next).score.to_bits());
                assert_eq!(l.next_upper, self.node(l.next).upper);
                x = l.next;
            }
        }
        let mut indexed = 0;
        for (new, size) in [(false, self.buckets.len()), (true, self.rehash.len())] {
            for b in 0..size {
                self.visit_bucket((new, b), &mut |_, _| indexed += 1);
            }
        }
        assert_eq!(indexed, self.len);
    }
}
