//! Per-command and per-error statistics (INFO commandstats, errorstats, latencystats,
//! LATENCY HISTOGRAM), the instantaneous metrics sampled by the cron, and the state the
//! other observability commands share (slow log, latency monitor).
//!
//! The dispatcher records every executed and every refused command here (through
//! `core::accounting`); each record is a hash lookup keyed by the command
//! spec's address plus a few additions, so the hot path stays cheap. Timings come from
//! the monotonic clock (`Instant`), never the wall clock.

use crate::util::hash::IdMap;
use std::collections::{BTreeMap, HashMap};

use crate::command::metrics::latency::LatencyMonitor;
use crate::command::metrics::slowlog::SlowLog;
use crate::protocol::sizing::SizingPolicy;

/// Most distinct error codes errorstats tracks; later new codes are not added (a client
/// sending made-up error prefixes through scripts must not grow memory without bound).
const MAX_ERROR_CODES: usize = 128;

/// Histogram range in nanoseconds: 1 ns .. 1 s, as Redis's latency tracking.
const HIST_MAX_NS: u64 = 1_000_000_000;

/// Sub-buckets per power of two (two significant decimal digits need 2^7 per half range).
const SUB_BUCKET_HALF_BITS: u32 = 7;

/// Slots needed to cover `HIST_MAX_NS`: 256 exact values, then 128 per power of two.
const HIST_SLOTS: usize = 24 * 128;

/// Server-wide counters for INFO stats.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Commands executed.
    pub commands_processed: u64,
    /// Connections accepted.
    pub connections_received: u64,
    /// Connections refused because of maxclients.
    pub rejected_connections: u64,
    /// Clients closed by client eviction (`maxmemory-clients`; INFO `evicted_clients`).
    pub evicted_clients: u64,
    /// Bytes read from clients.
    pub net_input_bytes: u64,
    /// Bytes written to clients.
    pub net_output_bytes: u64,
    /// Socket reads that returned data or EOF (INFO `total_reads_processed`).
    pub reads_processed: u64,
    /// Client output flushes that wrote something (INFO `total_writes_processed`).
    pub writes_processed: u64,
    /// Error replies sent.
    pub error_replies: u64,
    /// Client reply buffers made smaller by the cron (INFO `reply_buffer_shrinks`).
    pub reply_buffer_shrinks: u64,
    /// Client reply buffers made bigger by the cron (INFO `reply_buffer_expands`).
    pub reply_buffer_expands: u64,
    /// Keys deleted by the active expire cycle's... (kept per db; see `Db::stats`).
    pub expire_cycles: u64,
}

/// A log-linear latency histogram with two significant digits, laid out like an HDR
/// histogram so percentiles report the same bucket bounds Redis reports.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64]>,
    /// Values recorded.
    pub total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; HIST_SLOTS].into_boxed_slice(),
            total: 0,
        }
    }
}

/// The power-of-two bucket of `value` (0 for values below 256).
fn bucket_of(value: u64) -> u32 {
    let magnitude = 63 - (value | 0xff).leading_zeros();
    magnitude - SUB_BUCKET_HALF_BITS
}

/// The slot `value` counts in.
fn slot_of(value: u64) -> usize {
    let bucket = bucket_of(value);
    let sub = (value >> bucket) as usize;
    if bucket == 0 {
        sub
    } else {
        ((bucket as usize + 1) << SUB_BUCKET_HALF_BITS) + sub - 128
    }
}

/// The largest value counted in `slot`.
fn slot_highest(slot: usize) -> u64 {
    if slot < 256 {
        return slot as u64;
    }
    let bucket = (slot >> SUB_BUCKET_HALF_BITS) - 1;
    let sub = (slot & 127) + 128;
    ((sub as u64) << bucket) + (1u64 << bucket) - 1
}

impl Histogram {
    /// Counts one value in ns (clamped into 1 ns ..= 1 s).
    pub fn record(&mut self, ns: u64) {
        let ns = ns.clamp(1, HIST_MAX_NS);
        if let Some(count) = self.counts.get_mut(slot_of(ns)) {
            *count += 1;
            self.total += 1;
        }
    }

    /// The value (ns) at `percentile` (0..=100): the top of the bucket holding it.
    pub fn percentile(&self, percentile: f64) -> u64 {
        let wanted = ((percentile.min(100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        for (slot, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return slot_highest(slot);
            }
        }
        0
    }

    /// Cumulative counts at power-of-two levels from 1024 ns, each level labelled (in
    /// µs) by the top of its bucket: `(µs, count)` for every level where the count grew
    /// (LATENCY HISTOGRAM's `histogram_usec`).
    pub fn cumulative(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut level = 1024u64;
        let mut seen = 0u64;
        let mut slot = 0usize;
        while seen < self.total && level <= 2 * HIST_MAX_NS {
            let last = slot_of(level.min(HIST_MAX_NS));
            while slot <= last && slot < self.counts.len() {
                seen += self.counts[slot];
                slot += 1;
            }
            if out.last().is_none_or(|&(_, before)| seen > before) && seen > 0 {
                out.push((slot_highest(last) / 1000, seen));
            }
            level *= 2;
        }
        out
    }
}

/// One command's (or subcommand's) counters.
#[derive(Clone, Default)]
pub struct CommandStat {
    /// `get`, or `config|get`.
    pub name: String,
    /// Completed calls.
    pub calls: u64,
    /// Total time in µs.
    pub usec: u64,
    /// Refused before running (arity, context).
    pub rejected: u64,
    /// Ran and replied with an error.
    pub failed: u64,
    /// Latency distribution (only while `latency-tracking` is on).
    pub histogram: Option<Histogram>,
}

/// A rate sampled by the cron every 100 ms over the last 16 samples, like Redis's
/// instantaneous metrics.
#[derive(Clone, Default)]
pub struct InstantMetric {
    last_value: u64,
    last_ms: i64,
    samples: [f64; 16],
    next: usize,
}

impl InstantMetric {
    /// Records the counter's value at `now_ms`.
    fn sample(&mut self, value: u64, now_ms: i64) {
        if self.last_ms > 0 {
            let elapsed = (now_ms - self.last_ms).max(1) as f64;
            let delta = value.saturating_sub(self.last_value) as f64;
            self.samples[self.next] = delta * 1000.0 / elapsed;
            self.next = (self.next + 1) % self.samples.len();
        }
        self.last_value = value;
        self.last_ms = now_ms;
    }

    /// The mean of the samples, per second.
    pub fn per_second(&self) -> f64 {
        self.samples.iter().sum::<f64>() / self.samples.len() as f64
    }
}

/// Observability state kept by the server: command and error statistics, the slow log,
/// the latency monitor and instantaneous metrics.
pub struct AdminState {
    /// Counters per command spec, in the order first run.
    commands: Vec<CommandStat>,
    /// Where each spec's counters are in `commands`, by the spec's address.
    command_slots: IdMap<usize, usize>,
    /// The spec address and slot of the counters used last: a client usually runs the
    /// same command again, and then the map is not consulted.
    last_command: Option<(usize, usize)>,
    /// Error replies per error code (`ERR`, `WRONGTYPE`...), sorted as Redis lists them.
    pub errors: BTreeMap<String, u64>,
    /// The slow log.
    pub slowlog: SlowLog,
    /// Latency spikes per event.
    pub latency: LatencyMonitor,
    /// Commands per second.
    pub ops: InstantMetric,
    /// Input bytes per second.
    pub input: InstantMetric,
    /// Output bytes per second.
    pub output: InstantMetric,
    /// Peak of the memory INFO reports as used.
    pub peak_memory: u64,
    /// Heap in use when the server started.
    pub startup_memory: u64,
    /// Whether the cron runs the active expire cycle (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire: bool,
    /// Scripts may call commands flagged `noscript` (DEBUG SET-DISABLE-DENY-SCRIPTS,
    /// a test aid).
    pub scripts_may_run_noscript: bool,
    /// The periodic work is skipped (DEBUG PAUSE-CRON, a test aid).
    pub cron_paused: bool,
    /// How client reply buffers are sized (DEBUG REPLYBUFFER, a test aid).
    pub reply_buffer: SizingPolicy,
    /// Time spent in active expire cycles, µs.
    pub expire_cycle_us: u64,
    /// Active expire cycles that stopped at their time limit.
    pub expire_time_cap_reached: u64,
}

impl Default for AdminState {
    fn default() -> Self {
        Self::new()
    }
}

impl AdminState {
    /// Fresh state.
    pub fn new() -> Self {
        AdminState {
            commands: Vec::new(),
            command_slots: HashMap::default(),
            last_command: None,
            errors: BTreeMap::new(),
            slowlog: SlowLog::default(),
            latency: LatencyMonitor::default(),
            ops: InstantMetric::default(),
            input: InstantMetric::default(),
            output: InstantMetric::default(),
            peak_memory: 0,
            startup_memory: crate::command::metrics::process::heap_bytes(),
            active_expire: true,
            scripts_may_run_noscript: false,
            cron_paused: false,
            reply_buffer: SizingPolicy::default(),
            expire_cycle_us: 0,
            expire_time_cap_reached: 0,
        }
    }

    /// CONFIG RESETSTAT: command, error and latency-tracking counters start again.
    pub fn reset(&mut self) {
        self.commands.clear();
        self.command_slots.clear();
        self.last_command = None;
        self.errors.clear();
        self.expire_cycle_us = 0;
        self.expire_time_cap_reached = 0;
        self.peak_memory = 0;
    }

    /// The stat entry of the command spec at address `key`, created under the name
    /// `name` gives (`get`, `config|get`) the first time.
    #[inline]
    pub fn entry(&mut self, key: usize, name: impl FnOnce() -> String) -> &mut CommandStat {
        let slot = match self.last_command {
            Some((last, slot)) if last == key => slot,
            _ => self.slot_of(key, name),
        };
        &mut self.commands[slot]
    }

    /// The slot of the counters of the spec at address `key`, made the first time; it
    /// becomes the last one used.
    #[inline(never)]
    fn slot_of(&mut self, key: usize, name: impl FnOnce() -> String) -> usize {
        let commands = &mut self.commands;
        let slot = *self.command_slots.entry(key).or_insert_with(|| {
            commands.push(CommandStat {
                name: name(),
                ..CommandStat::default()
            });
            commands.len() - 1
        });
        self.last_command = Some((key, slot));
        slot
    }

    /// Counts one error reply whose text (without `-`) is `text`: its code is the first
    /// word when a space comes within 32 bytes, else `ERR`.
    pub fn count_error(&mut self, text: &[u8]) {
        let head = &text[..text.len().min(32)];
        let code = match head.iter().position(|&b| b == b' ') {
            Some(end) => String::from_utf8_lossy(&text[..end]).into_owned(),
            None => "ERR".to_string(),
        };
        if let Some(count) = self.errors.get_mut(&code) {
            *count += 1;
        } else if self.errors.len() < MAX_ERROR_CODES {
            self.errors.insert(code, 1);
        }
    }

    /// Cron: samples the instantaneous metrics every 100 ms.
    pub fn sample(&mut self, commands: u64, input: u64, output: u64, now_ms: i64) {
        if now_ms - self.ops.last_ms < 100 {
            return;
        }
        self.ops.sample(commands, now_ms);
        self.input.sample(input, now_ms);
        self.output.sample(output, now_ms);
    }
}

/// Command stats sorted by name, for INFO and LATENCY HISTOGRAM.
pub fn sorted(admin: &AdminState) -> Vec<&CommandStat> {
    let mut stats: Vec<&CommandStat> = admin.commands.iter().collect();
    stats.sort_by(|a, b| a.name.cmp(&b.name));
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_report_bucket_tops_like_redis() {
        let mut h = Histogram::default();
        h.record(9_000);
        assert_eq!(h.percentile(50.0), 9_023);
        let mut h = Histogram::default();
        h.record(1_000);
        h.record(2_000);
        assert_eq!(h.percentile(50.0), 1_003);
        assert_eq!(h.percentile(99.0), 2_007);
        assert_eq!(h.percentile(99.9), 2_007);
    }

    #[test]
    fn histogram_clamps_and_covers_its_range() {
        let mut h = Histogram::default();
        h.record(0);
        h.record(u64::MAX);
        assert_eq!(h.total, 2);
        assert_eq!(h.percentile(0.0), 1);
        assert!(h.percentile(100.0) >= HIST_MAX_NS);
        assert_eq!(h.cumulative().last().map(|c| c.1), Some(2));
    }

    #[test]
    fn cumulative_levels_are_labelled_like_redis() {
        let mut h = Histogram::default();
        for ns in [900, 1_500, 20_000, 33_000, 120_000] {
            h.record(ns);
        }
        let levels = h.cumulative();
        assert_eq!(levels, vec![(1, 1), (2, 2), (33, 4), (132, 5)]);
    }

    #[test]
    fn error_codes_are_the_first_word() {
        let mut admin = AdminState::new();
        admin.count_error(b"WRONGTYPE Operation against a key");
        admin.count_error(b"ERR syntax error");
        admin.count_error(b"ERR x");
        admin.count_error(b"NOSPACEINTHEFIRSTTHIRTYTWOBYTESATALL");
        assert_eq!(admin.errors.get("ERR"), Some(&3));
        assert_eq!(admin.errors.get("WRONGTYPE"), Some(&1));
    }
}
