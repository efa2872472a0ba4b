//! The replication backlog: the last `repl-backlog-size` bytes of the replication
//! stream, kept in a ring so that a replica that lost its link can continue from
//! where it stopped (PSYNC's partial resynchronization) instead of loading a whole
//! snapshot again.
//!
//! Offsets are Redis's: the stream's bytes are numbered from 1, the master's offset is
//! the number of the last byte it produced, and a replica asks to continue from the
//! number of the first byte it lacks. A backlog created when the master's offset is
//! `n` therefore starts at `n + 1` (INFO `repl_backlog_first_byte_offset`).
//!
//! The ring grows as bytes arrive and never past its size, so an idle backlog costs
//! nothing; Redis trims its backlog by 16 KB blocks, we trim it to the byte.

/// The smallest backlog Redis keeps, whatever `repl-backlog-size` says.
pub const MIN_BACKLOG_SIZE: usize = 16 * 1024;

/// A ring buffer of the newest stream bytes.
#[derive(Debug)]
pub struct Backlog {
    /// The ring, grown up to `size`; once full, `head` is where the oldest byte is
    /// and the next byte goes.
    ring: Vec<u8>,
    /// The most bytes kept.
    size: usize,
    /// Where the next byte goes once the ring is full (the oldest byte's index).
    head: usize,
    /// Offset of the oldest byte kept.
    first_offset: u64,
    /// Bytes kept (at most `size`).
    histlen: usize,
}

impl Backlog {
    /// An empty backlog of `size` bytes (at least [`MIN_BACKLOG_SIZE`]) whose first
    /// byte will be the stream byte `next_offset`.
    pub fn new(size: usize, next_offset: u64) -> Self {
        Backlog {
            ring: Vec::new(),
            size: size.max(MIN_BACKLOG_SIZE),
            head: 0,
            first_offset: next_offset,
            histlen: 0,
        }
    }

    /// Offset of the oldest byte kept (INFO `repl_backlog_first_byte_offset`).
    pub fn first_offset(&self) -> u64 {
        self.first_offset
    }

    /// Bytes kept (INFO `repl_backlog_histlen`).
    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// The most bytes kept.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Bytes the ring holds allocated (INFO `mem_replication_backlog`).
    pub fn memory(&self) -> usize {
        self.ring.capacity()
    }

    /// Appends stream bytes, dropping the oldest ones past the size.
    pub fn append(&mut self, mut bytes: &[u8]) {
        if bytes.len() > self.size {
            // Only the last `size` bytes can stay; the rest passes straight through.
            let skipped = bytes.len() - self.size;
            self.first_offset += (self.histlen + skipped) as u64;
            self.histlen = 0;
            self.ring.clear();
            self.head = 0;
            bytes = &bytes[skipped..];
        }
        let room = self.size - self.ring.len();
        let grown = bytes.len().min(room);
        self.ring.extend_from_slice(&bytes[..grown]);
        self.histlen += grown;
        let rest = &bytes[grown..];
        if rest.is_empty() {
            return;
        }
        // Full: overwrite the oldest bytes, wrapping at the end of the ring.
        self.drop_oldest(rest.len());
        let first = rest.len().min(self.size - self.head);
        self.ring[self.head..self.head + first].copy_from_slice(&rest[..first]);
        self.ring[..rest.len() - first].copy_from_slice(&rest[first..]);
        self.head = (self.head + rest.len()) % self.size;
        self.histlen += rest.len();
    }

    /// Forgets the `n` oldest bytes (the caller overwrites them).
    fn drop_oldest(&mut self, n: usize) {
        self.histlen -= n;
        self.first_offset += n as u64;
    }

    /// True when the stream can be continued from `offset` (the first byte a replica
    /// lacks): it is within what is kept, or just past it.
    pub fn covers(&self, offset: u64) -> bool {
        offset >= self.first_offset && offset <= self.first_offset + self.histlen as u64
    }

    /// The bytes from `offset` to the end, as at most two slices (the ring may wrap);
    /// `None` when [`Self::covers`] is false.
    pub fn read_from(&self, offset: u64) -> Option<(&[u8], &[u8])> {
        if !self.covers(offset) {
            return None;
        }
        let skip = usize::try_from(offset - self.first_offset).ok()?;
        // The oldest byte sits at `head` once the ring is full, else at 0.
        let oldest = if self.ring.len() == self.size {
            self.head
        } else {
            0
        };
        let start = (oldest + skip) % self.size;
        let len = self.histlen - skip;
        let first = len.min(self.ring.len() - start.min(self.ring.len()));
        let second = len - first;
        Some((&self.ring[start..start + first], &self.ring[..second]))
    }

    /// Changes the size, keeping the newest bytes that fit.
    pub fn resize(&mut self, size: usize) {
        let size = size.max(MIN_BACKLOG_SIZE);
        if size == self.size {
            return;
        }
        let mut kept = Vec::with_capacity(self.histlen.min(size));
        let skip = self.histlen.saturating_sub(size);
        if let Some((a, b)) = self.read_from(self.first_offset + skip as u64) {
            kept.extend_from_slice(a);
            kept.extend_from_slice(b);
        }
        self.first_offset += skip as u64;
        self.histlen = kept.len();
        self.ring = kept;
        self.size = size;
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(backlog: &Backlog, offset: u64) -> Option<Vec<u8>> {
        backlog.read_from(offset).map(|(a, b)| [a, b].concat())
    }

    /// A backlog of exactly `size` bytes, bypassing the minimum, for small tests.
    fn small(size: usize, next_offset: u64) -> Backlog {
        let mut backlog = Backlog::new(0, next_offset);
        backlog.size = size;
        backlog
    }

    #[test]
    fn offsets_start_after_the_master_offset() {
        let mut backlog = Backlog::new(1, 101);
        assert_eq!(backlog.size(), MIN_BACKLOG_SIZE);
        assert_eq!((backlog.first_offset(), backlog.histlen()), (101, 0));
        assert_eq!(read(&backlog, 101), Some(vec![]));
        assert_eq!(read(&backlog, 102), None);
        backlog.append(b"hello");
        assert_eq!(read(&backlog, 101), Some(b"hello".to_vec()));
        assert_eq!(read(&backlog, 104), Some(b"lo".to_vec()));
        assert_eq!(read(&backlog, 106), Some(vec![]));
        assert_eq!(read(&backlog, 100), None);
        assert_eq!(read(&backlog, 107), None);
    }

    #[test]
    fn the_ring_wraps_and_keeps_the_newest_bytes() {
        let mut backlog = small(8, 1);
        backlog.append(b"abcdef");
        backlog.append(b"ghij");
        // Ten bytes went in; the last eight stay, from offset 3.
        assert_eq!((backlog.first_offset(), backlog.histlen()), (3, 8));
        assert_eq!(read(&backlog, 3), Some(b"cdefghij".to_vec()));
        assert_eq!(read(&backlog, 9), Some(b"ij".to_vec()));
        assert_eq!(read(&backlog, 2), None);
        for chunk in [&b"klm"[..], b"nopqr", b"s"] {
            backlog.append(chunk);
        }
        assert_eq!(read(&backlog, 12), Some(b"lmnopqrs".to_vec()));
        assert_eq!(read(&backlog, 17), Some(b"qrs".to_vec()));
        assert_eq!(backlog.first_offset() + backlog.histlen() as u64, 20);
    }

    #[test]
    fn a_write_longer_than_the_ring_keeps_its_tail() {
        let mut backlog = small(4, 1);
        backlog.append(b"ab");
        backlog.append(b"0123456789");
        assert_eq!((backlog.first_offset(), backlog.histlen()), (9, 4));
        assert_eq!(read(&backlog, 9), Some(b"6789".to_vec()));
        backlog.append(b"xy");
        assert_eq!(read(&backlog, 11), Some(b"89xy".to_vec()));
    }

    #[test]
    fn resizing_keeps_the_newest_bytes() {
        let mut backlog = small(8, 1);
        backlog.append(b"abcdefghijk");
        backlog.size = 8;
        backlog.resize(MIN_BACKLOG_SIZE);
        assert_eq!(read(&backlog, 4), Some(b"defghijk".to_vec()));
        let big: Vec<u8> = (0..MIN_BACKLOG_SIZE * 2).map(|i| i as u8).collect();
        backlog.append(&big);
        backlog.resize(MIN_BACKLOG_SIZE * 4);
        let end = 12 + big.len() as u64;
        assert_eq!(backlog.first_offset() + backlog.histlen() as u64, end);
        assert_eq!(backlog.histlen(), MIN_BACKLOG_SIZE);
        backlog.append(b"z");
        assert_eq!(
            read(&backlog, end - 1),
            Some(vec![big[big.len() - 1], b'z'])
        );
    }
}
