//! The clocks the loop reads, straight from `clock_gettime` (commands are timed in
//! ticks instead: [`crate::util::command_clock`]).
//!
//! `std::time::Instant` does the same system call but carries its value as seconds
//! and nanoseconds and checks every subtraction; a plain count of nanoseconds or
//! microseconds costs a fraction of that, and it is all the loop needs.

/// Nanoseconds on the monotonic clock: only differences between two readings mean
/// anything.
pub fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; CLOCK_MONOTONIC always exists on
    // Linux, so the call cannot fail.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now);
    }
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// Microseconds on the monotonic clock: only differences between two readings mean
/// anything.
pub fn monotonic_us() -> u64 {
    monotonic_ns() / 1_000
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

/// The time as the event loop last read it. A refresh is one monotonic reading; the
/// wall clock is derived from it through an offset that [`LoopClock::resync`] measures
/// again at every cron tick. So a loop turn reads the clock once where it used to read
/// both clocks, and a step of the system clock (NTP, an administrator) reaches the
/// cached wall time within one cron period.
#[derive(Debug, Clone, Copy)]
pub struct LoopClock {
    /// Wall clock minus monotonic clock, in µs, as last measured.
    offset_us: i64,
    /// The last monotonic reading, in µs.
    mono_us: u64,
}

impl LoopClock {
    /// A clock read now, with its offset measured.
    pub fn new() -> Self {
        let mut clock = LoopClock {
            offset_us: 0,
            mono_us: 0,
        };
        clock.resync();
        clock
    }

    /// Reads both clocks and measures the offset between them again.
    pub fn resync(&mut self) {
        self.mono_us = monotonic_us();
        self.offset_us = wall_us() - self.mono_us as i64;
    }

    /// Reads the monotonic clock; returns the reading.
    #[inline]
    pub fn refresh(&mut self) -> u64 {
        self.mono_us = monotonic_us();
        self.mono_us
    }

    /// The last monotonic reading (µs).
    #[inline]
    pub fn mono_us(&self) -> u64 {
        self.mono_us
    }

    /// The wall time of the last reading, in µs since the epoch (0 before 1970).
    #[inline]
    pub fn wall_us(&self) -> i64 {
        (self.mono_us as i64 + self.offset_us).max(0)
    }
}

impl Default for LoopClock {
    fn default() -> Self {
        Self::new()
    }
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

    #[test]
    fn the_loop_clock_derives_the_wall_time_from_one_reading() {
        let mut clock = LoopClock::new();
        let first = clock.mono_us();
        let later = clock.refresh();
        assert!(later >= first);
        // The derived wall time is the real one within a few milliseconds.
        let derived = clock.wall_us();
        let real = wall_us();
        assert!((real - derived).abs() < 50_000, "{real} vs {derived}");
    }
}
