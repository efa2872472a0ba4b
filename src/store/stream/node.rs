//! One node of a stream: the entries Redis would keep in one listpack under one radix
//! tree key (its master ID), with the master entry's field names, and the exact number
//! of bytes that listpack would take, so nodes fill and split where Redis's do
//! (`stream-node-max-bytes`, `stream-node-max-entries`) and approximate trimming (`~`)
//! removes the same whole nodes.
//!
//! Like a listpack, a node is one buffer: IDs delta-encoded against the master ID,
//! field names left out when they equal the master entry's, varint lengths, and
//! strings that are canonical integers stored as integers (a sensor reading `123456`
//! takes 3 bytes instead of 7: memory per entry is a product goal, issue #16). Deleted
//! entries stay in their node, flagged, until the whole node goes, as in Redis.

use crate::store::listpack::Entry;
use crate::store::stream::id::StreamId;
use crate::util::numbers::parse_i64;

/// Strings that are canonical integers of a smaller magnitude are stored as integers.
const MAX_INT_STRING: i64 = 1 << 62;

/// Entry flag: deleted.
const FLAG_DELETED: u8 = 1;
/// Entry flag: same field names as the master entry (only values are stored).
const FLAG_SAME_FIELDS: u8 = 2;

/// One entry as read from a node: its ID, whether it is deleted, and its strings.
#[derive(Debug, Clone, Copy)]
pub struct NodeEntry<'a> {
    /// Its ID.
    pub id: StreamId,
    /// Flagged deleted (XDEL, exact trimming inside a node).
    pub deleted: bool,
    /// Field/value pairs.
    pairs: usize,
    /// The master fields, when the entry shares them.
    master: Option<&'a [Box<[u8]>]>,
    /// The encoded strings: values only when sharing master fields, else pairs.
    body: &'a [u8],
}

impl<'a> NodeEntry<'a> {
    /// The field/value strings in order (field, value, field, value...); a string that
    /// is the canonical text of an integer under 2^62 in magnitude comes back as
    /// `Entry::Int`, any other as `Entry::Bytes` (read both through `as_bytes`).
    pub fn strings(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let mut rest = self.body;
        let master = self.master;
        let total = self.pairs * 2;
        let mut index = 0usize;
        std::iter::from_fn(move || {
            if index >= total {
                return None;
            }
            let i = index;
            index += 1;
            match master {
                Some(fields) if i.is_multiple_of(2) => fields.get(i / 2).map(|f| as_entry(f)),
                _ => read_str(&mut rest),
            }
        })
    }

    /// The number of field/value pairs.
    pub fn pair_count(&self) -> usize {
        self.pairs
    }

    /// True when the entry has exactly its node's master field names, which Redis's
    /// listpack then leaves out (the `SAMEFIELDS` flag).
    pub fn shares_master_fields(&self) -> bool {
        self.master.is_some()
    }
}

/// A node: the master fields, the encoded entries in append order, and counters.
///
/// Each entry is `[flags][varint ms - master ms][varint seq]` then, when it shares the
/// master's field names, `[string]` per value; otherwise `[varint count]` and
/// `[string][string]` per pair. A string is `[varint len << 1][bytes]`, or
/// `[varint zigzag(n) << 1 | 1]` for the canonical text of an integer `n` with
/// `|n| < 2^62`.
#[derive(Debug, Clone)]
pub struct Node {
    /// The field names of the node's first entry (Redis's master entry).
    master_fields: Box<[Box<[u8]>]>,
    /// The node's master ID (its first entry's).
    master: StreamId,
    /// The last entry's ID, deleted or not.
    last: StreamId,
    /// Encoded entries.
    data: Vec<u8>,
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
    /// A node with master ID `master` whose master entry takes the fields of `pairs`,
    /// with room for about `capacity` bytes of entries (the previous node's size, so a
    /// filling node does not reallocate, and fragment, at every doubling).
    pub fn new(master: StreamId, pairs: &[&[u8]], capacity: usize) -> Node {
        let master_fields: Box<[Box<[u8]>]> =
            pairs.iter().step_by(2).map(|f| (*f).into()).collect();
        let master_field_bytes = master_fields.iter().map(|f| str_size(f)).sum();
        Node {
            master_fields,
            master,
            last: master,
            data: Vec::with_capacity(capacity + capacity / 16),
            live: 0,
            deleted: 0,
            entry_bytes: 0,
            master_field_bytes,
        }
    }

    /// An empty node with master ID `master` and the given master field names (a
    /// loader rebuilding a node a file recorded; entries follow with [`Node::append`]).
    pub fn with_master_fields(master: StreamId, fields: Vec<Box<[u8]>>) -> Node {
        let master_field_bytes = fields.iter().map(|f| str_size(f)).sum();
        Node {
            master_fields: fields.into_boxed_slice(),
            master,
            last: master,
            data: Vec::new(),
            live: 0,
            deleted: 0,
            entry_bytes: 0,
            master_field_bytes,
        }
    }

    /// The master ID (the radix tree key Redis files the node under).
    pub fn master(&self) -> StreamId {
        self.master
    }

    /// The master entry's field names.
    pub fn master_fields(&self) -> &[Box<[u8]>] {
        &self.master_fields
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

    /// True if `pairs` has exactly the master entry's field names.
    fn same_fields(&self, pairs: &[&[u8]]) -> bool {
        pairs.len() / 2 == self.master_fields.len()
            && pairs
                .iter()
                .step_by(2)
                .zip(self.master_fields.iter())
                .all(|(a, b)| *a == &b[..])
    }

    /// Appends an entry with ID `id` (greater than every live ID in the node); returns
    /// its offset (for [`Node::mark_deleted`]).
    pub fn append(&mut self, id: StreamId, pairs: &[&[u8]]) -> usize {
        let at = self.data.len();
        let same = self.same_fields(pairs);
        self.entry_bytes += lp_entry_size(self.master, id, pairs, same);
        self.data.push(if same { FLAG_SAME_FIELDS } else { 0 });
        write_varint(&mut self.data, id.ms.wrapping_sub(self.master.ms));
        write_varint(&mut self.data, id.seq);
        if same {
            for value in pairs.iter().skip(1).step_by(2) {
                write_str(&mut self.data, value);
            }
        } else {
            write_varint(&mut self.data, (pairs.len() / 2) as u64);
            for s in pairs {
                write_str(&mut self.data, s);
            }
        }
        self.live += 1;
        self.last = id;
        at
    }

    /// Bytes of encoded entries.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Every entry, deleted ones included, in append order, with its offset.
    pub fn iter(&self) -> impl Iterator<Item = (usize, NodeEntry<'_>)> {
        let mut pos = 0;
        std::iter::from_fn(move || {
            let (entry, next) = self.decode(pos)?;
            let at = pos;
            pos = next;
            Some((at, entry))
        })
    }

    /// Decodes the entry at `pos`; returns it and the next entry's offset.
    fn decode(&self, pos: usize) -> Option<(NodeEntry<'_>, usize)> {
        let flags = *self.data.get(pos)?;
        let mut rest = &self.data[pos + 1..];
        let ms = self.master.ms.wrapping_add(read_varint(&mut rest)?);
        let seq = read_varint(&mut rest)?;
        let same = flags & FLAG_SAME_FIELDS != 0;
        let pairs = if same {
            self.master_fields.len()
        } else {
            read_varint(&mut rest)? as usize
        };
        let body = rest;
        for _ in 0..if same { pairs } else { pairs * 2 } {
            read_str(&mut rest)?;
        }
        let used = body.len() - rest.len();
        let entry = NodeEntry {
            id: StreamId::new(ms, seq),
            deleted: flags & FLAG_DELETED != 0,
            pairs,
            master: same.then_some(&self.master_fields[..]),
            body: &body[..used],
        };
        Some((entry, self.data.len() - rest.len()))
    }

    /// Flags the entry at offset `pos` deleted; returns false if it already was.
    pub fn mark_deleted(&mut self, pos: usize) -> bool {
        match self.data.get_mut(pos) {
            Some(flags) if *flags & FLAG_DELETED == 0 => {
                *flags |= FLAG_DELETED;
                self.live -= 1;
                self.deleted += 1;
                true
            }
            _ => false,
        }
    }

    /// The offset of the live entry `id`, if present (a scan: a node holds at most
    /// `stream-node-max-entries` entries; deleted ones may be out of order after XSETID).
    pub fn find(&self, id: StreamId) -> Option<usize> {
        self.iter()
            .find(|(_, e)| !e.deleted && e.id == id)
            .map(|(pos, _)| pos)
    }

    /// The last entry's ID, deleted or not (Redis's `lpGetEdgeStreamID`).
    pub fn last_id(&self) -> Option<StreamId> {
        (self.live + self.deleted > 0).then_some(self.last)
    }

    /// Releases the spare room of a node that will take no more entries (the tail
    /// when a new node starts), so a full node holds its bytes only, as Redis's
    /// exact-size listpacks do.
    pub fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.master_fields
            .iter()
            .map(|f| f.len() + 16)
            .sum::<usize>()
            + self.data.capacity()
    }
}

/// The bytes the entry takes in Redis's listpack.
fn lp_entry_size(master: StreamId, id: StreamId, pairs: &[&[u8]], same: bool) -> usize {
    let mut size = int_size(0)
        + int_size(id.ms.wrapping_sub(master.ms) as i64)
        + int_size(id.seq.wrapping_sub(master.seq) as i64);
    let fields = (pairs.len() / 2) as i64;
    let mut lp_count = fields + 3;
    if same {
        size += pairs
            .iter()
            .skip(1)
            .step_by(2)
            .map(|v| str_size(v))
            .sum::<usize>();
    } else {
        size += int_size(fields) + pairs.iter().map(|s| str_size(s)).sum::<usize>();
        lp_count += fields + 1;
    }
    size + int_size(lp_count)
}

/// Appends `n` as a little-endian base-128 varint.
fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint from the front of `input`.
fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first()?;
        *input = rest;
        n |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// The integer a string is stored as, if any.
fn string_int(s: &[u8]) -> Option<i64> {
    parse_i64(s).filter(|n| (-MAX_INT_STRING..MAX_INT_STRING).contains(n))
}

/// A master field name as an entry: `Int` exactly when a string read from the body
/// would be.
fn as_entry(field: &[u8]) -> Entry<'_> {
    string_int(field).map_or(Entry::Bytes(field), Entry::Int)
}

/// Appends a string: an integer, or a length and the bytes.
fn write_str(out: &mut Vec<u8>, s: &[u8]) {
    match string_int(s) {
        Some(n) => write_varint(out, (((n << 1) ^ (n >> 63)) as u64) << 1 | 1),
        None => {
            write_varint(out, (s.len() as u64) << 1);
            out.extend_from_slice(s);
        }
    }
}

/// Reads a string written by [`write_str`] from the front of `input`.
fn read_str<'a>(input: &mut &'a [u8]) -> Option<Entry<'a>> {
    let head = read_varint(input)?;
    if head & 1 == 1 {
        let zz = head >> 1;
        return Some(Entry::Int(((zz >> 1) as i64) ^ -((zz & 1) as i64)));
    }
    let len = (head >> 1) as usize;
    if len > input.len() {
        return None;
    }
    let (s, rest) = input.split_at(len);
    *input = rest;
    Some(Entry::Bytes(s))
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
        let m = StreamId::new(5, 0);
        let mut node = Node::new(m, &[b"a", b"1"], 0);
        node.append(m, &[b"a", b"1"]);
        node.append(StreamId::new(6, 0), &[b"b", b"2", b"c", b""]);
        let entries: Vec<_> = node.iter().map(|(_, e)| e).collect();
        let strings: Vec<Vec<u8>> = entries[1].strings().map(|s| s.to_vec()).collect();
        assert_eq!(strings, [&b"b"[..], b"2", b"c", b""]);
        let kinds: Vec<Entry<'_>> = entries[1].strings().collect();
        assert_eq!(kinds[1], Entry::Int(2));
        assert_eq!(entries[1].pair_count(), 2);
        let first: Vec<Vec<u8>> = entries[0].strings().map(|s| s.to_vec()).collect();
        assert_eq!(first, [&b"a"[..], b"1"]);
        assert_eq!(entries[1].id, StreamId::new(6, 0));
        // header 7, master 2+2+2+3+2, entry one 2+2+2+2+2, entry two 2+2+2+2+3+2+3+2+2.
        assert_eq!(node.lp_bytes(), 7 + 11 + 10 + 20);
    }
}
