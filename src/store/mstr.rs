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
//! header, as an sds string does in Redis. As the key of a dict node (a set member, a
//! hash field), a string of 16 to 255 bytes is instead embedded: it starts inside the
//! handle and runs on into the node's allocation (`store/dict/node.rs`), so the node
//! is one chunk. A 20-byte member costs a 48-byte chunk, not a 32-byte node plus a
//! 32-byte block.
//!
//! [`Bstr`]: crate::store::bstr::Bstr

use std::fmt;
use std::mem::MaybeUninit;
use std::ptr;
use std::slice;

use crate::store::dict::DictKey;

/// Longest string stored in the handle itself.
pub const INLINE_CAP: usize = 15;
/// Tag byte of a handle whose bytes are in a heap block of their own (an inline length
/// is at most 15).
const HEAP_TAG: u8 = 0xFF;
/// Tag byte of a handle whose bytes run from inside it into the node that holds it.
const EMBED_TAG: u8 = 0xFE;
/// Where an embedded string starts in its handle: after the tag, the pointer to the
/// string (bytes 1..9) and its length (byte 9).
const EMBED_START: usize = 10;
/// Longest string a dict node embeds: its length is one byte.
const EMBED_MAX: usize = 255;

/// A byte string in 16 bytes: inline up to [`INLINE_CAP`] bytes, an exact-size heap
/// block beyond, or, as the key of a dict node, embedded in the node.
///
/// Byte 0 is the tag: an inline length, [`HEAP_TAG`] or [`EMBED_TAG`].
/// * Inline, the bytes follow the tag.
/// * On the heap, bytes 1..8 hold the length (56 bits, little-endian) and bytes 8..16
///   the block's address.
/// * Embedded (16 to 255 bytes, written by a dict node, [`DictKey::write_embedded`]),
///   bytes 1..9 hold the string's address, byte 9 its length, and the string starts at
///   byte 10 and runs on past the handle into the rest of the node's allocation. The
///   address is the node's own pointer, so reads of the bytes past the handle stay
///   within what that pointer may reach.
///
/// The bytes are `MaybeUninit` so that moving a handle copies the addresses it holds as
/// they are (with their provenance), as a union would.
#[repr(C, align(8))]
pub struct Mstr {
    raw: [MaybeUninit<u8>; 16],
}

// SAFETY: an `Mstr` owns its heap block alone, as a `Box<[u8]>` does, and never shares
// it; an embedded one lives in a node that owns it. Moving it to another thread (lazy
// free) or reading it from several is as safe as for a `Box<[u8]>`.
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
            // SAFETY: `MaybeUninit<u8>` has the size and layout of `u8`, and every
            // initialised byte is a valid `MaybeUninit<u8>`.
            let raw = unsafe { std::mem::transmute::<[u8; 16], [MaybeUninit<u8>; 16]>(all) };
            return Mstr { raw };
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
        let mut raw = [MaybeUninit::new(0u8); 16];
        raw[0] = MaybeUninit::new(HEAP_TAG);
        for (slot, byte) in raw[1..8].iter_mut().zip(len.to_le_bytes()) {
            *slot = MaybeUninit::new(byte);
        }
        let mut handle = Mstr { raw };
        let block = Box::leak(boxed).as_mut_ptr();
        // SAFETY: bytes 8..16 of the handle are in bounds and 8-aligned (the handle is
        // `align(8)`); the address is written as a pointer, keeping its provenance.
        unsafe { handle.base().add(8).cast::<*mut u8>().write(block) };
        handle
    }

    /// The handle's first byte, as a pointer with the handle's provenance.
    #[inline]
    fn base(&mut self) -> *mut u8 {
        self.raw.as_mut_ptr().cast()
    }

    #[inline]
    fn byte(&self, i: usize) -> u8 {
        // SAFETY: every constructor initialises all 16 bytes, and nothing de-initialises
        // them; a byte holding part of an address still has its value.
        unsafe { self.raw[i].assume_init() }
    }

    #[inline]
    fn tag(&self) -> u8 {
        self.byte(0)
    }

    #[inline]
    fn is_heap(&self) -> bool {
        self.tag() == HEAP_TAG
    }

    /// The length of a heap string, read from the handle.
    #[inline]
    fn heap_len(&self) -> usize {
        let mut le = [0u8; 8];
        for (i, byte) in le[..7].iter_mut().enumerate() {
            *byte = self.byte(1 + i);
        }
        u64::from_le_bytes(le) as usize
    }

    /// The address and length of a string not stored inline.
    #[inline]
    fn outside(&self) -> (*const u8, usize) {
        let raw = self.raw.as_ptr().cast::<u8>();
        if self.is_heap() {
            // SAFETY: bytes 8..16 of a heap handle hold the block's address, written as
            // an aligned pointer by `from_box`.
            (
                unsafe { raw.add(8).cast::<*const u8>().read() },
                self.heap_len(),
            )
        } else {
            // SAFETY: bytes 1..9 of an embedded handle hold the string's address, written
            // unaligned by `write_embedded`.
            let ptr = unsafe { raw.add(1).cast::<*const u8>().read_unaligned() };
            (ptr, self.byte(9) as usize)
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        let tag = self.tag();
        if tag as usize <= INLINE_CAP {
            // SAFETY: the inline bytes follow the tag inside the handle, which this
            // borrow covers; the length is at most 15, so they stay inside it.
            unsafe { slice::from_raw_parts(self.raw.as_ptr().add(1).cast(), tag as usize) }
        } else {
            let (ptr, len) = self.outside();
            // SAFETY: a heap handle's block is `len` bytes owned by the handle until its
            // drop; an embedded handle's string is `len` bytes of the node holding the
            // handle (from byte 10 of the handle on), and the pointer is the node's, so
            // it reaches them. Either lives as long as the handle is borrowed.
            unsafe { slice::from_raw_parts(ptr, len) }
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self.tag() {
            HEAP_TAG => self.heap_len(),
            EMBED_TAG => self.byte(9) as usize,
            inline => inline as usize,
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held beyond the handle (for MEMORY USAGE): a heap block, or what an
    /// embedded string takes of its node past the handle.
    pub fn heap_size(&self) -> usize {
        match self.tag() {
            HEAP_TAG => self.heap_len(),
            EMBED_TAG => self.embedded_len(),
            _ => 0,
        }
    }
}

impl Drop for Mstr {
    fn drop(&mut self) {
        if self.is_heap() {
            let (ptr, len) = self.outside();
            // SAFETY: the block came from `Box::leak` of a `Box<[u8]>` of `len` bytes in
            // `from_box`, is owned by this handle alone and freed only here.
            unsafe {
                drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                    ptr.cast_mut(),
                    len,
                )));
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

    /// Strings of 16 to 255 bytes embed: 6 of their bytes fit in the handle, the rest
    /// follow it in the node. A set node so takes one chunk (48 bytes up to 22 bytes of
    /// member) instead of two.
    #[inline]
    fn embed_len(bytes: &[u8]) -> usize {
        match bytes.len() {
            len @ (16..=EMBED_MAX) => len - (16 - EMBED_START),
            _ => 0,
        }
    }

    unsafe fn write_embedded(this: *mut Self, bytes: &[u8]) {
        let len = bytes.len();
        debug_assert!(Self::embed_len(bytes) > 0);
        let base = this.cast::<u8>();
        // SAFETY: the caller gives `this` aligned and valid for writes, followed by
        // `embed_len(bytes)` bytes of the same allocation, so bytes 0..10 of the handle
        // and the `len` bytes from byte 10 on are all writable, and `base` (derived from
        // `this`, the node's pointer) may reach them. The address written is that of
        // byte 10, from the same pointer.
        unsafe {
            let start = base.add(EMBED_START);
            base.write(EMBED_TAG);
            base.add(1).cast::<*mut u8>().write_unaligned(start);
            base.add(9).write(len as u8);
            ptr::copy_nonoverlapping(bytes.as_ptr(), start, len);
        }
    }

    #[inline]
    fn embedded_len(&self) -> usize {
        match self.tag() {
            EMBED_TAG => self.byte(9) as usize - (16 - EMBED_START),
            _ => 0,
        }
    }

    fn detach(&mut self) {
        if self.tag() == EMBED_TAG {
            // The embedded handle dropped by the assignment owns nothing.
            *self = Mstr::from_box(self.as_slice().into());
        }
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

    /// Members of every length from 0 to 300 in a set table: embedded (16..=255),
    /// inline or on the heap, written by either insert path, read, cloned, taken out
    /// (detached) and freed.
    #[test]
    fn embeds_in_dict_nodes_and_detaches_on_removal() {
        use crate::store::dict::Dict;
        let member = |len: usize| -> Vec<u8> { (0..len).map(|i| (i * 31 + len) as u8).collect() };
        let mut set: Dict<Mstr, ()> = Dict::new();
        let mut hash: Dict<Mstr, Mstr> = Dict::new();
        for len in 0..=300 {
            let m = member(len);
            if len % 2 == 0 {
                set.insert(Mstr::from_slice(&m), ());
            } else {
                set.get_or_insert_with(&m, || Mstr::from_slice(&m), || ());
            }
            hash.get_or_insert_with(&m, || Mstr::from_slice(&m), || Mstr::from_slice(&m));
        }
        for len in 0..=300 {
            let m = member(len);
            let (key, _) = set.get_key_value(&m).expect("member");
            assert_eq!(key.as_slice(), &m[..], "len {len}");
            assert_eq!(key.len(), len);
            let embedded = (16..=255).contains(&len);
            assert_eq!(key.embedded_len(), if embedded { len - 6 } else { 0 });
            assert_eq!(key.clone().as_slice(), &m[..]);
            assert_eq!(hash.get(&m).map(Mstr::as_slice), Some(&m[..]));
        }
        let copy = set.clone();
        for len in (0..=300).step_by(3) {
            let m = member(len);
            let (key, ()) = set.remove(&m).expect("removed");
            assert_eq!(key.embedded_len(), 0, "a removed key owns its bytes");
            assert_eq!(key.as_slice(), &m[..]);
            let moved = std::thread::spawn(move || key).join().expect("thread");
            assert_eq!(moved.as_slice(), &m[..]);
        }
        assert_eq!(set.len() + 101, 301);
        assert_eq!(copy.len(), 301);
        assert!(copy
            .iter()
            .all(|(k, ())| k.as_slice() == &member(k.len())[..]));
        let mut kept = hash;
        kept.retain(|k, v| k.len() % 2 == 0 && k == v);
        assert_eq!(kept.len(), 151);
    }

    #[test]
    fn moves_between_threads() {
        let long = Mstr::from_slice(&[9; 40]);
        let back = std::thread::spawn(move || long).join().expect("thread");
        assert_eq!(back.as_slice(), &[9; 40]);
    }
}
