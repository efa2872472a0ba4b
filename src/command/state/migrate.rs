//! MIGRATE's cached connections: one per `host:port`, reused while MIGRATE calls
//! follow each other and closed after ten idle seconds, as Redis keeps them (INFO
//! `migrate_cached_sockets`). Each remembers the database it last SELECTed.

use std::collections::HashMap;
use std::net::TcpStream;

/// Cached connections kept at most (Redis's `MIGRATE_SOCKET_CACHE_ITEMS`).
pub const MAX_CACHED: usize = 64;
/// Seconds an unused connection is kept (Redis's `MIGRATE_SOCKET_CACHE_TTL`).
pub const IDLE_SECS: i64 = 10;

/// One cached connection to a target instance.
#[derive(Debug)]
pub struct Cached {
    /// The blocking socket.
    pub stream: TcpStream,
    /// The database last selected on it (-1: unknown, SELECT next time).
    pub last_db: i64,
    /// Unix second of its last use.
    pub last_use: i64,
}

/// The cache, by `host:port`.
#[derive(Debug, Default)]
pub struct MigrateSockets {
    /// Connections by target name.
    pub by_target: HashMap<String, Cached>,
}

impl MigrateSockets {
    /// Drops connections idle longer than [`IDLE_SECS`].
    pub fn close_idle(&mut self, now_secs: i64) {
        self.by_target
            .retain(|_, cached| now_secs - cached.last_use <= IDLE_SECS);
    }

    /// Makes room for one more connection, dropping an arbitrary one when full.
    pub fn make_room(&mut self) {
        if self.by_target.len() >= MAX_CACHED {
            if let Some(name) = self.by_target.keys().next().cloned() {
                self.by_target.remove(&name);
            }
        }
    }
}
