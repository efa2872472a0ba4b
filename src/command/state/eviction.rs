//! What maxmemory keeps between commands: the eviction pool (`store::evict`), whether
//! an eviction cycle must go on in the event loop, the memory state found before the
//! running command, and the counters INFO reports (`evicted_keys`, the time spent over
//! the limit).

use std::time::Instant;

use crate::store::evict::Chooser;

/// What one eviction pass achieved (Redis's `EVICT_OK`, `EVICT_RUNNING`, `EVICT_FAIL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evicted {
    /// Memory is under the limit (or eviction may not run now).
    Ok,
    /// Still over the limit, and eviction goes on in the event loop.
    Running,
    /// Over the limit with nothing left to evict: commands that grow memory are refused.
    Fail,
}

/// Eviction state and counters.
#[derive(Debug, Default)]
pub struct EvictionState {
    /// The pool of candidates and the random policies' cursor.
    pub chooser: Chooser,
    /// An eviction cycle runs on every loop iteration until memory is under the limit
    /// or nothing is left to evict (Redis's `evictionTimeProc`): set when a pass ran
    /// out of time, and by CONFIG SET maxmemory.
    pub cycle_running: bool,
    /// The pass before the running command found memory over the limit with nothing to
    /// evict (Redis's `pre_command_oom_state`): a script's first write is refused.
    pub pre_command_oom: bool,
    /// Keys evicted since start or CONFIG RESETSTAT (INFO `evicted_keys`).
    pub evicted_keys: u64,
    /// When memory was first found over the limit without being brought back under it.
    exceeded_since: Option<Instant>,
    /// µs spent over the limit in periods now ended.
    exceeded_total_us: u64,
}

impl EvictionState {
    /// Notes a pass's outcome: a period over the limit starts, goes on or ends.
    pub fn note(&mut self, outcome: Evicted) {
        match (outcome, self.exceeded_since) {
            (Evicted::Ok, Some(since)) => {
                self.exceeded_total_us += since.elapsed().as_micros() as u64;
                self.exceeded_since = None;
            }
            (Evicted::Running | Evicted::Fail, None) => self.exceeded_since = Some(Instant::now()),
            _ => {}
        }
    }

    /// ms spent over the limit in the current period (INFO
    /// `current_eviction_exceeded_time`).
    pub fn current_exceeded_ms(&self) -> u64 {
        self.exceeded_since
            .map_or(0, |since| since.elapsed().as_millis() as u64)
    }

    /// ms spent over the limit since start, the current period included (INFO
    /// `total_eviction_exceeded_time`).
    pub fn total_exceeded_ms(&self) -> u64 {
        self.exceeded_total_us / 1000 + self.current_exceeded_ms()
    }

    /// CONFIG RESETSTAT: the counters start again.
    pub fn reset_stats(&mut self) {
        self.evicted_keys = 0;
        self.exceeded_total_us = 0;
        self.exceeded_since = None;
    }
}
