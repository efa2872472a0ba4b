//! The clocks the hot path reads, straight from `clock_gettime` (commands' own timing
//! reads ticks, see [`crate::util::tsc`]).
//!
//! Every command is timed (commandstats, the slow log, latency tracking): the
//! clock is read before and after it, and inside a pipelined batch one
//! reading serves as one command's end and the next one's start ([`CommandClock`]).
//! `std::time::Instant` does the same system call but carries its value as seconds
//! and nanoseconds and checks every subtraction; a plain count of microseconds costs a
//! fraction of that, and it is all the loop needs.

use crate::util::tsc::TickScale;

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

/// Times commands. Each command is timed from one reading before it to one after; a
/// pipeline runs its commands back to back, so inside a batch the reading that ended one
/// command also starts the next, and a batch of `n` commands reads the clock `n + 1`
/// times instead of `2n`. A command's time then also covers the few steps between two
/// commands of its batch (the previous reply's bookkeeping, its own parsing), which
/// are as much the server's work for it as its handler. Readings are ticks
/// ([`TickScale`]: the time-stamp counter where the kernel trusts it), turned into
/// microseconds only as a command ends.
#[derive(Debug, Default)]
pub struct CommandClock {
    /// A batch is running: the end of one command may start the next.
    in_batch: bool,
    /// The reading that ended the last command of this batch, not yet used as a start.
    mark: Option<u64>,
    /// Where readings come from and what a tick is worth.
    ticks: TickScale,
}

impl CommandClock {
    /// A client's commands are about to run back to back.
    #[inline]
    pub fn begin_batch(&mut self) {
        self.in_batch = true;
        self.mark = None;
    }

    /// The batch is over: whatever runs next (a blocked client served, a timer, the
    /// next batch after the loop slept) reads the clock afresh.
    #[inline]
    pub fn end_batch(&mut self) {
        self.in_batch = false;
        self.mark = None;
    }

    /// The reading a command starts from.
    #[inline]
    pub fn start(&mut self) -> u64 {
        let ticks = self.ticks;
        self.mark.take().unwrap_or_else(|| ticks.now())
    }

    /// Reads the clock as a command ends and returns the command's time in
    /// microseconds since `started` ([`Self::start`]); inside a batch the reading is
    /// kept for the next command's start. A command that ran others (EXEC, a script)
    /// took the mark at its own start, so the commands inside it read their own.
    #[inline]
    pub fn finish(&mut self, started: u64) -> u64 {
        let now = self.ticks.now();
        if self.in_batch {
            self.mark = Some(now);
        }
        self.ticks.micros(started, now)
    }

    /// Measures the tick rate again (every cron tick).
    pub fn recalibrate(&mut self) {
        self.ticks.recalibrate();
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

    #[test]
    fn a_batch_shares_one_reading_between_two_commands_and_nothing_outlives_it() {
        let mut clock = CommandClock::default();
        // Outside a batch every command reads its own start.
        let started = clock.start();
        clock.finish(started);
        assert_eq!(clock.mark, None);
        clock.begin_batch();
        let first_start = clock.start();
        clock.finish(first_start);
        let first_end = clock.mark.expect("a batch keeps the end");
        assert_eq!(
            clock.start(),
            first_end,
            "the next command starts where one ended"
        );
        // A command running others (EXEC) took the mark: the inner one reads afresh.
        assert_eq!(clock.mark, None);
        clock.finish(first_end);
        clock.end_batch();
        assert_eq!(
            clock.mark, None,
            "an idle wait after a batch is nobody's time"
        );
    }
}
