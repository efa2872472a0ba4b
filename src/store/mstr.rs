//! `Mstr`: the 16-byte string that holds the members of set tables and the fields and
//! values of hash tables.
//!
//! Memory per element is a product goal (issue #16), and in a table most of it is the
//! node: key, value and the chain link, rounded up by the allocator (glibc hands out
//! chunks of 16·k bytes, 8 of them its own header). With the 24-byte [`Bstr`] handle a
//! set node is 32 bytes (a 48-byte chunk) and a hash node 56 (a 64-byte chunk); with
//! 16-byte handles they are 24 and 40 bytes, in 32- and 48-byte chunks: 16 bytes saved
//! per element, a quarter of what Redis 7.0 spends on a set member.
//!
//! Strings of up to [`INLINE_CAP`] bytes (ids, `user:1234`, small numbers as text) live
//! in the handle. Longer ones own an exact-size heap block holding only the bytes: the
//! length stays in the handle, so a long string costs its bytes plus the allocator's
//! header, as an sds string does in Redis.
//!
//! [`Bstr`]: crate::store::bstr::Bstr

use std::fmt;
use std::ptr::{self, NonNull};
use std::slice;

use crate::store::dict::DictKey;

/// Longest string stored in the handle itself.
pub const INLINE_CAP: usize = 15;
/// First byte of a handle whose bytes are on the heap (an inline length is at most 15).
const HEAP_TAG: u8 = 0xFF;

/// A byte string in 16 bytes: inline up to [`INLINE_CAP`] bytes, an exact-size heap
/// block beyond.
///
/// `head[0]` is the inline length, or [`HEAP_TAG`]. Inline, the bytes run from `head[1]`
/// on into `tail`; on the heap, `head[1..8]` hold the length (56 bits, little-endian)
/// and `tail` the block's address.
#[repr(C, align(8))]
pub struct Mstr {
    head: [u8; 8],
    tail: Tail,
}

/// The second word of a handle: inline bytes, or the address of the heap block.
#[repr(C)]
#[derive(Clone, Copy)]
union Tail {
    bytes: [u8; 8],
    ptr: NonNull<u8>,
}

// SAFETY: an `Mstr` owns its heap block alone, as a `Box<[u8]>` does, and never shares
// it; moving it to another thread (lazy free) or reading it from several is as safe as
// for a `Box<[u8]>`.
unsafe impl Send for Mstr {}
// SAFETY: as above; `&Mstr` only reads.
unsafe impl Sync for Mstr {}

impl Mstr {
    /// Copies `bytes` into a new string.
    #[inline]
    pub fn from_slice(bytes: &[u8]) -> Self {
        if bytes.len() <= INLINE_CAP {
            let mut all = [0u8; 16];
            all[0] = bytes.len() as u8;
            all[1..=bytes.len()].copy_from_slice(bytes);
            let all = u128::from_le_bytes(all);
            return Mstr {
                head: (all as u64).to_le_bytes(),
                tail: Tail {
                    bytes: ((all >> 64) as u64).to_le_bytes(),
                },
            };
        }
        Self::from_box(bytes.into())
    }

    /// Takes a buffer a command built, without copying when it goes to the heap.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        if bytes.len() <= INLINE_CAP {
            Self::from_slice(&bytes)
        } else {
            Self::from_box(bytes.into_boxed_slice())
        }
    }

    /// A heap string owning `boxed` (longer than [`INLINE_CAP`]).
    fn from_box(boxed: Box<[u8]>) -> Self {
        let len = boxed.len() as u64;
        assert!(len < 1 << 56, "a string of 2^56 bytes or more");
        let mut head = [0u8; 8];
        head[0] = HEAP_TAG;
        head[1..].copy_from_slice(&len.to_le_bytes()[..7]);
        let ptr = NonNull::from(Box::leak(boxed)).cast::<u8>();
        Mstr {
            head,
            tail: Tail { ptr },
        }
    }

    #[inline]
    fn is_heap(&self) -> bool {
        self.head[0] == HEAP_TAG
    }

    /// The length of a heap string, read from the handle.
    #[inline]
    fn heap_len(&self) -> usize {
        (u64::from_le_bytes(self.head) >> 8) as usize
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        if self.is_heap() {
            // SAFETY: a heap handle's `tail` is the address of the block `from_box`
            // leaked, `heap_len()` bytes long and owned by `self` until `drop`.
            unsafe { slice::from_raw_parts(self.tail.ptr.as_ptr(), self.heap_len()) }
        } else {
            // SAFETY: `repr(C)` lays `tail` right after the 8 bytes of `head`, so the
            // handle is 16 contiguous initialised bytes (an inline handle writes `tail`
            // as bytes); the inline length in `head[0]` is at most 15, so the slice from
            // byte 1 stays inside the handle, which it borrows.
            unsafe {
                let start = (self as *const Self).cast::<u8>().add(1);
                slice::from_raw_parts(start, self.head[0] as usize)
            }
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        if self.is_heap() {
            self.heap_len()
        } else {
            self.head[0] as usize
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held on the heap beyond the handle (for MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        if self.is_heap() {
            self.heap_len()
        } else {
            0
        }
    }
}

impl Drop for Mstr {
    fn drop(&mut self) {
        if self.is_heap() {
            // SAFETY: the block came from `Box::leak` of a `Box<[u8]>` of `heap_len()`
            // bytes in `from_box`, is owned by this handle alone and freed only here.
            unsafe {
                let raw = ptr::slice_from_raw_parts_mut(self.tail.ptr.as_ptr(), self.heap_len());
                drop(Box::from_raw(raw));
            }
        }
    }
}

impl Clone for Mstr {
    fn clone(&self) -> Self {
        Mstr::from_slice(self.as_slice())
    }
}

impl Default for Mstr {
    fn default() -> Self {
        Mstr::from_slice(b"")
    }
}

impl DictKey for Mstr {
    #[inline]
    fn key_bytes(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Mstr {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Mstr {}

impl fmt::Debug for Mstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_inline_and_on_the_heap() {
        assert_eq!(std::mem::size_of::<Mstr>(), 16);
        assert_eq!(std::mem::size_of::<(Mstr, Mstr, usize)>(), 40);
        for len in [0, 1, 7, 8, 9, 14, 15, 16, 17, 100, 70_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let s = Mstr::from_slice(&data);
            assert_eq!(s.as_slice(), &data[..], "len {len}");
            assert_eq!(s.len(), len);
            assert_eq!(s.is_heap(), len > INLINE_CAP);
            assert_eq!(s.heap_size(), if len > INLINE_CAP { len } else { 0 });
            assert_eq!(s.clone(), s);
            assert_eq!(Mstr::from_vec(data.clone()).as_slice(), &data[..]);
        }
        assert!(Mstr::default().is_empty());
        assert_ne!(Mstr::from_slice(b"abc"), Mstr::from_slice(b"abd"));
    }

    #[test]
    fn moves_between_threads() {
        let long = Mstr::from_slice(&[9; 40]);
        let back = std::thread::spawn(move || long).join().expect("thread");
        assert_eq!(back.as_slice(), &[9; 40]);
    }
}
