//! The clocks the hot path reads, straight from `clock_gettime`.
//!
//! Every command is timed (commandstats, the slow log, latency tracking), so the
//! monotonic clock is read twice per command. `std::time::Instant` does the same system
//! call but carries its value as seconds and nanoseconds and checks every subtraction;
//! a plain count of microseconds costs a fraction of that, and it is all the metrics
//! need.

/// Microseconds on the monotonic clock: only differences between two readings mean
/// anything.
pub fn monotonic_us() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_MONOTONIC always exists on
    // Linux, so the call cannot fail.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now);
    }
    now.tv_sec as u64 * 1_000_000 + now.tv_nsec as u64 / 1_000
}

/// Microseconds since the Unix epoch on the wall clock (0 if the clock reads before
/// 1970).
pub fn wall_us() -> i64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as above; CLOCK_REALTIME always exists.
    unsafe {
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut now);
    }
    (now.tv_sec * 1_000_000 + now.tv_nsec / 1_000).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_never_goes_back_and_wall_is_recent() {
        let a = monotonic_us();
        let b = monotonic_us();
        assert!(b >= a);
        // 2020-01-01 in microseconds: the wall clock reads later than that.
        assert!(wall_us() > 1_577_836_800_000_000);
    }
}
