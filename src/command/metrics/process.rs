//! What the process holds, as INFO memory and MEMORY STATS report it.
//!
//! Like Redis, we count every allocation we make (`util::alloc`); the allocator's own
//! view (glibc `mallinfo2`) gives what it took from the system, and `/proc/self/statm`
//! the resident size.

/// Bytes the process holds through its allocator (the counted allocator of
/// `util::alloc`, as Redis's `zmalloc_used_memory`).
pub fn heap_bytes() -> u64 {
    crate::util::alloc::used_memory()
}

/// Bytes the allocator has taken from the system (glibc: arena plus mmapped chunks).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn allocator_active() -> u64 {
    // SAFETY: mallinfo2 only reads allocator statistics.
    let info = unsafe { libc::mallinfo2() };
    info.arena as u64 + info.hblkhd as u64
}

/// Bytes the allocator has taken from the system (unknown: the resident size).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn allocator_active() -> u64 {
    resident_bytes()
}

/// The resident set size from `/proc/self/statm` (pages × page size), 0 if unreadable.
pub fn resident_bytes() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|text| {
            text.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<u64>().ok())
        })
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// The most memory the process can expect to get: the machine's physical memory, or
/// less under an address-space limit (`ulimit -v`, `prlimit --as`), of which code,
/// stacks and mappings take a share, so only three quarters count.
pub fn memory_ceiling() -> u64 {
    let physical = system_memory_bytes();
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only fills the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    if ok && limit.rlim_cur != libc::RLIM_INFINITY {
        return physical.min(limit.rlim_cur / 4 * 3);
    }
    physical
}

/// Physical memory of the machine.
pub fn system_memory_bytes() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    pages.max(0) as u64 * page.max(0) as u64
}

/// Redis's human-readable sizes: `919B`, `919.56K`, `11.86M`, `1.00G`...
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u32); 5] = [("K", 1), ("M", 2), ("G", 3), ("T", 4), ("P", 5)];
    if n < 1024 {
        return format!("{n}B");
    }
    for (unit, power) in UNITS {
        let scale = 1024f64.powi(power as i32);
        if (n as f64) < scale * 1024.0 || unit == "P" {
            return format!("{:.2}{unit}", n as f64 / scale);
        }
    }
    format!("{n}B")
}
