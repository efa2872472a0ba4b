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

use std::cell::Cell;

use crate::store::listpack::Listpack;

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

/// A quicklist node: a listpack of elements, or one element in a plain node.
#[derive(Debug, Clone)]
pub struct Node {
    /// The node's elements (exactly one in a plain node).
    pub(super) entries: Listpack,
    /// Whether this is a plain node (RDB container 1) rather than a packed one (2).
    pub(super) plain: bool,
}

impl Node {
    /// A packed node holding `entries`.
    pub(super) fn packed(entries: Listpack) -> Node {
        Node {
            entries,
            plain: false,
        }
    }

    /// A plain node holding `value`, in a buffer of exactly its size.
    pub(super) fn plain(value: &[u8]) -> Node {
        let mut entries = Listpack::with_capacity(Listpack::encoded_len(value));
        entries.push_back(value);
        Node {
            entries,
            plain: true,
        }
    }

    /// The node's elements, head first.
    pub fn entries(&self) -> &Listpack {
        &self.entries
    }

    /// Whether this is a plain node: one element saved as a raw string, not a listpack.
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// Memory held: the node and its buffer.
    pub(super) fn byte_size(&self) -> usize {
        std::mem::size_of::<Self>() - std::mem::size_of::<Listpack>() + self.entries.byte_size()
    }
}
