//! What the command layer may see of the other connected clients: CLIENT LIST, CLIENT
//! KILL's filters and INFO's clients section read it; nothing here changes a client.
//!
//! The reactor owns the clients (DESIGN.md §11). It hands the executor a
//! [`ClientDirectory`] over every client except the one whose command runs, whose
//! session the handler already holds. Effects on other clients (a kill, an unblock)
//! go back to the reactor as [`crate::command::ServerEvent`]s.

use std::fmt::Write as _;

use crate::command::session::Session;
use crate::command::ServerState;

/// The buffer figures of one client, as CLIENT LIST reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferStats {
    /// Bytes read and not yet parsed (`qbuf`).
    pub query_len: usize,
    /// Spare capacity of the query buffer (`qbuf-free`).
    pub query_free: usize,
    /// Bytes of the arguments of the command being run (`argv-mem`).
    pub argv_mem: usize,
    /// Bytes in the contiguous reply tail (`obl`).
    pub reply_tail: usize,
    /// Shared reply chunks queued (`oll`).
    pub reply_chunks: usize,
    /// Bytes of reply waiting to be written, chunks and tail (`omem`).
    pub reply_pending: usize,
    /// The socket is registered for writability (`events=rw`).
    pub write_registered: bool,
}

/// One client as seen from the command layer.
#[derive(Clone, Copy)]
pub struct ClientView<'a> {
    /// What the client's commands see and set.
    pub session: &'a Session,
    /// Its buffers.
    pub buffers: BufferStats,
}

/// Read-only access to the connected clients other than the caller.
pub trait ClientDirectory {
    /// Every connected client except the caller, in any order.
    fn others(&self) -> Vec<ClientView<'_>>;

    /// While a script runs past `busy-reply-threshold`: reads the other clients'
    /// commands and writes, for each, the reply `answer` returns (scripting's BUSY
    /// handling). Nothing to serve by default.
    fn serve_busy(&self, _answer: &mut dyn FnMut(&[bytes::Bytes]) -> Vec<u8>) {}
}

/// A directory with nobody in it: for commands run outside a client's turn (a blocked
/// client's retry) and for tests that drive the executor directly.
pub struct NoClients;

impl ClientDirectory for NoClients {
    fn others(&self) -> Vec<ClientView<'_>> {
        Vec::new()
    }
}

/// Every client, the caller included, in connection order (as CLIENT LIST prints them).
pub fn all_clients<'a>(
    directory: &'a dyn ClientDirectory,
    caller: ClientView<'a>,
) -> Vec<ClientView<'a>> {
    let mut views = directory.others();
    views.push(caller);
    views.sort_by_key(|view| view.session.id);
    views
}

/// The client classes CLIENT LIST TYPE and CLIENT KILL TYPE select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// Ordinary clients (monitors included, as in Redis).
    Normal,
    /// Replicas (none: this server has no replication yet).
    Replica,
    /// A master link (none).
    Master,
    /// Clients subscribed to anything.
    PubSub,
}

impl ClientType {
    /// Parses a type name as Redis does (`slave` is an alias of `replica`).
    pub fn parse(name: &[u8]) -> Option<ClientType> {
        let lower = name.to_ascii_lowercase();
        match lower.as_slice() {
            b"normal" => Some(ClientType::Normal),
            b"slave" | b"replica" => Some(ClientType::Replica),
            b"master" => Some(ClientType::Master),
            b"pubsub" => Some(ClientType::PubSub),
            _ => None,
        }
    }

    /// The class `session` belongs to.
    pub fn of(session: &Session) -> ClientType {
        if session.subscriptions.total() > 0 {
            ClientType::PubSub
        } else {
            ClientType::Normal
        }
    }
}

/// The `flags=` letters of a client, in Redis's order; `N` when none applies.
pub fn flag_letters(view: &ClientView<'_>, server: &ServerState) -> String {
    let session = view.session;
    let mut letters = String::new();
    let mut add = |on: bool, letter: char| {
        if on {
            letters.push(letter);
        }
    };
    add(session.monitor, 'O');
    add(session.subscriptions.total() > 0, 'P');
    add(session.multi.is_some(), 'x');
    add(
        session.blocked.is_some() || session.postponed.is_some(),
        'b',
    );
    let tracking = server.tracking.clients.get(&session.id);
    add(session.tracking, 't');
    add(tracking.is_some_and(|t| t.broken_redirect), 'R');
    add(tracking.is_some_and(|t| t.bcast), 'B');
    add(server.watches.is_doomed(session.id), 'd');
    add(session.close_after_reply, 'c');
    add(session.unix_socket, 'U');
    add(session.no_evict, 'e');
    add(session.no_touch, 'T');
    if letters.is_empty() {
        letters.push('N');
    }
    letters
}

/// One CLIENT LIST / CLIENT INFO line (without the trailing newline), with the fields
/// Redis 7.0 prints, in its order.
pub fn client_line(view: &ClientView<'_>, server: &ServerState, out: &mut String) {
    let session = view.session;
    let buffers = &view.buffers;
    let now = server.now_ms;
    let name = session
        .name
        .as_ref()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let multi = session
        .multi
        .as_ref()
        .map_or(-1, |queue| queue.len() as i64);
    let multi_mem: usize = session
        .multi
        .iter()
        .flatten()
        .map(|args| args.iter().map(|a| a.len()).sum::<usize>())
        .sum();
    let cmd = match session.last_subcommand {
        Some(sub) => format!("{}|{}", session.last_command, sub),
        None => session.last_command.to_string(),
    };
    let events = if buffers.write_registered { "rw" } else { "r" };
    let tot_mem = buffers.query_len
        + buffers.query_free
        + buffers.argv_mem
        + buffers.reply_pending
        + multi_mem
        + std::mem::size_of::<Session>();
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} \
         ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} \
         oll={} omem={} tot-mem={} events={} cmd={} user=default redir={} resp={}",
        session.id,
        session.addr,
        session.local_addr,
        session.fd,
        name,
        (now - session.created_ms).max(0) / 1000,
        (now - session.last_interaction_ms).max(0) / 1000,
        flag_letters(view, server),
        session.db,
        session.subscriptions.channels.len(),
        session.subscriptions.patterns.len(),
        session.subscriptions.shard_channels.len(),
        multi,
        buffers.query_len,
        buffers.query_free,
        buffers.argv_mem,
        multi_mem,
        buffers.query_len + buffers.query_free,
        buffers.query_len,
        buffers.reply_tail,
        buffers.reply_chunks,
        buffers.reply_pending.saturating_sub(buffers.reply_tail),
        tot_mem,
        events,
        cmd,
        server
            .tracking
            .clients
            .get(&session.id)
            .map_or(-1, |t| t.redirect as i64),
        session.resp,
    );
}

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
    /// Buffer bytes of every client at the last sampling pass.
    memory: usize,
    /// The sum being built by the pass in progress.
    memory_in_progress: usize,
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
        self.memory_in_progress += input + output;
    }

    /// Ends a sampling pass over every client: its total becomes [`Self::memory`].
    pub fn finish_pass(&mut self) {
        self.memory = std::mem::take(&mut self.memory_in_progress);
    }

    /// Query and output buffer bytes of all clients at the last pass (INFO
    /// `mem_clients_normal`).
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
