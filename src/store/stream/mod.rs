//! The stream type: entries in ID order, grouped into nodes the way Redis groups them
//! into listpacks under a radix tree (see [`node`]), plus the counters Redis 7.0 keeps
//! (`entries_added`, `max_deleted_entry_id`, `first_id`) and the consumer groups
//! ([`group`]).
//!
//! This layer knows nothing of the protocol: commands call these methods with a cached
//! `now` and write the replies. Its state maps onto RDB's `STREAM_LISTPACKS_2`: per node
//! a master ID, master fields and delta-encoded entries; the stream's counters; per
//! group its last ID, entries-read, PEL and consumers.

pub mod group;
pub mod id;
pub mod node;

use std::collections::BTreeMap;

pub use group::{Consumer, Group, Nack};
pub use id::{IdSyntax, ParsedId, StreamId};
use node::{Node, NodeEntry};

/// The node size limits (`stream-node-max-bytes`, `stream-node-max-entries`).
#[derive(Debug, Clone, Copy)]
pub struct NodeLimits {
    /// Most listpack bytes per node (0: no limit but Redis's hard cap).
    pub max_bytes: u64,
    /// Most entries (live and deleted) per node (0: no limit).
    pub max_entries: i64,
}

/// Redis's hard cap on one listpack (and on one entry's strings).
pub const LISTPACK_MAX_SIZE: u64 = 1 << 30;

/// Why an append failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the last one (or none is left).
    NotGreater,
    /// The entry's strings exceed what a listpack holds.
    TooLarge,
}

/// How XADD/XTRIM trim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimStrategy {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Remove entries with IDs below this one.
    MinId(StreamId),
}

/// A trim request: strategy, `~`, and the most entries to remove (0: no limit).
#[derive(Debug, Clone, Copy)]
pub struct Trim {
    /// What to trim to.
    pub strategy: TrimStrategy,
    /// Remove whole nodes only.
    pub approx: bool,
    /// Most entries to remove (0: unlimited).
    pub limit: i64,
}

/// One entry as read: its ID and its field/value strings.
pub type EntryRef<'a> = (StreamId, NodeEntry<'a>);

/// A stream value.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// Nodes by master ID.
    nodes: BTreeMap<StreamId, Node>,
    /// Live entries.
    length: u64,
    /// The last ID ever added (or set by XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID as last recorded (0-0 when empty).
    pub first_id: StreamId,
    /// The greatest ID deleted by XDEL (or set by XSETID).
    pub max_deleted_entry_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
    /// Consumer groups by name.
    pub groups: BTreeMap<Box<[u8]>, Group>,
}

impl Stream {
    /// An empty stream.
    pub fn new() -> Stream {
        Stream::default()
    }

    /// A stream made of nodes a file recorded, keyed by master ID, holding `length`
    /// live entries; the caller then sets the public counters and groups. The caller
    /// checks that `length` is the nodes' live count and that live IDs ascend.
    pub fn from_nodes(nodes: BTreeMap<StreamId, Node>, length: u64) -> Stream {
        Stream {
            nodes,
            length,
            ..Stream::default()
        }
    }

    /// Live entries.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// True with no live entries.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Nodes (Redis's radix tree keys, XINFO `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The ID the next append gets: `requested` as given, `<ms>-*` completed, or a
    /// fresh one from `now_ms` when `None`.
    fn next_id(&self, requested: Option<ParsedId>, now_ms: u64) -> Result<StreamId, AppendError> {
        let id = match requested {
            Some(p) if p.seq_given => p.id,
            Some(p) if p.id.ms == self.last_id.ms => {
                if self.last_id.seq == u64::MAX {
                    return Err(AppendError::NotGreater);
                }
                StreamId::new(p.id.ms, self.last_id.seq + 1)
            }
            Some(p) => p.id,
            None if now_ms > self.last_id.ms => StreamId::new(now_ms, 0),
            None => self.last_id.next().unwrap_or(StreamId::MIN),
        };
        if id <= self.last_id {
            return Err(AppendError::NotGreater);
        }
        Ok(id)
    }

    /// Appends an entry of `pairs` (field, value, ...) as Redis's `streamAppendItem`.
    ///
    /// # Errors
    /// [`AppendError::NotGreater`] for an ID not above the last; [`AppendError::TooLarge`]
    /// when the strings exceed a listpack.
    pub fn append(
        &mut self,
        pairs: &[&[u8]],
        requested: Option<ParsedId>,
        now_ms: u64,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let id = self.next_id(requested, now_ms)?;
        let total: u64 = pairs.iter().map(|s| s.len() as u64).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let master = match self.nodes.last_key_value() {
            Some((&master, tail)) if !tail_is_full(tail, total, limits) => master,
            _ => {
                let mut hint = 0;
                if let Some(mut tail) = self.nodes.last_entry() {
                    hint = tail.get().data_len();
                    tail.get_mut().shrink_to_fit();
                }
                self.nodes
                    .insert(id, Node::new(id, pairs, hint.min(1 << 16)));
                id
            }
        };
        if let Some(node) = self.nodes.get_mut(&master) {
            node.append(id, pairs);
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Live entries with IDs in `start..=end`, ascending (or descending if `rev`), at
    /// most `count` of them (0: all).
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<EntryRef<'_>> {
        let mut out = Vec::new();
        if start > end {
            return out;
        }
        let full = |out: &Vec<EntryRef<'_>>| count != 0 && out.len() >= count;
        if rev {
            // As Redis seeks: the last node keyed at or before `end`, or else the last
            // node (after XSETID an entry may sit before its node's key).
            let upto = match self.nodes.range(..=end).next_back() {
                Some(_) => end,
                None => StreamId::MAX,
            };
            for node in self.nodes.range(..=upto).rev().map(|(_, n)| n) {
                // Deleted entries are skipped before any comparison: after XSETID they
                // may sit out of order, and Redis's iterator ignores them entirely.
                let live: Vec<NodeEntry<'_>> =
                    node.iter().map(|(_, e)| e).filter(|e| !e.deleted).collect();
                for e in live.into_iter().rev() {
                    if e.id < start {
                        return out;
                    }
                    if e.id <= end {
                        out.push((e.id, e));
                        if full(&out) {
                            return out;
                        }
                    }
                }
            }
            return out;
        }
        let from = self
            .nodes
            .range(..=start)
            .next_back()
            .map_or(StreamId::MIN, |(k, _)| *k);
        for node in self.nodes.range(from..).map(|(_, n)| n) {
            for (_, e) in node.iter().filter(|(_, e)| !e.deleted) {
                if e.id > end {
                    return out;
                }
                if e.id >= start {
                    out.push((e.id, e));
                    if full(&out) {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// The key of the node that would hold `id`: the last one keyed at or before it,
    /// or else the first node, as Redis seeks. After XSETID moves the last ID back, an
    /// entry can be added to a node keyed after it.
    fn node_key_for(&self, id: StreamId) -> Option<StreamId> {
        self.nodes
            .range(..=id)
            .next_back()
            .or_else(|| self.nodes.iter().next())
            .map(|(key, _)| *key)
    }

    /// The live entry `id`, if any.
    pub fn get(&self, id: StreamId) -> Option<NodeEntry<'_>> {
        let node = self.nodes.get(&self.node_key_for(id)?)?;
        node.iter()
            .map(|(_, e)| e)
            .find(|e| !e.deleted && e.id == id)
    }

    /// True if a live entry has ID `id`.
    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first (or last) live entry's ID.
    pub fn edge_id(&self, first: bool) -> Option<StreamId> {
        let found = if first {
            self.range(StreamId::MIN, StreamId::MAX, false, 1)
        } else {
            self.range(StreamId::MIN, StreamId::MAX, true, 1)
        };
        found.first().map(|(id, _)| *id)
    }

    /// Deletes the live entry `id` as XDEL does (flagging it; a node left with no live
    /// entry goes). Returns true if it existed.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some(master) = self.node_key_for(id) else {
            return false;
        };
        let Some(node) = self.nodes.get_mut(&master) else {
            return false;
        };
        let Some(index) = node.find(id) else {
            return false;
        };
        if node.live == 1 {
            self.nodes.remove(&master);
        } else {
            node.mark_deleted(index);
        }
        self.length -= 1;
        true
    }

    /// XDEL of several IDs: removes those present, keeps `first_id` and
    /// `max_deleted_entry_id` as Redis does. Returns how many went.
    pub fn delete_ids(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_gone = false;
        for &id in ids {
            if self.delete(id) {
                first_gone |= id == self.first_id;
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            self.refresh_first_id(first_gone);
        }
        deleted
    }

    /// Recomputes `first_id` after removals.
    fn refresh_first_id(&mut self, changed: bool) {
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if changed {
            self.first_id = self.edge_id(true).unwrap_or(StreamId::MIN);
        }
    }

    /// Trims as Redis's `streamTrim`: whole nodes from the head, then (unless
    /// approximate) entries inside the next node. Returns the entries removed.
    pub fn trim(&mut self, trim: &Trim) -> i64 {
        let mut deleted: i64 = 0;
        while let Some((&master, node)) = self.nodes.first_key_value() {
            if let TrimStrategy::MaxLen(max) = trim.strategy {
                if self.length <= max {
                    break;
                }
            }
            let entries = node.live as i64;
            if trim.limit != 0 && deleted + entries > trim.limit {
                break;
            }
            let whole = match trim.strategy {
                TrimStrategy::MaxLen(max) => self.length - node.live >= max,
                TrimStrategy::MinId(min) => node.last_id().is_some_and(|last| last < min),
            };
            if whole {
                self.nodes.remove(&master);
                self.length -= entries as u64;
                deleted += entries;
                continue;
            }
            if !trim.approx {
                deleted += self.trim_inside(master, trim.strategy);
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.edge_id(true).unwrap_or(StreamId::MIN);
        }
        deleted
    }

    /// Flags entries of the head node deleted until the strategy is met.
    fn trim_inside(&mut self, master: StreamId, strategy: TrimStrategy) -> i64 {
        let mut length = self.length;
        let Some(node) = self.nodes.get_mut(&master) else {
            return 0;
        };
        let mut doomed = Vec::new();
        for (pos, entry) in node.iter() {
            let stop = match strategy {
                TrimStrategy::MaxLen(max) => length <= max,
                TrimStrategy::MinId(min) => entry.id >= min,
            };
            if stop {
                break;
            }
            if !entry.deleted {
                doomed.push(pos);
                length -= 1;
            }
        }
        let deleted = doomed.len() as i64;
        for pos in doomed {
            node.mark_deleted(pos);
        }
        self.length = length;
        deleted
    }

    /// True if a deleted entry may lie in `start..` (Redis's
    /// `streamRangeHasTombstones` with an open end).
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        start <= self.max_deleted_entry_id
    }

    /// The logical read counter of `id` when it can be known (Redis's
    /// `streamEstimateDistanceFromFirstEverEntry`); `None` when it cannot.
    pub fn estimate_distance(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        } else if id > self.last_id {
            return None;
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added - self.length);
            } else if id == self.first_id {
                return Some(self.entries_added - self.length + 1);
            }
        }
        None
    }

    /// A group's lag (XINFO), or `None` when it cannot be known.
    pub fn group_lag(&self, group: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if group.entries_read >= 0 && !self.has_tombstones_from(group.last_id) {
            return Some(self.entries_added as i64 - group.entries_read);
        }
        self.estimate_distance(group.last_id)
            .map(|read| self.entries_added as i64 - read as i64)
    }

    /// Moves `group`'s last-delivered ID to `id` as a delivery does, keeping its
    /// entries-read counter as Redis does.
    pub fn advance_group(&self, group: &mut Group, id: StreamId) {
        if id <= group.last_id {
            return;
        }
        if group.entries_read >= 0 && !self.has_tombstones_from(id) {
            group.entries_read += 1;
        } else if self.entries_added != 0 {
            group.entries_read = self.estimate_distance(id).map_or(-1, |n| n as i64);
        }
        group.last_id = id;
    }

    /// Radix tree nodes Redis would have for these node keys (XINFO
    /// `radix-tree-nodes`): the compact trie over the 16-byte big-endian keys.
    pub fn radix_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(encode_key).collect();
        trie_nodes(&keys, 0)
    }

    /// Bytes held on the heap (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        let nodes: usize = self.nodes.values().map(|n| n.heap_size() + 64).sum();
        let groups: usize = self
            .groups
            .iter()
            .map(|(k, g)| k.len() + g.heap_size() + 64)
            .sum();
        nodes + groups
    }

    /// Every node with its master ID, in order (persistence, DEBUG DIGEST).
    pub fn nodes(&self) -> impl Iterator<Item = (&StreamId, &Node)> {
        self.nodes.iter()
    }
}

/// True when the tail node cannot take an entry of `total` string bytes.
fn tail_is_full(tail: &Node, total: u64, limits: NodeLimits) -> bool {
    let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > LISTPACK_MAX_SIZE {
        LISTPACK_MAX_SIZE
    } else {
        limits.max_bytes
    };
    if tail.lp_bytes() as u64 + total >= max_bytes {
        return true;
    }
    limits.max_entries > 0 && (tail.live + tail.deleted) as i64 >= limits.max_entries
}

/// A radix tree key: the ID as 16 big-endian bytes.
fn encode_key(id: &StreamId) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&id.ms.to_be_bytes());
    key[8..].copy_from_slice(&id.seq.to_be_bytes());
    key
}

/// Nodes of a compact (radix) trie holding `keys` (sorted, equal up to `depth`),
/// counting the node this subtree starts at.
fn trie_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    if keys.is_empty() {
        return 1;
    }
    if depth == 16 {
        return 1;
    }
    let first = keys[0][depth];
    if keys.iter().all(|k| k[depth] == first) {
        // A compressed run: extend while every key agrees.
        let mut end = depth + 1;
        while end < 16 && keys.iter().all(|k| k[end] == keys[0][end]) {
            end += 1;
        }
        return 1 + trie_nodes(keys, end);
    }
    let mut total = 1;
    let mut start = 0;
    while start < keys.len() {
        let byte = keys[start][depth];
        let len = keys[start..]
            .iter()
            .take_while(|k| k[depth] == byte)
            .count();
        total += trie_nodes(&keys[start..start + len], depth + 1);
        start += len;
    }
    total
}

#[cfg(test)]
mod tests;
