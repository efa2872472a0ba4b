//! Per-client state that commands may read and change.
//!
//! The server's client owns its `Session`; the command layer defines it, so commands never
//! reach into the reactor (DESIGN.md §11).

use bytes::Bytes;

use crate::command::blocking::Blocked;
use crate::command::pubsub::Subscriptions;

/// What a command may know and change about its own client.
#[derive(Debug, Clone)]
pub struct Session {
    /// Unique, increasing client id (CLIENT ID).
    pub id: u64,
    /// Selected database index.
    pub db: usize,
    /// Protocol version: 2 or 3.
    pub resp: u8,
    /// CLIENT SETNAME name, if any.
    pub name: Option<Bytes>,
    /// Peer address as `ip:port` (or the socket path for unix clients).
    pub addr: String,
    /// Local address as `ip:port`.
    pub local_addr: String,
    /// Set by QUIT and protocol errors: close once the pending replies are written.
    pub close_after_reply: bool,
    /// When the client connected (ms since the epoch).
    pub created_ms: i64,
    /// Name of the last command run (CLIENT LIST `cmd=`).
    pub last_command: &'static str,
    /// The command this client is blocked in, if any: its pipeline waits behind it.
    pub blocked: Option<Blocked>,
    /// While the reactor serves this blocked client: the key that became ready.
    pub serving_key: Option<Bytes>,
    /// Commands queued since MULTI, if a transaction is open.
    pub multi: Option<Vec<Vec<Bytes>>>,
    /// A command was refused while queueing: EXEC will abort.
    pub multi_failed: bool,
    /// True while EXEC runs the queue (blocking commands must not block).
    pub in_exec: bool,
    /// Keys this client WATCHes, as (db, key).
    pub watched: Vec<(usize, Bytes)>,
    /// Channels, patterns and shard channels this client is subscribed to.
    pub subscriptions: Subscriptions,
}

impl Session {
    /// A fresh session for client `id`, in database 0, speaking RESP2.
    pub fn new(id: u64, addr: String, local_addr: String, now_ms: i64) -> Self {
        Session {
            id,
            db: 0,
            resp: 2,
            name: None,
            addr,
            local_addr,
            close_after_reply: false,
            created_ms: now_ms,
            last_command: "NULL",
            blocked: None,
            serving_key: None,
            multi: None,
            multi_failed: false,
            in_exec: false,
            watched: Vec::new(),
            subscriptions: Subscriptions::default(),
        }
    }
}
