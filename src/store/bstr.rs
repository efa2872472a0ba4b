//! `Bstr`: the compact byte string used for keys and string values.
//!
//! Memory per key is a product goal, so the common case — short keys and values such as
//! `key:000000001234` — lives inline in the 24-byte handle with no allocation at all.
//! Longer strings own an exact-size boxed slice; very large ones keep the shared `Bytes`
//! they arrived in, so a 100 MB value is neither copied in nor copied out. That is safe
//! because the request parser gives every argument that large a buffer of its own,
//! exactly its size (`protocol::parser`): a stored value never pins a larger buffer.

use std::fmt;

use bytes::Bytes;

use crate::store::dict::DictKey;

/// Longest string stored inline.
pub const INLINE_CAP: usize = 22;
/// Strings at least this long keep their shared `Bytes` (zero-copy in and out). Equal
/// to the parser's `BIG_ARG`: arguments this long own their buffer; shorter ones are
/// slices of a query buffer and are copied.
pub const SHARED_MIN: usize = 32 * 1024;

/// A byte string: inline when short, boxed when medium, shared when large.
#[derive(Clone)]
pub enum Bstr {
    /// Up to [`INLINE_CAP`] bytes stored in the handle itself.
    Inline { len: u8, data: [u8; INLINE_CAP] },
    /// An owned, exact-size allocation.
    Heap(Box<[u8]>),
    /// A large string sharing the buffer it was received in.
    Shared(Box<Bytes>),
}

impl Bstr {
    /// The empty string.
    pub const fn empty() -> Self {
        Bstr::Inline {
            len: 0,
            data: [0; INLINE_CAP],
        }
    }

    /// Copies `bytes` into the smallest fitting representation (never shared).
    pub fn from_slice(bytes: &[u8]) -> Self {
        if bytes.len() <= INLINE_CAP {
            let mut data = [0; INLINE_CAP];
            data[..bytes.len()].copy_from_slice(bytes);
            Bstr::Inline {
                len: bytes.len() as u8,
                data,
            }
        } else {
            Bstr::Heap(bytes.into())
        }
    }

    /// Takes an argument: large ones are kept shared, others copied so that a small value
    /// never pins a whole query buffer in memory.
    pub fn from_bytes(bytes: &Bytes) -> Self {
        if bytes.len() >= SHARED_MIN {
            Bstr::Shared(Box::new(bytes.clone()))
        } else {
            Bstr::from_slice(bytes)
        }
    }

    /// Takes ownership of a buffer built by a command (APPEND, SETRANGE...).
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        if bytes.len() <= INLINE_CAP {
            Bstr::from_slice(&bytes)
        } else {
            Bstr::Heap(bytes.into_boxed_slice())
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bstr::Inline { len, data } => &data[..*len as usize],
            Bstr::Heap(boxed) => boxed,
            Bstr::Shared(shared) => shared,
        }
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value as shared `Bytes` for a reply: free when shared, a copy otherwise.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Bstr::Shared(shared) => (**shared).clone(),
            other => Bytes::copy_from_slice(other.as_slice()),
        }
    }

    /// Heap bytes this string owns beyond its handle (for MEMORY USAGE and INFO).
    pub fn heap_size(&self) -> usize {
        match self {
            Bstr::Inline { .. } => 0,
            Bstr::Heap(boxed) => boxed.len(),
            Bstr::Shared(shared) => shared.len() + std::mem::size_of::<Bytes>(),
        }
    }
}

impl Default for Bstr {
    fn default() -> Self {
        Bstr::empty()
    }
}

impl DictKey for Bstr {
    #[inline]
    fn key_bytes(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Bstr {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Bstr {}

impl fmt::Debug for Bstr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representations_by_length() {
        assert!(matches!(Bstr::from_slice(&[7; 22]), Bstr::Inline { .. }));
        assert!(matches!(Bstr::from_slice(&[7; 23]), Bstr::Heap(_)));
        assert!(matches!(
            Bstr::from_bytes(&Bytes::from(vec![1; SHARED_MIN])),
            Bstr::Shared(_)
        ));
        assert_eq!(std::mem::size_of::<Bstr>(), 24);
        for len in [0, 1, 22, 23, 100, SHARED_MIN] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(
                Bstr::from_bytes(&Bytes::from(data.clone())).as_slice(),
                &data[..]
            );
            assert_eq!(Bstr::from_vec(data.clone()).as_slice(), &data[..]);
        }
    }
}
