//! Times commands. Every command is timed (commandstats, the slow log, latency
//! tracking), so this clock is read about once per command, in ticks
//! ([`crate::util::tsc`]) that become microseconds only as a command ends.

use crate::util::tsc::TickScale;

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
