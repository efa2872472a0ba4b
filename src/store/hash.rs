//! Hash values: a compact listpack of field/value pairs while small, a dict past
//! `hash-max-listpack-entries` fields or `hash-max-listpack-value` bytes.
//!
//! OBJECT ENCODING reports `listpack` or `hashtable`, as Redis 7.0 does. A hash never
//! converts back to a listpack once it became a table.

use crate::store::bstr::Bstr;
use crate::store::dict::Dict;
use crate::store::listpack::{Entry, Listpack, Pos};
use crate::store::mstr::Mstr;
use crate::util::numbers::{parse_i64, MAX_I64_CHARS};

/// The two encodings of a hash.
#[derive(Debug, Clone)]
pub enum HashValue {
    /// Fields and values alternating in one contiguous buffer.
    Listpack(Listpack),
    /// A dict from field to value, both in 16-byte handles (`Mstr`): a node is 40
    /// bytes, a 48-byte chunk.
    Table(Dict<Mstr, Mstr>),
}

impl HashValue {
    /// An empty hash in the compact encoding.
    pub fn new() -> Self {
        HashValue::Listpack(Listpack::new())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(table) => table.len(),
        }
    }

    /// True when the hash has no fields (its key must then be deleted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }
}

/// The conversion thresholds of the compact encoding (`hash-max-listpack-entries` and
/// `hash-max-listpack-value`), read from the config by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most fields a listpack hash holds.
    pub max_entries: usize,
    /// Longest field or value (in bytes) a listpack hash holds.
    pub max_value: usize,
}

/// Largest listpack Redis lets grow by a write (`LISTPACK_MAX_SAFETY_SIZE`, 1 GB); a
/// write that could pass it converts the hash to a table first.
const LISTPACK_SAFETY_SIZE: usize = 1 << 30;

/// Tables are rehashed this many buckets at a time right after a shrink starts.
const REHASH_BATCH: usize = 100;

/// Iterator over a hash's `(field, value)` pairs: insertion order for a listpack, table
/// order otherwise. Table entries are always `Entry::Bytes`, even when they hold integer
/// text, so read numbers with [`entry_int`].
pub enum Iter<'a> {
    /// Over a listpack's alternating entries.
    Listpack(crate::store::listpack::Iter<'a>),
    /// Over a table.
    Table(crate::store::dict::Iter<'a, Mstr, Mstr>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Entry<'a>, Entry<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(it) => Some((it.next()?, it.next()?)),
            Iter::Table(it) => it
                .next()
                .map(|(f, v)| (Entry::Bytes(f.as_slice()), Entry::Bytes(v.as_slice()))),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            Iter::Listpack(it) => it.len() / 2,
            Iter::Table(it) => it.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The integer an entry holds, read strictly (Redis's `string2ll`).
pub fn entry_int(entry: &Entry<'_>) -> Option<i64> {
    match entry {
        Entry::Int(n) => Some(*n),
        Entry::Bytes(bytes) => parse_i64(bytes),
    }
}

/// A field or value read from a listpack as a table's string.
pub fn entry_mstr(entry: &Entry<'_>) -> Mstr {
    let mut buf = [0u8; MAX_I64_CHARS];
    Mstr::from_slice(entry.as_bytes(&mut buf))
}

/// A field or value read from a hash as an owned compact string.
pub fn entry_bstr(entry: &Entry<'_>) -> Bstr {
    match entry {
        Entry::Bytes(bytes) => Bstr::from_slice(bytes),
        Entry::Int(_) => Bstr::from_vec(entry.to_vec()),
    }
}

impl HashValue {
    /// The value of `field`. A table's values come back as `Entry::Bytes`.
    pub fn get(&self, field: &[u8]) -> Option<Entry<'_>> {
        match self {
            HashValue::Listpack(lp) => {
                let pos = lp.find(field, 1)?;
                lp.next(pos).map(|v| lp.get(v))
            }
            HashValue::Table(table) => table.get(field).map(|v| Entry::Bytes(v.as_slice())),
        }
    }

    /// Whether `field` is in the hash.
    pub fn contains(&self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(lp) => lp.find(field, 1).is_some(),
            HashValue::Table(table) => table.contains_key(field),
        }
    }

    /// The length of `field`'s value (0 when missing).
    pub fn value_len(&self, field: &[u8]) -> usize {
        self.get(field).map_or(0, |v| v.byte_len())
    }

    /// What Redis's `hashTypeTryConversion` does before a write of `args` (fields and
    /// values): converts a listpack to a table when any of them is longer than
    /// `max_value`, or when their total could push the listpack past 1 GB.
    pub fn prepare_write<'b>(
        &mut self,
        args: impl IntoIterator<Item = &'b [u8]>,
        max_value: usize,
    ) {
        let HashValue::Listpack(lp) = self else {
            return;
        };
        let mut sum = 0usize;
        for arg in args {
            if arg.len() > max_value {
                self.convert_to_table();
                return;
            }
            sum = sum.saturating_add(arg.len());
        }
        if lp.data_len().saturating_add(sum) > LISTPACK_SAFETY_SIZE {
            self.convert_to_table();
        }
    }

    /// Sets `field` to `value`; true when the field is new. A listpack becomes a table
    /// before the write when the field or value is longer than `limits.max_value`, and
    /// after it when the hash has more than `limits.max_entries` fields (Redis's
    /// `hashTypeSet`).
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if matches!(self, HashValue::Listpack(_))
            && (field.len() > limits.max_value || value.len() > limits.max_value)
        {
            self.convert_to_table();
        }
        match self {
            HashValue::Listpack(lp) => {
                let inserted = match lp.find(field, 1).and_then(|f| lp.next(f)) {
                    Some(vpos) => {
                        lp.replace(vpos, value);
                        false
                    }
                    None => {
                        lp.push_back(field);
                        lp.push_back(value);
                        true
                    }
                };
                // Checked after updates too: a limit lowered by CONFIG SET converts the
                // hash on its next write, as in Redis.
                if lp.len() / 2 > limits.max_entries {
                    self.convert_to_table();
                }
                inserted
            }
            HashValue::Table(table) => {
                let make_key = || Mstr::from_slice(field);
                let (slot, inserted) =
                    table.get_or_insert_with(field, make_key, || Mstr::from_slice(value));
                if !inserted {
                    *slot = Mstr::from_slice(value);
                }
                inserted
            }
        }
    }

    /// Removes `field`; false when it was not there. A table shrinks when mostly empty.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(lp) => match lp.find(field, 1) {
                Some(pos) => {
                    if let Some(vpos) = lp.remove(pos) {
                        lp.remove(vpos);
                    }
                    true
                }
                None => false,
            },
            HashValue::Table(table) => {
                let removed = table.remove(field).is_some();
                if removed && table.shrink_if_needed() {
                    while table.rehash_steps(REHASH_BATCH) {}
                }
                removed
            }
        }
    }

    /// The `(field, value)` pairs.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            HashValue::Listpack(lp) => Iter::Listpack(lp.iter()),
            HashValue::Table(table) => Iter::Table(table.iter()),
        }
    }

    /// Re-encodes a listpack as a table (a table stays as it is); never the reverse.
    pub fn convert_to_table(&mut self) {
        if let HashValue::Listpack(lp) = self {
            let mut table = Dict::with_capacity(lp.len() / 2);
            let mut it = lp.iter();
            while let (Some(field), Some(value)) = (it.next(), it.next()) {
                table.insert(entry_mstr(&field), entry_mstr(&value));
            }
            *self = HashValue::Table(table);
        }
    }

    /// Calls `pick` with `count` random `(field, value)` pairs, picked independently
    /// (repeats possible), stopping early when `pick` returns false.
    pub fn random_pairs(
        &self,
        count: u64,
        rng: &mut impl FnMut() -> u64,
        mut pick: impl FnMut(Entry<'_>, Entry<'_>) -> bool,
    ) {
        match self {
            HashValue::Listpack(lp) => {
                let fields = listpack_fields(lp);
                if fields.is_empty() {
                    return;
                }
                for _ in 0..count {
                    let pos = fields[(rng() % fields.len() as u64) as usize];
                    let Some(vpos) = lp.next(pos) else { return };
                    if !pick(lp.get(pos), lp.get(vpos)) {
                        return;
                    }
                }
            }
            HashValue::Table(table) => {
                for _ in 0..count {
                    let Some((f, v)) = table.random_entry(rng) else {
                        return;
                    };
                    if !pick(Entry::Bytes(f.as_slice()), Entry::Bytes(v.as_slice())) {
                        return;
                    }
                }
            }
        }
    }

    /// `count` distinct random pairs (fewer than the hash holds), as owned strings:
    /// random order for a table (repeated picks, duplicates dropped); listpack order for
    /// a listpack, as Redis's `lpRandomPairsUnique` returns them.
    pub fn distinct_random_pairs(
        &self,
        count: usize,
        rng: &mut impl FnMut() -> u64,
    ) -> Vec<(Bstr, Bstr)> {
        let len = self.len();
        let count = count.min(len);
        if let HashValue::Listpack(_) = self {
            // Selection sampling: each pair is kept with probability needed/remaining.
            let mut out = Vec::with_capacity(count);
            for (i, (f, v)) in self.iter().enumerate() {
                let needed = (count - out.len()) as u64;
                if needed == 0 {
                    break;
                }
                if rng() % ((len - i) as u64) < needed {
                    out.push((entry_bstr(&f), entry_bstr(&v)));
                }
            }
            return out;
        }
        if count.saturating_mul(3) > len {
            // A large share of the table: shuffle a copy of it partially.
            let mut all: Vec<(Bstr, Bstr)> = self
                .iter()
                .map(|(f, v)| (entry_bstr(&f), entry_bstr(&v)))
                .collect();
            for i in 0..count {
                let j = i + (rng() % (all.len() - i) as u64) as usize;
                all.swap(i, j);
            }
            all.truncate(count);
            return all;
        }
        let mut seen = std::collections::HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let mut picked = None;
            self.random_pairs(1, rng, |f, v| {
                picked = Some((entry_bstr(&f), entry_bstr(&v)));
                true
            });
            let Some((f, v)) = picked else { break };
            if seen.insert(f.as_slice().to_vec()) {
                out.push((f, v));
            }
        }
        out
    }

    /// One SCAN step over the pairs, Redis's way: a listpack is returned whole (next
    /// cursor 0); a table is walked bucket by bucket until at least `count` fields and
    /// values (two per pair) were seen, at most `10 * count` buckets, or the end.
    pub fn scan(
        &self,
        cursor: u64,
        count: usize,
        mut visit: impl FnMut(Entry<'_>, Entry<'_>),
    ) -> u64 {
        match self {
            HashValue::Listpack(_) => {
                self.iter().for_each(|(f, v)| visit(f, v));
                0
            }
            HashValue::Table(table) => {
                let mut cursor = cursor;
                let mut found = 0usize;
                let mut budget = count.saturating_mul(10);
                loop {
                    cursor = table.scan(cursor, |f, v| {
                        found += 2;
                        visit(Entry::Bytes(f.as_slice()), Entry::Bytes(v.as_slice()));
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

/// Positions of a listpack's fields (every other entry from the first).
fn listpack_fields(lp: &Listpack) -> Vec<Pos> {
    let mut fields = Vec::with_capacity(lp.len() / 2);
    let mut at = lp.first();
    while let Some(pos) = at {
        fields.push(pos);
        at = lp.next(pos).and_then(|v| lp.next(v));
    }
    fields
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_entries: 4,
        max_value: 8,
    };

    fn pairs(hash: &HashValue) -> Vec<(Vec<u8>, Vec<u8>)> {
        hash.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    #[test]
    fn listpack_set_get_remove_in_insertion_order() {
        let mut hash = HashValue::new();
        assert!(hash.set(b"b", b"1", LIMITS));
        assert!(hash.set(b"a", b"x", LIMITS));
        assert!(!hash.set(b"b", b"-7", LIMITS));
        assert_eq!(hash.get(b"b"), Some(Entry::Int(-7)));
        assert_eq!(hash.get(b"a"), Some(Entry::Bytes(b"x")));
        assert_eq!(hash.get(b"x"), None);
        assert_eq!(hash.value_len(b"b"), 2);
        let expected = vec![
            (b"b".to_vec(), b"-7".to_vec()),
            (b"a".to_vec(), b"x".to_vec()),
        ];
        assert_eq!(pairs(&hash), expected);
        // A value that equals a field must not be found as a field.
        assert!(hash.set(b"c", b"a", LIMITS));
        assert!(hash.remove(b"a"));
        assert!(!hash.remove(b"a"));
        assert_eq!(hash.get(b"c"), Some(Entry::Bytes(b"a")));
        assert_eq!(hash.len(), 2);
        assert_eq!(hash.encoding(), "listpack");
    }

    #[test]
    fn converts_past_the_field_count_and_value_length() {
        let mut hash = HashValue::new();
        for field in [b"a", b"b", b"c", b"d"] {
            hash.set(field, b"v", LIMITS);
        }
        assert_eq!(hash.encoding(), "listpack");
        hash.set(b"e", b"v", LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
        assert_eq!(hash.len(), 5);
        assert_eq!(hash.get(b"a"), Some(Entry::Bytes(b"v")));
        let mut long = HashValue::new();
        long.set(b"f", b"12345678", LIMITS);
        assert_eq!(long.encoding(), "listpack");
        long.set(b"f", b"123456789", LIMITS);
        assert_eq!(long.encoding(), "hashtable");
        assert_eq!(entry_int(&long.get(b"f").expect("field")), Some(123456789));
        let mut early = HashValue::new();
        early.prepare_write([&b"f"[..], b"123456789"], LIMITS.max_value);
        assert_eq!(early.encoding(), "hashtable");
        assert!(early.is_empty());
    }

    #[test]
    fn scan_and_random_picks() {
        let mut lp = HashValue::new();
        let mut table = HashValue::Table(Dict::new());
        for i in 0..4 {
            let field = format!("f{i}");
            lp.set(field.as_bytes(), b"v", LIMITS);
            table.set(field.as_bytes(), b"v", LIMITS);
        }
        let mut seed = 7u64;
        let mut rng = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for hash in [&lp, &table] {
            let mut seen = 0;
            assert_eq!(hash.scan(0, 100, |_, _| seen += 1), 0);
            assert_eq!(seen, 4);
            for count in 1..4 {
                let picked = hash.distinct_random_pairs(count, &mut rng);
                let distinct: std::collections::HashSet<Vec<u8>> =
                    picked.iter().map(|(f, _)| f.as_slice().to_vec()).collect();
                assert_eq!(distinct.len(), count);
            }
            let mut picks = 0;
            hash.random_pairs(10, &mut rng, |f, _| {
                picks += 1;
                hash.contains(&f.to_vec())
            });
            assert_eq!(picks, 10);
        }
    }
}
