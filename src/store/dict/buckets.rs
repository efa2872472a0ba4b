//! A dict table's bucket array: zeroed memory, mapped straight from the kernel when it
//! is big.
//!
//! glibc's malloc files most freed chunks in an unsorted list and sorts them into its
//! bins only when a later request walks that list, at most 10,000 chunks a call. A
//! request of a kilobyte or more walks it as far as that. After a million keys expired
//! in the same second nothing had walked the list (the expiry only frees), and the cron
//! shrinking the keyspace's table (a 1 MB array) then spent 3-5 ms in one `calloc`
//! sorting chunks, holding up every client.
//!
//! So an array of [`MAP_MIN_BYTES`] or more is an anonymous mapping of its own: the
//! kernel zeroes its pages as they are first touched (as it did for the biggest arrays,
//! which glibc maps itself above its mmap threshold), and `munmap` gives them all back
//! when the table goes. Mappings are a limited resource (`vm.max_map_count`, 65,530 by
//! default, shared with the allocator and thread stacks), so at most
//! [`MAX_MAPPED_ARRAYS`] arrays are mapped at once; past that, arrays come from the
//! allocator as smaller ones do. Mapped arrays count in `used_memory` like any other.

use std::alloc::{self, Layout};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::slice;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::node::{DictKey, Link};
use crate::util::alloc::count_mapped;

/// Bucket arrays of at least this many bytes (8,192 buckets) are mapped.
const MAP_MIN_BYTES: usize = 64 << 10;
/// Most arrays mapped at once.
const MAX_MAPPED_ARRAYS: usize = 16 << 10;

/// Arrays mapped right now, across every dict of the process.
static MAPPED_ARRAYS: AtomicUsize = AtomicUsize::new(0);

/// Takes one of the [`MAX_MAPPED_ARRAYS`] places, if one is free.
fn take_mapping_place() -> bool {
    MAPPED_ARRAYS
        .fetch_update(Relaxed, Relaxed, |mapped| {
            (mapped < MAX_MAPPED_ARRAYS).then_some(mapped + 1)
        })
        .is_ok()
}

/// An owned array of empty-at-birth buckets. Dropping it frees the memory without
/// visiting the buckets: its owner empties them first (`Table`'s drop).
pub(super) struct Buckets<K: DictKey, V> {
    ptr: NonNull<Link<K, V>>,
    len: usize,
    /// The array is a mapping of its own (otherwise from the allocator, or empty).
    mapped: bool,
    _owns: PhantomData<Link<K, V>>,
}

impl<K: DictKey, V> Buckets<K, V> {
    /// `len` empty buckets.
    pub(super) fn zeroed(len: usize) -> Self {
        let Ok(layout) = Layout::array::<Link<K, V>>(len) else {
            panic!("a dict table of {len} buckets overflows the address space");
        };
        if layout.size() == 0 {
            return Self::default();
        }
        if layout.size() >= MAP_MIN_BYTES && take_mapping_place() {
            if let Some(ptr) = map_zeroed(layout.size()) {
                count_mapped(layout.size() as i64);
                return Buckets {
                    ptr: ptr.cast(),
                    len,
                    mapped: true,
                    _owns: PhantomData,
                };
            }
            MAPPED_ARRAYS.fetch_sub(1, Relaxed);
        }
        // SAFETY: the layout's size is not zero (checked above).
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            alloc::handle_alloc_error(layout);
        };
        Buckets {
            ptr: ptr.cast(),
            len,
            mapped: false,
            _owns: PhantomData,
        }
    }

    /// True when the array is a mapping of its own.
    #[cfg(test)]
    pub(super) fn is_mapped(&self) -> bool {
        self.mapped
    }
}

/// `bytes` of fresh zero pages, or `None` if the kernel refuses.
fn map_zeroed(bytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping at an address of the kernel's choosing
    // touches no existing memory; the result is checked before use.
    let raw = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return None;
    }
    NonNull::new(raw.cast())
}

impl<K: DictKey, V> Default for Buckets<K, V> {
    /// No buckets, no memory.
    fn default() -> Self {
        Buckets {
            ptr: NonNull::dangling(),
            len: 0,
            mapped: false,
            _owns: PhantomData,
        }
    }
}

impl<K: DictKey, V> Drop for Buckets<K, V> {
    fn drop(&mut self) {
        debug_assert!(
            self.iter().all(Option::is_none),
            "freeing a non-empty table"
        );
        let Ok(layout) = Layout::array::<Link<K, V>>(self.len) else {
            return;
        };
        if layout.size() == 0 {
            return;
        }
        if self.mapped {
            // SAFETY: the array is exactly the mapping `zeroed` made, not unmapped
            // before; its buckets are empty, so nothing they owned is lost.
            unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), layout.size());
            }
            count_mapped(-(layout.size() as i64));
            MAPPED_ARRAYS.fetch_sub(1, Relaxed);
        } else {
            // SAFETY: allocated by `zeroed` with this very layout; the buckets are
            // empty (`None` owns nothing), so freeing without dropping them leaks nothing.
            unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

impl<K: DictKey, V> Deref for Buckets<K, V> {
    type Target = [Link<K, V>];

    fn deref(&self) -> &[Link<K, V>] {
        // SAFETY: `ptr` holds `len` initialized buckets (zero bytes are `None`: a
        // `Link` is an `Option` of a non-null pointer), or is dangling with `len` 0.
        unsafe { slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<K: DictKey, V> DerefMut for Buckets<K, V> {
    fn deref_mut(&mut self) -> &mut [Link<K, V>] {
        // SAFETY: as in `deref`, and `&mut self` makes the borrow exclusive.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

// SAFETY: the array owns its buckets like a `Box<[Link]>` would; sending it sends them.
unsafe impl<K: DictKey + Send, V: Send> Send for Buckets<K, V> {}
// SAFETY: shared access only reads the buckets, as through a `&[Link]`.
unsafe impl<K: DictKey + Sync, V: Sync> Sync for Buckets<K, V> {}
