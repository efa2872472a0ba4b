//! Set values: an intset while every member is an integer and there are at most
//! `set-max-intset-entries` of them, a dict otherwise.
//!
//! OBJECT ENCODING reports `intset` or `hashtable`, as Redis 7.0 does (7.0 has no
//! listpack encoding for sets). A set never converts back to an intset.

use crate::store::dict::Dict;
use crate::store::intset::IntSet;
use crate::store::mstr::Mstr;
use crate::util::numbers::{i64_to_bytes, parse_i64, MAX_I64_CHARS};

/// The two encodings of a set.
#[derive(Debug, Clone)]
pub enum SetValue {
    /// Sorted integers at the narrowest width that fits them all.
    Intset(IntSet),
    /// A dict of members (no values), in 16-byte handles (`Mstr`): a node is 24
    /// bytes, a 32-byte chunk.
    Table(Dict<Mstr, ()>),
}

impl SetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(set) => set.len(),
            SetValue::Table(table) => table.len(),
        }
    }

    /// True when the set has no members (its key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::Intset(_) => "intset",
            SetValue::Table(_) => "hashtable",
        }
    }
}

/// A table with more than this many buckets per member counts as sparse for
/// [`SetValue::compact`].
const SPARSE_RATIO: usize = 8;
/// Buckets moved per rehash call while compacting.
const REHASH_BATCH: usize = 1024;

/// One member read from a set: an intset's integer or a table's bytes. An `Int` stands
/// for its decimal text; a `Bytes` may also hold integer text (a table keeps members as
/// given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    /// A member of an intset.
    Int(i64),
    /// A member of a table.
    Bytes(&'a [u8]),
}

impl Member<'_> {
    /// The member's bytes, formatting an integer into `buf` (no allocation).
    pub fn as_bytes<'b>(&'b self, buf: &'b mut [u8; MAX_I64_CHARS]) -> &'b [u8] {
        match self {
            Member::Int(n) => i64_to_bytes(*n, buf),
            Member::Bytes(bytes) => bytes,
        }
    }

    /// The member's bytes as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut buf = [0u8; MAX_I64_CHARS];
        self.as_bytes(&mut buf).to_vec()
    }
}

/// Iterator over a set's members: ascending for an intset, table order otherwise.
pub enum Iter<'a> {
    /// Over an intset.
    Intset(crate::store::intset::Iter<'a>),
    /// Over a table.
    Table(crate::store::dict::Iter<'a, Mstr, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;

    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Intset(it) => it.next().map(Member::Int),
            Iter::Table(it) => it.next().map(|(key, _)| Member::Bytes(key.as_slice())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Intset(it) => it.size_hint(),
            Iter::Table(it) => it.size_hint(),
        }
    }
}

impl SetValue {
    /// An empty set in the encoding Redis picks for a set whose first member is `first`:
    /// an intset when it reads strictly as an integer (`string2ll`), else a table.
    pub fn for_member(first: &[u8]) -> Self {
        match parse_i64(first) {
            Some(_) => SetValue::Intset(IntSet::new()),
            None => SetValue::Table(Dict::new()),
        }
    }

    /// An empty intset: where Redis builds SINTERSTORE/SUNIONSTORE/SDIFFSTORE results.
    pub fn new_intset() -> Self {
        SetValue::Intset(IntSet::new())
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(set) => parse_i64(member).is_some_and(|n| set.contains(n)),
            SetValue::Table(table) => table.contains_key(member),
        }
    }

    /// Adds `member`; false when it was already there. An intset becomes a table on the
    /// first non-integer member or when it grows past `max_intset` members.
    pub fn insert(&mut self, member: &[u8], max_intset: usize) -> bool {
        if let SetValue::Intset(set) = self {
            match parse_i64(member) {
                Some(n) => {
                    if !set.insert(n) {
                        return false;
                    }
                    if set.len() > max_intset {
                        self.convert_to_table();
                    }
                    return true;
                }
                None => self.convert_to_table(),
            }
        }
        match self {
            SetValue::Table(table) => {
                let make_key = || Mstr::from_slice(member);
                table.get_or_insert_with(member, make_key, || ()).1
            }
            SetValue::Intset(_) => false,
        }
    }

    /// Adds a member read from another set (saves formatting integers into intsets).
    pub fn insert_member(&mut self, member: Member<'_>, max_intset: usize) -> bool {
        match (member, &mut *self) {
            (Member::Int(n), SetValue::Intset(set)) => {
                let added = set.insert(n);
                if added && set.len() > max_intset {
                    self.convert_to_table();
                }
                added
            }
            _ => {
                let mut buf = [0u8; MAX_I64_CHARS];
                self.insert(member.as_bytes(&mut buf), max_intset)
            }
        }
    }

    /// Removes `member`; false when it was not there. A table shrinks its bucket array
    /// when it became sparse, as Redis resizes sets after removals.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(set) => parse_i64(member).is_some_and(|n| set.remove(n)),
            SetValue::Table(table) => {
                let removed = table.remove(member).is_some();
                if removed {
                    table.shrink_if_needed();
                }
                removed
            }
        }
    }

    /// Whether a member read from another set is in this one.
    pub fn contains_member(&self, member: Member<'_>) -> bool {
        match (member, self) {
            (Member::Int(n), SetValue::Intset(set)) => set.contains(n),
            _ => {
                let mut buf = [0u8; MAX_I64_CHARS];
                self.contains(member.as_bytes(&mut buf))
            }
        }
    }

    /// The members: ascending for an intset, table order otherwise.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            SetValue::Intset(set) => Iter::Intset(set.iter()),
            SetValue::Table(table) => Iter::Table(table.iter()),
        }
    }

    /// A random member (`None` when empty).
    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<Member<'_>> {
        match self {
            SetValue::Intset(set) => set.random(rng).map(Member::Int),
            SetValue::Table(table) => table
                .random_entry(rng)
                .map(|(key, _)| Member::Bytes(key.as_slice())),
        }
    }

    /// Removes and returns a random member (`None` when empty).
    pub fn pop_random(&mut self, rng: &mut impl FnMut() -> u64) -> Option<Vec<u8>> {
        let member = self.random(rng)?.to_vec();
        self.remove(&member);
        Some(member)
    }

    /// Makes random picks cheap again on a table left sparse by removals: finishes any
    /// rehash and shrinks the bucket array (a random pick in a sparse table walks empty
    /// buckets). Called before SPOP and SRANDMEMBER; O(1) unless the table is sparse.
    pub fn compact(&mut self) {
        if let SetValue::Table(table) = self {
            if table.len().saturating_mul(SPARSE_RATIO) < table.buckets() {
                while table.rehash_steps(REHASH_BATCH) {}
                if table.shrink_if_needed() {
                    while table.rehash_steps(REHASH_BATCH) {}
                }
            }
        }
    }

    /// Re-encodes an intset as a table (a table stays as it is).
    pub fn convert_to_table(&mut self) {
        if let SetValue::Intset(set) = self {
            let mut table = Dict::with_capacity(set.len());
            let mut buf = [0u8; MAX_I64_CHARS];
            for n in set.iter() {
                table.insert(Mstr::from_slice(i64_to_bytes(n, &mut buf)), ());
            }
            *self = SetValue::Table(table);
        }
    }

    /// One SSCAN step from `cursor`: an intset hands over every member at once and ends
    /// the scan (cursor 0), as Redis does; a table visits one bucket chain per step for
    /// at most `10 * count` steps or until `count` members were found. Returns the next
    /// cursor.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(Member<'_>)) -> u64 {
        match self {
            SetValue::Intset(set) => {
                set.iter().for_each(|n| visit(Member::Int(n)));
                0
            }
            SetValue::Table(table) => {
                let mut cursor = cursor;
                let mut found = 0usize;
                let mut budget = count.saturating_mul(10);
                loop {
                    cursor = table.scan(cursor, |key, _| {
                        found += 1;
                        visit(Member::Bytes(key.as_slice()));
                    });
                    if cursor == 0 || budget == 0 || found >= count {
                        return cursor;
                    }
                    budget -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(set: &SetValue) -> Vec<Vec<u8>> {
        let mut members: Vec<Vec<u8>> = set.iter().map(|m| m.to_vec()).collect();
        members.sort();
        members
    }

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut set = SetValue::for_member(b"1");
        assert_eq!(set.encoding(), "intset");
        assert!(set.insert(b"1", 3));
        assert!(!set.insert(b"1", 3));
        assert!(set.insert(b"-7", 3));
        assert!(set.insert(b"9223372036854775807", 3));
        assert_eq!(set.encoding(), "intset");
        assert!(set.contains(b"-7") && !set.contains(b"07") && !set.contains(b"x"));
        assert!(set.insert(b"4", 3));
        assert_eq!(set.encoding(), "hashtable");
        assert_eq!(set.len(), 4);
        assert!(set.contains(b"-7") && set.contains(b"4"));
        let mut set = SetValue::for_member(b"01");
        assert_eq!(set.encoding(), "hashtable");
        assert!(set.insert(b"01", 512) && set.insert(b"1", 512));
        assert_eq!(collect(&set), vec![b"01".to_vec(), b"1".to_vec()]);
    }

    #[test]
    fn intset_converts_on_text_and_keeps_members() {
        let mut set = SetValue::new_intset();
        for n in [5, -3, 100000] {
            set.insert(n.to_string().as_bytes(), 512);
        }
        let ascending: Vec<Vec<u8>> = set.iter().map(|m| m.to_vec()).collect();
        assert_eq!(
            ascending,
            vec![b"-3".to_vec(), b"5".to_vec(), b"100000".to_vec()]
        );
        assert!(set.insert(b"a", 512));
        assert_eq!(set.encoding(), "hashtable");
        assert!(set.contains_member(Member::Int(5)));
        assert!(set.remove(b"5") && !set.remove(b"5"));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn zero_max_converts_at_once() {
        let mut set = SetValue::for_member(b"1");
        assert!(set.insert(b"1", 0));
        assert_eq!(set.encoding(), "hashtable");
    }

    #[test]
    fn random_and_pop_empty_the_set() {
        let mut seed = 7u64;
        let mut rng = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for first in [&b"1"[..], b"a"] {
            let mut set = SetValue::for_member(first);
            for i in 0..50 {
                set.insert(format!("{i}").as_bytes(), 512);
            }
            assert!(set.random(&mut rng).is_some());
            let mut seen = std::collections::HashSet::new();
            while let Some(m) = set.pop_random(&mut rng) {
                assert!(seen.insert(m));
            }
            assert_eq!(seen.len(), 50);
            assert!(set.is_empty());
        }
    }

    #[test]
    fn scan_returns_everything() {
        let mut set = SetValue::for_member(b"x");
        for i in 0..1000 {
            set.insert(format!("m{i}").as_bytes(), 512);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = set.scan(cursor, 10, |m| {
                seen.insert(m.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
        let ints = SetValue::Intset([3, 1, 2].into_iter().collect());
        let mut got = Vec::new();
        assert_eq!(ints.scan(99, 1, |m| got.push(m.to_vec())), 0);
        assert_eq!(got, vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    }

    #[test]
    fn compact_shrinks_a_sparse_table() {
        let mut set = SetValue::for_member(b"x");
        for i in 0..10000 {
            set.insert(format!("m{i}").as_bytes(), 512);
        }
        for i in 5..10000 {
            set.remove(format!("m{i}").as_bytes());
        }
        set.compact();
        let SetValue::Table(table) = &set else {
            panic!("a table");
        };
        assert!(
            table.buckets() <= 64,
            "{} buckets for 5 members",
            table.buckets()
        );
        assert_eq!(set.len(), 5);
        assert!(set.contains(b"m4") && !set.contains(b"m5"));
    }
}
