//! The process allocator, counted: Redis's `zmalloc_used_memory`.
//!
//! Every heap allocation made through Rust's allocator (values, dicts, client buffers,
//! the Lua heap, which mlua routes here) passes through [`Counting`], which adds the
//! requested size to a counter and subtracts it on free. INFO `used_memory`, the
//! maxmemory check before every command and MEMORY STATS read [`used_memory`]: what
//! the process holds right now, including what it holds by mistake (a small value
//! pinning a large buffer shows up here).
//!
//! # Cost
//!
//! Each thread owns one counter slot on its own cache line and updates it with a plain
//! load and store (no locked instruction): the loop thread and the background worker
//! never contend. Threads past the first [`SLOTS`]` - 1` share the last slot and update
//! it atomically. Memory freed by a thread other than the one that allocated it moves
//! one slot down and another up; only the sum means anything.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Counter slots: one per thread for the first threads, the last one shared.
pub const SLOTS: usize = 16;

/// One thread's counter, alone on its cache line.
#[repr(align(64))]
struct Slot(AtomicI64);

/// Net bytes allocated, per slot.
static COUNTERS: [Slot; SLOTS] = [const { Slot(AtomicI64::new(0)) }; SLOTS];

/// The next slot to hand to a thread that allocates for the first time.
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// Marks a thread that has no slot yet.
const NO_SLOT: usize = usize::MAX;

thread_local! {
    /// This thread's slot (`const` and without a destructor: reading it never allocates).
    static MY_SLOT: Cell<usize> = const { Cell::new(NO_SLOT) };
}

/// The slot this thread counts in.
#[inline]
fn my_slot() -> usize {
    MY_SLOT
        .try_with(|slot| {
            let mut index = slot.get();
            if index == NO_SLOT {
                index = NEXT_SLOT.fetch_add(1, Relaxed).min(SLOTS - 1);
                slot.set(index);
            }
            index
        })
        .unwrap_or(SLOTS - 1)
}

/// Adds `delta` bytes to this thread's counter.
#[inline]
fn count(delta: i64) {
    let index = my_slot();
    let counter = &COUNTERS[index].0;
    if index < SLOTS - 1 {
        // Only this thread writes this slot: no read-modify-write needed.
        counter.store(counter.load(Relaxed).wrapping_add(delta), Relaxed);
    } else {
        counter.fetch_add(delta, Relaxed);
    }
}

/// Counts `delta` bytes of memory the process maps itself, outside the allocator (big
/// dict tables, `store/dict/buckets.rs`), so that [`used_memory`] covers it too.
pub fn count_mapped(delta: i64) {
    count(delta);
}

/// The memory limit (`maxmemory`) big bookkeeping allocations respect; 0 for none.
/// Nothing here enforces it: the keyspace tables consult it before doubling.
static LIMIT: AtomicU64 = AtomicU64::new(0);

/// Sets the limit [`fits_under_limit`] compares with (0: no limit).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes, Relaxed);
}

/// True if `more` bytes can be allocated without going over the limit (always, with
/// no limit).
pub fn fits_under_limit(more: usize) -> bool {
    let limit = LIMIT.load(Relaxed);
    limit == 0 || used_memory().saturating_add(more as u64) <= limit
}

/// Bytes the process holds through Rust's allocator right now (requested sizes, not
/// counting the allocator's own per-block overhead).
pub fn used_memory() -> u64 {
    let total: i64 = COUNTERS.iter().map(|slot| slot.0.load(Relaxed)).sum();
    total.max(0) as u64
}

/// The system allocator with every allocation counted.
pub struct Counting;

// SAFETY: every method forwards to `System` unchanged and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            count(layout.size() as i64);
        }
        ptr
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            count(layout.size() as i64);
        }
        ptr
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        count(-(layout.size() as i64));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = System.realloc(ptr, layout, new_size);
        if !moved.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        moved
    }
}

/// The allocator every binary linking this crate uses.
#[global_allocator]
static GLOBAL: Counting = Counting;

/// Sizes up to this come from the heap, where freed memory is reused, instead of a
/// fresh `mmap` each (glibc's default starts at 128 KB).
const MMAP_THRESHOLD: i32 = 4 << 20;
/// Free memory at the top of the heap kept for reuse before it is given back to the
/// system (glibc's default follows the mmap threshold, twice it).
const TRIM_THRESHOLD: i32 = 32 << 20;

/// Tunes glibc's malloc for values that come and go in megabytes. By default an
/// allocation of 128 KB or more is an `mmap` of its own and freeing it is a `munmap`,
/// and the heap is trimmed as soon as 256 KB are free at its top: a client SETting 1 MB
/// values over and over made the kernel hand out (and zero) 256 fresh pages for every
/// value — 60 page faults a request and 1.6 times Redis's CPU. With these limits the
/// freed buffers are reused; at most [`TRIM_THRESHOLD`] of free memory stays held
/// (INFO's RSS figures show it; MEMORY PURGE gives it back).
///
/// Fastbins are turned off (`M_MXFAST` 0). A fastbin defers coalescing freed small
/// chunks until some later large request or free, which then merges all of them at
/// once: after a million keys expired in the same second that one `malloc_consolidate`
/// held the loop for 370 ms. Without fastbins small frees still go through the
/// per-thread cache first, and what does not fit there is merged as it is freed.
/// Call once at start-up.
pub fn tune_malloc() {
    // SAFETY: mallopt only sets allocator parameters; it is called before the server
    // starts its threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MXFAST, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_is_held_across_threads() {
        // Other tests allocate concurrently: compare with a wide margin.
        let before = used_memory();
        let block = vec![0u8; 256 << 20];
        assert!(used_memory() >= before + (192 << 20));
        // Freed by another thread: the sum still drops.
        let freer = std::thread::spawn(move || drop(block));
        assert!(freer.join().is_ok());
        assert!(used_memory() < before + (64 << 20));
    }
}
