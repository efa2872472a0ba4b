//! maxmemory: evicting keys until memory is under the limit, and refusing commands
//! that would grow it when nothing is left to evict (Redis's `performEvictions` and
//! the OOM check of `processCommand`).
//!
//! With `maxmemory` 0 nothing here runs: dispatch tests the limit once per command.
//! With a limit, every command first compares `used_memory` (the counted allocator,
//! less the AOF buffer, which Redis does not count either) with the limit; over it,
//! keys chosen by the policy (`store::evict`) are deleted until enough memory was
//! freed or `maxmemory-eviction-tenacity`'s time budget is spent, in which case an
//! eviction cycle goes on in the event loop (`cycle`). Each evicted key is a write
//! like any other: WATCH and client tracking are told, an `evicted` keyspace event
//! fires, and the append-only file records a DEL (UNLINK with lazy eviction).
//! `lazyfree-lazy-eviction` hands big values to the background worker.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::command::core::state::ServerState;
use crate::command::state::eviction::Evicted;
use crate::command::state::notify;
use crate::config::EvictionPolicy;
use crate::store::bstr::Bstr;
use crate::store::evict::{Rank, Selection};
use crate::store::value::LAZYFREE_THRESHOLD;
use crate::store::Db;
use crate::util::alloc::used_memory;

/// Redis's refusal of a command that may grow memory while over the limit.
pub const ERR_OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Evictions between two checks of the time budget (and, with lazy eviction, of
/// memory, which the background worker may already have brought under the limit).
const CHECK_EVERY: u64 = 16;

/// Before a command runs with a limit set: evicts what the policy allows and tells
/// whether memory is still over the limit (dispatch then refuses what may grow it).
/// Never while data loads: Redis's loading client meets no limit either.
pub fn out_of_memory(dbs: &mut [Db], server: &mut ServerState) -> bool {
    if server.loading {
        return false;
    }
    let out_of_memory = perform(dbs, server) == Evicted::Fail;
    server.eviction.pre_command_oom = out_of_memory;
    out_of_memory
}

/// One eviction pass (Redis's `performEvictions`): nothing while data loads or CLIENT
/// PAUSE holds the dataset still; otherwise evicts until under the limit or out of
/// time, and notes the outcome for INFO.
pub fn perform(dbs: &mut [Db], server: &mut ServerState) -> Evicted {
    if server.loading || server.paused().is_some() {
        return Evicted::Ok;
    }
    if server.is_replica() && server.config.replica.ignore_maxmemory {
        // A replica's size follows its master's: the master's DELs shrink it.
        return Evicted::Ok;
    }
    let outcome = evict_until_under(dbs, server);
    server.eviction.note(outcome);
    outcome
}

/// The eviction cycle the event loop runs while a pass left memory over the limit (or
/// CONFIG SET lowered it): one pass per loop iteration until it is under the limit or
/// nothing is left to evict.
pub fn cycle(dbs: &mut [Db], server: &mut ServerState) {
    if server.config.maxmemory == 0 {
        server.eviction.cycle_running = false;
        return;
    }
    if perform(dbs, server) != Evicted::Running {
        server.eviction.cycle_running = false;
    }
}

/// Bytes to free to be under the limit, if over it: `used_memory` less what Redis
/// does not count for eviction (the AOF buffer; we have no replicas).
pub fn over_limit(server: &ServerState) -> Option<u64> {
    let limit = server.config.maxmemory;
    let used = used_memory();
    if limit == 0 || used <= limit {
        return None;
    }
    let counted = used.saturating_sub(not_counted_for_evict(server));
    (counted > limit).then(|| counted - limit)
}

/// Memory left out of the maxmemory comparison (INFO `mem_not_counted_for_evict`):
/// the AOF buffer, which evicting keys (each recorded as a DEL) would only grow.
pub fn not_counted_for_evict(server: &ServerState) -> u64 {
    if server.aof.on {
        server.aof.buffer.capacity() as u64
    } else {
        0
    }
}

/// The policy's way of choosing, or `None` under `noeviction`.
fn selection(server: &ServerState) -> Option<Selection> {
    use EvictionPolicy::*;
    let config = &server.config;
    let decay_minutes = config.lfu_decay_time;
    let (rank, volatile) = match config.maxmemory_policy {
        NoEviction => return None,
        AllkeysLru => (Rank::Lru, false),
        VolatileLru => (Rank::Lru, true),
        AllkeysLfu => (Rank::Lfu { decay_minutes }, false),
        VolatileLfu => (Rank::Lfu { decay_minutes }, true),
        AllkeysRandom => (Rank::Random, false),
        VolatileRandom => (Rank::Random, true),
        VolatileTtl => (Rank::Ttl, true),
    };
    let samples = config.maxmemory_samples as usize;
    Some(Selection {
        rank,
        volatile,
        samples,
    })
}

/// How long one pass may evict (`maxmemory-eviction-tenacity`): 50 µs per step up to
/// 10, then 15% more per step, unlimited at 100.
fn time_limit(tenacity: u32) -> Duration {
    match tenacity {
        0..=10 => Duration::from_micros(50 * u64::from(tenacity)),
        100.. => Duration::MAX,
        _ => Duration::from_micros((500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64),
    }
}

/// Evicts keys until the memory to free is freed or the time limit passes (then the
/// event loop's cycle takes over).
fn evict_until_under(dbs: &mut [Db], server: &mut ServerState) -> Evicted {
    let Some(to_free) = over_limit(server) else {
        return Evicted::Ok;
    };
    let Some(selection) = selection(server) else {
        return Evicted::Fail;
    };
    let limit = time_limit(server.config.maxmemory_eviction_tenacity);
    let started = Instant::now();
    let (mut freed, mut evicted) = (0i64, 0u64);
    while freed < to_free as i64 {
        let now = server.now_ms;
        let rng = &mut server.rng;
        let chosen = server
            .eviction
            .chooser
            .pick(dbs, selection, now, &mut || rng.next_u64());
        let Some((db, key)) = chosen else {
            return out_of_keys(server, started, limit);
        };
        freed += evict_key(dbs, server, db, &key);
        evicted += 1;
        if evicted.is_multiple_of(CHECK_EVERY) {
            if server.config.lazyfree.eviction && over_limit(server).is_none() {
                break;
            }
            if started.elapsed() > limit {
                server.eviction.cycle_running = true;
                break;
            }
        }
    }
    note_latency(server, "eviction-cycle", started.elapsed());
    if server.eviction.cycle_running {
        Evicted::Running
    } else {
        Evicted::Ok
    }
}

/// Nothing is left to evict: values the background worker is still freeing may yet
/// bring memory under the limit, so wait for them a little (within the time limit).
fn out_of_keys(server: &mut ServerState, started: Instant, limit: Duration) -> Evicted {
    let waited = Instant::now();
    let mut outcome = Evicted::Fail;
    while server.background.pending_objects() > 0 && started.elapsed() < limit {
        if over_limit(server).is_none() {
            outcome = Evicted::Ok;
            break;
        }
        std::thread::sleep(limit.min(Duration::from_millis(1)));
    }
    note_latency(server, "eviction-lazyfree", waited.elapsed());
    outcome
}

/// Deletes one chosen key with everything a deletion entails; returns the bytes it
/// freed (what the allocator gave back, negative if the bookkeeping grew meanwhile).
fn evict_key(dbs: &mut [Db], server: &mut ServerState, index: usize, key: &Bstr) -> i64 {
    let before = used_memory() as i64;
    // The clock is read only when the latency monitor is on (as Redis's
    // latencyStartMonitor): eviction runs once per write when memory is full.
    let monitored = server.config.latency_monitor_threshold > 0;
    let started = monitored.then(Instant::now);
    let lazy = server.config.lazyfree.eviction;
    if let Some(value) = dbs[index].evict(key.as_slice()) {
        if lazy && value.free_effort() > LAZYFREE_THRESHOLD {
            server.background.free(value, 1);
        } else {
            drop(value);
        }
    }
    if let Some(started) = started {
        note_latency(server, "eviction-del", started.elapsed());
    }
    let freed = before - used_memory() as i64;
    server.eviction.evicted_keys += 1;
    server.watches.touch(index, key.as_slice(), false);
    if server.tracking.is_active() {
        server.tracking.invalidate(key.as_slice());
    }
    let events = server.config.notify_keyspace_events;
    let queue = &mut server.keyspace_events;
    notify::fire(
        queue,
        events,
        notify::EVICTED,
        "evicted",
        index,
        key.as_slice(),
    );
    if server.propagation.enabled {
        let del: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
        let args = vec![Bytes::from_static(del), key.to_bytes()];
        server.propagation.push(index, args);
    }
    freed
}

/// Records `elapsed` for latency event `event` when it reaches the monitor threshold.
fn note_latency(server: &mut ServerState, event: &str, elapsed: Duration) {
    let threshold = server.config.latency_monitor_threshold;
    let now = server.now_ms / 1000;
    let ms = elapsed.as_millis() as u64;
    server
        .admin
        .latency
        .add_if_needed(event, ms, threshold, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenacity_maps_to_redis_time_limits() {
        assert_eq!(time_limit(0), Duration::ZERO);
        assert_eq!(time_limit(10), Duration::from_micros(500));
        assert_eq!(time_limit(11), Duration::from_micros(575));
        assert!(time_limit(99) > Duration::from_secs(60));
        assert_eq!(time_limit(100), Duration::MAX);
    }
}
