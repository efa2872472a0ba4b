//! A case-insensitive map from short names to small values, for the command table.
//!
//! Every request looks its command name up, so the lookup is on the hot path. Names are
//! stored lowercased in an open-addressing table (linear probing, at most a quarter
//! full) and hashed with FNV-1a as they are lowercased, so a lookup copies nothing and
//! usually compares one slot. The table is filled at start-up and changed only by
//! `rename-command`; client input never inserts, so an unkeyed hash is safe here.

/// FNV-1a of `name` lowercased (ASCII).
fn hash_lowercase(name: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &byte in name {
        hash = (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Case-insensitive name → value map (see the module documentation).
#[derive(Debug, Clone)]
pub struct NameIndex<V: Copy> {
    /// Lowercased names and their values; `None` is an empty slot.
    slots: Vec<Option<(Box<[u8]>, V)>>,
    len: usize,
}

impl<V: Copy> Default for NameIndex<V> {
    fn default() -> Self {
        NameIndex {
            slots: vec![None; 16],
            len: 0,
        }
    }
}

impl<V: Copy> NameIndex<V> {
    /// Slot of `name` (any case), or of the empty slot where it would go.
    fn position(&self, name: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = hash_lowercase(name) as usize & mask;
        loop {
            match &self.slots[index] {
                Some((stored, _)) if !stored.eq_ignore_ascii_case(name) => {
                    index = (index + 1) & mask;
                }
                _ => return index,
            }
        }
    }

    /// The value of `name`, compared case-insensitively.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<V> {
        self.slots[self.position(name)].as_ref().map(|(_, value)| *value)
    }

    /// True when `name` is present (any case).
    pub fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`, replacing any value it had.
    pub fn insert(&mut self, name: &[u8], value: V) {
        if (self.len + 1) * 4 > self.slots.len() {
            self.rebuild(self.slots.len() * 2);
        }
        let index = self.position(name);
        if self.slots[index].is_none() {
            self.len += 1;
        }
        self.slots[index] = Some((name.to_ascii_lowercase().into_boxed_slice(), value));
    }

    /// Removes `name`, returning its value. The table is rebuilt, as linear probing
    /// cannot simply empty a slot; removal happens only at start-up (`rename-command`).
    pub fn remove(&mut self, name: &[u8]) -> Option<V> {
        let index = self.position(name);
        let (_, value) = self.slots[index].take()?;
        self.len -= 1;
        self.rebuild(self.slots.len());
        Some(value)
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = V> + '_ {
        self.slots.iter().flatten().map(|(_, value)| *value)
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
        for (name, value) in old.into_iter().flatten() {
            let index = self.position(&name);
            self.slots[index] = Some((name, value));
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
        assert!(names.iter().enumerate().all(|(i, n)| i == 7 || index.get(n.as_bytes()) == Some(i)));
        index.insert(b"CMD5", 55);
        assert_eq!((index.get(b"cmd5"), index.len()), (Some(55), 299));
        assert_eq!(index.values().count(), 299);
    }
}
