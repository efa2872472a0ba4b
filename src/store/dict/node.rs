//! One entry of a dict chain in an allocation of its own, sized to hold the bytes its
//! key embeds (docs/ARCHITECTURE.md, "Memory").
//!
//! A node is `next`, then the value, then the key, in that order (`repr(C)`), so the key
//! handle is the last thing in the node. A key type that embeds (`Mstr`, for strings of
//! 16 to 255 bytes) asks for some bytes after the node ([`DictKey::embed_len`]) and keeps
//! its string across the end of its handle and into them: one allocation per element
//! instead of a node plus a block for the string, which for a 20-byte set member is a
//! 48-byte chunk instead of 32 + 32. Other key types ask for nothing, and their nodes are
//! exactly `Box<Node>`s.
//!
//! An embedded key only makes sense inside its node, so a key leaving its node (a
//! removal) first gets its bytes back into a block of its own ([`DictKey::detach`]).

use std::alloc::{self, Layout};
use std::mem::{self, ManuallyDrop};
use std::ops::{Deref, DerefMut};
use std::ptr::{self, NonNull};

/// A key usable in a [`Dict`](super::Dict): anything that is a byte string. Lookups take `&[u8]`.
///
/// A key type may also keep its bytes in its node's allocation (this module says how):
/// the last four methods, which by default embed nothing.
pub trait DictKey {
    /// The bytes that are hashed and compared.
    fn key_bytes(&self) -> &[u8];

    /// How many bytes past the end of its node a key of `bytes` embeds; 0 for none.
    fn embed_len(_bytes: &[u8]) -> usize
    where
        Self: Sized,
    {
        0
    }

    /// Writes a key of `bytes` at `this`, embedding its string.
    ///
    /// # Safety
    ///
    /// `this` is valid for writes and aligned, is the last field of a node and is
    /// followed by `Self::embed_len(bytes)` (non-zero) bytes of the same allocation;
    /// the key stays there until [`DictKey::detach`] is called or it is dropped.
    unsafe fn write_embedded(_this: *mut Self, _bytes: &[u8])
    where
        Self: Sized,
    {
        unreachable!("write_embedded on a key type that embeds nothing")
    }

    /// The bytes past its node this key took when it was written (`embed_len`).
    fn embedded_len(&self) -> usize {
        0
    }

    /// Gives an embedded key its own copy of its bytes: it is leaving its node.
    fn detach(&mut self) {}
}

/// A chain link: the head of a bucket or the `next` of a node.
pub(super) type Link<K, V> = Option<NodeBox<K, V>>;

/// One entry of a chain. The key is last: an embedding key continues past its end.
#[repr(C)]
pub(super) struct Node<K: DictKey, V> {
    pub(super) next: Link<K, V>,
    pub(super) value: V,
    pub(super) key: K,
}

/// The owning pointer to a node and the bytes after it, like a `Box<Node>` whose
/// allocation may be longer than the node.
pub(super) struct NodeBox<K: DictKey, V>(NonNull<Node<K, V>>);

// SAFETY: a `NodeBox` owns its node alone, as a `Box` does, so it may move to another
// thread (lazy free) or be read from several exactly when the node's contents may.
unsafe impl<K: DictKey + Send, V: Send> Send for NodeBox<K, V> {}
// SAFETY: as above; `&NodeBox` only gives `&Node`.
unsafe impl<K: DictKey + Sync, V: Sync> Sync for NodeBox<K, V> {}

/// The layout of a node followed by `extra` bytes.
fn layout<K: DictKey, V>(extra: usize) -> Layout {
    let node = Layout::new::<Node<K, V>>();
    match Layout::from_size_align(node.size() + extra, node.align()) {
        Ok(layout) => layout,
        // `extra` is a key's embedded length, at most a few hundred bytes.
        Err(_) => unreachable!("a node of {extra} extra bytes"),
    }
}

/// Whether nothing follows the key inside a node, so bytes after the node follow the
/// key directly (true for every `repr(C)` node whose key is 8-aligned and sized).
fn key_is_last<K: DictKey, V>() -> bool {
    mem::offset_of!(Node<K, V>, key) + mem::size_of::<K>() == mem::size_of::<Node<K, V>>()
}

impl<K: DictKey, V> NodeBox<K, V> {
    /// A node holding `key` and `value`; a key that embeds is copied into the node.
    pub(super) fn new(key: K, value: V) -> Self {
        let extra = K::embed_len(key.key_bytes());
        if extra == 0 {
            let node = Box::new(Node {
                next: None,
                value,
                key,
            });
            return NodeBox(NonNull::from(Box::leak(node)));
        }
        let node = Self::embedded(key.key_bytes(), extra, value);
        drop(key);
        node
    }

    /// A node for the key `bytes`: an embedding key is written straight into the node,
    /// any other is made by `make_key`.
    pub(super) fn with_bytes(bytes: &[u8], make_key: impl FnOnce() -> K, value: V) -> Self {
        match K::embed_len(bytes) {
            0 => Self::new(make_key(), value),
            extra => Self::embedded(bytes, extra, value),
        }
    }

    /// A node whose key of `bytes` embeds `extra` bytes after the node.
    fn embedded(bytes: &[u8], extra: usize, value: V) -> Self {
        assert!(key_is_last::<K, V>(), "an embedding key must end its node");
        let layout = layout::<K, V>(extra);
        // SAFETY: the layout has a non-zero size (a node holds at least a link).
        let raw = unsafe { alloc::alloc(layout) }.cast::<Node<K, V>>();
        let Some(node) = NonNull::new(raw) else {
            alloc::handle_alloc_error(layout);
        };
        // SAFETY: `raw` is a fresh allocation of the node's size plus `extra`, aligned
        // for the node; each field is written once through its own place, and the key
        // is followed by the `extra` bytes it asked for (the key ends the node).
        unsafe {
            ptr::addr_of_mut!((*raw).next).write(None);
            ptr::addr_of_mut!((*raw).value).write(value);
            K::write_embedded(ptr::addr_of_mut!((*raw).key), bytes);
        }
        NodeBox(node)
    }

    /// Takes the key and the value out of the node, freeing it; an embedded key gets
    /// its bytes back into a block of its own first.
    pub(super) fn into_parts(self) -> (K, V) {
        let this = ManuallyDrop::new(self);
        let raw = this.0.as_ptr();
        // SAFETY: the node is valid and owned by `this`, which is not dropped: its fields
        // are each read out once, then its allocation is freed with the layout it was
        // made with (the key's embedded length, read before the key gave it up).
        unsafe {
            let extra = (*raw).key.embedded_len();
            (*raw).key.detach();
            let key = ptr::addr_of!((*raw).key).read();
            let value = ptr::addr_of!((*raw).value).read();
            drop(ptr::addr_of!((*raw).next).read());
            alloc::dealloc(raw.cast(), layout::<K, V>(extra));
            (key, value)
        }
    }
}

impl<K: DictKey, V> Drop for NodeBox<K, V> {
    fn drop(&mut self) {
        let raw = self.0.as_ptr();
        // SAFETY: the node is valid and owned by `self`; it is dropped in place once and
        // its allocation freed with the layout it was made with (the key's embedded
        // length is read before the key is dropped).
        unsafe {
            let extra = (*raw).key.embedded_len();
            ptr::drop_in_place(raw);
            alloc::dealloc(raw.cast(), layout::<K, V>(extra));
        }
    }
}

impl<K: DictKey, V> Deref for NodeBox<K, V> {
    type Target = Node<K, V>;

    fn deref(&self) -> &Node<K, V> {
        // SAFETY: the pointer is valid and owned by `self` for as long as it lives.
        unsafe { self.0.as_ref() }
    }
}

impl<K: DictKey, V> DerefMut for NodeBox<K, V> {
    fn deref_mut(&mut self) -> &mut Node<K, V> {
        // SAFETY: as above, and `&mut self` makes the access exclusive.
        unsafe { self.0.as_mut() }
    }
}
