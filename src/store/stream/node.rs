//! One node of a stream: the entries Redis would keep in one listpack under one radix
//! tree key (its master ID), with the master entry's field names, and the exact number
//! of bytes that listpack would take, so nodes fill and split where Redis's do
//! (`stream-node-max-bytes`, `stream-node-max-entries`) and approximate trimming (`~`)
//! removes the same whole nodes.
//!
//! Entries are held one allocation each: field/value strings with 32-bit length
//! prefixes. Deleted entries stay in their node, flagged, until the whole node goes,
//! as in Redis.

use crate::store::stream::id::StreamId;
use crate::util::numbers::parse_i64;

/// One entry of a node.
#[derive(Debug, Clone)]
pub struct NodeEntry {
    /// Its ID.
    pub id: StreamId,
    /// Flagged deleted (XDEL, exact trimming inside a node).
    pub deleted: bool,
    /// Field/value strings, each as a little-endian `u32` length then the bytes.
    data: Box<[u8]>,
}

impl NodeEntry {
    /// The field/value strings in order (field, value, field, value...).
    pub fn strings(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest: &[u8] = &self.data;
        std::iter::from_fn(move || {
            if rest.len() < 4 {
                return None;
            }
            let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            let (item, tail) = rest[4..].split_at(len.min(rest.len() - 4));
            rest = tail;
            Some(item)
        })
    }

    /// The number of field/value pairs.
    pub fn pair_count(&self) -> usize {
        self.strings().count() / 2
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.data.len()
    }
}

/// A node: the master fields, the entries in ID order, and their counters.
#[derive(Debug, Clone)]
pub struct Node {
    /// The field names of the node's first entry (Redis's master entry).
    master_fields: Vec<Box<[u8]>>,
    /// Entries, deleted ones included, in ID order.
    pub entries: Vec<NodeEntry>,
    /// Entries not deleted.
    pub live: u64,
    /// Entries flagged deleted.
    pub deleted: u64,
    /// Listpack bytes of the entries (the master entry and header excluded).
    entry_bytes: usize,
    /// Listpack bytes of the master entry's field names.
    master_field_bytes: usize,
}

/// Listpack header (total bytes and element count) plus its end marker.
const LP_OVERHEAD: usize = 7;

impl Node {
    /// A node whose master entry takes `fields` (every other string of `pairs`).
    pub fn new(pairs: &[&[u8]]) -> Node {
        let master_fields: Vec<Box<[u8]>> = pairs.iter().step_by(2).map(|f| (*f).into()).collect();
        let master_field_bytes = master_fields.iter().map(|f| str_size(f)).sum();
        Node {
            master_fields,
            entries: Vec::new(),
            live: 0,
            deleted: 0,
            entry_bytes: 0,
            master_field_bytes,
        }
    }

    /// The bytes Redis's listpack for this node would take (`lpBytes`).
    pub fn lp_bytes(&self) -> usize {
        LP_OVERHEAD
            + int_size(self.live as i64)
            + int_size(self.deleted as i64)
            + int_size(self.master_fields.len() as i64)
            + self.master_field_bytes
            + int_size(0)
            + self.entry_bytes
    }

    /// Appends an entry with ID `id` (greater than every ID in the node); `master` is
    /// the node's master ID.
    pub fn append(&mut self, master: StreamId, id: StreamId, pairs: &[&[u8]]) {
        let same = pairs.len() / 2 == self.master_fields.len()
            && pairs
                .iter()
                .step_by(2)
                .zip(&self.master_fields)
                .all(|(a, b)| *a == &b[..]);
        let mut size = int_size(0)
            + int_size(id.ms.wrapping_sub(master.ms) as i64)
            + int_size(id.seq.wrapping_sub(master.seq) as i64);
        let fields = (pairs.len() / 2) as i64;
        let mut lp_count = fields + 3;
        if same {
            size += pairs.iter().skip(1).step_by(2).map(|v| str_size(v)).sum::<usize>();
        } else {
            size += int_size(fields) + pairs.iter().map(|s| str_size(s)).sum::<usize>();
            lp_count += fields + 1;
        }
        size += int_size(lp_count);
        self.entry_bytes += size;
        self.entries.push(NodeEntry {
            id,
            deleted: false,
            data: encode(pairs),
        });
        self.live += 1;
    }

    /// Flags the entry at `index` deleted; returns false if it already was.
    pub fn mark_deleted(&mut self, index: usize) -> bool {
        let entry = &mut self.entries[index];
        if entry.deleted {
            return false;
        }
        entry.deleted = true;
        self.live -= 1;
        self.deleted += 1;
        true
    }

    /// The position of the live entry `id`, if present. Live entries are in ID order,
    /// but deleted ones may not be (XSETID can lower the last ID below them), so this
    /// is a scan once a node has deleted entries; a node holds at most `stream-node-max-entries` entries.
    pub fn find(&self, id: StreamId) -> Option<usize> {
        if self.deleted == 0 {
            return self.entries.binary_search_by(|e| e.id.cmp(&id)).ok();
        }
        self.entries.iter().position(|e| !e.deleted && e.id == id)
    }

    /// The last entry's ID, deleted or not (Redis's `lpGetEdgeStreamID`).
    pub fn last_id(&self) -> Option<StreamId> {
        self.entries.last().map(|e| e.id)
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.master_fields.iter().map(|f| f.len() + 16).sum::<usize>()
            + self.entries.capacity() * std::mem::size_of::<NodeEntry>()
            + self.entries.iter().map(NodeEntry::heap_size).sum::<usize>()
    }
}

/// One allocation holding `strings` with length prefixes.
fn encode(strings: &[&[u8]]) -> Box<[u8]> {
    let total = strings.iter().map(|s| s.len() + 4).sum();
    let mut data = Vec::with_capacity(total);
    for s in strings {
        data.extend_from_slice(&(s.len() as u32).to_le_bytes());
        data.extend_from_slice(s);
    }
    data.into_boxed_slice()
}

/// Bytes of a listpack integer element (encoding plus its one-byte back length).
pub fn int_size(v: i64) -> usize {
    let encoding = if (0..=127).contains(&v) {
        1
    } else if (-4096..=4095).contains(&v) {
        2
    } else if i16::try_from(v).is_ok() {
        3
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        4
    } else if i32::try_from(v).is_ok() {
        5
    } else {
        9
    };
    encoding + 1
}

/// Bytes of a listpack element holding `s` (stored as an integer when it reads as one).
pub fn str_size(s: &[u8]) -> usize {
    if !s.is_empty() && s.len() <= 20 {
        if let Some(v) = parse_i64(s) {
            return int_size(v);
        }
    }
    let len = s.len();
    let encoding = if len <= 63 {
        1 + len
    } else if len <= 4095 {
        2 + len
    } else {
        5 + len
    };
    encoding + backlen_size(encoding)
}

/// Bytes of a listpack back length for an element of `len` bytes.
fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_listpack_encodings() {
        assert_eq!(int_size(0), 2);
        assert_eq!(int_size(127), 2);
        assert_eq!(int_size(128), 3);
        assert_eq!(int_size(-4096), 3);
        assert_eq!(int_size(40000), 5);
        assert_eq!(int_size(i64::MAX), 10);
        assert_eq!(str_size(b"abc"), 5);
        assert_eq!(str_size(b"12"), 2);
        assert_eq!(str_size(b"012"), 5);
        assert_eq!(str_size(&[b'x'; 100]), 103);
    }

    #[test]
    fn entries_round_trip() {
        let mut node = Node::new(&[b"a", b"1"]);
        let m = StreamId::new(5, 0);
        node.append(m, m, &[b"a", b"1"]);
        node.append(m, StreamId::new(6, 0), &[b"b", b"2", b"c", b""]);
        let strings: Vec<&[u8]> = node.entries[1].strings().collect();
        assert_eq!(strings, vec![&b"b"[..], b"2", b"c", b""]);
        assert_eq!(node.entries[1].pair_count(), 2);
        // header 7, master 2+2+2+3+2, entry one 2+2+2+2+2, entry two 2+2+2+2+3+2+3+2+2.
        assert_eq!(node.lp_bytes(), 7 + 11 + 10 + 20);
    }
}
