//! Client-side caching state: the keys each tracking client has read, BCAST prefixes,
//! and the invalidations waiting to be written. CLIENT TRACKING and friends are in
//! `conn::tracking`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bytes::Bytes;

use crate::protocol::{OutBuf, Reply};

/// The pub/sub channel RESP2 redirect targets receive invalidations on.
pub const INVALIDATE_CHANNEL: &[u8] = b"__redis__:invalidate";

/// The tracking options of one client with tracking on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTracking {
    /// The client invalidations are redirected to; 0 for none.
    pub redirect: u64,
    /// Broadcast mode: invalidations for prefixes, whatever the client read.
    pub bcast: bool,
    /// Only keys read right after CLIENT CACHING YES are tracked.
    pub optin: bool,
    /// Keys read right after CLIENT CACHING NO are not tracked.
    pub optout: bool,
    /// No invalidations for keys the client modified itself.
    pub noloop: bool,
    /// The redirect target went away (flag `R`, `broken_redirect`).
    pub broken_redirect: bool,
    /// The BCAST prefixes, in byte order.
    pub prefixes: BTreeSet<Bytes>,
}

/// What an invalidation message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// One key (default mode).
    Key(Bytes),
    /// Everything (FLUSHDB/FLUSHALL): a null in the tracking client's protocol.
    Null,
    /// The keys modified under one prefix (BCAST mode).
    Keys(Vec<Bytes>),
}

/// One invalidation for one tracking client, written by the reactor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalidation {
    /// The tracking client (the message may go to its redirect target).
    pub client: u64,
    /// The keys invalidated.
    pub payload: Payload,
}

/// One BCAST prefix: its subscribers, and the keys modified under it since the last
/// broadcast, each with the client that modified it last (0 for the server).
#[derive(Debug, Default)]
struct Prefix {
    clients: BTreeSet<u64>,
    keys: BTreeMap<Bytes, u64>,
}

/// Every tracking client's options, the keys tracked in default mode, the BCAST
/// prefixes, and the invalidations waiting for the reactor.
#[derive(Debug, Default)]
pub struct TrackingState {
    /// Clients with tracking on, by id.
    pub clients: HashMap<u64, ClientTracking>,
    /// Keys read by default-mode clients: key -> ids of the clients that read it.
    keys: HashMap<Bytes, Vec<u64>>,
    /// Sum of the id lists' lengths (INFO `tracking_total_items`).
    items: usize,
    /// BCAST prefixes in byte order.
    prefixes: BTreeMap<Bytes, Prefix>,
    /// Invalidations waiting for the reactor.
    pub outbox: Vec<Invalidation>,
    /// The client whose command is running (0 outside commands): NOLOOP's "self".
    pub current: u64,
}

impl TrackingState {
    /// True when a key modification may produce an invalidation: the one branch a
    /// write pays when nobody tracks.
    pub fn is_active(&self) -> bool {
        !self.keys.is_empty() || !self.prefixes.is_empty()
    }

    /// INFO stats: tracked keys, (key, client) pairs, and BCAST prefixes.
    pub fn totals(&self) -> (usize, usize, usize) {
        (self.keys.len(), self.items, self.prefixes.len())
    }

    /// Turns tracking on for `id` (or changes its options), as CLIENT TRACKING ON
    /// does once the options were checked: earlier options are replaced, BCAST
    /// prefixes are added to the ones it had.
    pub fn enable(&mut self, id: u64, redirect: u64, options: &Options, prefixes: &[Bytes]) {
        let entry = self.clients.entry(id).or_default();
        entry.redirect = redirect;
        entry.broken_redirect = false;
        entry.bcast = options.bcast;
        entry.optin = options.optin;
        entry.optout = options.optout;
        entry.noloop = options.noloop;
        if options.bcast {
            let empty = [Bytes::new()];
            let wanted = if prefixes.is_empty() {
                &empty[..]
            } else {
                prefixes
            };
            for prefix in wanted {
                // Owned: prefixes outlive the command (no pinned query buffer).
                let prefix = Bytes::copy_from_slice(prefix);
                entry.prefixes.insert(prefix.clone());
                self.prefixes.entry(prefix).or_default().clients.insert(id);
            }
        }
    }

    /// Turns tracking off for `id`. Keys it read stay in the table (a later read by
    /// someone else, or its own tracking turned back on, still finds them), as in Redis.
    pub fn disable(&mut self, id: u64) {
        let Some(entry) = self.clients.remove(&id) else {
            return;
        };
        for prefix in &entry.prefixes {
            if let Some(state) = self.prefixes.get_mut(prefix) {
                state.clients.remove(&id);
                if state.clients.is_empty() {
                    self.prefixes.remove(prefix);
                }
            }
        }
    }

    /// Remembers that client `id` read `key`.
    pub fn remember(&mut self, id: u64, key: &Bytes) {
        let ids = match self.keys.get_mut(key) {
            Some(ids) => ids,
            // Owned: a tracked key outlives the command (no pinned query buffer).
            None => self.keys.entry(Bytes::copy_from_slice(key)).or_default(),
        };
        if !ids.contains(&id) {
            ids.push(id);
            self.items += 1;
        }
    }

    /// `key` was modified: queue an invalidation for each default-mode client that
    /// read it (and forget it), and note it for the BCAST prefixes it falls under.
    pub fn invalidate(&mut self, key: &[u8]) {
        let current = self.current;
        if !self.prefixes.is_empty() {
            for (prefix, state) in self.prefixes.iter_mut() {
                if key.starts_with(prefix) {
                    state.keys.insert(Bytes::copy_from_slice(key), current);
                }
            }
        }
        let Some(ids) = self.keys.remove(key) else {
            return;
        };
        self.items -= ids.len();
        for id in ids {
            let Some(options) = self.clients.get(&id) else {
                continue;
            };
            if options.bcast || (options.noloop && id == current) {
                continue;
            }
            self.outbox.push(Invalidation {
                client: id,
                payload: Payload::Key(Bytes::copy_from_slice(key)),
            });
        }
    }

    /// FLUSHDB/FLUSHALL: a null invalidation for every tracking client, in connection
    /// order, and the key table emptied.
    pub fn flush(&mut self) {
        let mut ids: Vec<u64> = self.clients.keys().copied().collect();
        ids.sort_unstable();
        for client in ids {
            self.outbox.push(Invalidation {
                client,
                payload: Payload::Null,
            });
        }
        self.keys.clear();
        self.items = 0;
    }

    /// Queues one message per BCAST prefix with modified keys for each of its
    /// subscribers (NOLOOP ones without the keys they modified themselves), then
    /// starts gathering afresh. The reactor calls this before sleeping.
    pub fn broadcast(&mut self) {
        for state in self.prefixes.values_mut() {
            if state.keys.is_empty() {
                continue;
            }
            let keys = std::mem::take(&mut state.keys);
            for &client in &state.clients {
                let noloop = self.clients.get(&client).is_some_and(|c| c.noloop);
                let list: Vec<Bytes> = keys
                    .iter()
                    .filter(|(_, &by)| !noloop || by != client)
                    .map(|(key, _)| key.clone())
                    .collect();
                if !list.is_empty() {
                    self.outbox.push(Invalidation {
                        client,
                        payload: Payload::Keys(list),
                    });
                }
            }
        }
    }

    /// Drops tracked keys beyond `max_keys` (0: no limit), oldest-first in no
    /// particular order, invalidating them for their readers.
    pub fn limit_keys(&mut self, max_keys: u64) {
        if max_keys == 0 {
            return;
        }
        let max = usize::try_from(max_keys).unwrap_or(usize::MAX);
        if self.keys.len() <= max {
            return;
        }
        let excess = self.keys.len() - max;
        let victims: Vec<Bytes> = self.keys.keys().take(excess).cloned().collect();
        let current = std::mem::replace(&mut self.current, 0);
        for key in victims {
            // Only the default-mode readers hear of it: no BCAST note for an eviction.
            let Some(ids) = self.keys.remove(&key) else {
                continue;
            };
            self.items -= ids.len();
            for id in ids {
                if self.clients.get(&id).is_some_and(|c| !c.bcast) {
                    self.outbox.push(Invalidation {
                        client: id,
                        payload: Payload::Key(key.clone()),
                    });
                }
            }
        }
        self.current = current;
    }

    /// Writes the invalidations for client `id` that go to itself (no redirect) right
    /// after its command's reply, as Redis does, instead of after the whole pipeline;
    /// the rest stay for the reactor. RESP2 clients without a redirect get nothing.
    pub fn write_own(&mut self, id: u64, resp: u8, out: &mut OutBuf) {
        self.write_own_to(id, &mut Reply::new(out, resp));
    }

    /// [`Self::write_own`] into a reply being built (written in its protocol version):
    /// keys evicted before a command are announced before its reply, as Redis does.
    pub fn write_own_to(&mut self, id: u64, reply: &mut Reply<'_>) {
        let redirected = self.clients.get(&id).is_none_or(|c| c.redirect != 0);
        if redirected || !self.outbox.iter().any(|inv| inv.client == id) {
            return;
        }
        let resp = if reply.is_resp3() { 3 } else { 2 };
        self.outbox.retain(|inv| {
            if inv.client != id {
                return true;
            }
            if resp >= 3 {
                reply.push_len(2);
                reply.bulk(b"invalidate");
                match &inv.payload {
                    Payload::Key(key) => {
                        reply.array_len(1);
                        reply.bulk(key);
                    }
                    Payload::Keys(keys) => {
                        reply.array_len(keys.len());
                        for key in keys {
                            reply.bulk(key);
                        }
                    }
                    Payload::Null => reply.null(),
                }
            }
            false
        });
    }

    /// True when invalidations wait to be written, or BCAST prefixes exist (whose
    /// gathered keys [`Self::take`] turns into messages).
    pub fn has_pending(&self) -> bool {
        !self.outbox.is_empty() || !self.prefixes.is_empty()
    }

    /// Hands every queued invalidation to the reactor, BCAST messages last.
    pub fn take(&mut self) -> Vec<Invalidation> {
        self.broadcast();
        std::mem::take(&mut self.outbox)
    }
}

/// The options of one CLIENT TRACKING call.
#[derive(Debug, Default)]
pub struct Options {
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
}

/// True when one of two BCAST prefixes starts the other (CLIENT TRACKING refuses such
/// pairs).
pub fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Bytes {
        Bytes::copy_from_slice(k.as_bytes())
    }

    #[test]
    fn default_mode_invalidates_once_and_forgets() {
        let mut t = TrackingState::default();
        t.enable(7, 0, &Options::default(), &[]);
        t.remember(7, &key("k"));
        t.remember(7, &key("k"));
        assert_eq!(t.totals(), (1, 1, 0));
        t.invalidate(b"k");
        t.invalidate(b"k");
        assert_eq!(
            t.take(),
            vec![Invalidation {
                client: 7,
                payload: Payload::Key(key("k"))
            }]
        );
        assert_eq!(t.totals(), (0, 0, 0));
    }

    #[test]
    fn noloop_skips_own_writes_and_bcast_groups_by_prefix() {
        let mut t = TrackingState::default();
        let bcast = Options {
            bcast: true,
            noloop: true,
            ..Options::default()
        };
        t.enable(1, 0, &bcast, &[key("a")]);
        t.current = 1;
        t.invalidate(b"a2");
        t.current = 2;
        t.invalidate(b"a1");
        t.invalidate(b"b1");
        assert_eq!(
            t.take(),
            vec![Invalidation {
                client: 1,
                payload: Payload::Keys(vec![key("a1")])
            }]
        );
        t.disable(1);
        assert!(!t.is_active());
    }

    #[test]
    fn prefixes_overlap_when_one_starts_the_other() {
        assert!(overlaps(b"ab", b"a"));
        assert!(overlaps(b"", b"zz"));
        assert!(!overlaps(b"ab", b"ac"));
    }
}
