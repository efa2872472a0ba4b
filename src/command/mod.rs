//! The command layer: the single-threaded executor that owns the keyspace, the command
//! table, dispatch, and one file per command family.
//!
//! The reactor hands the [`Executor`] one complete command at a time together with the
//! client's [`Session`] and output buffer. Handlers get a [`Ctx`]: the databases, server
//! state, their own session and a reply writer. Effects on other clients or on the
//! server process are recorded as [`ServerEvent`]s for the reactor to carry out.

pub mod args;
pub mod bitmaps;
pub mod blocking;
pub mod clients;
pub mod connection;
pub mod debug;
pub mod directory;
pub mod dispatch;
pub mod expire;
pub mod geo;
pub mod hashes;
pub mod hyperloglog;
pub mod info;
pub mod introspection;
pub mod keys;
pub mod latency;
pub mod lists;
pub mod memory;
pub mod monitor;
pub mod notify;
pub mod scripting;
pub mod pubsub;
pub mod server;
pub mod session;
pub mod sets;
pub mod slowlog;
pub mod sort;
pub mod stats;
pub mod strings;
pub mod table;
pub mod tracking;
pub mod transactions;
pub mod typed;
pub mod zsets;

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::command::blocking::{Blocked, BlockingState, TimeoutReply};
use crate::command::clients::Pause;
use crate::command::directory::ClientDirectory;
use crate::command::monitor::Monitors;
use crate::command::notify::KeyspaceEvent;
use crate::command::pubsub::{Delivery, PubSubState};
use crate::command::tracking::{Invalidation, TrackingState};
use crate::command::transactions::WatchRegistry;
use crate::config::Config;
use crate::protocol::Reply;
use crate::store::db::AccessMode;
use crate::store::expire::ExpireCycle;
use crate::store::Db;
use crate::util::rng::Rng;

pub use dispatch::CommandTable;
pub use session::Session;

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
}

/// Server-wide counters for INFO stats.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Commands executed.
    pub commands_processed: u64,
    /// Connections accepted.
    pub connections_received: u64,
    /// Connections refused because of maxclients.
    pub rejected_connections: u64,
    /// Bytes read from clients.
    pub net_input_bytes: u64,
    /// Bytes written to clients.
    pub net_output_bytes: u64,
    /// Socket reads that returned data or EOF (INFO `total_reads_processed`).
    pub reads_processed: u64,
    /// Client output flushes that wrote something (INFO `total_writes_processed`).
    pub writes_processed: u64,
    /// Error replies sent.
    pub error_replies: u64,
    /// Keys deleted by the active expire cycle's... (kept per db; see `Db::stats`).
    pub expire_cycles: u64,
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
    /// The CLIENT PAUSE in force, if any (it may have run out; see [`Self::paused`]).
    pub pause: Option<Pause>,
    /// Clients whose next command waits for the pause to end, in arrival order.
    pub postponed: VecDeque<u64>,
    /// Whether the databases currently hold expired keys (`Db::expiry_held`).
    pub expiry_held: bool,
    /// MONITOR clients and the lines waiting for them.
    pub monitors: Monitors,
    /// Recent largest client buffers (INFO clients), sampled by the reactor's cron.
    pub client_peaks: directory::RecentPeaks,
    /// Command/error statistics, slow log, latency monitor (`stats`).
    pub admin: stats::AdminState,
    /// Client-side caching: tracked keys, BCAST prefixes, pending invalidations.
    pub tracking: TrackingState,
    /// Lua scripting: the VM and the script cache.
    pub scripting: scripting::Scripting,
}

impl ServerState {
    /// The pause still in force at the cached time, if any.
    pub fn paused(&self) -> Option<Pause> {
        self.pause.filter(|pause| pause.until_ms > self.now_ms)
    }
}

/// Everything a handler may touch.
pub struct Ctx<'a> {
    /// All databases.
    pub dbs: &'a mut Vec<Db>,
    /// Server-wide state.
    pub server: &'a mut ServerState,
    /// The calling client's session.
    pub session: &'a mut Session,
    /// The reply writer for the calling client.
    pub reply: Reply<'a>,
    /// The command table (COMMAND introspection).
    pub table: &'a CommandTable,
    /// The other connected clients (CLIENT LIST, CLIENT KILL...).
    pub clients: &'a dyn ClientDirectory,
}

impl<'a> Ctx<'a> {
    /// The selected database and the reply writer, borrowed together.
    pub fn db_and_reply(&mut self) -> (&mut Db, &mut Reply<'a>) {
        (&mut self.dbs[self.session.db], &mut self.reply)
    }

    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.dbs[self.session.db]
    }

    /// The cached time of this command, in ms.
    pub fn now(&self) -> i64 {
        self.server.now_ms
    }

    /// True when a blocking command may block; inside MULTI/EXEC it must instead answer
    /// at once as its non-blocking form does.
    pub fn may_block(&self) -> bool {
        !self.session.in_exec
    }

    /// Parks the calling client until one of `keys` (selected database) receives data or
    /// `deadline_ms` passes; the handler writes no reply. The dispatcher records the
    /// command line; the reactor runs it again when a key is ready.
    pub fn block(&mut self, keys: &[Bytes], deadline_ms: Option<i64>, on_timeout: TimeoutReply) {
        debug_assert!(self.may_block());
        self.session.blocked = Some(Blocked {
            args: Vec::new(),
            db: self.session.db,
            keys: keys.to_vec(),
            deadline_ms,
            on_timeout,
        });
    }

    /// Elements were added to `key` (selected database): clients blocked on it are
    /// served after this command. Call it wherever Redis calls `signalKeyAsReady`.
    pub fn signal_ready(&mut self, key: &[u8]) {
        self.server.blocking.signal_ready(self.session.db, key);
    }

    /// `key` in database `db` changed in a way the dispatcher cannot see from the
    /// command's key arguments (FLUSHALL, SWAPDB, expiry): transactions watching it fail.
    /// Writes to a command's own keys are signalled by the dispatcher.
    pub fn signal_modified(&mut self, db: usize, key: &[u8]) {
        self.server.watches.touch(db, key);
        if self.server.tracking.is_active() {
            self.server.tracking.invalidate(key);
        }
    }

    /// Fires keyspace notification `event` of `class` (a [`notify`] constant) for `key`
    /// in the selected database. Call it wherever Redis calls `notifyKeyspaceEvent`,
    /// with the same class and event name.
    pub fn notify(&mut self, class: u32, event: &'static str, key: &[u8]) {
        // Keys that expired during this command were deleted first, so their events go
        // first, as in Redis.
        dispatch::after_expiry(self.dbs, self.server);
        let flags = self.server.config.notify_keyspace_events;
        notify::fire(
            &mut self.server.keyspace_events,
            flags,
            class,
            event,
            self.session.db,
            key,
        );
    }
}

/// The one command executor: owns the databases and runs every command.
pub struct Executor {
    /// The databases (`databases` of them).
    pub dbs: Vec<Db>,
    /// Shared server state.
    pub server: ServerState,
    /// The command table.
    pub table: CommandTable,
    /// Active expiry state.
    expire_cycle: ExpireCycle,
}

impl Executor {
    /// An executor with empty databases for `config`.
    pub fn new(config: Config) -> Self {
        let (now_ms, now_us) = wall_clock();
        let mut rng = Rng::from_entropy();
        let run_id = (0..40)
            .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
            .collect();
        let mut rng2 = Rng::from_entropy();
        let dbs = (0..config.databases).map(|_| Db::new()).collect();
        let mut exec = Executor {
            dbs,
            server: ServerState {
                config,
                stats: Stats::default(),
                now_ms,
                now_us,
                started_ms: now_ms,
                rng,
                run_id,
                connected_clients: 0,
                bound_port: 0,
                events: Vec::new(),
                dirty: 0,
                blocking: BlockingState::default(),
                watches: WatchRegistry::default(),
                keyspace_events: Vec::new(),
                pubsub: PubSubState::default(),
                expiry_logging: false,
                pause: None,
                postponed: VecDeque::new(),
                expiry_held: false,
                monitors: Monitors::default(),
                client_peaks: directory::RecentPeaks::default(),
                admin: stats::AdminState::new(random_hex(&mut rng2), now_ms),
                tracking: TrackingState::default(),
                scripting: scripting::Scripting::default(),
            },
            table: CommandTable::build(),
            expire_cycle: ExpireCycle::default(),
        };
        exec.sync_access_mode();
        exec
    }

    /// Refreshes the cached clock; the reactor calls this once per loop iteration.
    pub fn update_clock(&mut self) {
        let (ms, us) = wall_clock();
        self.server.now_ms = ms;
        self.server.now_us = us;
    }

    /// Periodic work at `hz`: the slow active expire cycle (25% of a tick) and dict
    /// housekeeping.
    pub fn cron(&mut self) {
        let tick = Duration::from_micros(1_000_000 / u64::from(self.server.config.hz.max(1)));
        let started = std::time::Instant::now();
        // As in Redis 7.0, no key is actively expired while CLIENT PAUSE holds clients.
        if self.server.admin.active_expire && self.server.paused().is_none() {
            self.expire_cycle
                .run(&mut self.dbs, self.server.now_ms, tick / 4);
        }
        stats::cron(
            &mut self.server,
            started.elapsed(),
            self.expire_cycle.timed_out,
        );
        for db in &mut self.dbs {
            db.housekeeping(Duration::from_micros(100));
        }
        dispatch::after_expiry(&mut self.dbs, &mut self.server);
        if !self.server.tracking.clients.is_empty() {
            let max_keys = self
                .server
                .config
                .stored
                .get("tracking-table-max-keys")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1_000_000);
            self.server.tracking.limit_keys(max_keys);
        }
    }

    /// Work before the loop sleeps: a fast (1 ms) expire cycle when the last cycle ran
    /// out of time with stale keys left.
    pub fn before_sleep(&mut self) {
        if self.expire_cycle.timed_out
            && self.server.admin.active_expire
            && self.server.paused().is_none()
        {
            self.expire_cycle
                .run(&mut self.dbs, self.server.now_ms, Duration::from_millis(1));
            dispatch::after_expiry(&mut self.dbs, &mut self.server);
        }
    }

    /// Makes every database record accesses the way `maxmemory-policy` asks.
    pub fn sync_access_mode(&mut self) {
        sync_access_mode(&mut self.dbs, &self.server.config);
    }

    /// Publishes queued keyspace notifications and hands over every pending pub/sub
    /// message for the reactor to write.
    pub fn take_deliveries(&mut self) -> Vec<Delivery> {
        for event in std::mem::take(&mut self.server.keyspace_events) {
            self.server.pubsub.publish_event(&event);
        }
        std::mem::take(&mut self.server.pubsub.outbox)
    }

    /// Hands over every pending tracking invalidation (BCAST messages gathered since
    /// the last call included) for the reactor to write.
    pub fn take_invalidations(&mut self) -> Vec<Invalidation> {
        self.server.tracking.take()
    }

    /// Effects recorded by commands since the last call.
    pub fn take_events(&mut self) -> Vec<ServerEvent> {
        std::mem::take(&mut self.server.events)
    }
}

/// Makes every database record accesses the way `maxmemory-policy` asks (LRU clock or
/// LFU counter); run at start-up and after admin commands such as CONFIG SET.
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
}

/// 40 random hex characters (run and replication ids).
pub fn random_hex(rng: &mut Rng) -> String {
    (0..40)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
        .collect()
}

/// The wall clock in ms and µs since the epoch.
pub fn wall_clock() -> (i64, i64) {
    let us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    (us / 1000, us)
}
