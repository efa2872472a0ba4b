//! One node of a [`QuickList`](super::QuickList), and the size from which an element is
//! too big to pack.
//!
//! Redis 7.0 keeps an element of `packed_threshold` bytes or more (1 GB unless DEBUG
//! QUICKLIST-PACKED-THRESHOLD says otherwise) alone in a *plain* node instead of a
//! listpack, and its RDB files and DUMP payloads say which kind each node is
//! (`docs/ARCHITECTURE.md`, "Persistence"). We keep the same distinction so that a list
//! saves exactly as Redis saves it and a plain node read from a file stays plain.
//!
//! A plain node is stored as a listpack holding its single element: the few bytes of
//! entry header cost nothing next to an element this big, and every walk over the list
//! (positions, iteration, search) reads both kinds of node the same way. What differs is
//! only where an element may go: nothing is ever added to a plain node, it is never
//! merged with a neighbour, and an element at or above the threshold never enters a
//! packed node (an element pushed while the threshold was higher stays where it is).
//!
//! # Shared prefix
//!
//! The elements of one node are often alike: ids, keys, queue payloads that begin the
//! same way. A packed node keeps the bytes all its elements begin with once, as its
//! *prefix*, and its listpack holds what follows in each element (an integer when that
//! rest is one). A new node takes its first element whole as its prefix; an element
//! that does not begin with it shrinks the prefix to what they share, and the entries
//! are rewritten with the bytes the prefix gave up ([`Listpack::prepend_to_each`]).
//! The prefix never grows back while the node lives; a node built whole (from a file,
//! [`Node::packed`]) starts with the prefix all its elements share. Node limits are
//! checked against the entries plus the prefix counted once per element
//! ([`Node::data_len`]), about the bytes the elements would take whole (an integer
//! rest takes fewer than its text), so nodes hold about as many elements as they
//! would otherwise, and the saving is all memory. Readers get each element in its two parts
//! ([`Element`](super::Element)); files get whole elements ([`Node::entries`]).
//!
//! # Compression
//!
//! A node may be *compressed*: its entries kept as LZF bytes (`list-compress-depth`,
//! which [`QuickList`](super::QuickList) applies). Its entry count and encoded size are
//! kept beside them, so walking past the node or judging whether it may take an entry
//! never decompresses it. A change decompresses the node in place
//! ([`Node::parts_mut`]); a read through `&self` decompresses into a copy the node
//! holds ([`Node::view`]) until the list drops it ([`Node::drop_copy`]), because an
//! iterator's entries borrow from the node they are in.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};

use crate::store::listpack::{Listpack, Pos};
use crate::util::lzf;
use crate::util::numbers::MAX_I64_CHARS;

mod elements;

/// Redis's default threshold: 1 GB.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;

/// The largest threshold DEBUG accepts: 1 MB short of 4 GB, as Redis (whose plain
/// node sizes and listpack lengths are 32-bit) allows.
const MAX_PACKED_THRESHOLD: u64 = (1 << 32) - (1 << 20);

thread_local! {
    /// The threshold in force. Redis keeps it process-wide; lists are only ever built
    /// and changed by the thread that runs commands, which is also the thread DEBUG
    /// sets it on, so a thread-local value is the same thing for the server and keeps
    /// unit tests (each on its own thread) from seeing one another's setting.
    static PACKED_THRESHOLD: Cell<usize> = const { Cell::new(DEFAULT_PACKED_THRESHOLD) };
}

/// Sets the size from which elements get a plain node of their own, as DEBUG
/// QUICKLIST-PACKED-THRESHOLD does: 0 restores the default (1 GB). Returns false, and
/// changes nothing, for a size above 4 GB minus 1 MB.
pub fn set_packed_threshold(bytes: u64) -> bool {
    if bytes > MAX_PACKED_THRESHOLD {
        return false;
    }
    let bytes = match bytes {
        0 => DEFAULT_PACKED_THRESHOLD,
        n => usize::try_from(n).unwrap_or(DEFAULT_PACKED_THRESHOLD),
    };
    PACKED_THRESHOLD.with(|t| t.set(bytes));
    true
}

/// Whether an element of `len` bytes is too big for a packed node.
pub(super) fn is_large(len: usize) -> bool {
    len >= PACKED_THRESHOLD.with(Cell::get)
}

/// Nodes with fewer encoded bytes than this are not worth compressing (Redis's
/// `MIN_COMPRESS_BYTES`).
const MIN_COMPRESS_BYTES: usize = 48;
/// Compression must save more than this many bytes to be kept (Redis's
/// `MIN_COMPRESS_IMPROVE`).
const MIN_COMPRESS_IMPROVE: usize = 8;

/// Where a node's entries are.
#[derive(Debug, Clone)]
enum Body {
    /// As a listpack, ready to read and change.
    Raw(Listpack),
    /// LZF-compressed: the listpack's entry bytes, their length and the entry count.
    Lzf {
        bytes: Box<[u8]>,
        raw_len: usize,
        count: usize,
    },
}

/// A quicklist node: a listpack of elements, or one element in a plain node.
#[derive(Debug)]
pub struct Node {
    /// The node's elements (exactly one in a plain node), raw or compressed.
    body: Body,
    /// A decompressed copy of a compressed body, made by a read through `&self`.
    copy: OnceCell<Box<Listpack>>,
    /// The bytes every element of the node begins with, which its entries leave out
    /// (always empty in a plain node).
    prefix: Box<[u8]>,
    /// Whether this is a plain node (RDB container 1) rather than a packed one (2).
    pub(super) plain: bool,
    /// Compression was tried on the body as it is and did not pay; cleared by a change.
    incompressible: bool,
}

impl Clone for Node {
    /// The node without its read copy.
    fn clone(&self) -> Self {
        Node {
            body: self.body.clone(),
            copy: OnceCell::new(),
            prefix: self.prefix.clone(),
            plain: self.plain,
            incompressible: self.incompressible,
        }
    }
}

impl Node {
    /// A packed node whose entries hold what follows `prefix` in each element.
    fn with_prefix(prefix: Box<[u8]>, entries: Listpack) -> Node {
        Node {
            body: Body::Raw(entries),
            copy: OnceCell::new(),
            prefix,
            plain: false,
            incompressible: false,
        }
    }

    /// A packed node holding the elements `entries` holds whole, sharing the prefix
    /// they all begin with.
    pub(super) fn packed(mut entries: Listpack) -> Node {
        let mut digits = [0u8; MAX_I64_CHARS];
        let mut prefix: Option<Vec<u8>> = None;
        for entry in entries.iter() {
            let value = entry.as_bytes(&mut digits);
            match &mut prefix {
                None => prefix = Some(value.to_vec()),
                Some(p) => p.truncate(shared_len(p, value)),
            }
            if prefix.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        let prefix = prefix.unwrap_or_default();
        if !prefix.is_empty() {
            let mut rests = Listpack::with_capacity(entries.data_len());
            for entry in entries.iter() {
                rests.push_back(&entry.as_bytes(&mut digits)[prefix.len()..]);
            }
            entries = rests;
        }
        Node::with_prefix(prefix.into(), entries)
    }

    /// A packed node holding the one element `value`, which is also its prefix.
    pub(super) fn single(value: &[u8]) -> Node {
        let mut entries = Listpack::new();
        entries.push_back(b"");
        Node::with_prefix(value.into(), entries)
    }

    /// A plain node holding `value`, in a buffer of exactly its size.
    pub(super) fn plain(value: &[u8]) -> Node {
        let mut entries = Listpack::with_capacity(Listpack::encoded_len(value));
        entries.push_back(value);
        Node {
            plain: true,
            ..Node::with_prefix(Box::default(), entries)
        }
    }

    /// The node's elements whole, head first: borrowed when they have no prefix, else
    /// a copy that is the caller's (persistence and introspection, which must not
    /// leave copies behind).
    pub fn entries(&self) -> Cow<'_, Listpack> {
        let body = self.body();
        if self.prefix.is_empty() {
            return body;
        }
        let mut whole = body.into_owned();
        whole.prepend_to_each(&self.prefix, Pos::default());
        Cow::Owned(whole)
    }

    /// The listpack of what follows the prefix in each element: borrowed, or
    /// decompressed into a copy that is the caller's.
    fn body(&self) -> Cow<'_, Listpack> {
        match &self.body {
            Body::Raw(entries) => Cow::Borrowed(entries),
            Body::Lzf { .. } => match self.copy.get() {
                Some(copy) => Cow::Borrowed(copy),
                None => Cow::Owned(self.decompressed()),
            },
        }
    }

    /// The node's prefix and the entries holding the rest of each element, for a read
    /// that borrows them: a compressed node keeps the decompressed copy until
    /// [`drop_copy`](Self::drop_copy), and sets `copies`, the list's note that some
    /// node holds one.
    pub(super) fn view(&self, copies: &Cell<bool>) -> (&[u8], &Listpack) {
        let body = match &self.body {
            Body::Raw(entries) => entries,
            Body::Lzf { .. } => {
                copies.set(true);
                self.copy.get_or_init(|| Box::new(self.decompressed()))
            }
        };
        (&self.prefix, body)
    }

    /// The entries to change and the prefix they follow: a compressed node is
    /// decompressed in place first.
    fn parts_mut(&mut self) -> (&mut Listpack, &[u8]) {
        self.incompressible = false;
        if let Body::Lzf { .. } = self.body {
            let entries = match self.copy.take() {
                Some(copy) => *copy,
                None => self.decompressed(),
            };
            self.body = Body::Raw(entries);
        }
        match &mut self.body {
            Body::Raw(entries) => (entries, &self.prefix),
            Body::Lzf { .. } => unreachable!("the body was just decompressed"),
        }
    }

    /// The entries to change (see [`parts_mut`](Self::parts_mut)).
    fn body_mut(&mut self) -> &mut Listpack {
        self.parts_mut().0
    }

    /// Number of elements (without decompressing).
    pub(super) fn len(&self) -> usize {
        match &self.body {
            Body::Raw(entries) => entries.len(),
            Body::Lzf { count, .. } => *count,
        }
    }

    /// Encoded bytes of the elements as if each carried the prefix itself: what node
    /// limits are checked against (without decompressing).
    pub(super) fn data_len(&self) -> usize {
        let body = match &self.body {
            Body::Raw(entries) => entries.data_len(),
            Body::Lzf { raw_len, .. } => *raw_len,
        };
        body + self.len() * self.prefix.len()
    }

    /// Whether the node has no elements.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the node's body is compressed.
    pub fn is_compressed(&self) -> bool {
        matches!(self.body, Body::Lzf { .. })
    }

    /// Whether this is a plain node: one element saved as a raw string, not a listpack.
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// Compresses the body, as Redis does, when it is big enough and LZF saves more
    /// than a few bytes; a body that did not compress is not tried again until it
    /// changes. Drops the read copy either way.
    pub(super) fn compress(&mut self) {
        self.copy = OnceCell::new();
        let Body::Raw(entries) = &self.body else {
            return;
        };
        let raw = entries.entry_bytes();
        if self.incompressible || raw.len() < MIN_COMPRESS_BYTES {
            return;
        }
        match lzf::compress(raw, raw.len() - MIN_COMPRESS_IMPROVE - 1) {
            Some(bytes) => {
                self.body = Body::Lzf {
                    // An exact copy: shrinking the output in place would leave a
                    // hole of the difference behind every node.
                    bytes: Box::from(&bytes[..]),
                    raw_len: raw.len(),
                    count: entries.len(),
                }
            }
            None => self.incompressible = true,
        }
    }

    /// Releases a raw body's spare capacity (a compressed body holds none).
    pub(super) fn shrink_to_fit(&mut self) {
        if let Body::Raw(entries) = &mut self.body {
            entries.shrink_to_fit();
        }
    }

    /// Decompresses the body in place (a node near an end of the list stays raw).
    pub(super) fn decompress(&mut self) {
        if self.is_compressed() {
            self.body_mut();
        }
    }

    /// Frees the copy a read decompressed.
    pub(super) fn drop_copy(&mut self) {
        self.copy = OnceCell::new();
    }

    /// The encoded entries as they are before compression (what LZF is given).
    #[cfg(test)]
    pub(super) fn body_bytes(&self) -> Vec<u8> {
        self.body().entry_bytes().to_vec()
    }

    /// Whether a read left a decompressed copy.
    #[cfg(test)]
    pub(super) fn has_copy(&self) -> bool {
        self.copy.get().is_some()
    }

    /// The compressed body, decompressed.
    fn decompressed(&self) -> Listpack {
        match &self.body {
            Body::Raw(entries) => entries.clone(),
            Body::Lzf {
                bytes,
                raw_len,
                count,
            } => {
                // The bytes are the node's own LZF output of exactly `raw_len` bytes;
                // failing to expand them back is memory corruption, not bad input.
                let raw = lzf::decompress(bytes, *raw_len)
                    .expect("a list node's own compressed bytes decompress");
                Listpack::from_entry_bytes(raw, *count)
            }
        }
    }

    /// Memory held: the node, its body and any read copy.
    pub(super) fn byte_size(&self) -> usize {
        let body = match &self.body {
            Body::Raw(entries) => entries.byte_size() - std::mem::size_of::<Listpack>(),
            Body::Lzf { bytes, .. } => bytes.len(),
        };
        let copy = self.copy.get().map_or(0, |c| c.byte_size());
        std::mem::size_of::<Self>() + self.prefix.len() + body + copy
    }
}

/// How many bytes `a` and `b` begin with in common.
fn shared_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}
