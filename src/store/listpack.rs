//! `Listpack`: a sequence of byte strings packed into one contiguous `Vec<u8>`.
//!
//! This is the compact encoding behind small hashes, sets and sorted sets and behind every
//! node of a [`QuickList`](super::quicklist::QuickList) (docs/ARCHITECTURE.md, "Encodings"). One
//! allocation holds all the entries, so a small collection costs a few bytes per element
//! instead of a heap object (and its allocator overhead) per element.
//!
//! # Entry layout
//!
//! Entries follow one another with no header before the first and no terminator after the
//! last (the element count lives in the struct). Each entry is
//!
//! ```text
//! [header: tagged varint][payload][back length: reverse varint]
//! ```
//!
//! * The **header** is a little-endian base-128 varint whose first byte spends bit 0 on a
//!   tag and bits 1..=6 on the low six bits of the value (bit 7 is "more bytes follow";
//!   every later byte carries seven bits). Tag 0 = a byte string whose length is the value,
//!   followed by that many payload bytes. Tag 1 = an integer stored zig-zag encoded in the
//!   value itself, with no payload.
//! * The **back length** is the size of header + payload, written so it can be read from
//!   its last byte leftwards: the last byte holds the low seven bits, and bit 7 set on a
//!   byte means "more bytes to the left". It lets [`Listpack::prev`] and reverse iteration
//!   step back one entry without scanning from the start.
//!
//! So a string of under 64 bytes costs 2 bytes of overhead, one of under 8 KB costs 3 to
//! 4, and integers in -32..=31 take 2 bytes in all (4096 in either direction: 3 bytes).
//!
//! # Integers
//!
//! A value whose bytes are the canonical decimal form of an `i64` (exactly what Redis's
//! `string2ll` accepts: optional `-`, no leading zeros, no `+`, not `-0`) is always stored
//! as a tagged integer, never as bytes. Hence reads return an [`Entry`]: `Entry::Int(n)`
//! stands for the bytes of `n` in decimal, which are exactly the bytes that were stored,
//! and a `Entry::Bytes` is never a canonical integer. That makes the encoding of a
//! sequence unique (derived equality is sequence equality) and lets searches compare an
//! integer needle with integer entries only ([`Needle`]).
//!
//! # Positions
//!
//! A [`Pos`] is the byte offset where an entry starts. It stays valid until the listpack
//! is modified, except where a method says otherwise ([`Listpack::replace`] keeps it,
//! [`Listpack::remove`] returns the position of the next entry, inserts return the
//! position of the new entry). Passing a position from another listpack, or a stale one,
//! is a logic error: it may panic or read a wrong entry.
//!
//! # Memory
//!
//! The buffer grows by at most an eighth of its size at a time (like Redis, which reallocs
//! its listpacks to the exact size on every insert, but with fewer copies), so spare
//! capacity stays under ~12%; [`Listpack::shrink_to_fit`] drops it entirely.

use crate::util::numbers::{i64_to_bytes, parse_i64, MAX_I64_CHARS};

mod buffer;

use buffer::GapBuf;

/// Tag of an entry holding a byte string.
const TAG_BYTES: u8 = 0;
/// Tag of an entry holding a zig-zag encoded integer.
const TAG_INT: u8 = 1;
/// Most bytes a varint of a `u64` takes (header or back length).
const MAX_VARINT: usize = 10;

/// The position of an entry: the byte offset where it starts. Opaque; obtain it from
/// [`Listpack::first`], [`Listpack::index`], [`Listpack::find`] and friends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos(usize);

/// One entry read from a listpack: either raw bytes or an integer standing for its
/// canonical decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A byte string that is not the canonical decimal form of an `i64`.
    Bytes(&'a [u8]),
    /// An integer; its bytes are its decimal form (Redis's `ll2string`).
    Int(i64),
}

impl<'a> Entry<'a> {
    /// The entry's bytes as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.append_to(&mut out);
        out
    }

    /// Appends the entry's bytes to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; MAX_I64_CHARS];
        out.extend_from_slice(self.as_bytes(&mut buf));
    }

    /// The entry's bytes, formatting an integer into `buf` (no allocation).
    pub fn as_bytes<'b>(&'b self, buf: &'b mut [u8; MAX_I64_CHARS]) -> &'b [u8] {
        match self {
            Entry::Bytes(bytes) => bytes,
            Entry::Int(n) => i64_to_bytes(*n, buf),
        }
    }

    /// Whether the entry's bytes equal `other`.
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        match self {
            Entry::Bytes(bytes) => *bytes == other,
            Entry::Int(n) => parse_i64(other) == Some(*n),
        }
    }

    /// The integer, for `Int` entries. `Bytes` entries give `None`: they are never the
    /// strict (`string2ll`) form of an integer, since those are always stored as `Int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Entry::Bytes(_) => None,
            Entry::Int(n) => Some(*n),
        }
    }

    /// The length of the entry's bytes.
    pub fn byte_len(&self) -> usize {
        let mut buf = [0u8; MAX_I64_CHARS];
        self.as_bytes(&mut buf).len()
    }
}

/// A value prepared for repeated comparison with entries: parsed once, then compared as
/// an integer with `Int` entries or as bytes with `Bytes` entries.
#[derive(Debug, Clone, Copy)]
pub struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    /// Prepares `bytes` for searching.
    pub fn new(bytes: &'a [u8]) -> Self {
        Needle {
            bytes,
            int: parse_i64(bytes),
        }
    }

    /// The bytes searched for.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether `entry` holds exactly the needle's bytes.
    pub fn matches(&self, entry: &Entry<'_>) -> bool {
        match (entry, self.int) {
            (Entry::Int(n), Some(m)) => *n == m,
            (Entry::Bytes(b), None) => *b == self.bytes,
            _ => false,
        }
    }
}

/// A value encoded as an entry, ready to be written: header and back length on the stack,
/// the payload borrowed.
struct Encoded<'v> {
    head: [u8; MAX_VARINT],
    head_len: usize,
    payload: &'v [u8],
    back: [u8; MAX_VARINT],
    back_len: usize,
}

impl<'v> Encoded<'v> {
    /// Encodes `value`, as an integer when it is a canonical `i64`.
    #[inline]
    fn new(value: &'v [u8]) -> Self {
        if value.len() < 64 && !matches!(value.first(), Some(b'0'..=b'9' | b'-')) {
            // A short string that cannot be an integer: one byte each for the header
            // and the back length (header and payload together are under 128 bytes).
            let mut enc = Encoded {
                head: [0; MAX_VARINT],
                head_len: 1,
                payload: value,
                back: [0; MAX_VARINT],
                back_len: 1,
            };
            enc.head[0] = (value.len() as u8) << 1 | TAG_BYTES;
            enc.back[0] = value.len() as u8 + 1;
            return enc;
        }
        let mut enc = Encoded {
            head: [0; MAX_VARINT],
            head_len: 0,
            payload: &[],
            back: [0; MAX_VARINT],
            back_len: 0,
        };
        match parse_i64(value) {
            Some(n) => enc.head_len = write_header(TAG_INT, zigzag(n), &mut enc.head),
            None => {
                enc.head_len = write_header(TAG_BYTES, value.len() as u64, &mut enc.head);
                enc.payload = value;
            }
        }
        enc.back_len = write_backlen(enc.head_len + enc.payload.len(), &mut enc.back);
        enc
    }

    /// Total bytes of the entry.
    fn len(&self) -> usize {
        self.head_len + self.payload.len() + self.back_len
    }

    /// Writes the entry into `dst`, which is exactly `self.len()` bytes.
    #[inline]
    fn write(&self, dst: &mut [u8]) {
        if let (1, 1, [first, middle @ .., last]) = (self.head_len, self.back_len, &mut *dst) {
            // A string under 64 bytes or a small integer: one header byte and one
            // back-length byte.
            *first = self.head[0];
            middle.copy_from_slice(self.payload);
            *last = self.back[0];
            return;
        }
        let (head, rest) = dst.split_at_mut(self.head_len);
        head.copy_from_slice(&self.head[..self.head_len]);
        let (payload, back) = rest.split_at_mut(self.payload.len());
        payload.copy_from_slice(self.payload);
        back.copy_from_slice(&self.back[..self.back_len]);
    }
}

/// Zig-zag maps small magnitudes of either sign to small unsigned numbers.
fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// Inverse of [`zigzag`].
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Bytes a varint of `value` takes when its first byte carries `first_bits` bits of it
/// and every later byte seven.
fn varint_len(value: u64, first_bits: u32) -> usize {
    let mut n = 1;
    let mut rest = value >> first_bits;
    while rest != 0 {
        n += 1;
        rest >>= 7;
    }
    n
}

/// Bytes the tagged header varint of `value` takes: six bits in the first byte.
fn header_len(value: u64) -> usize {
    varint_len(value, 6)
}

/// Writes a tagged header varint into `out`, returning its length.
fn write_header(tag: u8, value: u64, out: &mut [u8; MAX_VARINT]) -> usize {
    let mut rest = value >> 6;
    out[0] = (((value & 0x3f) as u8) << 1) | tag | if rest != 0 { 0x80 } else { 0 };
    let mut n = 1;
    while rest != 0 {
        let group = (rest & 0x7f) as u8;
        rest >>= 7;
        out[n] = group | if rest != 0 { 0x80 } else { 0 };
        n += 1;
    }
    n
}

/// Reads the header at `at`: (tag, value, header length).
fn read_header(buf: &[u8], at: usize) -> (u8, u64, usize) {
    let first = buf[at];
    let mut value = u64::from((first >> 1) & 0x3f);
    let mut byte = first;
    let mut n = 1;
    let mut shift = 6;
    while byte & 0x80 != 0 && n < MAX_VARINT {
        byte = buf[at + n];
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        n += 1;
    }
    (first & 1, value, n)
}

/// Bytes a back length of `value` takes: seven bits in every byte.
fn backlen_len(value: usize) -> usize {
    varint_len(value as u64, 7)
}

/// Writes a back length (readable right to left) into `out`, returning its length.
fn write_backlen(value: usize, out: &mut [u8; MAX_VARINT]) -> usize {
    let n = backlen_len(value);
    for i in 0..n {
        let group = ((value >> (7 * i)) & 0x7f) as u8;
        out[n - 1 - i] = group | if i + 1 < n { 0x80 } else { 0 };
    }
    n
}

/// Reads the back length that ends just before `end`: (value, its length in bytes).
fn read_backlen(buf: &[u8], end: usize) -> (usize, usize) {
    let mut value = 0usize;
    let mut i = end;
    let mut shift = 0;
    loop {
        i -= 1;
        let byte = buf[i];
        value |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 || end - i >= MAX_VARINT {
            break;
        }
    }
    (value, end - i)
}

/// Decodes the entry starting at `at`: the entry and its total size in bytes.
fn decode(buf: &[u8], at: usize) -> (Entry<'_>, usize) {
    let (tag, value, head) = read_header(buf, at);
    if tag == TAG_INT {
        return (Entry::Int(unzigzag(value)), head + backlen_len(head));
    }
    let len = value as usize;
    let body = head + len;
    (
        Entry::Bytes(&buf[at + head..at + body]),
        body + backlen_len(body),
    )
}

/// Total size of the entry starting at `at`, without looking at its payload.
fn size_at(buf: &[u8], at: usize) -> usize {
    let (tag, value, head) = read_header(buf, at);
    let body = if tag == TAG_INT {
        head
    } else {
        head + value as usize
    };
    body + backlen_len(body)
}

/// Start of the entry that ends just before `end`.
fn start_before(buf: &[u8], end: usize) -> usize {
    let (body, back) = read_backlen(buf, end);
    end - back - body
}

/// Byte strings packed contiguously; see the module docs for the layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listpack {
    /// The entries, possibly after a front gap ([`buffer`]).
    buf: GapBuf,
    count: usize,
}

impl Listpack {
    /// An empty listpack (no allocation).
    pub fn new() -> Self {
        Listpack::default()
    }

    /// An empty listpack with room for `bytes` bytes of entries (a loader that knows
    /// about how large the listpack will be).
    pub fn with_capacity(bytes: usize) -> Self {
        Listpack {
            buf: GapBuf::with_capacity(bytes),
            count: 0,
        }
    }

    /// Bytes `value` would take as an entry (overhead included), measured without
    /// encoding it.
    pub fn encoded_len(value: &[u8]) -> usize {
        match parse_i64(value) {
            Some(n) => {
                let head = header_len(zigzag(n));
                head + backlen_len(head)
            }
            None => {
                let head = header_len(value.len() as u64);
                head + value.len() + backlen_len(head + value.len())
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes used by the encoded entries (what node size limits are checked against).
    pub fn data_len(&self) -> usize {
        self.buf.len()
    }

    /// Memory held: the struct plus the buffer's whole capacity.
    pub fn byte_size(&self) -> usize {
        std::mem::size_of::<Self>() + self.buf.allocated()
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    /// The encoded entries, byte for byte, for a list node to compress.
    pub fn entry_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The listpack whose `count` entries are encoded in `bytes`, as
    /// [`entry_bytes`](Self::entry_bytes) gave them. The bytes are trusted: they are a
    /// compressed list node's own, never input from outside.
    pub fn from_entry_bytes(bytes: Vec<u8>, count: usize) -> Listpack {
        Listpack {
            buf: GapBuf::from(bytes),
            count,
        }
    }

    /// Removes every entry and frees the buffer.
    pub fn clear(&mut self) {
        self.buf = GapBuf::default();
        self.count = 0;
    }

    /// Position of the first entry.
    pub fn first(&self) -> Option<Pos> {
        (!self.buf.is_empty()).then_some(Pos(0))
    }

    /// Position of the last entry.
    pub fn last(&self) -> Option<Pos> {
        (!self.buf.is_empty()).then(|| Pos(start_before(&self.buf, self.buf.len())))
    }

    /// Position of the entry after `pos`.
    #[inline]
    pub fn next(&self, pos: Pos) -> Option<Pos> {
        let end = pos.0 + size_at(&self.buf, pos.0);
        (end < self.buf.len()).then_some(Pos(end))
    }

    /// Position of the entry before `pos`.
    pub fn prev(&self, pos: Pos) -> Option<Pos> {
        (pos.0 > 0).then(|| Pos(start_before(&self.buf, pos.0)))
    }

    /// The entry at `pos`.
    pub fn get(&self, pos: Pos) -> Entry<'_> {
        decode(&self.buf, pos.0).0
    }

    /// The entry at `pos` and the position of the one after it, reading its header
    /// once (what a forward walk needs at each step).
    #[inline]
    pub fn get_and_next(&self, pos: Pos) -> (Entry<'_>, Option<Pos>) {
        let (entry, size) = decode(&self.buf, pos.0);
        let end = pos.0 + size;
        (entry, (end < self.buf.len()).then_some(Pos(end)))
    }

    /// A double-ended iterator over the entries.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            front: 0,
            back: self.buf.len(),
            remaining: self.count,
        }
    }

    /// Position of entry `i`; negative `i` counts from the end (-1 = last).
    pub fn index(&self, i: isize) -> Option<Pos> {
        let i = if i < 0 {
            self.count.checked_sub(i.unsigned_abs())?
        } else {
            i as usize
        };
        (i < self.count).then(|| self.pos_of_index(i))
    }

    /// Position of entry `i` (< len), walking from the nearer end.
    fn pos_of_index(&self, i: usize) -> Pos {
        if i <= self.count / 2 {
            let mut at = 0;
            for _ in 0..i {
                at += size_at(&self.buf, at);
            }
            return Pos(at);
        }
        let mut at = self.buf.len();
        for _ in i..self.count {
            at = start_before(&self.buf, at);
        }
        Pos(at)
    }

    /// The first entry equal to `value` among entries 0, skip+1, 2(skip+1)...
    /// (`skip` = 1 searches the fields of field/value pairs).
    pub fn find(&self, value: &[u8], skip: usize) -> Option<Pos> {
        self.find_needle(&Needle::new(value), skip)
    }

    /// Like [`Listpack::find`] with a prepared needle.
    pub fn find_needle(&self, needle: &Needle<'_>, skip: usize) -> Option<Pos> {
        let mut at = 0;
        let mut to_skip = 0;
        while at < self.buf.len() {
            let (entry, size) = decode(&self.buf, at);
            if to_skip == 0 {
                if needle.matches(&entry) {
                    return Some(Pos(at));
                }
                to_skip = skip;
            } else {
                to_skip -= 1;
            }
            at += size;
        }
        None
    }

    /// Makes room for `extra` more bytes, growing by at least an eighth.
    fn reserve(&mut self, extra: usize) {
        self.buf.reserve_back(extra, self.buf.len() / 8);
    }

    /// Inserts `value` as an entry starting at byte offset `at`.
    fn insert_at(&mut self, at: usize, value: &[u8]) -> Pos {
        let enc = Encoded::new(value);
        let n = enc.len();
        if at == 0 {
            // At the front (LPUSH): into the gap, nothing moves.
            self.buf.open_front(n);
        } else {
            self.reserve(n);
            let old = self.buf.len();
            self.buf.resize(old + n);
            self.buf.copy_within(at..old, at + n);
        }
        enc.write(&mut self.buf[at..at + n]);
        self.count += 1;
        Pos(at)
    }

    /// Appends `value` as the last entry.
    pub fn push_back(&mut self, value: &[u8]) {
        self.insert_at(self.buf.len(), value);
    }

    /// Appends the integer `n` (the entry for its decimal text) without formatting it:
    /// loaders that read integers from files use it.
    pub fn push_int(&mut self, n: i64) {
        let mut head = [0u8; MAX_VARINT];
        let head_len = write_header(TAG_INT, zigzag(n), &mut head);
        let mut back = [0u8; MAX_VARINT];
        let back_len = write_backlen(head_len, &mut back);
        self.reserve(head_len + back_len);
        self.buf.extend_from_slice(&head[..head_len]);
        self.buf.extend_from_slice(&back[..back_len]);
        self.count += 1;
    }

    /// Prepends `value` as the first entry.
    pub fn push_front(&mut self, value: &[u8]) {
        self.insert_at(0, value);
    }

    /// Inserts `value` before the entry at `pos`; returns the new entry's position (the
    /// entry that was at `pos` is now at [`Listpack::next`] of it).
    pub fn insert_before(&mut self, pos: Pos, value: &[u8]) -> Pos {
        self.insert_at(pos.0, value)
    }

    /// Inserts `value` after the entry at `pos` (which stays valid); returns the new
    /// entry's position.
    pub fn insert_after(&mut self, pos: Pos, value: &[u8]) -> Pos {
        let at = pos.0 + size_at(&self.buf, pos.0);
        self.insert_at(at, value)
    }

    /// Replaces the entry at `pos` with `value`; `pos` stays valid.
    pub fn replace(&mut self, pos: Pos, value: &[u8]) {
        let at = pos.0;
        let old_size = size_at(&self.buf, at);
        let enc = Encoded::new(value);
        let n = enc.len();
        let old_len = self.buf.len();
        if n > old_size {
            self.reserve(n - old_size);
            self.buf.resize(old_len + n - old_size);
            self.buf.copy_within(at + old_size..old_len, at + n);
        } else if n < old_size {
            self.buf.copy_within(at + old_size..old_len, at + n);
            self.buf.truncate(old_len - (old_size - n));
        }
        enc.write(&mut self.buf[at..at + n]);
    }

    /// Removes the entry at `pos`; returns the position of the entry that followed it.
    pub fn remove(&mut self, pos: Pos) -> Option<Pos> {
        let size = size_at(&self.buf, pos.0);
        self.buf.remove(pos.0..pos.0 + size);
        self.count -= 1;
        (pos.0 < self.buf.len()).then_some(pos)
    }

    /// Removes up to `count` entries starting at index `first` (negative counts from the
    /// end); returns how many were removed.
    pub fn remove_range(&mut self, first: isize, count: usize) -> usize {
        let Some(start) = self.index(first) else {
            return 0;
        };
        let mut end = start.0;
        let mut removed = 0;
        while removed < count && end < self.buf.len() {
            end += size_at(&self.buf, end);
            removed += 1;
        }
        self.buf.remove(start.0..end);
        self.count -= removed;
        removed
    }

    /// Removes the entries for which `keep` returns false, in one pass; returns how many
    /// were removed.
    pub fn retain(&mut self, mut keep: impl FnMut(Entry<'_>) -> bool) -> usize {
        let (mut read, mut write, mut removed) = (0, 0, 0);
        let len = self.buf.len();
        while read < len {
            let (entry, size) = decode(&self.buf, read);
            if keep(entry) {
                if write != read {
                    self.buf.copy_within(read..read + size, write);
                }
                write += size;
            } else {
                removed += 1;
            }
            read += size;
        }
        self.buf.truncate(write);
        self.count -= removed;
        removed
    }

    /// Removes and returns the first entry.
    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let pos = self.first()?;
        let value = self.get(pos).to_vec();
        self.remove(pos);
        Some(value)
    }

    /// Removes and returns the last entry.
    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let pos = self.last()?;
        let value = self.get(pos).to_vec();
        self.remove(pos);
        Some(value)
    }

    /// Moves the entries from `pos` on into a new listpack (of exact capacity); `self`
    /// keeps the ones before and its spare capacity.
    pub fn split_off_at(&mut self, pos: Pos) -> Listpack {
        let tail = self.buf[pos.0..].to_vec();
        let mut moved = 0;
        let mut at = 0;
        while at < tail.len() {
            at += size_at(&tail, at);
            moved += 1;
        }
        self.buf.truncate(pos.0);
        self.count -= moved;
        Listpack {
            buf: GapBuf::from(tail),
            count: moved,
        }
    }

    /// Moves entries `index..` into a new listpack; `self` keeps `..index`.
    pub fn split_off(&mut self, index: usize) -> Listpack {
        match self.index(index.min(isize::MAX as usize) as isize) {
            Some(pos) => self.split_off_at(pos),
            None => Listpack::new(),
        }
    }

    /// Puts `head` before the bytes of every entry, re-encoding each one as the value
    /// it now holds (a list node giving up part of the prefix its entries share);
    /// returns where the entry that started at `track` now starts.
    pub fn prepend_to_each(&mut self, head: &[u8], track: Pos) -> Pos {
        let mut out = Listpack::with_capacity(self.buf.len() + self.count * head.len());
        let mut value = Vec::new();
        let (mut at, mut tracked) = (0, Pos(0));
        while at < self.buf.len() {
            let (entry, size) = decode(&self.buf, at);
            if at == track.0 {
                tracked = Pos(out.buf.len());
            }
            value.clear();
            value.extend_from_slice(head);
            entry.append_to(&mut value);
            out.push_back(&value);
            at += size;
        }
        *self = out;
        tracked
    }

    /// Appends all of `other`'s entries after `self`'s (a plain byte copy: entries are
    /// self-contained).
    pub fn append(&mut self, other: &Listpack) {
        self.reserve(other.buf.len());
        self.buf.extend_from_slice(&other.buf);
        self.count += other.count;
    }
}

/// A double-ended iterator over a listpack's entries.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    front: usize,
    back: usize,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let (entry, size) = decode(self.buf, self.front);
        self.front += size;
        self.remaining -= 1;
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<Entry<'a>> {
        if self.remaining == 0 {
            return None;
        }
        self.back = start_before(self.buf, self.back);
        self.remaining -= 1;
        Some(decode(self.buf, self.back).0)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Listpack {
    type Item = Entry<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests;
