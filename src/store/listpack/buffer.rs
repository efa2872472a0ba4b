//! The byte buffer behind a [`Listpack`](super::Listpack): a `Vec<u8>` whose entries
//! may start after a run of spare bytes, the *front gap*.
//!
//! A list node takes every LPUSH at its front. With the entries at the start of the
//! allocation, each one moves the whole node (up to 8 KB) to make room, so a push costs
//! as much as the node is long. With a gap in front, a push writes into the gap; when the
//! gap runs out, the entries move once and leave a gap of an eighth of their size, so the
//! cost per byte pushed is a constant. Removing the first entry (LPOP) just widens the
//! gap. Like the spare capacity at the back, the gap is counted as memory held (what a
//! push opens is about an eighth of the entries; pops widen it, as they would leave
//! room at the back of a plain vector), growing at the back closes it up first, and
//! `shrink_to_fit` gives it back.
//!
//! The buffer dereferences to the entries alone, so positions are offsets into the
//! entries and the listpack code indexes it like a slice.

use std::ops::{Deref, DerefMut, Range};

/// Entries stored after a front gap (see the module documentation).
#[derive(Debug, Default)]
pub struct GapBuf {
    /// The gap, then the entries.
    vec: Vec<u8>,
    /// Bytes at the start of `vec` that hold no entry.
    gap: usize,
}

impl GapBuf {
    /// An empty buffer with room for `bytes` bytes of entries.
    pub fn with_capacity(bytes: usize) -> Self {
        GapBuf {
            vec: Vec::with_capacity(bytes),
            gap: 0,
        }
    }

    /// Bytes allocated, the gap and the spare room at the back included.
    pub fn allocated(&self) -> usize {
        self.vec.capacity()
    }

    /// Makes room for `extra` more bytes after the entries, growing by at least
    /// `at_least`; a gap that would do is closed up first instead.
    pub fn reserve_back(&mut self, extra: usize, at_least: usize) {
        if self.vec.capacity() - self.vec.len() >= extra {
            return;
        }
        if self.gap >= extra.max(self.len() / 8) {
            self.close_gap();
            return;
        }
        self.vec.reserve_exact(extra.max(at_least));
    }

    /// Takes `n` bytes from the front gap so that they become the first `n` bytes of
    /// the entries (their contents are stale; the caller writes them). Moves the
    /// entries once to open a gap when there is not enough of one.
    pub fn open_front(&mut self, n: usize) {
        if self.gap < n {
            self.widen_gap(n);
        }
        self.gap -= n;
    }

    /// Moves the entries into a new allocation that has `n` bytes plus an eighth of
    /// the entries free in front, and as much free room at the back as before.
    fn widen_gap(&mut self, n: usize) {
        let len = self.len();
        let back_room = self.vec.capacity() - self.vec.len();
        let gap = n + len / 8;
        let mut vec = Vec::with_capacity(gap + len + back_room);
        vec.resize(gap, 0);
        vec.extend_from_slice(self);
        self.vec = vec;
        self.gap = gap;
    }

    /// Moves the entries to the start of the allocation.
    fn close_gap(&mut self) {
        if self.gap > 0 {
            self.vec.drain(..self.gap);
            self.gap = 0;
        }
    }

    /// Makes the entries `len` bytes long, adding zeros or cutting the end.
    pub fn resize(&mut self, len: usize) {
        self.vec.resize(self.gap + len, 0);
    }

    /// Keeps the first `len` bytes of the entries.
    pub fn truncate(&mut self, len: usize) {
        self.vec.truncate(self.gap + len);
    }

    /// Removes the bytes of `range` from the entries; removing from the front only
    /// widens the gap.
    pub fn remove(&mut self, range: Range<usize>) {
        if range.start == 0 && range.end < self.len() {
            self.gap += range.end;
        } else if range.start == 0 {
            self.vec.clear();
            self.gap = 0;
        } else {
            self.vec.drain(self.gap + range.start..self.gap + range.end);
        }
    }

    /// Appends `bytes` after the entries.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.vec.extend_from_slice(bytes);
    }

    /// Gives back the gap and the spare room at the back.
    pub fn shrink_to_fit(&mut self) {
        self.close_gap();
        self.vec.shrink_to_fit();
    }
}

impl From<Vec<u8>> for GapBuf {
    fn from(vec: Vec<u8>) -> Self {
        GapBuf { vec, gap: 0 }
    }
}

impl Deref for GapBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.vec[self.gap..]
    }
}

impl DerefMut for GapBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.vec[self.gap..]
    }
}

impl Clone for GapBuf {
    /// A copy of the entries alone, with no gap.
    fn clone(&self) -> Self {
        GapBuf::from(self.to_vec())
    }
}

impl PartialEq for GapBuf {
    /// Equal entries, wherever they start.
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for GapBuf {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_openings_amortize_and_removals_from_the_front_widen_the_gap() {
        let mut buf = GapBuf::default();
        let mut model: Vec<u8> = Vec::new();
        let mut moves = 0;
        for i in 0..2000u32 {
            let before = buf.vec.as_ptr();
            let byte = (i % 251) as u8;
            buf.open_front(3);
            buf[..3].copy_from_slice(&[byte; 3]);
            model.splice(0..0, [byte; 3]);
            moves += usize::from(before != buf.vec.as_ptr());
            assert_eq!(&buf[..], &model[..]);
        }
        // Each move leaves an eighth of the entries free: a few dozen moves, not 2000.
        assert!(moves < 60, "{moves} moves");
        assert!(buf.gap <= buf.len() / 8 + 3);
        buf.remove(0..30);
        model.drain(0..30);
        buf.remove(10..20);
        model.drain(10..20);
        assert_eq!(&buf[..], &model[..]);
        buf.reserve_back(100, 0);
        buf.extend_from_slice(&[7; 100]);
        model.extend_from_slice(&[7; 100]);
        assert_eq!(&buf[..], &model[..]);
        buf.shrink_to_fit();
        assert_eq!((buf.gap, buf.allocated()), (0, model.len()));
        assert_eq!(buf.clone(), buf);
        let len = buf.len();
        buf.remove(0..len);
        assert!(buf.is_empty() && buf.gap == 0);
    }
}
