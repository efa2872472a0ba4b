//! Replies too long to build at once, written a slice at a time as the client reads.
//!
//! A negative count to SRANDMEMBER, ZRANDMEMBER or HRANDFIELD asks for that many
//! independent random picks: up to 2^63 of them. Building such a reply up front either
//! fills memory or holds the loop for seconds while everyone else waits. Instead the
//! command snapshots what it picks from, and the client's [`OutBuf`](super::OutBuf)
//! asks that [`ReplySource`] for the next slice each time the previous one has been
//! written. Memory stays at one slice plus the snapshot, other clients are served
//! between slices, and the reply is still the one atomic answer Redis would give:
//! every pick comes from the value as it was when the command ran.

use crate::util::rng::Rng;

/// The rest of a reply, produced on demand.
pub trait ReplySource {
    /// Appends up to about `budget` more bytes of the reply to `into`. Returns true
    /// once the reply is complete (nothing more will be produced).
    fn produce(&mut self, into: &mut Vec<u8>, budget: usize) -> bool;

    /// The memory the source holds (a client's output memory counts it).
    fn memory(&self) -> usize;
}

/// Pre-encoded reply items laid end to end: the snapshot random picks are made from.
#[derive(Debug, Default)]
pub struct EncodedItems {
    bytes: Vec<u8>,
    /// Item `i` ends at `ends[i]` and starts where item `i - 1` ends.
    ends: Vec<usize>,
}

impl EncodedItems {
    /// Items laid end to end in `bytes`, item `i` ending at `ends[i]` (ascending, the
    /// last one `bytes.len()`); see [`Reply::encode_items`](super::Reply::encode_items).
    pub fn from_parts(bytes: Vec<u8>, ends: Vec<usize>) -> Self {
        debug_assert!(ends.windows(2).all(|w| w[0] <= w[1]));
        debug_assert_eq!(ends.last().copied().unwrap_or(0), bytes.len());
        EncodedItems { bytes, ends }
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is nothing to pick from.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The encoded bytes of item `i`.
    fn item(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// `left` items picked uniformly at random, with repeats, from a snapshot.
pub struct RandomPicks {
    items: EncodedItems,
    left: u64,
    rng: Rng,
}

impl RandomPicks {
    /// `count` picks from `items` (which must not be empty), drawn with a generator
    /// seeded by `seed`.
    pub fn new(items: EncodedItems, count: u64, seed: u64) -> Self {
        RandomPicks {
            items,
            left: count,
            rng: Rng::with_seed(seed),
        }
    }
}

impl ReplySource for RandomPicks {
    fn produce(&mut self, into: &mut Vec<u8>, budget: usize) -> bool {
        let n = self.items.len() as u64;
        if n == 0 {
            // Nothing to pick from: the caller never builds this, but a reply that
            // cannot be completed must end rather than spin.
            return true;
        }
        while self.left > 0 && into.len() < budget {
            let pick = self.rng.below(n) as usize;
            into.extend_from_slice(self.items.item(pick));
            self.left -= 1;
        }
        self.left == 0
    }

    fn memory(&self) -> usize {
        self.items.bytes.capacity() + self.items.ends.capacity() * std::mem::size_of::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(words: &[&[u8]]) -> EncodedItems {
        let mut ends = Vec::new();
        let mut bytes = Vec::new();
        for word in words {
            bytes.extend_from_slice(word);
            ends.push(bytes.len());
        }
        EncodedItems::from_parts(bytes, ends)
    }

    #[test]
    fn produces_exactly_the_count_in_slices() {
        let mut picks = RandomPicks::new(items(&[b"ab", b"cd"]), 1000, 7);
        let mut total = Vec::new();
        let mut slices = 0;
        loop {
            let mut slice = Vec::new();
            let done = picks.produce(&mut slice, 100);
            assert!(slice.len() <= 100);
            total.extend_from_slice(&slice);
            slices += 1;
            if done {
                break;
            }
        }
        assert_eq!(total.len(), 2000);
        assert_eq!(slices, 20);
        assert!(total.chunks(2).all(|c| c == b"ab" || c == b"cd"));
        assert!(total.chunks(2).any(|c| c == b"ab") && total.chunks(2).any(|c| c == b"cd"));
    }

    #[test]
    fn items_keep_their_bounds() {
        let collected = items(&[b"x", b"", b"yz"]);
        assert_eq!(collected.len(), 3);
        assert_eq!(collected.item(0), b"x");
        assert_eq!(collected.item(1), b"");
        assert_eq!(collected.item(2), b"yz");
    }
}
