//! The state commands share besides the databases ([`ServerState`]), and the effects a
//! command asks of the reactor ([`ServerEvent`]).

use crate::background::Background;
use crate::command::metrics::stats;
use crate::command::metrics::stats::Stats;
use crate::command::scripting::state::Scripting;
use crate::command::state::acl::AclState;
use crate::command::state::blocking::BlockingState;
use crate::command::state::directory::Admission;
use crate::command::state::eviction::EvictionState;
use crate::command::state::master_link::MasterLink;
use crate::command::state::migrate::MigrateSockets;
use crate::command::state::monitor::Monitors;
use crate::command::state::notify::KeyspaceEvent;
use crate::command::state::pause::{Pause, PauseState};
use crate::command::state::persistence::{AofState, RdbState};
use crate::command::state::propagation::Propagation;
use crate::command::state::pubsub::PubSubState;
use crate::command::state::replication::ReplicaFeed;
use crate::command::state::tracking::TrackingState;
use crate::command::state::watch::WatchRegistry;
use crate::config::Config;
use crate::store::db::AccessMode;
use crate::store::Db;
use crate::util::command_clock::CommandClock;
use crate::util::rng::Rng;

/// Something a command asks of the reactor, carried out after the command returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// Stop the server after flushing pending replies (SHUTDOWN).
    Shutdown,
    /// Close this client now, dropping its pending replies (CLIENT KILL).
    KillClient(u64),
    /// End this client's blocking command: as a timeout, or with an error
    /// (CLIENT UNBLOCK).
    UnblockClient {
        /// The blocked client.
        id: u64,
        /// Reply with the UNBLOCKED error instead of the timeout reply.
        error: bool,
    },
    /// A replica's snapshot is in its socket: write what waited behind it.
    ReleaseOutput(u64),
    /// REPLICAOF changed the master to follow (or stopped following one): drop the
    /// current link and, if there is a master now, connect to it.
    MasterChanged,
    /// This server now follows a master: every client blocked here is answered with
    /// an error and closed, since the master's stream, not its wait, changes the data.
    DisconnectBlocked,
}

/// The state commands share besides the databases.
pub struct ServerState {
    /// The live configuration (CONFIG GET/SET).
    pub config: Config,
    /// Counters for INFO.
    pub stats: Stats,
    /// Cached wall clock for this loop iteration, in ms since the epoch.
    pub now_ms: i64,
    /// The same instant in µs.
    pub now_us: i64,
    /// When the server started (ms since the epoch).
    pub started_ms: i64,
    /// Randomness for sampling commands.
    pub rng: Rng,
    /// 40 hex characters identifying this run (INFO run_id).
    pub run_id: String,
    /// Connected clients, kept current by the reactor.
    pub connected_clients: usize,
    /// The TCP port actually bound (port 0 resolves to an ephemeral one).
    pub bound_port: u16,
    /// Effects for the reactor to carry out after the current command.
    pub events: Vec<ServerEvent>,
    /// Set by a handler whose write Redis does not signal as a key modification
    /// (stream consumer-group bookkeeping): WATCH and client tracking ignore the
    /// command's keys. Cleared after every call.
    pub unsignalled_write: bool,
    /// The command answered an error already counted in the error statistics (a
    /// script passing on a command's error): the call counts as failed, the reply not
    /// as another error. Cleared after every call.
    pub failed_uncounted: bool,
    /// Writes since start (Redis's `dirty` counter).
    pub dirty: u64,
    /// Clients blocked on keys, and keys ready to serve them.
    pub blocking: BlockingState,
    /// Keys clients WATCH, and the clients whose transaction must fail.
    pub watches: WatchRegistry,
    /// Keyspace notifications fired and not yet published.
    pub keyspace_events: Vec<KeyspaceEvent>,
    /// Pub/sub subscribers and the messages waiting to be written.
    pub pubsub: PubSubState,
    /// Whether databases currently log expired or created keys (`Db::log_expired`,
    /// `Db::log_ready`).
    pub expiry_logging: bool,
    /// CLIENT PAUSE: the pause in force and the clients it holds back.
    pub pause: PauseState,
    /// MONITOR clients and the lines waiting for them.
    pub monitors: Monitors,
    /// Recent largest client buffers (INFO clients), sampled by the reactor's cron.
    pub client_peaks: crate::command::metrics::client_peaks::RecentPeaks,
    /// Command/error statistics, slow log, latency monitor (`stats`).
    pub admin: stats::AdminState,
    /// The worker that frees unlinked values (and, next, writes files) off the loop.
    pub background: Background,
    /// Lua scripting: the VMs, the script cache and the function libraries.
    pub scripting: Scripting,
    /// Client-side caching: tracked keys, BCAST prefixes, pending invalidations.
    pub tracking: TrackingState,
    /// Snapshots: the last save, the background save running, the last load.
    pub rdb: RdbState,
    /// The append-only file.
    pub aof: AofState,
    /// MIGRATE's cached connections to other instances.
    pub migrate: MigrateSockets,
    /// The write stream the append-only file records.
    pub propagation: Propagation,
    /// The replication stream, its backlog, the replicas and the replication ids.
    pub replication: ReplicaFeed,
    /// The master this server follows as a replica (`None`: it is a master).
    pub master: Option<MasterLink>,
    /// The databases hold expired keys for a replica (see `Parts::replica_expiry`).
    pub replica_expiry: bool,
    /// Times each command, sharing readings between the commands of a batch.
    pub command_clock: CommandClock,
    /// Users, their ACL rules, and the ACL log.
    pub acl: AclState,
    /// maxmemory: the eviction pool, the cycle in progress, the counters.
    pub eviction: EvictionState,
    /// Data is being loaded at start (the AOF replays through dispatch): no eviction,
    /// no maxmemory refusal, as Redis's loading client never meets them.
    pub loading: bool,
}

impl ServerState {
    /// True while protected mode turns away clients that are not local: it is on and
    /// `default` needs no password.
    pub fn protected_mode_active(&self) -> bool {
        self.config.protected_mode && self.acl.default_user().is_some_and(|d| d.nopass)
    }

    /// The settings a busy script admits and serves other clients by, as they are now.
    pub fn admission(&self) -> Admission {
        Admission {
            max_bulk_len: self.config.proto_max_bulk_len,
            authenticated: self.acl.new_clients_authenticated(),
            protected: self.protected_mode_active(),
            maxclients: self.config.maxclients,
            keepalive: self.config.tcp_keepalive,
            now_ms: self.now_ms,
        }
    }

    /// True while a forked child (background save or AOF rewrite) runs: like Redis,
    /// the server runs one at a time.
    pub fn child_active(&self) -> bool {
        self.rdb.in_progress()
            || self.aof.rewrite.is_some()
            || self.replication.jobs.running.is_some()
    }

    /// True while this server follows a master (REPLICAOF).
    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }

    /// True when a deadline already past deletes its key at once (EXPIRE, GETEX EXAT,
    /// RESTORE ABSTTL). While files load, or on a replica, the key keeps the deadline
    /// instead, as with Redis's checkAlreadyExpired: a loaded command after it must
    /// still find the key, and a replica waits for its master's DEL.
    pub fn deletes_past_deadlines(&self) -> bool {
        !self.loading && !self.is_replica()
    }

    /// True while a replica's link is down and `replica-serve-stale-data` is off:
    /// commands without the `stale` flag are refused with -MASTERDOWN.
    pub fn serves_no_stale_data(&self) -> bool {
        self.master.as_ref().is_some_and(|link| !link.is_up())
            && !self.config.replica.serve_stale_data
    }

    /// Hands the writes recorded since the last call to the replication stream (while
    /// it runs); the append-only file still takes them all before the loop sleeps.
    pub fn replicate_recorded(&mut self) {
        // A replica's replicas get its master's stream, not our records of it.
        if self.replication.is_active() && self.master.is_none() {
            let ops = self.propagation.unreplicated();
            self.replication.feed(ops);
        }
    }

    /// True while `min-replicas-to-write` refuses writes: it and
    /// `min-replicas-max-lag` are set and fewer replicas than asked acknowledged
    /// within the lag (Redis's `checkGoodReplicasStatus`).
    pub fn lacks_good_replicas(&self) -> bool {
        let config = &self.config;
        if config.min_replicas_to_write == 0
            || config.min_replicas_max_lag == 0
            || self.is_replica()
        {
            return false;
        }
        let good = self.good_replicas();
        good < config.min_replicas_to_write as usize
    }

    /// Replicas that acknowledged within `min-replicas-max-lag` seconds (INFO
    /// `min_slaves_good_slaves`).
    pub fn good_replicas(&self) -> usize {
        let now_secs = self.now_ms / 1000;
        let lag = self.config.min_replicas_max_lag;
        self.replication.replicas().good(now_secs, lag)
    }

    /// The pause still in force at the cached time, if any.
    pub fn paused(&self) -> Option<Pause> {
        self.pause.in_force(self.now_ms)
    }
}

/// 40 random hex characters (run and replication ids).
pub fn random_hex(rng: &mut Rng) -> String {
    (0..40)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
        .collect()
}

/// The wall clock in ms and µs since the epoch.
pub fn wall_clock() -> (i64, i64) {
    let us = crate::util::clock::wall_us();
    (us / 1000, us)
}

/// Makes every database record accesses the way `maxmemory-policy` asks (LRU clock or
/// LFU counter), and the keyspace tables respect `maxmemory` when they grow; run at
/// start-up and after admin commands such as CONFIG SET.
pub fn sync_access_mode(dbs: &mut [Db], config: &Config) {
    let mode = if config.maxmemory_policy.is_lfu() {
        AccessMode::Lfu {
            log_factor: config.lfu_log_factor,
            decay_minutes: config.lfu_decay_time,
        }
    } else {
        AccessMode::Lru
    };
    for db in dbs {
        db.access_mode = mode;
    }
    crate::util::alloc::set_limit(config.maxmemory);
}
