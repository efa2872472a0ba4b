//! How big a client's reply buffer is kept: sized by use, as Redis 7.0 sizes its
//! per-client reply buffers.
//!
//! The tail of an [`OutBuf`](super::OutBuf) is allocated at its client's *target* size
//! (CLIENT LIST `rbs`) and the most it held since the last reset is noted (`rbp`).
//! Every cron visit, a client whose peak stayed under half its target gets a smaller
//! buffer (never under 1 KB), and one that filled its buffer gets twice as much (never
//! over 16 KB); the peak restarts every `peak-reset-time` ms, so an idle client's
//! buffer shrinks. A tail grows past its target for long replies (and is sealed into
//! a queued chunk past 64 KB); it keeps that room between writes, so a pipeline of
//! long replies does not grow it again after each one, until the next cron visit
//! brings it back to its target.

/// The smallest reply buffer (Redis's `PROTO_REPLY_MIN_BYTES`).
pub const MIN_REPLY_BUFFER: usize = 1024;
/// The largest size the resizing grows a reply buffer to (`PROTO_REPLY_CHUNK_BYTES`).
pub const MAX_REPLY_BUFFER: usize = 16 * 1024;
/// How often, by default, the peak restarts from what the buffer holds (ms).
pub const DEFAULT_PEAK_RESET_MS: i64 = 5000;

/// What the cron asks of the sizing (DEBUG REPLYBUFFER sets both).
#[derive(Clone, Copy, Debug)]
pub struct SizingPolicy {
    /// Buffers are resized at all.
    pub resizing: bool,
    /// The peak restarts this often (ms); never when negative.
    pub peak_reset_ms: i64,
}

impl Default for SizingPolicy {
    fn default() -> Self {
        SizingPolicy {
            resizing: true,
            peak_reset_ms: DEFAULT_PEAK_RESET_MS,
        }
    }
}

/// What one cron visit did to a buffer (INFO `reply_buffer_shrinks`/`_expands`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resize {
    /// Nothing changed.
    Kept,
    /// The target became smaller.
    Shrunk,
    /// The target became bigger.
    Expanded,
}

/// One client's reply buffer target and peak.
#[derive(Clone, Copy, Debug)]
pub struct BufferSizing {
    /// The size the tail is allocated at.
    pub target: usize,
    /// The most the tail held since the last reset; a value too big to be copied
    /// into the tail counts as filling it.
    pub peak: usize,
    /// When the peak last restarted (ms; 0 until the first cron visit).
    peak_reset_at_ms: i64,
}

impl Default for BufferSizing {
    fn default() -> Self {
        BufferSizing {
            target: MIN_REPLY_BUFFER,
            peak: 0,
            peak_reset_at_ms: 0,
        }
    }
}

impl BufferSizing {
    /// Notes that the tail held `len` bytes.
    #[inline]
    pub fn note(&mut self, len: usize) {
        if len > self.peak {
            self.peak = len;
        }
    }

    /// One cron visit at `now_ms`, the tail holding `held` bytes: decides the new
    /// target from the peak, then restarts the peak if its time has come.
    pub fn visit(&mut self, policy: SizingPolicy, now_ms: i64, held: usize) -> Resize {
        if !policy.resizing {
            return Resize::Kept;
        }
        let shrink_to = self.target / 2;
        let expand_to = self.target * 2;
        let resize = if shrink_to >= MIN_REPLY_BUFFER && self.peak < shrink_to {
            self.target = MIN_REPLY_BUFFER.max(self.peak + 1);
            Resize::Shrunk
        } else if expand_to < MAX_REPLY_BUFFER * 2 && self.peak >= self.target {
            self.target = MAX_REPLY_BUFFER.min(expand_to);
            Resize::Expanded
        } else {
            Resize::Kept
        };
        if policy.peak_reset_ms >= 0 && now_ms - self.peak_reset_at_ms >= policy.peak_reset_ms {
            self.peak = held;
            self.peak_reset_at_ms = now_ms;
        }
        resize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_buffer_shrinks_to_the_minimum_and_a_full_one_doubles_to_16k() {
        let policy = SizingPolicy {
            resizing: true,
            peak_reset_ms: 0,
        };
        let mut sizing = BufferSizing {
            target: MAX_REPLY_BUFFER,
            ..BufferSizing::default()
        };
        sizing.note(100);
        assert_eq!(sizing.visit(policy, 1, 0), Resize::Shrunk);
        assert_eq!(sizing.target, MIN_REPLY_BUFFER);
        assert_eq!(sizing.visit(policy, 2, 0), Resize::Kept);
        let mut targets = Vec::new();
        for now in 3..10 {
            sizing.note(sizing.target);
            sizing.visit(policy, now, 0);
            targets.push(sizing.target);
        }
        assert_eq!(targets, [2048, 4096, 8192, 16384, 16384, 16384, 16384]);
    }

    #[test]
    fn without_resets_the_peak_holds_and_without_resizing_nothing_moves() {
        let never = SizingPolicy {
            resizing: true,
            peak_reset_ms: -1,
        };
        let mut sizing = BufferSizing::default();
        sizing.note(MIN_REPLY_BUFFER);
        assert_eq!(sizing.visit(never, 10_000, 0), Resize::Expanded);
        assert_eq!(sizing.peak, MIN_REPLY_BUFFER);
        let off = SizingPolicy {
            resizing: false,
            ..never
        };
        sizing.note(1 << 20);
        assert_eq!(sizing.visit(off, 20_000, 0), Resize::Kept);
        assert_eq!(sizing.target, 2048);
    }
}
