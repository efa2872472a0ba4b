//! What the command layer may see of the other connected clients: CLIENT LIST, CLIENT
//! KILL's filters and INFO's clients section read it. Nothing here changes a client,
//! except the commands a busy script lets other clients run (`serve_busy`).
//!
//! The reactor owns the clients (docs/ARCHITECTURE.md, "The outbox"). It hands the executor a
//! [`ClientDirectory`] over every client except the one whose command runs, whose
//! session the handler already holds. Effects on other clients (a kill, an unblock)
//! go back to the reactor as [`crate::command::core::state::ServerEvent`]s.

use crate::command::state::session::Session;
use crate::protocol::OutBuf;

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
    /// Memory the output buffer holds: what waits plus spare capacity (part of
    /// `tot-mem`).
    pub reply_memory: usize,
    /// The size the reply buffer is kept at (`rbs`).
    pub reply_buffer_size: usize,
    /// The most the reply buffer held since its peak last restarted (`rbp`).
    pub reply_buffer_peak: usize,
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

/// The settings a busy script's serving of other clients admits new connections and
/// parses requests by, as the script finds them when it starts serving.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    /// `proto-max-bulk-len`.
    pub max_bulk_len: i64,
    /// New connections start authenticated (`default` needs no password).
    pub authenticated: bool,
    /// Protected mode turns away clients that are not local.
    pub protected: bool,
    /// `maxclients`.
    pub maxclients: usize,
    /// `tcp-keepalive` for accepted TCP connections.
    pub keepalive: u64,
    /// The cached time, for new sessions.
    pub now_ms: i64,
}

/// Runs one command for another client while a script is busy: its session, its
/// arguments, and its output buffer to write the reply into.
pub type BusyCommand<'a> = dyn FnMut(&mut Session, &[bytes::Bytes], &mut OutBuf) + 'a;

/// Access to the connected clients other than the caller: read-only, except while a
/// script runs past `busy-reply-threshold`.
pub trait ClientDirectory {
    /// Every connected client except the caller, in any order.
    fn others(&self) -> Vec<ClientView<'_>>;

    /// While a script runs past `busy-reply-threshold` (Redis's
    /// `processEventsWhileBlocked`): accepts new connections, reads the other clients'
    /// commands and has `run` execute each one (the dispatcher answers `-BUSY` to all
    /// but a few), then writes the replies. Nothing to serve by default.
    fn serve_busy(&mut self, _admission: &Admission, _run: &mut BusyCommand<'_>) {}

    /// The caller's buffers as they were when its batch of commands started, with the
    /// running command's arguments (`argv_mem`): CLIENT INFO and CLIENT LIST report its
    /// input from them, its reply from the reply being written. Nothing is known by
    /// default.
    fn caller_buffers(&self) -> BufferStats {
        BufferStats::default()
    }

    /// Listens on `binds` × `port` instead of the current TCP sockets (CONFIG SET
    /// `port`/`bind`); on failure the old addresses keep listening. Returns the port
    /// bound. Without a reactor (tests driving the executor) there is nothing to move.
    fn rebind(&mut self, _binds: &[String], _port: u16) -> std::io::Result<u16> {
        Err(std::io::Error::other("no listeners to move"))
    }
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
    /// Clients reading the replication stream (SYNC).
    Replica,
    /// The link this replica's master sends its stream on.
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
        if session.master {
            ClientType::Master
        } else if session.replica {
            ClientType::Replica
        } else if session.subscriptions.total() > 0 {
            ClientType::PubSub
        } else {
            ClientType::Normal
        }
    }
}
