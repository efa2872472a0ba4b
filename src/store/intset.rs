//! `IntSet`: a sorted set of `i64` packed at the narrowest width that holds every member.
//!
//! Redis stores a set whose members are all integers as an "intset" while it has at most
//! `set-max-intset-entries` (512) members; `OBJECT ENCODING` then says `intset`, and the
//! caller converts to a hash table past the threshold or on the first non-integer member.
//!
//! # Layout
//!
//! One `Vec<u8>` holds the members in ascending order, little-endian, each `width` bytes
//! wide: 2 while every member fits an `i16`, 4 while every member fits an `i32`, else 8.
//! Adding a member that needs a wider width re-encodes the whole set once (such a member
//! is necessarily the new minimum or maximum, so it goes at an end). Removing members
//! never narrows the width, as in Redis. Lookups are binary searches, inserts and removes
//! shift the tail: O(log n) and O(n) on a few kilobytes at most, which beats a hash table
//! at these sizes and takes 2-8 bytes per member instead of ~50.
//!
//! Like [`Listpack`](super::listpack::Listpack), the buffer grows by at most an eighth at
//! a time, so spare capacity stays small.

/// A sorted set of integers; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntSet {
    data: Vec<u8>,
    width: u8,
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::new()
    }
}

/// The narrowest width (2, 4 or 8 bytes) that holds `value`.
fn width_for(value: i64) -> u8 {
    if i16::try_from(value).is_ok() {
        2
    } else if i32::try_from(value).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    /// An empty set (no allocation; 2-byte width).
    pub fn new() -> Self {
        IntSet {
            data: Vec::new(),
            width: 2,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.data.len() / usize::from(self.width)
    }

    /// Whether the set has no members.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes per member: 2, 4 or 8.
    pub fn width(&self) -> usize {
        usize::from(self.width)
    }

    /// The members as stored: little-endian integers of [`IntSet::width`] bytes each,
    /// ascending (the body of Redis's intset blob, for persistence).
    pub fn raw_members(&self) -> &[u8] {
        &self.data
    }

    /// A set from members stored `width` bytes each, little-endian (the body of Redis's
    /// intset blob). The width is kept even when narrower would do, since Redis never
    /// narrows a set either. `None` unless the width is 2, 4 or 8, the bytes are a whole
    /// number of members and the members strictly ascend.
    pub fn from_raw_members(width: usize, data: Vec<u8>) -> Option<IntSet> {
        if !matches!(width, 2 | 4 | 8) || !data.len().is_multiple_of(width) {
            return None;
        }
        let mut members = data.chunks_exact(width).map(read_at);
        if let Some(mut prev) = members.next() {
            for member in members {
                if member <= prev {
                    return None;
                }
                prev = member;
            }
        }
        Some(IntSet {
            data,
            width: width as u8,
        })
    }

    /// Memory held: the struct plus the buffer's capacity.
    pub fn byte_size(&self) -> usize {
        std::mem::size_of::<Self>() + self.data.capacity()
    }

    /// The member at sorted position `index`.
    pub fn get(&self, index: usize) -> Option<i64> {
        (index < self.len()).then(|| self.read(index))
    }

    /// The smallest member.
    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }

    /// The largest member.
    pub fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Reads the member at `index` (< len).
    fn read(&self, index: usize) -> i64 {
        let w = usize::from(self.width);
        read_at(&self.data[index * w..index * w + w])
    }

    /// Writes `value` (which fits the width) at `index`.
    fn write(&mut self, index: usize, value: i64) {
        let w = usize::from(self.width);
        let bytes = value.to_le_bytes();
        self.data[index * w..index * w + w].copy_from_slice(&bytes[..w]);
    }

    /// Binary search: `Ok(index)` when present, else `Err(insertion index)`.
    fn search(&self, value: i64) -> Result<usize, usize> {
        if width_for(value) > self.width {
            return Err(if value < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.read(mid).cmp(&value) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Whether `value` is a member.
    pub fn contains(&self, value: i64) -> bool {
        self.search(value).is_ok()
    }

    /// Adds `value`; false when it was already a member.
    pub fn insert(&mut self, value: i64) -> bool {
        let Err(index) = self.search(value) else {
            return false;
        };
        let needed = width_for(value);
        if needed > self.width {
            self.widen(needed);
        }
        let w = usize::from(self.width);
        let old = self.data.len();
        if self.data.capacity() - old < w {
            self.data.reserve_exact(w.max(old / 8));
        }
        self.data.resize(old + w, 0);
        self.data.copy_within(index * w..old, index * w + w);
        self.write(index, value);
        true
    }

    /// Re-encodes every member at `width` bytes.
    fn widen(&mut self, width: u8) {
        let members: Vec<i64> = self.iter().collect();
        let mut data = Vec::with_capacity((members.len() + 1) * usize::from(width));
        for member in members {
            data.extend_from_slice(&member.to_le_bytes()[..usize::from(width)]);
        }
        self.data = data;
        self.width = width;
    }

    /// Removes `value`; false when it was not a member.
    pub fn remove(&mut self, value: i64) -> bool {
        let Ok(index) = self.search(value) else {
            return false;
        };
        let w = usize::from(self.width);
        self.data.drain(index * w..index * w + w);
        true
    }

    /// The members in ascending order (double-ended).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            set: self,
            front: 0,
            back: self.len(),
        }
    }

    /// A uniformly chosen member, using `rng` for randomness (`None` when empty).
    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<i64> {
        let len = self.len() as u64;
        if len == 0 {
            return None;
        }
        self.get((rng() % len) as usize)
    }
}

/// Decodes a 2-, 4- or 8-byte little-endian signed integer.
fn read_at(bytes: &[u8]) -> i64 {
    match *bytes {
        [a, b] => i64::from(i16::from_le_bytes([a, b])),
        [a, b, c, d] => i64::from(i32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => 0,
    }
}

impl FromIterator<i64> for IntSet {
    fn from_iter<I: IntoIterator<Item = i64>>(iter: I) -> Self {
        let mut set = IntSet::new();
        for value in iter {
            set.insert(value);
        }
        set
    }
}

/// A double-ended iterator over an intset's members in ascending order.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    set: &'a IntSet,
    front: usize,
    back: usize,
}

impl Iterator for Iter<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.set.read(self.front - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<i64> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.set.read(self.back)
        })
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a IntSet {
    type Item = i64;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Tiny xorshift for reproducible random tests.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn check(set: &IntSet, model: &BTreeSet<i64>) {
        assert_eq!(set.len(), model.len());
        assert!(set.iter().eq(model.iter().copied()));
        assert!(set.iter().rev().eq(model.iter().rev().copied()));
        assert_eq!(set.min(), model.first().copied());
        assert_eq!(set.max(), model.last().copied());
    }

    #[test]
    fn empty_set() {
        let set = IntSet::new();
        assert!(set.is_empty());
        assert_eq!(set.len(), 0);
        assert!(!set.contains(0));
        assert_eq!(set.get(0), None);
        assert_eq!(set.random(&mut || 7), None);
        assert_eq!(set.iter().next(), None);
        assert_eq!(set.width(), 2);
    }

    #[test]
    fn insert_remove_contains() {
        let mut set = IntSet::new();
        assert!(set.insert(5));
        assert!(!set.insert(5));
        assert!(set.insert(-3));
        assert!(set.insert(100));
        assert!(set.contains(-3) && set.contains(5) && set.contains(100));
        assert!(!set.contains(4));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![-3, 5, 100]);
        assert!(set.remove(5));
        assert!(!set.remove(5));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![-3, 100]);
    }

    #[test]
    fn widens_at_boundaries_and_never_narrows() {
        let mut set = IntSet::new();
        set.insert(i64::from(i16::MAX));
        set.insert(i64::from(i16::MIN));
        assert_eq!(set.width(), 2);
        set.insert(i64::from(i16::MAX) + 1);
        assert_eq!(set.width(), 4);
        set.insert(i64::from(i32::MIN));
        assert_eq!(set.width(), 4);
        set.insert(i64::from(i32::MIN) - 1);
        assert_eq!(set.width(), 8);
        set.insert(i64::MAX);
        set.insert(i64::MIN);
        let expected = vec![
            i64::MIN,
            i64::from(i32::MIN) - 1,
            i64::from(i32::MIN),
            i64::from(i16::MIN),
            i64::from(i16::MAX),
            i64::from(i16::MAX) + 1,
            i64::MAX,
        ];
        assert_eq!(set.iter().collect::<Vec<_>>(), expected);
        assert!(set.remove(i64::MIN) && set.remove(i64::MAX));
        assert_eq!(set.width(), 8);
        assert!(!set.contains(i64::MAX));
        assert!(set.contains(i64::from(i32::MIN) - 1));
    }

    #[test]
    fn wide_value_not_found_in_narrow_set() {
        let set: IntSet = [1, 2, 3].into_iter().collect();
        assert!(!set.contains(1 << 40));
        assert!(!set.contains(-(1 << 40)));
    }

    #[test]
    fn random_covers_members() {
        let set: IntSet = (0..10).collect();
        let mut state = 0x1234_5678u64;
        let mut seen = BTreeSet::new();
        for _ in 0..1000 {
            seen.insert(set.random(&mut || xorshift(&mut state)));
        }
        assert_eq!(seen.len(), 10);
        assert!(seen.iter().all(|v| v.is_some_and(|v| (0..10).contains(&v))));
    }

    #[test]
    fn randomized_against_btreeset() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20 {
            let mut set = IntSet::new();
            let mut model = BTreeSet::new();
            for _ in 0..600 {
                let r = xorshift(&mut state);
                let value = match (r >> 60) % 4 {
                    0 => (r % 64) as i64 - 32,
                    1 if round % 3 == 0 => (r % 200_000) as i64 - 100_000,
                    2 if round % 5 == 0 => r as i64,
                    _ => (r % 1000) as i64 - 500,
                };
                if r.is_multiple_of(3) {
                    assert_eq!(set.remove(value), model.remove(&value));
                } else {
                    assert_eq!(set.insert(value), model.insert(value));
                }
                assert_eq!(set.contains(value), model.contains(&value));
            }
            check(&set, &model);
            for (i, v) in model.iter().enumerate() {
                assert_eq!(set.get(i), Some(*v));
            }
        }
    }

    #[test]
    fn memory_is_compact() {
        let set: IntSet = (0..512).collect();
        assert_eq!(set.width(), 2);
        assert!(set.byte_size() <= std::mem::size_of::<IntSet>() + 512 * 2 * 9 / 8 + 16);
        let wide: IntSet = (0..512).map(|i| i << 40).collect();
        assert!(wide.byte_size() <= std::mem::size_of::<IntSet>() + 512 * 8 * 9 / 8 + 16);
    }

    #[test]
    fn raw_members_round_trip_and_keep_their_width() {
        let set: IntSet = [1, 70000, -5].into_iter().collect();
        let copy = IntSet::from_raw_members(set.width(), set.raw_members().to_vec());
        assert_eq!(copy.as_ref(), Some(&set));
        let wide =
            IntSet::from_raw_members(8, [1i64, 2].iter().flat_map(|n| n.to_le_bytes()).collect());
        assert_eq!(wide.as_ref().map(IntSet::width), Some(8));
        assert_eq!(wide.map(|s| s.iter().collect::<Vec<_>>()), Some(vec![1, 2]));
        assert_eq!(IntSet::from_raw_members(2, vec![2, 0, 1, 0]), None);
        assert_eq!(IntSet::from_raw_members(2, vec![1, 0, 1, 0]), None);
        assert_eq!(IntSet::from_raw_members(3, vec![1, 0, 0]), None);
        assert_eq!(IntSet::from_raw_members(4, vec![1, 0]), None);
        assert_eq!(
            IntSet::from_raw_members(2, vec![]).map(|s| s.len()),
            Some(0)
        );
    }
}
