//! `QuickList`: the list encoding, a deque of [`Listpack`] nodes.
//!
//! Redis 7.0 encodes every list this way (`OBJECT ENCODING` says `quicklist`). A list of
//! a million short strings is a few hundred contiguous buffers of a few kilobytes, not a
//! million heap objects, so it costs a handful of bytes per element; pushes and pops at
//! either end touch only the end node.
//!
//! # Node size (`list-max-listpack-size`)
//!
//! The `fill` given to [`QuickList::new`] bounds each node, as Redis's option does:
//! -1..=-5 cap a node's encoded bytes at 4, 8, 16, 32 or 64 KB (smaller values count as
//! -5); a positive value caps its entry count (at most 32767) while also keeping it
//! within 8 KB; 0 keeps one entry per node. A node holding a single entry may exceed any
//! limit (a huge element gets a node of its own). The fill is fixed when the list is
//! created, so `CONFIG SET` affects lists created afterwards, as in Redis.
//!
//! # Compression (`list-compress-depth`)
//!
//! With a depth `d` > 0, fixed when the list is created as in Redis, the `d` nodes at
//! each end stay raw and the nodes between them are kept LZF-compressed (a node too
//! small, or that LZF does not shrink by more than a few bytes, stays raw). As in Redis,
//! a change at an end decompresses the end nodes and compresses the node that moved
//! beyond the depth; any other change, which may touch nodes anywhere, compresses every
//! interior node left raw (a node that did not compress is not tried again until it
//! changes, so the pass costs a flag check per node). A read through `&self` leaves
//! decompressed copies in the compressed nodes it read (its entries borrow from them)
//! and notes that it did; the next change, or [`QuickList::release_copies`] after a
//! read command, frees them. A read that met only raw nodes leaves nothing to free.
//!
//! # Keeping nodes healthy
//!
//! * An insert into a full node goes to a neighbour with room when it lands at the node's
//!   edge, else splits the node at the insertion point.
//! * A replacement that makes a node too big splits it in halves until every piece fits.
//! * Removals drop empty nodes, then merge adjacent nodes whose union fits the limit, so
//!   after any operation no two touched neighbours could be one node: the nodes stay at
//!   least about half full on average instead of degenerating into many tiny ones.
//! * A node that stops being an end node is shrunk to its exact size, so only the two end
//!   nodes carry spare capacity.
//!
//! # Plain nodes
//!
//! An element of at least the packed threshold (1 GB by default; DEBUG
//! QUICKLIST-PACKED-THRESHOLD) gets a plain node of its own, as in Redis 7.0
//! ([`node`] says why and how it is stored). The rules above skip plain nodes: none is
//! ever merged or added to. Where such an element lands follows Redis: a push makes a
//! plain node at that end; an insert next to it in a packed node splits that node around
//! the new plain node unless it lands at the node's edge; replacing an element by one of
//! the other kind (a big one in a packed node, a small one in a plain node) inserts the
//! new element after the old one, then removes the old one, leaving the neighbours as
//! they are.
//!
//! # Indexes
//!
//! Indexing walks the nodes from the nearer end, skipping whole nodes by their entry
//! counts (O(nodes)), then walks inside one node. Methods taking `i64` indexes accept
//! Redis-style raw indexes (negative counts from the tail) and normalize them exactly as
//! the corresponding command does (LINDEX/LSET, LRANGE, LTRIM).

use std::cell::Cell;
use std::collections::VecDeque;

use super::listpack::{Entry, Listpack, Needle, Pos};

mod element;
mod node;

pub use element::Element;

use node::is_large;
pub use node::{set_packed_threshold, Node};

/// Node byte limits for fill -1..=-5.
const SIZE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Byte limit of a node under a positive (count) fill.
const SAFETY_LIMIT: usize = 8192;
/// Largest positive fill.
const FILL_MAX: i64 = 32767;
/// Redis's default `list-max-listpack-size`.
pub const DEFAULT_FILL: i64 = -2;

/// Whether a node of `bytes` encoded bytes and `count` entries respects `fill`.
fn fits(fill: i64, bytes: usize, count: usize) -> bool {
    if count <= 1 {
        return true;
    }
    if fill < 0 {
        let level = (fill.unsigned_abs() as usize - 1).min(SIZE_LIMITS.len() - 1);
        bytes <= SIZE_LIMITS[level]
    } else {
        bytes <= SAFETY_LIMIT && count <= fill as usize
    }
}

/// Whether `node` may take one more entry of `size` encoded bytes (never a plain node).
fn allows(fill: i64, node: &Node, size: usize) -> bool {
    !node.plain && fits(fill, node.data_len() + size, node.len() + 1)
}

/// Whether two nodes may become one (never when either is plain).
fn mergeable(fill: i64, a: &Node, b: &Node) -> bool {
    !a.plain && !b.plain && fits(fill, a.data_len() + b.data_len(), a.len() + b.len())
}

/// How a new list lays out its nodes: the configuration when it is created.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// `list-max-listpack-size`.
    pub fill: i64,
    /// `list-compress-depth`.
    pub depth: usize,
}

/// A list stored as a deque of nodes plus a cached length.
#[derive(Debug, Clone)]
pub struct QuickList {
    nodes: VecDeque<Node>,
    len: usize,
    fill: i64,
    /// Nodes kept raw at each end; the rest are compressed (0: none is).
    depth: usize,
    /// A read may have left decompressed copies in compressed nodes.
    copies: Cell<bool>,
}

impl Default for QuickList {
    /// An empty list with the default fill (-2: 8 KB nodes).
    fn default() -> Self {
        QuickList::new(DEFAULT_FILL)
    }
}

impl QuickList {
    /// An empty list whose nodes obey `fill` (`list-max-listpack-size`; clamped to
    /// -5..=32767).
    pub fn new(fill: i64) -> Self {
        QuickList::with_depth(fill, 0)
    }

    /// An empty list whose nodes obey `fill` and whose nodes more than `depth` from
    /// either end are compressed (`list-compress-depth`; 0 compresses none).
    pub fn with_depth(fill: i64, depth: usize) -> Self {
        QuickList {
            nodes: VecDeque::new(),
            len: 0,
            fill: fill.clamp(-5, FILL_MAX),
            depth: depth.min(u16::MAX as usize),
            copies: Cell::new(false),
        }
    }

    /// An empty list laid out as `shape` says.
    pub fn shaped(shape: Shape) -> Self {
        QuickList::with_depth(shape.fill, shape.depth)
    }

    /// The compression depth this list was created with.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The node limit this list was created with (after clamping).
    pub fn fill(&self) -> i64 {
        self.fill
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of nodes, packed and plain (DEBUG OBJECT's `ql_nodes`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes, head first (for persistence and introspection).
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = &Node> + '_ {
        self.nodes.iter()
    }

    /// Memory held: the struct, the node deque and every node's buffer.
    pub fn byte_size(&self) -> usize {
        let spare = self.nodes.capacity() - self.nodes.len();
        std::mem::size_of::<Self>()
            + spare * std::mem::size_of::<Node>()
            + self.nodes.iter().map(Node::byte_size).sum::<usize>()
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.nodes = VecDeque::new();
        self.len = 0;
        self.copies.set(false);
    }

    /// Frees the decompressed copies a read through `&self` left in compressed nodes.
    /// A read command calls it once its reply is written.
    pub fn release_copies(&mut self) {
        if self.copies.replace(false) {
            self.nodes.iter_mut().for_each(Node::drop_copy);
        }
    }

    /// Node `ni`'s prefix and entries for a read through `&self` (a compressed node
    /// keeps a decompressed copy until [`release_copies`](Self::release_copies)).
    fn view(&self, ni: usize) -> Option<(&[u8], &Listpack)> {
        Some(self.nodes.get(ni)?.view(&self.copies))
    }

    /// Restores the compression layout after a change: the `depth` nodes at each end
    /// raw, the nodes between them compressed. After a change at an end only the node
    /// just beyond the depth on each side can need it (as in Redis's
    /// `__quicklistCompress`); after a change `anywhere`, every interior node is visited
    /// (one that did not compress is not tried again until it changes).
    fn recompress(&mut self, anywhere: bool) {
        if self.depth == 0 {
            return;
        }
        self.release_copies();
        let (n, depth) = (self.nodes.len(), self.depth);
        if n <= 2 * depth {
            return;
        }
        for i in (0..depth).chain(n - depth..n) {
            self.nodes[i].decompress();
        }
        if anywhere {
            self.nodes
                .range_mut(depth..n - depth)
                .for_each(Node::compress);
        } else {
            self.nodes[depth].compress();
            self.nodes[n - 1 - depth].compress();
        }
    }

    /// Whether any node is compressed (DEBUG and tests).
    pub fn compressed_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_compressed()).count()
    }

    /// Appends a whole node after the last one, as it is (an empty node is dropped).
    /// Loaders use it to keep the node boundaries a file recorded, as Redis does when
    /// it loads a quicklist; the node may exceed the fill, like a node Redis loads.
    pub fn push_node(&mut self, entries: Listpack) {
        if entries.is_empty() {
            return;
        }
        let mut node = Node::packed(entries);
        node.shrink_to_fit();
        self.len += node.len();
        self.nodes.push_back(node);
        self.recompress(false);
    }

    /// Appends a plain node holding `value` after the last node, whatever its size:
    /// loaders keep the kind of node a file recorded, as Redis does.
    pub fn push_plain_node(&mut self, value: &[u8]) {
        self.len += 1;
        self.nodes.push_back(Node::plain(value));
        self.recompress(false);
    }

    /// Appends `value` at the tail.
    pub fn push_back(&mut self, value: &[u8]) {
        let reshaped = self.insert_at_boundary(self.nodes.len(), value);
        self.len += 1;
        self.recompress(reshaped);
    }

    /// Prepends `value` at the head.
    pub fn push_front(&mut self, value: &[u8]) {
        let reshaped = self.insert_at_boundary(0, value);
        self.len += 1;
        self.recompress(reshaped);
    }

    /// Removes and returns the head element.
    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let value = self.nodes.front_mut()?.pop_front()?;
        self.after_pop(0);
        self.recompress(false);
        Some(value)
    }

    /// Removes and returns the tail element.
    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let last = self.nodes.len().checked_sub(1)?;
        let value = self.nodes[last].pop_back()?;
        self.after_pop(last);
        self.recompress(false);
        Some(value)
    }

    /// Bookkeeping after node `ni` lost an element at an end of the list.
    fn after_pop(&mut self, ni: usize) {
        self.len -= 1;
        if self.nodes[ni].is_empty() {
            self.nodes.remove(ni);
        } else {
            self.merge_range(ni.saturating_sub(1), ni + 1);
        }
    }

    /// Places `value` in the gap before node `boundary` (after node `boundary - 1`): a
    /// big element in a plain node of its own; another at the end of the left node or
    /// the start of the right one if either has room, else in a new node. Does not
    /// touch `len`. Returns true when the node it joined had to give up part of its
    /// prefix, and was split if that took it over the limit (nodes other than the end
    /// ones may have changed).
    fn insert_at_boundary(&mut self, boundary: usize, value: &[u8]) -> bool {
        if is_large(value.len()) {
            self.nodes.insert(boundary, Node::plain(value));
            return false;
        }
        let fill = self.fill;
        let size = Listpack::encoded_len(value);
        if let Some(left) = boundary.checked_sub(1).and_then(|i| self.nodes.get_mut(i)) {
            if allows(fill, left, size) {
                if left.push_back(value) {
                    self.split_oversized(boundary - 1);
                    return true;
                }
                return false;
            }
            left.shrink_to_fit();
        }
        if let Some(right) = self.nodes.get_mut(boundary) {
            if allows(fill, right, size) {
                if right.push_front(value) {
                    self.split_oversized(boundary);
                    return true;
                }
                return false;
            }
            right.shrink_to_fit();
        }
        self.nodes.insert(boundary, Node::single(value));
        false
    }

    /// Normalizes a raw index (negative from the tail) to `0..len`.
    fn normalize(&self, index: i64) -> Option<usize> {
        let index = if index < 0 {
            let back = usize::try_from(index.unsigned_abs()).ok()?;
            self.len.checked_sub(back)?
        } else {
            usize::try_from(index).ok()?
        };
        (index < self.len).then_some(index)
    }

    /// The node holding element `index` (< len) and the index within that node, walking
    /// whole nodes from the nearer end.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.len {
            return None;
        }
        if index < self.len / 2 {
            let mut rest = index;
            for (ni, node) in self.nodes.iter().enumerate() {
                if rest < node.len() {
                    return Some((ni, rest));
                }
                rest -= node.len();
            }
            return None;
        }
        let mut rest = self.len - 1 - index;
        for (ni, node) in self.nodes.iter().enumerate().rev() {
            let count = node.len();
            if rest < count {
                return Some((ni, count - 1 - rest));
            }
            rest -= count;
        }
        None
    }

    /// Node index and position of element `index` (< len).
    fn locate_pos(&self, index: usize) -> Option<(usize, Pos)> {
        let (ni, local) = self.locate(index)?;
        let pos = self.view(ni)?.1.index(local as isize)?;
        Some((ni, pos))
    }

    /// The element at `index` (negative counts from the tail), as LINDEX.
    pub fn get(&self, index: i64) -> Option<Vec<u8>> {
        self.entry(index).map(|e| e.to_vec())
    }

    /// The element at `index` without copying it.
    pub fn entry(&self, index: i64) -> Option<Element<'_>> {
        let (ni, pos) = self.locate_pos(self.normalize(index)?)?;
        let (prefix, entries) = self.view(ni)?;
        Some(Element::new(prefix, entries.get(pos)))
    }

    /// Replaces the element at `index` (negative from the tail), as LSET; false when out
    /// of range.
    pub fn set(&mut self, index: i64, value: &[u8]) -> bool {
        let Some((ni, pos)) = self.normalize(index).and_then(|i| self.locate_pos(i)) else {
            self.release_copies();
            return false;
        };
        self.replace_at(ni, pos, value);
        self.recompress(true);
        true
    }

    /// Replaces the element at `pos` of node `ni`.
    fn replace_at(&mut self, ni: usize, pos: Pos, value: &[u8]) {
        let node = &mut self.nodes[ni];
        match (node.plain, is_large(value.len())) {
            (false, false) => {
                node.replace(pos, value);
                let pieces = self.split_oversized(ni);
                self.merge_range(ni.saturating_sub(1), ni + pieces);
            }
            (true, true) => *node = Node::plain(value),
            _ => self.replace_across_kinds(ni, pos, value),
        }
    }

    /// LSET of an element by one that belongs in the other kind of node: the new one is
    /// inserted after the old one, as LINSERT would place it, then the old one (still at
    /// `pos` of node `ni`, now that node's last element) is removed.
    fn replace_across_kinds(&mut self, ni: usize, pos: Pos, value: &[u8]) {
        // Node `ni` keeps its index and `pos`: a plain node is never added to or split,
        // and a big element only splits a packed node after `pos`.
        self.insert_near(ni, pos, true, value);
        let node = &mut self.nodes[ni];
        node.remove(pos);
        if node.is_empty() {
            self.nodes.remove(ni);
        }
    }

    /// Splits node `ni` in halves until every piece fits; returns the number of pieces.
    fn split_oversized(&mut self, ni: usize) -> usize {
        let node = &mut self.nodes[ni];
        if fits(self.fill, node.data_len(), node.len()) {
            return 1;
        }
        let right = node.split_off(node.len() / 2);
        node.shrink_to_fit();
        self.nodes.insert(ni + 1, right);
        let right_pieces = self.split_oversized(ni + 1);
        self.split_oversized(ni) + right_pieces
    }

    /// Merges neighbours among nodes `first..=last` whose union fits the limit.
    fn merge_range(&mut self, first: usize, last: usize) {
        let mut ni = first;
        let mut last = last;
        while ni < last && ni + 1 < self.nodes.len() {
            if mergeable(self.fill, &self.nodes[ni], &self.nodes[ni + 1]) {
                if let Some(b) = self.nodes.remove(ni + 1) {
                    self.nodes[ni].append(&b);
                }
                last -= 1;
            } else {
                ni += 1;
            }
        }
    }

    /// Inserts `value` before or after the first element equal to `pivot`, as LINSERT;
    /// returns the new length, or `None` when `pivot` is absent.
    pub fn insert(&mut self, pivot: &[u8], value: &[u8], after: bool) -> Option<usize> {
        let (ni, pos) = self
            .nodes
            .iter()
            .enumerate()
            .find_map(|(ni, node)| node.find(pivot).map(|pos| (ni, pos)))?;
        self.insert_near(ni, pos, after, value);
        self.len += 1;
        self.recompress(true);
        Some(self.len)
    }

    /// Inserts `value` before or after the element at `pos` in node `ni`.
    fn insert_near(&mut self, ni: usize, pos: Pos, after: bool, value: &[u8]) {
        let node = &mut self.nodes[ni];
        if allows(self.fill, node, Listpack::encoded_len(value)) && !is_large(value.len()) {
            if node.insert(pos, value, after) {
                self.split_oversized(ni);
            }
            return;
        }
        node.decompress();
        let split = if after { node.next(pos) } else { Some(pos) };
        match split {
            None => {
                self.insert_at_boundary(ni + 1, value);
            }
            Some(at) if node.prev(at).is_none() => {
                self.insert_at_boundary(ni, value);
            }
            Some(at) => {
                let right = node.split_off_at(at);
                node.shrink_to_fit();
                self.nodes.insert(ni + 1, right);
                self.insert_at_boundary(ni + 1, value);
                // Nothing merges around a new plain node, as in Redis (and LSET counts
                // on node `ni` keeping its index).
                if !is_large(value.len()) {
                    self.merge_range(ni.saturating_sub(1), ni + 3);
                }
            }
        }
    }

    /// Removes elements equal to `value`, as LREM: the first `count` from the head when
    /// `count` > 0, the last `-count` from the tail when < 0, all when 0. Returns how many
    /// were removed.
    pub fn remove(&mut self, value: &[u8], count: i64) -> usize {
        let limit = match count {
            0 => usize::MAX,
            n => usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX),
        };
        let from_tail = count < 0;
        let mut removed = 0;
        for step in 0..self.nodes.len() {
            if removed == limit {
                break;
            }
            let ni = if from_tail {
                self.nodes.len() - 1 - step
            } else {
                step
            };
            removed += self.nodes[ni].remove_equal(value, limit - removed, from_tail);
        }
        if removed > 0 {
            self.len -= removed;
            self.nodes.retain(|node| !node.is_empty());
            self.merge_range(0, self.nodes.len());
            self.recompress(true);
        }
        removed
    }

    /// Keeps only elements `start..=end`, as LTRIM (raw indexes, negative from the tail;
    /// an empty range empties the list). Returns how many were removed.
    pub fn trim(&mut self, start: i64, end: i64) -> usize {
        let len = i64::try_from(self.len).unwrap_or(i64::MAX);
        let start = if start < 0 { len + start } else { start }.max(0);
        let end = if end < 0 { len + end } else { end };
        let (left, right) = if start > end || start >= len {
            (len, 0)
        } else {
            (start, len - end.min(len - 1) - 1)
        };
        let (left, right) = (left as usize, right as usize);
        self.remove_range(self.len - right, right) + self.remove_range(0, left)
    }

    /// Removes up to `count` elements starting at index `start`; returns how many were
    /// removed. Whole nodes inside the range are dropped without being read.
    pub fn remove_range(&mut self, start: usize, count: usize) -> usize {
        let end = start.saturating_add(count).min(self.len);
        if start >= end {
            return 0;
        }
        let (Some((first, from)), Some((last, to))) = (self.locate(start), self.locate(end - 1))
        else {
            return 0;
        };
        if first == last {
            self.nodes[first].remove_range(from as isize, to - from + 1);
        } else {
            self.nodes[last].remove_range(0, to + 1);
            self.nodes[first].remove_range(from as isize, usize::MAX);
            self.nodes.drain(first + 1..last);
        }
        self.len -= end - start;
        let upto = (first + 2).min(self.nodes.len());
        for ni in (first..upto).rev() {
            if self.nodes[ni].is_empty() {
                self.nodes.remove(ni);
            }
        }
        self.merge_range(first.saturating_sub(1), first + 1);
        self.recompress(true);
        end - start
    }

    /// Calls `f` with every element, head to tail, decompressing one compressed node at
    /// a time and leaving no copy behind: for readers that hold the list through `&self`
    /// and cannot release copies (digests, SORT, saving).
    pub fn for_each(&self, mut f: impl FnMut(Element<'_>)) {
        for node in &self.nodes {
            node.for_each(&mut f);
        }
    }

    /// Iterates over all elements, head to tail (double-ended).
    pub fn iter(&self) -> Iter<'_> {
        self.span(0, self.len)
    }

    /// Iterates over all elements, tail to head.
    pub fn iter_rev(&self) -> std::iter::Rev<Iter<'_>> {
        self.iter().rev()
    }

    /// Iterates over elements `start..=stop` with LRANGE's rules: raw indexes (negative
    /// from the tail), `start` clamped to 0, `stop` to the last element; empty when the
    /// range is.
    pub fn range(&self, start: i64, stop: i64) -> Iter<'_> {
        let (first, count) = self.range_span(start, stop);
        self.span(first, count)
    }

    /// The first index and the count of elements `start..=stop` under LRANGE's rules
    /// (see [`range`](Self::range)); the count is 0 when the range is empty.
    pub fn range_span(&self, start: i64, stop: i64) -> (usize, usize) {
        let len = i64::try_from(self.len).unwrap_or(i64::MAX);
        let start = if start < 0 { len + start } else { start }.max(0);
        let stop = if stop < 0 { len + stop } else { stop };
        if start > stop || start >= len {
            return (0, 0);
        }
        let stop = stop.min(len - 1);
        (start as usize, (stop - start + 1) as usize)
    }

    /// Calls `f` with `count` elements from index `first` (both in range, as
    /// [`range_span`](Self::range_span) gives them), head to tail, each as its node's
    /// prefix and the entry holding the rest. A walk with nothing kept between
    /// elements but a position in the node: what LRANGE's reply runs on.
    #[inline]
    pub fn for_each_span(&self, first: usize, count: usize, mut f: impl FnMut(&[u8], Entry<'_>)) {
        let Some((mut ni, local)) = self.locate(first) else {
            return;
        };
        let mut left = count;
        let mut skip = local;
        while left > 0 {
            let Some((prefix, entries)) = self.view(ni) else {
                return;
            };
            let mut at = match skip {
                0 => entries.first(),
                i => entries.index(i as isize),
            };
            skip = 0;
            while let Some(pos) = at {
                let (entry, next) = entries.get_and_next(pos);
                f(prefix, entry);
                left -= 1;
                if left == 0 {
                    return;
                }
                at = next;
            }
            ni += 1;
        }
    }

    /// Iterates over `count` elements from index `start` (both already in range).
    fn span(&self, start: usize, count: usize) -> Iter<'_> {
        let ends = (self.locate(start), self.locate(start + count.max(1) - 1));
        match ends {
            (Some((first, from)), Some((last, to))) if count > 0 => Iter {
                list: self,
                front: (first, Cursor::Index(from)),
                back: (last, Cursor::Index(to)),
                remaining: count,
            },
            _ => Iter {
                list: self,
                front: (0, Cursor::Index(0)),
                back: (0, Cursor::Index(0)),
                remaining: 0,
            },
        }
    }

    /// Indexes (from the head) of elements equal to `value`, as LPOS: skip the first
    /// `|rank| - 1` matches (rank < 0 scans from the tail; 0 is taken as 1), return up to
    /// `count` matches (0 = all), compare at most `maxlen` elements (0 = no limit).
    pub fn position(&self, value: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let needle = Needle::new(value);
        let skip = usize::try_from(rank.unsigned_abs().saturating_sub(1)).unwrap_or(usize::MAX);
        let want = if count == 0 { usize::MAX } else { count };
        let scan = if maxlen == 0 { usize::MAX } else { maxlen };
        if rank >= 0 {
            collect_matches(self.iter().enumerate(), &needle, skip, want, scan)
        } else {
            let last = self.len.saturating_sub(1);
            let indexed = self.iter_rev().enumerate().map(|(i, e)| (last - i, e));
            collect_matches(indexed, &needle, skip, want, scan)
        }
    }
}

/// LPOS's scan over (index, entry) pairs.
fn collect_matches<'a>(
    entries: impl Iterator<Item = (usize, Element<'a>)>,
    needle: &Needle<'_>,
    mut skip: usize,
    want: usize,
    scan: usize,
) -> Vec<usize> {
    let mut found = Vec::new();
    for (index, entry) in entries.take(scan) {
        if !entry.matches(needle) {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        found.push(index);
        if found.len() >= want {
            break;
        }
    }
    found
}

/// Where one end of an [`Iter`] is inside its node.
#[derive(Debug, Clone, Copy)]
enum Cursor<'a> {
    /// At this entry index, not walked to yet: an end that is never used (the back of a
    /// forward LRANGE) costs no walk through its node.
    Index(usize),
    /// At this position of the node whose prefix and entries are these (kept, so a
    /// step inside a node does not look the node up again).
    At(Pos, &'a [u8], &'a Listpack),
}

/// A double-ended iterator over a quicklist's elements (or a range of them).
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    list: &'a QuickList,
    front: (usize, Cursor<'a>),
    back: (usize, Cursor<'a>),
    remaining: usize,
}

impl<'a> Iter<'a> {
    /// The prefix, entries and position `cursor` stands for in node `ni`.
    fn resolve(&self, ni: usize, cursor: Cursor<'a>) -> Option<(&'a [u8], &'a Listpack, Pos)> {
        match cursor {
            Cursor::At(pos, prefix, node) => Some((prefix, node, pos)),
            Cursor::Index(i) => {
                let (prefix, node) = self.list.view(ni)?;
                Some((prefix, node, node.index(i as isize)?))
            }
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let (ni, cursor) = self.front;
        let (prefix, node, pos) = self.resolve(ni, cursor)?;
        let (entry, after) = node.get_and_next(pos);
        self.remaining -= 1;
        if self.remaining > 0 {
            self.front = match after {
                Some(p) => (ni, Cursor::At(p, prefix, node)),
                None => self
                    .list
                    .view(ni + 1)
                    .and_then(|(pre, n)| Some((ni + 1, Cursor::At(n.first()?, pre, n))))
                    .unwrap_or((ni, cursor)),
            };
        }
        Some(Element::new(prefix, entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<Element<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let (ni, cursor) = self.back;
        let (prefix, node, pos) = self.resolve(ni, cursor)?;
        let entry = node.get(pos);
        self.remaining -= 1;
        if self.remaining > 0 {
            self.back = match node.prev(pos) {
                Some(p) => (ni, Cursor::At(p, prefix, node)),
                None => ni
                    .checked_sub(1)
                    .and_then(|i| {
                        let (pre, n) = self.list.view(i)?;
                        Some((i, Cursor::At(n.last()?, pre, n)))
                    })
                    .unwrap_or((ni, cursor)),
            };
        }
        Some(Element::new(prefix, entry))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests;
