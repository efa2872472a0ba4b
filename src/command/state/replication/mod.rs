//! The master side of replication: the stream replicas read, the backlog that lets
//! them continue after a broken link, the replicas themselves, and this server's
//! replication identity (replid, replid2, offsets).
//!
//! The stream is the writes dispatch records (the same record the append-only file
//! takes, [`crate::command::state::propagation`]) encoded as RESP, with a SELECT
//! whenever the database changes, a PING every `repl-ping-replica-period` and a
//! `REPLCONF GETACK *` when WAIT needs fresh acknowledgements. Every byte goes into the
//! backlog (while there is one) and counts in the offset, exactly as Redis counts
//! `master_repl_offset`; bytes for attached replicas wait in `pending` until the
//! reactor appends them to each replica's output after the loop turn.
//!
//! The API a replica-side link builds on: [`ReplicaFeed::feed_raw`] appends its
//! master's stream verbatim (so its own replicas and backlog follow the master), and
//! the identity setters ([`ReplicaFeed::set_replid`], [`ReplicaFeed::set_replid2`],
//! [`ReplicaFeed::set_offset`], [`ReplicaFeed::shift_replid`],
//! [`ReplicaFeed::force_select`]) take the master's history over.
//!
//! Layout: `backlog` (the ring buffer), `replicas` (attached replicas and their
//! acknowledgements). Commands live in `command/snapshot/sync.rs` (SYNC, PSYNC) and
//! `command/snapshot/replconf.rs` (REPLCONF, WAIT); docs/ARCHITECTURE.md, "The
//! replication stream".

pub mod backlog;
pub mod jobs;
pub mod replicas;

use bytes::Bytes;

use crate::command::state::propagation::Op;
use crate::persistence::aof::commands::encode;
use backlog::Backlog;
use replicas::{Replica, Replicas};

/// The id a server without replication history shows as its second id.
pub const NO_REPLID: &str = "0000000000000000000000000000000000000000";

/// Full and partial synchronizations served (INFO stats `sync_*`).
#[derive(Debug, Default, Clone, Copy)]
pub struct SyncStats {
    /// Full synchronizations (SYNC, or PSYNC that could not continue).
    pub full: u64,
    /// PSYNCs answered `+CONTINUE`.
    pub partial_ok: u64,
    /// PSYNCs that named a history and could not continue.
    pub partial_err: u64,
}

/// Stream bytes for the reactor to append to the replicas' output.
#[derive(Debug)]
pub struct StreamBatch {
    /// The bytes produced since the last batch.
    pub bytes: Vec<u8>,
    /// Each replica's client id, with how many of the first bytes it already has
    /// (they were in its snapshot or its backlog reply).
    pub readers: Vec<(u64, usize)>,
}

/// The replication stream, its backlog, its replicas and the server's identity.
#[derive(Debug)]
pub struct ReplicaFeed {
    /// Replication id of the current history (INFO `master_replid`).
    replid: String,
    /// The previous history's id (INFO `master_replid2`), valid up to
    /// `second_offset`.
    replid2: String,
    /// The last offset `replid2` is valid for plus one; -1 without one.
    second_offset: i64,
    /// Bytes of stream produced (INFO `master_repl_offset`).
    offset: u64,
    /// The backlog, from the first replica's arrival until `repl-backlog-ttl` after
    /// the last one left.
    backlog: Option<Backlog>,
    /// Attached replicas.
    replicas: Replicas,
    /// The database the stream last selected (`None`: the next op selects).
    selected_db: Option<usize>,
    /// Stream bytes not yet handed to the reactor (only while replicas are attached).
    pending: Vec<u8>,
    /// When the last PING went into the stream, in ms.
    last_ping_ms: i64,
    /// When the last replica left, in ms.
    no_replicas_since_ms: i64,
    /// A WAIT asked for acknowledgements: GETACK goes out before the loop sleeps.
    getack_wanted: bool,
    /// Synchronizations served.
    pub stats: SyncStats,
    /// Full synchronizations a forked child serves.
    pub jobs: jobs::SyncJobs,
}

impl ReplicaFeed {
    /// A server with history `replid`, offset 0, no backlog and no replicas.
    pub fn new(replid: String) -> Self {
        ReplicaFeed {
            replid,
            replid2: NO_REPLID.to_string(),
            second_offset: -1,
            offset: 0,
            backlog: None,
            replicas: Replicas::default(),
            selected_db: None,
            pending: Vec::new(),
            last_ping_ms: 0,
            no_replicas_since_ms: 0,
            getack_wanted: false,
            stats: SyncStats::default(),
            jobs: jobs::SyncJobs::default(),
        }
    }

    /// True while the stream is produced: a backlog exists (it does whenever a
    /// replica is attached). Dispatch records writes only then.
    pub fn is_active(&self) -> bool {
        self.backlog.is_some()
    }

    /// The current history's id.
    pub fn replid(&self) -> &str {
        &self.replid
    }

    /// The previous history's id ([`NO_REPLID`] without one).
    pub fn replid2(&self) -> &str {
        &self.replid2
    }

    /// The last offset a replica of the previous history may continue from
    /// (Redis's `second_replid_offset`); -1 without one.
    pub fn second_offset(&self) -> i64 {
        self.second_offset
    }

    /// Bytes of stream produced (INFO `master_repl_offset`).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Takes history `replid` (a replica adopting its master's id, DEBUG
    /// CHANGE-REPL-ID, a new backlog).
    pub fn set_replid(&mut self, replid: String) {
        self.replid = replid;
    }

    /// Sets the previous history and up to where it is valid; `(NO_REPLID, -1)`
    /// clears it.
    pub fn set_replid2(&mut self, replid2: String, second_offset: i64) {
        self.replid2 = replid2;
        self.second_offset = second_offset;
    }

    /// Starts a new history `replid`, keeping the current one as the second id valid
    /// up to the current offset (Redis's `shiftReplicationId`, when a replica is
    /// promoted).
    pub fn shift_replid(&mut self, replid: String) {
        let old = std::mem::replace(&mut self.replid, replid);
        self.set_replid2(old, self.offset as i64 + 1);
    }

    /// Sets the stream offset (a replica taking its master's offset). The backlog,
    /// if any, is started again at the new offset.
    pub fn set_offset(&mut self, offset: u64) {
        self.offset = offset;
        if let Some(backlog) = &mut self.backlog {
            *backlog = Backlog::new(backlog.size(), offset + 1);
        }
    }

    /// Makes the next op recorded by [`Self::feed`] start with a SELECT (after
    /// [`Self::feed_raw`] bytes changed the database the stream is in).
    pub fn force_select(&mut self) {
        self.selected_db = None;
    }

    /// The backlog, if there is one.
    pub fn backlog(&self) -> Option<&Backlog> {
        self.backlog.as_ref()
    }

    /// Creates an empty backlog of `size` bytes starting after the current offset,
    /// if there is none.
    pub fn create_backlog(&mut self, size: usize) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(size, self.offset + 1));
        }
    }

    /// Drops the backlog; the stream stops until one is created again.
    pub fn free_backlog(&mut self) {
        self.backlog = None;
        self.pending.clear();
    }

    /// Takes a new `repl-backlog-size`, keeping the newest bytes that fit.
    pub fn resize_backlog(&mut self, size: usize) {
        if let Some(backlog) = &mut self.backlog {
            backlog.resize(size);
        }
    }

    /// The attached replicas.
    pub fn replicas(&self) -> &Replicas {
        &self.replicas
    }

    /// Records an acknowledgement (REPLCONF ACK); false if `id` is not a replica.
    pub fn ack(&mut self, id: u64, offset: i64, now_ms: i64) -> bool {
        self.replicas.ack(id, offset, now_ms / 1000)
    }

    /// Starts streaming to `replica`, which has everything up to the current offset
    /// (from a snapshot or from the backlog). After a snapshot the next op selects
    /// its database, as Redis forces a SELECT for a new replica.
    pub fn attach(&mut self, mut replica: Replica, after_snapshot: bool, now_ms: i64) {
        replica.skip = self.pending.len();
        if self.replicas.is_empty() {
            self.last_ping_ms = now_ms;
        }
        self.replicas.add(replica);
        if after_snapshot {
            self.selected_db = None;
        }
    }

    /// Stops streaming to client `id` (it disconnected); its record if it was a
    /// replica.
    pub fn detach(&mut self, id: u64, now_ms: i64) -> Option<Replica> {
        let removed = self.replicas.remove(id)?;
        if self.replicas.is_empty() {
            self.pending.clear();
            self.no_replicas_since_ms = now_ms;
        }
        Some(removed)
    }

    /// Appends recorded ops to the stream.
    pub fn feed(&mut self, ops: &[Op]) {
        if !self.is_active() || ops.is_empty() {
            return;
        }
        let mut bytes = Vec::new();
        for op in ops {
            if self.selected_db != Some(op.db) {
                let db = Bytes::from(op.db.to_string());
                encode(&mut bytes, &[Bytes::from_static(b"SELECT"), db]);
                self.selected_db = Some(op.db);
            }
            encode(&mut bytes, &op.args);
        }
        self.feed_raw(&bytes);
    }

    /// Appends stream bytes verbatim: to the backlog, to what replicas get next, and
    /// to the offset. A replica passes its master's stream on through this.
    pub fn feed_raw(&mut self, bytes: &[u8]) {
        let Some(backlog) = &mut self.backlog else {
            return;
        };
        backlog.append(bytes);
        if !self.replicas.is_empty() {
            self.pending.extend_from_slice(bytes);
        }
        self.offset += bytes.len() as u64;
    }

    /// Asks every replica for an acknowledgement before the loop sleeps (WAIT).
    pub fn request_acks(&mut self) {
        self.getack_wanted = true;
    }

    /// Adds what is due before the loop sleeps: `REPLCONF GETACK *` when a WAIT
    /// asked (held while clients are paused, as Redis holds it), a PING when
    /// `period_secs` passed since the last one (so that replicas can tell a quiet
    /// master from a dead link). Neither selects a database.
    pub fn add_due(&mut self, now_ms: i64, period_secs: u64, paused: bool) {
        if self.replicas.is_empty() {
            self.getack_wanted = false;
            return;
        }
        if !paused && std::mem::take(&mut self.getack_wanted) {
            let mut bytes = Vec::new();
            let getack = [&b"REPLCONF"[..], b"GETACK", b"*"].map(Bytes::from_static);
            encode(&mut bytes, &getack);
            self.feed_raw(&bytes);
        }
        let period_ms = i64::try_from(period_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        if now_ms.saturating_sub(self.last_ping_ms) >= period_ms {
            self.last_ping_ms = now_ms;
            let mut bytes = Vec::new();
            encode(&mut bytes, &[Bytes::from_static(b"PING")]);
            self.feed_raw(&bytes);
        }
    }

    /// The bytes waiting for the replicas, and who gets them.
    pub fn take(&mut self) -> Option<StreamBatch> {
        if self.pending.is_empty() {
            return None;
        }
        Some(StreamBatch {
            bytes: std::mem::take(&mut self.pending),
            readers: self.replicas.take_skips(),
        })
    }

    /// The periodic duties (Redis's `replicationCron`, master part): frees a backlog
    /// no replica used for `backlog_ttl_secs` (0: kept forever), starting a new
    /// history with `new_replid()`; returns the replicas silent for more than
    /// `timeout_secs`, to disconnect.
    pub fn cron(
        &mut self,
        now_ms: i64,
        backlog_ttl_secs: u64,
        timeout_secs: u64,
        new_replid: impl FnOnce() -> String,
    ) -> Vec<u64> {
        let now_secs = now_ms / 1000;
        let ttl = i64::try_from(backlog_ttl_secs).unwrap_or(i64::MAX);
        let idle_secs = now_secs - self.no_replicas_since_ms / 1000;
        if self.replicas.is_empty() && self.backlog.is_some() && ttl > 0 && idle_secs > ttl {
            self.set_replid(new_replid());
            self.set_replid2(NO_REPLID.to_string(), -1);
            self.free_backlog();
            log::info!("Replication backlog freed after {ttl} seconds without connected replicas.");
        }
        let timeout = i64::try_from(timeout_secs).unwrap_or(i64::MAX);
        self.replicas.timed_out(now_secs, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::replicas::ReplicaConf;
    use super::*;

    fn op(db: usize, args: &[&'static [u8]]) -> Op {
        Op {
            db,
            args: args.iter().map(|a| Bytes::from_static(a)).collect(),
        }
    }

    fn replica(id: u64) -> Replica {
        Replica {
            id,
            ip: "127.0.0.1".into(),
            conf: ReplicaConf::default(),
            pre_psync: false,
            ack_offset: 0,
            ack_secs: 0,
            skip: 0,
        }
    }

    #[test]
    fn the_stream_selects_first_and_on_every_change() {
        let mut feed = ReplicaFeed::new("a".repeat(40));
        feed.feed(&[op(0, &[b"SET", b"x", b"1"])]);
        assert_eq!(feed.offset(), 0, "no backlog, no stream");
        feed.create_backlog(1);
        feed.attach(replica(7), true, 0);
        feed.feed(&[op(9, &[b"SET", b"a", b"1"]), op(9, &[b"DEL", b"a"])]);
        feed.feed(&[op(0, &[b"INCR", b"n"])]);
        let batch = feed.take().expect("bytes");
        assert_eq!(batch.readers, [(7, 0)]);
        let text = String::from_utf8(batch.bytes).expect("utf8");
        assert_eq!(
            text,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
             *2\r\n$3\r\nDEL\r\n$1\r\na\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\
             *2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"
        );
        assert_eq!(feed.offset(), text.len() as u64);
        let backlog = feed.backlog().expect("backlog");
        assert_eq!((backlog.first_offset(), backlog.histlen()), (1, text.len()));
        feed.add_due(5_000, 10, false);
        assert!(feed.take().is_none());
        feed.request_acks();
        feed.add_due(10_000, 10, false);
        assert_eq!(
            feed.take().map(|batch| batch.bytes),
            Some(
                b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n*1\r\n$4\r\nPING\r\n".to_vec()
            )
        );
        assert!(feed.detach(7, 20_000).is_some());
        assert!(feed.is_active(), "the backlog outlives its replicas");
    }

    #[test]
    fn a_replica_attached_mid_turn_skips_what_it_has() {
        let mut feed = ReplicaFeed::new("a".repeat(40));
        feed.create_backlog(1);
        feed.attach(replica(1), true, 0);
        feed.feed_raw(b"abc");
        feed.attach(replica(2), false, 0);
        feed.feed_raw(b"de");
        let batch = feed.take().expect("bytes");
        assert_eq!(batch.bytes, b"abcde");
        assert_eq!(batch.readers, [(1, 0), (2, 3)]);
        assert_eq!(feed.offset(), 5);
    }

    #[test]
    fn the_backlog_expires_with_a_new_history() {
        let mut feed = ReplicaFeed::new("a".repeat(40));
        feed.create_backlog(1);
        feed.attach(replica(1), true, 0);
        feed.detach(1, 1_000);
        assert!(feed.cron(2_000, 1, 60, || "b".repeat(40)).is_empty());
        assert!(feed.is_active());
        feed.cron(3_000, 0, 60, || "b".repeat(40));
        assert!(feed.is_active(), "a ttl of 0 keeps it");
        feed.cron(3_000, 1, 60, || "b".repeat(40));
        assert!(!feed.is_active());
        assert_eq!(feed.replid(), "b".repeat(40));
    }
}
