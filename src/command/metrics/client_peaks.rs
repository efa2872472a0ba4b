//! The largest client buffers seen recently (INFO clients' peak fields), sampled by the
//! cron, and the memory of all clients together (INFO memory's `mem_clients_normal`).

/// Seconds of history behind INFO's `client_recent_max_*_buffer`.
const PEAK_SLOTS: usize = 8;

/// The largest query and output buffers seen on any client in the last few seconds
/// (INFO `client_recent_max_input_buffer` / `client_recent_max_output_buffer`), sampled
/// by the reactor's cron.
#[derive(Debug, Default, Clone)]
pub struct RecentPeaks {
    input: [usize; PEAK_SLOTS],
    output: [usize; PEAK_SLOTS],
    /// The second (since the epoch) the current slot belongs to.
    second: i64,
    /// Memory of every client together, as the reactor last counted it.
    memory: usize,
}

impl RecentPeaks {
    /// Records one client's buffer sizes at `now_ms`.
    pub fn record(&mut self, now_ms: i64, input: usize, output: usize) {
        let second = now_ms / 1000;
        let slot = second.rem_euclid(PEAK_SLOTS as i64) as usize;
        if second != self.second {
            // Clear the slots of the seconds that passed without a sample.
            let passed = (second - self.second).clamp(0, PEAK_SLOTS as i64) as usize;
            for step in 0..passed {
                let stale = (slot + PEAK_SLOTS - step) % PEAK_SLOTS;
                self.input[stale] = 0;
                self.output[stale] = 0;
            }
            self.second = second;
        }
        self.input[slot] = self.input[slot].max(input);
        self.output[slot] = self.output[slot].max(output);
    }

    /// Records the memory all clients use together (each counted as CLIENT LIST's
    /// `tot-mem`): every cron tick, and as it changes while client eviction is on.
    pub fn set_memory(&mut self, total: usize) {
        self.memory = total;
    }

    /// The memory all clients use together (INFO `mem_clients_normal`: this server
    /// has no replicas, so every client is a normal or pub/sub one).
    pub fn memory(&self) -> usize {
        self.memory
    }

    /// The largest query buffer of the recent seconds.
    pub fn input(&self) -> usize {
        self.input.iter().copied().max().unwrap_or(0)
    }

    /// The largest pending output of the recent seconds.
    pub fn output(&self) -> usize {
        self.output.iter().copied().max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_peaks_forget_samples_older_than_the_window() {
        let mut peaks = RecentPeaks::default();
        peaks.record(10_000, 500, 70);
        peaks.record(10_500, 100, 900);
        assert_eq!((peaks.input(), peaks.output()), (500, 900));
        peaks.record(13_000, 10, 10);
        assert_eq!((peaks.input(), peaks.output()), (500, 900));
        peaks.record(18_100, 20, 30);
        assert_eq!((peaks.input(), peaks.output()), (20, 30));
    }
}
