//! The replication stream as a SYNC client reads it: the writes dispatch records
//! (the same record the append-only file takes), encoded as RESP with a SELECT
//! whenever the database changes, and a PING every `repl-ping-replica-period`. The
//! reactor appends what accumulated to every SYNC client's output after each loop
//! turn. Redis's test harness reads this stream to check what a command propagates,
//! and `redis-cli --replica` prints it; real replicas (PSYNC, REPLCONF) are not served.

use bytes::Bytes;

use crate::command::state::propagation::Op;
use crate::persistence::aof::commands::encode;

/// The clients reading the stream, and the bytes waiting for them.
#[derive(Debug, Default)]
pub struct ReplicaFeed {
    /// Ids of the SYNC clients, in the order they attached.
    clients: Vec<u64>,
    /// The database the stream last selected (`None`: the next op selects).
    selected_db: Option<usize>,
    /// Encoded ops not yet handed to the reactor.
    pending: Vec<u8>,
    /// Bytes fed into the stream since start (INFO `master_repl_offset`).
    pub offset: u64,
    /// When the last PING went into the stream, in ms.
    pub last_ping_ms: i64,
}

impl ReplicaFeed {
    /// True while some client reads the stream.
    pub fn is_active(&self) -> bool {
        !self.clients.is_empty()
    }

    /// The SYNC clients, in attach order.
    pub fn clients(&self) -> &[u64] {
        &self.clients
    }

    /// Starts feeding `client`, which has the snapshot up to now: the next op it gets
    /// is preceded by a SELECT, as Redis forces one for a new replica.
    pub fn attach(&mut self, client: u64, now_ms: i64) {
        if !self.clients.contains(&client) {
            self.clients.push(client);
        }
        self.selected_db = None;
        self.last_ping_ms = now_ms;
    }

    /// Stops feeding `client` (it disconnected).
    pub fn detach(&mut self, client: u64) {
        self.clients.retain(|&id| id != client);
        if self.clients.is_empty() {
            self.pending.clear();
        }
    }

    /// Appends recorded ops to the stream.
    pub fn feed(&mut self, ops: &[Op]) {
        let before = self.pending.len();
        for op in ops {
            if self.selected_db != Some(op.db) {
                let db = Bytes::from(op.db.to_string());
                encode(&mut self.pending, &[Bytes::from_static(b"SELECT"), db]);
                self.selected_db = Some(op.db);
            }
            encode(&mut self.pending, &op.args);
        }
        self.offset += (self.pending.len() - before) as u64;
    }

    /// Adds a PING when `period_secs` passed since the last one, as a master pings its
    /// replicas so that they can tell a quiet master from a dead link.
    pub fn ping_if_due(&mut self, now_ms: i64, period_secs: u64) {
        let period_ms = i64::try_from(period_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        if self.is_active() && now_ms.saturating_sub(self.last_ping_ms) >= period_ms {
            self.last_ping_ms = now_ms;
            let before = self.pending.len();
            encode(&mut self.pending, &[Bytes::from_static(b"PING")]);
            self.offset += (self.pending.len() - before) as u64;
        }
    }

    /// The bytes waiting for every SYNC client, and the clients.
    pub fn take(&mut self) -> Option<(Vec<u8>, Vec<u64>)> {
        if self.pending.is_empty() {
            return None;
        }
        Some((std::mem::take(&mut self.pending), self.clients.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(db: usize, args: &[&'static [u8]]) -> Op {
        Op {
            db,
            args: args.iter().map(|a| Bytes::from_static(a)).collect(),
        }
    }

    #[test]
    fn the_stream_selects_first_and_on_every_change() {
        let mut feed = ReplicaFeed::default();
        feed.attach(7, 0);
        feed.feed(&[op(9, &[b"SET", b"a", b"1"]), op(9, &[b"DEL", b"a"])]);
        feed.feed(&[op(0, &[b"INCR", b"n"])]);
        let (bytes, clients) = feed.take().expect("bytes");
        assert_eq!(clients, [7]);
        let text = String::from_utf8(bytes).expect("utf8");
        assert_eq!(
            text,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
             *2\r\n$3\r\nDEL\r\n$1\r\na\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\
             *2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"
        );
        assert_eq!(feed.offset, text.len() as u64);
        feed.ping_if_due(5_000, 10);
        assert!(feed.take().is_none());
        feed.ping_if_due(10_000, 10);
        assert_eq!(
            feed.take().map(|(b, _)| b),
            Some(b"*1\r\n$4\r\nPING\r\n".to_vec())
        );
        feed.detach(7);
        assert!(!feed.is_active());
    }
}
