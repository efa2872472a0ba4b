//! The small encoding of a sorted set (`listpack` to OBJECT ENCODING): member, score
//! pairs ordered by (score, member) in one buffer of exactly their size, as Redis keeps
//! a zset listpack.
//!
//! Memory per element is a product goal (issue #16), and a small sorted set is mostly
//! its pairs, so the pairs are packed tighter than the general
//! [`Listpack`](crate::store::listpack::Listpack) packs entries: no back lengths, and
//! scores as numbers rather than text. A pair is
//!
//! ```text
//! [member: varint header][member bytes, for a byte string][score: varint][raw score?]
//! ```
//!
//! * The **member header** is `len << 1` for a byte string of `len` bytes, or
//!   `zigzag(n) << 1 | 1` for a member whose text is the canonical decimal form of an
//!   integer `n` with `|n| < 2^62` (then no bytes follow), so every member has exactly
//!   one encoding and a search compares integers with integers, bytes with bytes.
//! * The **score** is `zigzag(m) << 4 | e` when the score is exactly `m / 10^e` for an
//!   `e` in `0..=14` and `|m| < 2^53` (`12345.5` is `123455 / 10^1`: 4 bytes instead of
//!   its 7 bytes of text and their header), else `15` followed by the double's 8
//!   little-endian bytes. A negative zero is stored as `0`, as Redis's listpack does.
//!
//! Varints are LEB128 (seven bits a byte, the high bit set on all but the last). Reverse
//! walks collect the offsets of the range first: a listpack holds at most
//! `zset-max-listpack-entries` pairs (128 by default), and every operation here is a
//! linear walk, which is what that limit is for. Every change reallocates the buffer to
//! its new exact size, as Redis reallocs its listpacks.

use std::borrow::Cow;

use crate::store::listpack::Entry;
use crate::util::numbers::{parse_i64, MAX_I64_CHARS};

/// Score varints whose low four bits are this are followed by the raw double.
const RAW_SCORE: u64 = 15;
/// Largest power of ten a packed score may be divided by.
const MAX_EXPONENT: usize = 14;
/// Powers of ten up to 10^14, all exact as doubles.
const POW10: [f64; MAX_EXPONENT + 1] = [
    1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
];
/// Mantissas are kept below 2^53 so that they and their quotient are exact doubles.
const MAX_MANTISSA: f64 = 9_007_199_254_740_992.0;
/// Integer members with a magnitude under this are packed as integers.
const MAX_INT_MEMBER: i64 = 1 << 62;

/// True when (s1, e1) sorts before (s2, e2).
fn before(s1: f64, e1: &[u8], s2: f64, e2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && e1 < e2)
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The varint at `at` and the offset after it. A buffer cut short reads as ending there
/// (only this module writes buffers, so that does not happen).
fn read_varint(buf: &[u8], mut at: usize) -> (u64, usize) {
    let (mut v, mut shift) = (0u64, 0);
    while let Some(&byte) = buf.get(at) {
        at += 1;
        v |= u64::from(byte & 0x7f).wrapping_shl(shift);
        if byte < 0x80 {
            break;
        }
        shift += 7;
    }
    (v, at)
}

/// The integer a member is packed as, if any.
fn member_int(member: &[u8]) -> Option<i64> {
    parse_i64(member).filter(|n| (-MAX_INT_MEMBER..MAX_INT_MEMBER).contains(n))
}

/// Appends a pair's bytes to `out`.
fn encode_pair(member: &[u8], score: f64, out: &mut Vec<u8>) {
    match member_int(member) {
        Some(n) => write_varint(out, zigzag(n) << 1 | 1),
        None => {
            write_varint(out, (member.len() as u64) << 1);
            out.extend_from_slice(member);
        }
    }
    match packed_score(score) {
        Some(v) => write_varint(out, v),
        None => {
            write_varint(out, RAW_SCORE);
            out.extend_from_slice(&score.to_le_bytes());
        }
    }
}

/// The score varint `zigzag(m) << 4 | e` for `m / 10^e == score`, if one exists.
fn packed_score(score: f64) -> Option<u64> {
    if score == 0.0 {
        return Some(0);
    }
    (0..=MAX_EXPONENT).find_map(|e| {
        let m = (score * POW10[e]).round();
        let exact = m.abs() < MAX_MANTISSA && m / POW10[e] == score;
        exact.then(|| zigzag(m as i64) << 4 | e as u64)
    })
}

/// The pair at `at`: its member, its score and the offset after it.
fn read_pair(buf: &[u8], at: usize) -> (Entry<'_>, f64, usize) {
    let (head, mut at) = read_varint(buf, at);
    let member = if head & 1 == 1 {
        Entry::Int(unzigzag(head >> 1))
    } else {
        let end = (at + (head >> 1) as usize).min(buf.len());
        let bytes = &buf[at..end];
        at = end;
        Entry::Bytes(bytes)
    };
    let (v, mut at) = read_varint(buf, at);
    let score = if v & 15 == RAW_SCORE {
        let mut raw = [0u8; 8];
        if let Some(bytes) = buf.get(at..at + 8) {
            raw.copy_from_slice(bytes);
        }
        at += 8;
        f64::from_le_bytes(raw)
    } else {
        unzigzag(v >> 4) as f64 / POW10[(v & 15) as usize]
    };
    (member, score, at)
}

/// A member prepared for repeated comparison with stored members.
struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Needle {
            bytes,
            int: member_int(bytes),
        }
    }

    fn matches(&self, entry: &Entry<'_>) -> bool {
        match (entry, self.int) {
            (Entry::Int(n), Some(k)) => *n == k,
            (Entry::Bytes(b), None) => *b == self.bytes,
            _ => false,
        }
    }
}

/// Iterator over the pairs: (offset of the pair, member, score).
struct Pairs<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (usize, Entry<'a>, f64);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.buf.len() {
            return None;
        }
        let start = self.at;
        let (member, score, end) = read_pair(self.buf, start);
        self.at = end;
        Some((start, member, score))
    }
}

/// A small sorted set.
#[derive(Debug, Clone, Default)]
pub struct ZListpack {
    /// The pairs, packed; exactly as long as they are.
    data: Box<[u8]>,
    /// Number of pairs.
    count: usize,
}

impl ZListpack {
    /// An empty set (no allocation).
    pub fn new() -> Self {
        ZListpack::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Heap bytes held by the buffer.
    pub fn heap_size(&self) -> usize {
        self.data.len()
    }

    fn pairs(&self) -> Pairs<'_> {
        Pairs {
            buf: &self.data,
            at: 0,
        }
    }

    /// Offset, end offset and score of `member`'s pair.
    fn find(&self, member: &[u8]) -> Option<(usize, usize, f64)> {
        let needle = Needle::new(member);
        let mut pairs = self.pairs();
        while let Some((start, m, score)) = pairs.next() {
            if needle.matches(&m) {
                return Some((start, pairs.at, score));
            }
        }
        None
    }

    /// Offset of the pair at `rank`, or the end of the buffer past the last.
    fn offset_of(&self, rank: usize) -> usize {
        self.pairs()
            .nth(rank)
            .map_or(self.data.len(), |(start, _, _)| start)
    }

    /// Replaces bytes `start..end` of the buffer with `insert`, leaving it exact-size.
    fn splice(&mut self, start: usize, end: usize, insert: &[u8]) {
        let mut buf = std::mem::take(&mut self.data).into_vec();
        buf.reserve_exact(insert.len().saturating_sub(end - start));
        buf.splice(start..end, insert.iter().copied());
        self.data = buf.into_boxed_slice();
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.find(member).map(|(_, _, score)| score)
    }

    /// Inserts a member known to be absent at its place in the order.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let mut buf = [0u8; MAX_I64_CHARS];
        let at = self
            .pairs()
            .find(|(_, m, s)| !before(*s, m.as_bytes(&mut buf), score, member))
            .map_or(self.data.len(), |(start, _, _)| start);
        let mut pair = Vec::with_capacity(member.len() + 20);
        encode_pair(member, score, &mut pair);
        self.splice(at, at, &pair);
        self.count += 1;
    }

    /// Appends a member that sorts after every present one (building from an ordered
    /// source).
    pub fn push_back(&mut self, member: &[u8], score: f64) {
        let mut buf = std::mem::take(&mut self.data).into_vec();
        buf.reserve_exact(member.len() + 20);
        encode_pair(member, score, &mut buf);
        self.data = buf.into_boxed_slice();
        self.count += 1;
    }

    /// Removes `member`, returning its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (start, end, score) = self.find(member)?;
        self.splice(start, end, &[]);
        self.count -= 1;
        Some(score)
    }

    /// Changes the score of a present member (remove and reinsert, as Redis does).
    pub fn update(&mut self, member: &[u8], score: f64) {
        if self.remove(member).is_some() {
            self.insert(member, score);
        }
    }

    /// 0-based rank of `member`.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let needle = Needle::new(member);
        self.pairs().position(|(_, m, _)| needle.matches(&m))
    }

    /// How many leading members satisfy `pred`.
    pub fn count_before(&self, pred: impl Fn(&[u8], f64) -> bool) -> usize {
        let mut buf = [0u8; MAX_I64_CHARS];
        self.pairs()
            .take_while(|(_, m, s)| pred(m.as_bytes(&mut buf), *s))
            .count()
    }

    /// The member at 0-based rank (an integer member is formatted, hence `Cow`).
    pub fn get(&self, rank: usize) -> Option<(Cow<'_, [u8]>, f64)> {
        let (_, member, score) = self.pairs().nth(rank)?;
        let member = match member {
            Entry::Bytes(b) => Cow::Borrowed(b),
            int => Cow::Owned(int.to_vec()),
        };
        Some((member, score))
    }

    /// Visits ranks `start..end` (clamped) ascending, or the same ranks descending when
    /// `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        let mut buf = [0u8; MAX_I64_CHARS];
        if !rev {
            for (_, m, s) in self.pairs().skip(start).take(end - start) {
                f(m.as_bytes(&mut buf), s);
            }
            return;
        }
        let offsets: Vec<usize> = (self.pairs().skip(start).take(end - start))
            .map(|(at, _, _)| at)
            .collect();
        for &at in offsets.iter().rev() {
            let (m, s, _) = read_pair(&self.data, at);
            f(m.as_bytes(&mut buf), s);
        }
    }

    /// Removes ranks `start..end` (already clamped and non-empty).
    pub fn remove_range(&mut self, start: usize, end: usize) {
        let (from, to) = (self.offset_of(start), self.offset_of(end));
        self.splice(from, to, &[]);
        self.count -= end - start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip_through_entries() {
        for score in [
            0.0,
            -0.0,
            1.0,
            -7.0,
            1.5,
            0.1,
            12345.5,
            -2.5e-7,
            1e16,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            9.223372036854775e18,
            -9.223_372_036_854_776e18,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut z = ZListpack::new();
            z.insert(b"m", score);
            let back = z.score(b"m").unwrap_or(f64::NAN);
            let want = if score == 0.0 { 0.0 } else { score };
            assert_eq!(back.to_bits(), want.to_bits(), "{score:e}");
        }
    }

    #[test]
    fn pairs_are_packed_tight() {
        let mut z = ZListpack::new();
        z.insert(b"member:123456", 123456.5);
        assert_eq!(z.heap_size(), 1 + 13 + 4);
        z.insert(b"42", 3.0);
        assert_eq!(z.heap_size(), 18 + 2 + 1);
        z.insert(b"-0", 1.0);
        assert_eq!(z.get(0).map(|(m, _)| m.into_owned()), Some(b"-0".to_vec()));
        assert_eq!(z.rank(b"42"), Some(1));
        assert_eq!(z.rank(b"042"), None);
        let big = i64::MIN.to_string();
        z.insert(big.as_bytes(), 1e6);
        assert_eq!(z.score(big.as_bytes()), Some(1e6));
    }

    #[test]
    fn integer_members_and_order() {
        let mut z = ZListpack::new();
        for (m, s) in [("10", 2.0), ("a", 1.0), ("-3", 1.0), ("b", 0.5)] {
            z.insert(m.as_bytes(), s);
        }
        let mut got = Vec::new();
        z.for_range(0, 9, false, |m, s| got.push((m.to_vec(), s)));
        let want = [("b", 0.5), ("-3", 1.0), ("a", 1.0), ("10", 2.0)];
        let want: Vec<_> = want
            .iter()
            .map(|(m, s)| (m.as_bytes().to_vec(), *s))
            .collect();
        assert_eq!(got, want);
        assert_eq!(z.rank(b"10"), Some(3));
        assert_eq!(z.get(1).map(|(m, _)| m.into_owned()), Some(b"-3".to_vec()));
        let mut rev = Vec::new();
        z.for_range(1, 3, true, |m, s| rev.push((m.to_vec(), s)));
        assert_eq!(rev, vec![want[2].clone(), want[1].clone()]);
        assert_eq!(z.remove(b"-3"), Some(1.0));
        assert_eq!(z.remove(b"-3"), None);
        assert_eq!(z.len(), 3);
        z.remove_range(1, 3);
        assert_eq!(z.len(), 1);
        assert_eq!(z.get(0).map(|(m, _)| m.into_owned()), Some(b"b".to_vec()));
    }
}
