//! A case-insensitive map from short names to small values, for the command table.
//!
//! Every request looks its command name up, so the lookup is on the hot path. A name is
//! read as four 8-byte words, lowercased a word at a time, and stored that way in an
//! open-addressing table (linear probing, at most a quarter full): a lookup hashes and
//! compares four words instead of walking the name byte by byte, and usually probes
//! one slot; a repeat of the last short name is answered by a one-word memo before
//! that. The table is filled at start-up and changed only by
//! `rename-command`; client input never inserts, so an unkeyed hash is safe here.

use std::cell::Cell;

/// Longest name the index holds: four machine words.
const MAX_NAME: usize = 32;
/// A name as four little-endian words, lowercased, zero-padded.
type Words = [u64; MAX_NAME / 8];

/// ASCII-lowercases the eight bytes of `word` at once: every byte in `A..=Z` gets its
/// 0x20 bit set, every other byte is left alone.
#[inline(always)]
fn lowercase_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let seven_bits = word & !HIGH;
    // High bit of each byte: set when the byte's low seven bits are >= 'A', and when
    // they are > 'Z'.
    let at_least_a = seven_bits + ONES * u64::from(0x80 - b'A');
    let above_z = seven_bits + ONES * u64::from(0x7f - b'Z');
    let upper = (at_least_a & !above_z) & !word & HIGH;
    word | (upper >> 2)
}

/// Bytes `at..at + 8` of `name` as a little-endian word, zero-padded past its end.
#[inline(always)]
fn load_word(name: &[u8], at: usize) -> u64 {
    match name.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])),
        None => load_partial(name.get(at..).unwrap_or_default()),
    }
}

/// The bytes of `tail` (at most 8) as a little-endian word, zero-padded: two
/// overlapping loads of a power-of-two size instead of a loop over the bytes. Where the
/// loads overlap they read the same bytes into the same places, so OR-ing them is exact.
#[inline(always)]
fn load_partial(tail: &[u8]) -> u64 {
    let len = tail.len();
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([tail[i], tail[i + 1]]));
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes([
            tail[i],
            tail[i + 1],
            tail[i + 2],
            tail[i + 3],
        ]))
    };
    match len {
        0 => 0,
        1 => u64::from(tail[0]),
        2..=3 => u16_at(0) | u16_at(len - 2) << (8 * (len - 2)),
        4..=7 => u32_at(0) | u32_at(len - 4) << (8 * (len - 4)),
        _ => u64::from_le_bytes(tail[..8].try_into().unwrap_or([0; 8])),
    }
}

/// `name` as lowercased words, or `None` when it is longer than [`MAX_NAME`].
#[inline(always)]
fn words_of(name: &[u8]) -> Option<Words> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut words = [0u64; MAX_NAME / 8];
    for (i, word) in words.iter_mut().enumerate().take(name.len().div_ceil(8)) {
        *word = lowercase_word(load_word(name, i * 8));
    }
    Some(words)
}

/// Mixes the words of a name (and its length) into a table index.
#[inline(always)]
fn hash_words(words: &Words, len: usize) -> u64 {
    let mixed = (words[0] ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ words[1]
            .wrapping_add(words[2] ^ words[3])
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    mixed ^ (mixed >> 29)
}

/// One occupied slot: the name as words, its length and its value.
#[derive(Debug, Clone, Copy)]
struct Slot<V> {
    words: Words,
    len: usize,
    value: V,
}

/// Case-insensitive name → value map (see the module documentation).
#[derive(Debug, Clone)]
pub struct NameIndex<V: Copy> {
    slots: Vec<Option<Slot<V>>>,
    len: usize,
    /// The last name of at most 8 bytes found (as its lowercased word), its length and
    /// its value: clients send the same command again and again, and one word compare
    /// answers a repeat without hashing or probing.
    last: Cell<Option<(u64, usize, V)>>,
}

impl<V: Copy> Default for NameIndex<V> {
    fn default() -> Self {
        NameIndex {
            slots: vec![None; 16],
            len: 0,
            last: Cell::new(None),
        }
    }
}

impl<V: Copy> NameIndex<V> {
    /// Slot of the name (as words), or of the empty slot where it would go.
    #[inline(always)]
    fn position(&self, words: &Words, len: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = hash_words(words, len) as usize & mask;
        loop {
            match &self.slots[index] {
                Some(slot) if slot.len != len || slot.words != *words => {
                    index = (index + 1) & mask;
                }
                _ => return index,
            }
        }
    }

    /// The value of `name`, compared case-insensitively.
    #[inline(always)]
    pub fn get(&self, name: &[u8]) -> Option<V> {
        if name.len() <= 8 {
            return self.get_short(name);
        }
        self.get_long(name)
    }

    /// [`Self::get`] for a name longer than 8 bytes.
    #[inline(never)]
    fn get_long(&self, name: &[u8]) -> Option<V> {
        let words = words_of(name)?;
        self.slots[self.position(&words, name.len())].map(|slot| slot.value)
    }

    /// [`Self::get`] for a name of at most 8 bytes, through the one-entry memo.
    #[inline(always)]
    fn get_short(&self, name: &[u8]) -> Option<V> {
        let word = lowercase_word(load_partial(name));
        if let Some((last_word, last_len, value)) = self.last.get() {
            if last_word == word && last_len == name.len() {
                return Some(value);
            }
        }
        self.get_short_missed(word, name.len())
    }

    /// The table lookup behind [`Self::get_short`] when the memo holds another name.
    #[inline(never)]
    fn get_short_missed(&self, word: u64, len: usize) -> Option<V> {
        let value = self.slots[self.position(&[word, 0, 0, 0], len)]?.value;
        self.last.set(Some((word, len, value)));
        Some(value)
    }

    /// True when `name` is present (any case).
    pub fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`, replacing any value it had. Names longer than 32 bytes
    /// cannot be held (no Redis command name comes near); they are refused.
    pub fn insert(&mut self, name: &[u8], value: V) -> bool {
        self.last.set(None);
        let Some(words) = words_of(name) else {
            return false;
        };
        if (self.len + 1) * 4 > self.slots.len() {
            self.rebuild(self.slots.len() * 2);
        }
        let index = self.position(&words, name.len());
        if self.slots[index].is_none() {
            self.len += 1;
        }
        self.slots[index] = Some(Slot {
            words,
            len: name.len(),
            value,
        });
        true
    }

    /// Removes `name`, returning its value. The table is rebuilt, as linear probing
    /// cannot simply empty a slot; removal happens only at start-up (`rename-command`).
    pub fn remove(&mut self, name: &[u8]) -> Option<V> {
        self.last.set(None);
        let words = words_of(name)?;
        let index = self.position(&words, name.len());
        let slot = self.slots[index].take()?;
        self.len -= 1;
        self.rebuild(self.slots.len());
        Some(slot.value)
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = V> + '_ {
        self.slots.iter().flatten().map(|slot| slot.value)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no name is present.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reinserts every entry into a table of `size` slots.
    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; size]);
        for slot in old.into_iter().flatten() {
            let index = self.position(&slot.words, slot.len);
            self.slots[index] = Some(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_case_finds_the_name_and_removal_keeps_the_others() {
        let mut index = NameIndex::default();
        let names: Vec<String> = (0..300).map(|i| format!("cmd{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            index.insert(name.as_bytes(), i);
        }
        assert_eq!(index.len(), 300);
        assert_eq!(index.get(b"CMD7"), Some(7));
        assert_eq!(index.get(b"cMd299"), Some(299));
        assert_eq!(index.get(b"cmd300"), None);
        assert_eq!(index.remove(b"Cmd7"), Some(7));
        assert_eq!(index.get(b"cmd7"), None);
        // The memo of the last short name never answers for another name or length.
        assert_eq!(index.get(b"CMD8"), Some(8));
        assert_eq!(index.get(b"cmd8"), Some(8));
        assert_eq!(index.get(b"cmd8\0"), None);
        assert_eq!(index.get(b"cmd"), None);
        assert_eq!(index.get(b"cmd9"), Some(9));
        assert!(names
            .iter()
            .enumerate()
            .all(|(i, n)| i == 7 || index.get(n.as_bytes()) == Some(i)));
        index.insert(b"CMD5", 55);
        assert_eq!((index.get(b"cmd5"), index.len()), (Some(55), 299));
        assert_eq!(index.values().count(), 299);
        assert!(!index.insert(&[b'x'; 33], 1));
        assert_eq!(index.get(&[b'x'; 33]), None);
    }

    #[test]
    fn a_partial_word_loads_every_length_exactly() {
        let bytes = [0x11u8, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        for len in 0..=8 {
            let expected = bytes[..len]
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, &byte)| word | u64::from(byte) << (8 * i));
            assert_eq!(load_partial(&bytes[..len]), expected, "length {len}");
        }
    }

    #[test]
    fn words_lowercase_exactly_the_ascii_capitals() {
        for byte in 0..=255u8 {
            let word = lowercase_word(u64::from_le_bytes([byte; 8]));
            assert_eq!(
                word.to_le_bytes(),
                [byte.to_ascii_lowercase(); 8],
                "byte {byte}"
            );
        }
        let mut index = NameIndex::default();
        index.insert(b"georadius_ro", 1);
        index.insert(b"get", 2);
        assert_eq!(index.get(b"GeoRadius_RO"), Some(1));
        assert_eq!(index.get(b"GET"), Some(2));
        assert_eq!(index.get(b"get\x7f"), None);
        assert_eq!(index.get(b"GET_"), None);
        assert_eq!(index.get(b""), None);
    }
}
