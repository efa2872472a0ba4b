//! The latency monitor's data: the latest and historical spikes of each event.

use std::collections::{BTreeMap, VecDeque};

/// Samples kept per event.
pub const HISTORY_LEN: usize = 160;

/// One spike: when (unix s) and how long (ms).
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Unix time in seconds.
    pub time: i64,
    /// Latency in ms.
    pub latency: u64,
}

/// One event's history.
#[derive(Debug, Default, Clone)]
pub struct EventHistory {
    /// Oldest first.
    pub samples: VecDeque<Sample>,
    /// Largest latency ever seen.
    pub max: u64,
}

/// The latency monitor: history per event name.
#[derive(Debug, Default)]
pub struct LatencyMonitor {
    /// Events by name.
    pub events: BTreeMap<String, EventHistory>,
}

impl LatencyMonitor {
    /// Records a spike of `latency` ms for `event` at unix second `time`.
    pub fn add(&mut self, event: &str, latency: u64, time: i64) {
        let history = match self.events.get_mut(event) {
            Some(history) => history,
            None => self.events.entry(event.to_string()).or_default(),
        };
        history.max = history.max.max(latency);
        if let Some(last) = history.samples.back_mut().filter(|s| s.time == time) {
            last.latency = last.latency.max(latency);
            return;
        }
        if history.samples.len() == HISTORY_LEN {
            history.samples.pop_front();
        }
        history.samples.push_back(Sample { time, latency });
    }

    /// Records `latency` ms for `event` if the monitor is on and it reaches `threshold`.
    pub fn add_if_needed(&mut self, event: &str, latency: u64, threshold: u64, time: i64) {
        if threshold > 0 && latency >= threshold {
            self.add(event, latency, time);
        }
    }
}
