//! Blocking commands (BLPOP, BLMOVE, BZPOPMIN...): which clients wait on which keys, in
//! the order they blocked, and which keys received data since they were last served.
//!
//! A handler that finds nothing to pop calls [`crate::command::Ctx::block`]; the
//! dispatcher records the client here and the reactor stops running that client's
//! pipeline. A write that adds elements to a key calls `ctx.signal_ready(key)`; after the
//! command (or EXEC) the reactor takes the ready keys and re-runs each waiter's command,
//! oldest first, until one of them finds the key empty again. A deadline that passes
//! first answers with the command's timeout reply. This module holds data only: the
//! reactor owns the clients.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use bytes::Bytes;

use crate::error::{CmdError, CmdResult};
use crate::util::longdouble::LongDouble;
use crate::util::numbers::{parse_i64, strtod};

/// A timeout that is not a number.
const ERR_TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
/// A negative timeout (or one whose milliseconds overflow).
const ERR_TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// Parses a blocking timeout in seconds (a long double, as Redis reads it) into a
/// deadline in ms: `None` waits forever (0, or a deadline past the clock's range).
///
/// # Errors
/// `ERR timeout is not a float or out of range`; `ERR timeout is negative` (also for
/// values whose milliseconds do not fit an `i64`, as Redis's conversion makes them).
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> CmdResult<Option<i64>> {
    if LongDouble::parse(arg).is_none() {
        return Err(CmdError::raw(ERR_TIMEOUT_NOT_FLOAT));
    }
    let ms = match parse_i64(arg) {
        // Exact for integers, where a double would round large values.
        Some(secs) => secs.checked_mul(1000).unwrap_or(i64::MIN),
        None => fractional_ms(arg),
    };
    if ms < 0 {
        return Err(CmdError::raw(ERR_TIMEOUT_NEGATIVE));
    }
    Ok(if ms == 0 {
        None
    } else {
        now_ms.checked_add(ms)
    })
}

/// Milliseconds of a non-integer timeout: `ceil(seconds * 1000)`, with values whose
/// milliseconds do not fit an `i64` mapped to `i64::MIN` (what Redis's conversion of
/// the long double yields on x86-64).
fn fractional_ms(arg: &[u8]) -> i64 {
    let parsed = strtod(arg);
    let ms = if parsed.value == 0.0 && parsed.range_error {
        // Too small for a double but not for a long double: rounds up to 1 ms.
        if parsed.value.is_sign_positive() {
            1.0
        } else {
            0.0
        }
    } else {
        (parsed.value * 1000.0).ceil()
    };
    if ms.is_finite() && (-I64_BOUND..I64_BOUND).contains(&ms) {
        ms as i64
    } else {
        i64::MIN
    }
}

/// 2^63: doubles in `-2^63..2^63` convert to `i64` exactly.
const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;

/// What a blocked command replies when its timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    /// A null array (`*-1`, or `_` in RESP3): BLPOP, BZPOPMIN, BLMPOP...
    NullArray,
    /// A null bulk string (`$-1`, or `_` in RESP3): BLMOVE, BRPOPLPUSH.
    NullBulk,
    /// The number of replicas that acknowledged the client's last write: WAIT.
    ReplicaAcks,
}

/// The database of the pseudo-key WAIT blocks on: no real database has this index,
/// so only [`BlockingState::signal_replica_acks`] makes it ready.
pub const REPLICA_ACKS_DB: usize = usize::MAX;

/// The pseudo-key WAIT blocks on (in [`REPLICA_ACKS_DB`]).
pub const REPLICA_ACKS_KEY: &[u8] = b"";

/// A client's blocked command, kept in its session.
#[derive(Debug, Clone)]
pub struct Blocked {
    /// The command line to run again when a key becomes ready.
    pub args: Vec<Bytes>,
    /// The database the keys belong to.
    pub db: usize,
    /// The keys waited on.
    pub keys: Vec<Bytes>,
    /// When to give up (ms since the epoch); `None` waits forever.
    pub deadline_ms: Option<i64>,
    /// The reply sent on timeout.
    pub on_timeout: TimeoutReply,
}

/// The registry of blocked clients, by key, plus the ready keys.
#[derive(Debug, Default)]
pub struct BlockingState {
    /// Client ids waiting on each (db, key), in blocking order.
    waiters: HashMap<(usize, Bytes), VecDeque<u64>>,
    /// Keys that received elements and have waiters, in signal order.
    ready: VecDeque<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
    /// (deadline, client id) of every blocked client with a timeout.
    deadlines: BTreeSet<(i64, u64)>,
    /// Clients currently blocked (INFO `blocked_clients`).
    pub blocked_clients: usize,
}

impl BlockingState {
    /// Records `client` as waiting on `blocked.keys`.
    pub fn register(&mut self, client: u64, blocked: &Blocked) {
        for key in &blocked.keys {
            let queue = self.waiters.entry((blocked.db, key.clone())).or_default();
            if !queue.contains(&client) {
                queue.push_back(client);
            }
        }
        if let Some(deadline) = blocked.deadline_ms {
            self.deadlines.insert((deadline, client));
        }
        self.blocked_clients += 1;
    }

    /// Forgets `client`'s wait (served, timed out, disconnected).
    pub fn unregister(&mut self, client: u64, blocked: &Blocked) {
        for key in &blocked.keys {
            let slot = (blocked.db, key.clone());
            if let Some(queue) = self.waiters.get_mut(&slot) {
                queue.retain(|&id| id != client);
                if queue.is_empty() {
                    self.waiters.remove(&slot);
                }
            }
        }
        if let Some(deadline) = blocked.deadline_ms {
            self.deadlines.remove(&(deadline, client));
        }
        self.blocked_clients = self.blocked_clients.saturating_sub(1);
    }

    /// Notes that `key` received elements, if anybody waits on it.
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.waiters.is_empty() {
            return;
        }
        let slot = (db, Bytes::copy_from_slice(key));
        if self.waiters.contains_key(&slot) && self.ready_set.insert(slot.clone()) {
            self.ready.push_back(slot);
        }
    }

    /// A replica acknowledged more of the stream: clients in WAIT are checked again.
    pub fn signal_replica_acks(&mut self) {
        self.signal_ready(REPLICA_ACKS_DB, REPLICA_ACKS_KEY);
    }

    /// Every key of database `db` that some client waits on.
    pub fn blocked_keys(&self, db: usize) -> Vec<Bytes> {
        self.waiters
            .keys()
            .filter(|(key_db, _)| *key_db == db)
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// The next ready key, oldest signal first.
    pub fn pop_ready(&mut self) -> Option<(usize, Bytes)> {
        let slot = self.ready.pop_front()?;
        self.ready_set.remove(&slot);
        Some(slot)
    }

    /// True when keys are waiting to be served.
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// The clients waiting on `key`, oldest first (a snapshot: serving changes the queue).
    pub fn waiters(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.waiters
            .get(&(db, key.clone()))
            .map(|queue| queue.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A client whose deadline is at or before `now_ms`, if any.
    pub fn next_timed_out(&self, now_ms: i64) -> Option<u64> {
        self.deadlines
            .first()
            .filter(|(deadline, _)| *deadline <= now_ms)
            .map(|(_, client)| *client)
    }

    /// How many blocked clients wait with a timeout (INFO `clients_in_timeout_table`).
    pub fn timed_waits(&self) -> usize {
        self.deadlines.len()
    }

    /// The earliest deadline of any blocked client.
    pub fn next_deadline(&self) -> Option<i64> {
        self.deadlines.first().map(|(deadline, _)| *deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(keys: &[&str], deadline: Option<i64>) -> Blocked {
        Blocked {
            args: vec![],
            db: 0,
            keys: keys
                .iter()
                .map(|k| Bytes::copy_from_slice(k.as_bytes()))
                .collect(),
            deadline_ms: deadline,
            on_timeout: TimeoutReply::NullArray,
        }
    }

    #[test]
    fn waiters_in_blocking_order_and_ready_once() {
        let mut state = BlockingState::default();
        state.register(1, &blocked(&["a", "b"], None));
        state.register(2, &blocked(&["a"], Some(50)));
        state.signal_ready(0, b"a");
        state.signal_ready(0, b"a");
        state.signal_ready(0, b"zzz");
        assert_eq!(state.pop_ready(), Some((0, Bytes::from_static(b"a"))));
        assert_eq!(state.pop_ready(), None);
        assert_eq!(state.waiters(0, &Bytes::from_static(b"a")), vec![1, 2]);
        assert_eq!(state.next_timed_out(49), None);
        assert_eq!(state.next_timed_out(50), Some(2));
        state.unregister(2, &blocked(&["a"], Some(50)));
        state.unregister(1, &blocked(&["a", "b"], None));
        assert_eq!(state.blocked_clients, 0);
        assert!(state.waiters.is_empty() && state.deadlines.is_empty());
    }
}
