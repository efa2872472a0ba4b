//! Client memory accounting and client eviction (`maxmemory-clients`), as Redis 7.0
//! does them.
//!
//! Every client's memory is counted as CLIENT LIST's `tot-mem` counts it
//! (`core::client_info::client_memory`: query buffer, arguments still arriving, output
//! buffer, the client itself, a queued transaction, watched keys, subscriptions,
//! tracking prefixes). Each client remembers what it was last counted at, so the total
//! of all clients changes by the difference and is never summed from scratch outside
//! the cron.
//!
//! With client eviction off, the cron recounts every client once per tick for INFO's
//! `mem_clients_normal`. With it on, the reactor also recounts a client wherever its
//! memory changes (after a read, after its commands, when output is queued for it,
//! after a write), and evicts before running a client's commands and before sleeping:
//! while the total is at or over the limit, the largest evictable client (not
//! `CLIENT NO-EVICT on`, not already closing) is closed. Redis sorts clients into
//! power-of-two buckets and evicts from the top bucket down; choosing the exact
//! largest is the same order without the rounding, at the cost of a sort that only
//! happens when the limit is passed. See docs/ARCHITECTURE.md, "Memory".

use crate::command::core::executor::Executor;
use crate::server::client::{Client, ClientSlab};

/// The memory all clients hold together, and what client eviction was last told the
/// limit is.
#[derive(Debug, Default)]
pub struct ClientMemory {
    /// Sum of every client's [`Client::memory`].
    total: usize,
    /// The limit in force at the last check (0: eviction off), to notice a change.
    limit: usize,
    /// The clients that may not be evicted are over the limit by themselves, and
    /// this was logged (once, until it stops being true).
    warned_over: bool,
}

impl ClientMemory {
    /// The memory all clients hold, as last counted.
    pub fn total(&self) -> usize {
        self.total
    }

    /// True while client eviction is on, so memory must be counted as it changes.
    pub fn eviction_on(&self) -> bool {
        self.limit > 0
    }

    /// The limit in force (0: off).
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Takes the limit now configured; true if it changed (then every client must be
    /// recounted, since nothing was counted in real time while eviction was off).
    pub fn set_limit(&mut self, limit: usize) -> bool {
        let changed = limit != self.limit;
        self.limit = limit;
        changed
    }

    /// Counts one client again and moves the total by the difference. A client on
    /// its way out counts nothing: its buffers are dropped with it.
    pub fn recount(&mut self, client: &mut Client, exec: &Executor) {
        let now = if client.close_asap {
            0
        } else {
            exec.client_memory(&client.view())
        };
        self.total = self.total.saturating_sub(client.memory) + now;
        client.memory = now;
    }

    /// Counts every client again (the cron; a new limit).
    pub fn recount_all(&mut self, clients: &mut ClientSlab, exec: &Executor) {
        for (_, client) in clients.iter_mut() {
            self.recount(client, exec);
        }
    }

    /// A client is gone: its memory leaves the total.
    pub fn forget(&mut self, client: &Client) {
        self.total = self.total.saturating_sub(client.memory);
    }

    /// True when the total is at or over the limit while eviction is on.
    pub fn over_limit(&mut self) -> bool {
        let over = self.limit > 0 && self.total >= self.limit;
        if !over {
            self.clear_warning();
        }
        over
    }

    /// The memory the other clients hold besides `client`: what the limit leaves for
    /// this one while its commands run.
    pub fn others(&self, client: &Client) -> usize {
        self.total.saturating_sub(client.memory)
    }

    /// The slab keys of the clients to evict, largest first, so that the total falls
    /// under the limit; the flag is true when evicting all of them is still not
    /// enough (the rest is held by clients that may not be evicted).
    pub fn victims(&self, clients: &ClientSlab) -> (Vec<usize>, bool) {
        let mut candidates: Vec<(usize, usize)> = clients
            .iter()
            .filter(|(_, c)| !c.session.no_evict && !c.close_asap)
            .map(|(key, c)| (c.memory, key))
            .collect();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        let mut remaining = self.total;
        let mut chosen = Vec::new();
        for (memory, key) in candidates {
            if remaining < self.limit {
                break;
            }
            remaining = remaining.saturating_sub(memory);
            chosen.push(key);
        }
        (chosen, remaining >= self.limit)
    }

    /// True the first time in a row that evicting everything evictable left the total
    /// over the limit: the warning is logged once, not on every loop iteration.
    pub fn warn_once_over(&mut self) -> bool {
        !std::mem::replace(&mut self.warned_over, true)
    }

    /// The total fell under the limit again: a later overrun is worth a new warning.
    fn clear_warning(&mut self) {
        self.warned_over = false;
    }
}
