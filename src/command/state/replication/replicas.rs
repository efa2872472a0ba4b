//! The replicas attached to this server, as the master sees them: where each says it
//! listens (REPLCONF listening-port / ip-address), what it can do (REPLCONF capa),
//! and how far it has acknowledged the stream (REPLCONF ACK), which WAIT and
//! `min-replicas-to-write` count.

/// What a client announced with REPLCONF before asking to synchronize (kept in its
/// session, then copied to its [`Replica`] record when it attaches).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaConf {
    /// `REPLCONF listening-port`: the port the replica serves clients on (INFO
    /// `slaveN:port=`); 0 when not announced.
    pub listening_port: i32,
    /// `REPLCONF ip-address`: the address to report instead of the peer's.
    pub ip_address: Option<String>,
    /// `REPLCONF capa eof`: it can read a snapshot sent with an EOF marker.
    pub capa_eof: bool,
    /// `REPLCONF capa psync2`: it understands `+CONTINUE <replid>`.
    pub capa_psync2: bool,
    /// `REPLCONF rdb-only 1`: it wants the snapshot and no stream after it.
    pub rdb_only: bool,
}

/// One attached replica.
#[derive(Debug, Clone)]
pub struct Replica {
    /// Its client id.
    pub id: u64,
    /// The address INFO reports: the announced one, else the peer's IP.
    pub ip: String,
    /// What it announced.
    pub conf: ReplicaConf,
    /// It attached with the old SYNC: it never acknowledges (Redis's
    /// `CLIENT_PRE_PSYNC`), so it is never timed out for silence.
    pub pre_psync: bool,
    /// The highest offset it acknowledged (INFO `slaveN:offset=`).
    pub ack_offset: i64,
    /// When it last acknowledged (or came online), in seconds since the epoch.
    pub ack_secs: i64,
    /// Bytes at the start of the feed's pending stream that it already has (they
    /// were in its snapshot or its backlog reply).
    pub(super) skip: usize,
}

impl Replica {
    /// A replica that has the stream up to now, online since `now_secs`.
    pub fn new(id: u64, ip: String, conf: ReplicaConf, now_secs: i64) -> Self {
        Replica {
            id,
            ip,
            conf,
            pre_psync: false,
            ack_offset: 0,
            ack_secs: now_secs,
            skip: 0,
        }
    }
}

/// The attached replicas, in attach order (INFO numbers them in this order).
#[derive(Debug, Default)]
pub struct Replicas {
    list: Vec<Replica>,
}

impl Replicas {
    /// Every replica, in attach order.
    pub fn iter(&self) -> impl Iterator<Item = &Replica> {
        self.list.iter()
    }

    /// How many are attached.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Adds a replica (or replaces the record of the same client).
    pub fn add(&mut self, replica: Replica) {
        self.remove(replica.id);
        self.list.push(replica);
    }

    /// Removes client `id`'s record and returns it, if it was a replica.
    pub fn remove(&mut self, id: u64) -> Option<Replica> {
        let at = self.list.iter().position(|r| r.id == id)?;
        Some(self.list.remove(at))
    }

    /// Records an acknowledgement from client `id`: the offset only moves forward;
    /// the time always does. False if `id` is not a replica.
    pub fn ack(&mut self, id: u64, offset: i64, now_secs: i64) -> bool {
        let Some(replica) = self.list.iter_mut().find(|r| r.id == id) else {
            return false;
        };
        replica.ack_offset = replica.ack_offset.max(offset);
        replica.ack_secs = now_secs;
        true
    }

    /// How many replicas acknowledged `offset` or more (WAIT's answer).
    pub fn count_acks(&self, offset: u64) -> usize {
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        self.list.iter().filter(|r| r.ack_offset >= offset).count()
    }

    /// How many acknowledged within `max_lag` seconds (Redis's
    /// `repl_good_slaves_count`, which `min-replicas-to-write` compares).
    pub fn good(&self, now_secs: i64, max_lag: u32) -> usize {
        let max_lag = i64::from(max_lag);
        self.list
            .iter()
            .filter(|r| now_secs - r.ack_secs <= max_lag)
            .count()
    }

    /// Replicas silent for more than `timeout_secs` (not the old SYNC readers, which
    /// never acknowledge): Redis disconnects them.
    pub fn timed_out(&self, now_secs: i64, timeout_secs: i64) -> Vec<u64> {
        self.list
            .iter()
            .filter(|r| !r.pre_psync && now_secs - r.ack_secs > timeout_secs)
            .map(|r| r.id)
            .collect()
    }

    /// The ids and skips of every replica, the skips cleared (see [`Replica::skip`]).
    pub(super) fn take_skips(&mut self) -> Vec<(u64, usize)> {
        self.list
            .iter_mut()
            .map(|r| (r.id, std::mem::take(&mut r.skip)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(id: u64, ack_secs: i64) -> Replica {
        Replica {
            id,
            ip: "127.0.0.1".into(),
            conf: ReplicaConf::default(),
            pre_psync: false,
            ack_offset: 0,
            ack_secs,
            skip: 0,
        }
    }

    #[test]
    fn acks_count_by_offset_and_lag() {
        let mut replicas = Replicas::default();
        replicas.add(replica(1, 100));
        replicas.add(replica(2, 100));
        assert!(replicas.ack(1, 50, 105));
        assert!(replicas.ack(1, 40, 106));
        assert!(!replicas.ack(3, 40, 106));
        assert_eq!(replicas.count_acks(50), 1);
        assert_eq!(replicas.count_acks(0), 2);
        assert_eq!(replicas.good(110, 10), 2);
        assert_eq!(replicas.good(111, 10), 1);
        assert_eq!(replicas.timed_out(161, 60), vec![2]);
        assert!(replicas.remove(2).is_some());
        assert_eq!(replicas.len(), 1);
    }
}
