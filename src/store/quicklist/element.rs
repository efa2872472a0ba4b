//! [`Element`]: one list element as a node holds it, the bytes the node's elements
//! share followed by the rest of this one.
//!
//! A packed node keeps the prefix all its elements begin with once, and each entry of
//! its listpack holds only what follows (`node` says why). Reads hand out the two parts
//! as they are stored, so that replies and comparisons need no copy; an element is
//! joined into one buffer only where a caller asks for owned bytes.

use crate::store::listpack::{Entry, Needle};
use crate::util::numbers::{i64_to_bytes, MAX_I64_CHARS};

/// A list element: `prefix` (shared by its node, possibly empty) then `rest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    prefix: &'a [u8],
    rest: Entry<'a>,
}

impl<'a> Element<'a> {
    /// The element made of `prefix` followed by `rest`.
    pub fn new(prefix: &'a [u8], rest: Entry<'a>) -> Self {
        Element { prefix, rest }
    }

    /// The element's two parts as stored: the prefix (empty when the node has none)
    /// and the entry holding the rest.
    pub fn split(&self) -> (&'a [u8], Entry<'a>) {
        (self.prefix, self.rest)
    }

    /// Appends the element's bytes to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.prefix);
        self.rest.append_to(out);
    }

    /// The element's bytes as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.byte_len());
        self.append_to(&mut out);
        out
    }

    /// The length of the element's bytes.
    pub fn byte_len(&self) -> usize {
        self.prefix.len() + self.rest.byte_len()
    }

    /// Whether the element's bytes are exactly `needle`'s.
    pub fn matches(&self, needle: &Needle<'_>) -> bool {
        if self.prefix.is_empty() {
            return needle.matches(&self.rest);
        }
        let Some(tail) = needle.bytes().strip_prefix(self.prefix) else {
            return false;
        };
        match self.rest {
            Entry::Bytes(rest) => rest == tail,
            Entry::Int(n) => i64_to_bytes(n, &mut [0; MAX_I64_CHARS]) == tail,
        }
    }
}
