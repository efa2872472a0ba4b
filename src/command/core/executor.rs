//! The one command executor: it owns the databases and the server state, and is the
//! only way the reactor reaches them.

use crate::command::core::accounting;
use crate::command::core::command::Ctx;
use crate::command::core::dispatch::{call, process};
use crate::command::core::effects;
use crate::command::core::effects::after_expiry;
use crate::command::core::evict;
use crate::command::state::blocking::Blocked;
use crate::command::state::blocking::TimeoutReply;
use crate::command::state::directory::{ClientDirectory, NoClients};
use crate::command::state::session::{ReplyMode, Session};
use crate::protocol::{OutBuf, Reply};
use crate::util::command_clock::CommandClock;
use bytes::Bytes;
use std::time::Duration;

use crate::background::Background;
use crate::command::core::command::CommandTable;
use crate::command::core::state::{random_hex, sync_access_mode, ServerEvent, ServerState};
use crate::command::metrics::stats;
use crate::command::metrics::stats::Stats;
use crate::command::scripting::state::Scripting;
use crate::command::snapshot::aof;
use crate::command::snapshot::rdb as snapshot;
use crate::command::state::acl::AclState;
use crate::command::state::blocking::BlockingState;
use crate::command::state::monitor::Monitors;
use crate::command::state::pause::PauseState;
use crate::command::state::persistence::{AofState, RdbState};
use crate::command::state::propagation::Propagation;
use crate::command::state::pubsub::{Delivery, PubSubState};
use crate::command::state::replication::ReplicaFeed;
use crate::command::state::tracking::{Invalidation, TrackingState};
use crate::command::state::watch::WatchRegistry;
use crate::config::Config;
use crate::store::expire::ExpireCycle;
use crate::store::Db;
use crate::util::clock::LoopClock;
use crate::util::rng::Rng;

/// The one command executor: owns the databases and runs every command.
pub struct Executor {
    /// The databases (`databases` of them).
    pub(in crate::command::core) dbs: Vec<Db>,
    /// Shared server state.
    pub(in crate::command::core) server: ServerState,
    /// The command table.
    pub(in crate::command::core) table: CommandTable,
    /// Active expiry state.
    expire_cycle: ExpireCycle,
    /// When the next expire slice may run, on the monotonic clock (µs).
    next_expire_slice_us: u64,
    /// The loop's cached clock, behind `server.now_ms` and `server.now_us`.
    clock: LoopClock,
}

/// The longest the active expire cycle runs at once: a request that arrives meanwhile
/// waits at most this long (Redis's slow cycle takes up to 25 ms of every 100).
pub const EXPIRE_SLICE: Duration = Duration::from_millis(1);

impl Executor {
    /// An executor with empty databases for `config`, serving the commands of `table`.
    pub fn new(config: Config, table: CommandTable) -> Self {
        let clock = LoopClock::new();
        let now_us = clock.wall_us();
        let now_ms = now_us / 1000;
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
                unsignalled_write: false,
                failed_uncounted: false,
                blocking: BlockingState::default(),
                watches: WatchRegistry::default(),
                keyspace_events: Vec::new(),
                pubsub: PubSubState::default(),
                expiry_logging: false,
                pause: PauseState::default(),
                monitors: Monitors::default(),
                client_peaks: crate::command::metrics::client_peaks::RecentPeaks::default(),
                admin: stats::AdminState::new(),
                background: Background::start(|| {}),
                tracking: TrackingState::default(),
                scripting: Scripting::default(),
                rdb: RdbState::new(now_ms),
                aof: AofState::default(),
                migrate: Default::default(),
                propagation: Propagation::default(),
                replication: ReplicaFeed::new(random_hex(&mut rng2)),
                master: None,
                replica_expiry: false,
                command_clock: CommandClock::default(),
                acl: AclState::new(table.acl_catalog().clone()),
                eviction: Default::default(),
                loading: false,
            },
            table,
            expire_cycle: ExpireCycle::default(),
            next_expire_slice_us: 0,
            clock,
        };
        exec.sync_access_mode();
        exec
    }

    /// Refreshes the cached clock; the reactor calls this once per loop iteration.
    pub fn update_clock(&mut self) {
        self.clock.refresh();
        let us = self.clock.wall_us();
        self.server.now_ms = us / 1000;
        self.server.now_us = us;
    }

    /// The monotonic time (µs) of the last [`Self::update_clock`]: what the loop times
    /// its cron and its sleeps by, without reading the clock again.
    #[inline]
    pub fn clock_mono_us(&self) -> u64 {
        self.clock.mono_us()
    }

    /// Periodic work at `hz`: the active expire cycle (one slice, see
    /// [`EXPIRE_SLICE`]) and dict housekeeping.
    pub fn cron(&mut self) {
        // The wall clock's offset is measured again, so a clock step shows within a tick.
        self.clock.resync();
        self.server.command_clock.recalibrate();
        self.update_clock();
        let tick = Duration::from_micros(1_000_000 / u64::from(self.server.config.hz.max(1)));
        let started = std::time::Instant::now();
        // As in Redis 7.0, no key is actively expired while CLIENT PAUSE holds clients.
        // A replica waits for its master's DELs instead (Redis 7.0 expires nothing
        // actively on a read-only replica).
        let expires_actively = self.server.admin.active_expire && !self.server.is_replica();
        if expires_actively && self.server.paused().is_none() {
            self.expire_cycle.run(
                &mut self.dbs,
                self.server.now_ms,
                EXPIRE_SLICE.min(tick / 4),
            );
            let next = crate::util::clock::monotonic_us() + EXPIRE_SLICE.as_micros() as u64;
            self.next_expire_slice_us = next;
        }
        accounting::cron(
            &mut self.server,
            started.elapsed(),
            self.expire_cycle.timed_out,
        );
        // As Redis's active rehashing: up to 1 ms on the first database with a
        // rehash in progress each tick.
        for db in &mut self.dbs {
            if db.housekeeping(Duration::from_millis(1)) {
                break;
            }
        }
        effects::after_expiry(&mut self.dbs, &mut self.server);
        snapshot::cron(&self.dbs, &mut self.server);
        aof::cron(&self.dbs, &mut self.server);
        crate::command::snapshot::sync::cron(&mut self.server);
        crate::command::snapshot::sync_child::cron(&self.dbs, &mut self.server);
        let now_secs = self.server.now_ms / 1000;
        self.server.migrate.close_idle(now_secs);
        if !self.server.tracking.clients.is_empty() {
            let max_keys = self.server.config.tracking_table_max_keys;
            self.server.tracking.limit_keys(max_keys);
        }
    }

    /// Work before the loop sleeps: another expire slice when the last one ran out of
    /// time with stale keys left (at most every other slice), and an eviction pass while memory is over
    /// maxmemory and a pass ran out of time (or CONFIG SET lowered the limit).
    pub fn before_sleep(&mut self) {
        if self.server.eviction.cycle_running {
            evict::cycle(&mut self.dbs, &mut self.server);
            effects::after_expiry(&mut self.dbs, &mut self.server);
        }
        if self.expiry_backlog() && crate::util::clock::monotonic_us() >= self.next_expire_slice_us
        {
            self.expire_cycle
                .run(&mut self.dbs, self.server.now_ms, EXPIRE_SLICE);
            // Another slice no sooner than one slice later: half the loop's time at
            // most goes to expiry, and no request waits for more than one slice.
            self.next_expire_slice_us =
                crate::util::clock::monotonic_us() + EXPIRE_SLICE.as_micros() as u64;
            effects::after_expiry(&mut self.dbs, &mut self.server);
        }
    }

    /// True while the last expire slice ran out of time with stale keys left: the
    /// loop wakes again within a slice to go on, even when no client sends anything.
    pub fn expiry_backlog(&self) -> bool {
        self.expire_cycle.timed_out
            && self.server.admin.active_expire
            && !self.server.is_replica()
            && self.server.paused().is_none()
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

    /// True when commands (or the cron) asked the loop for something.
    #[inline]
    pub fn has_events(&self) -> bool {
        !self.server.events.is_empty()
    }
}

impl Executor {
    /// Runs (or, inside MULTI, queues) one command for a client, writing its reply into
    /// `out`, with no other client visible (tests; CLIENT LIST then shows the caller
    /// only). If the command blocked, `session.blocked` is set and registered.
    pub fn execute(&mut self, session: &mut Session, args: &[Bytes], out: &mut OutBuf) {
        self.execute_with(session, args, out, &mut NoClients);
    }

    /// Runs (or queues, or holds back during CLIENT PAUSE) one command for a client,
    /// writing its reply into `out` unless CLIENT REPLY turned replies off. `clients`
    /// shows the other connections.
    #[inline(always)]
    pub fn execute_with(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &mut dyn ClientDirectory,
    ) {
        self.parts().execute(session, args, out, clients);
    }

    /// A client's pipelined commands are about to run one after another: each may start
    /// its timing from the reading that ended the one before ([`CommandClock`]).
    #[inline]
    pub fn begin_batch(&mut self) {
        self.server.command_clock.begin_batch();
    }

    /// The batch [`Self::begin_batch`] announced is over.
    #[inline]
    pub fn end_batch(&mut self) {
        self.server.command_clock.end_batch();
    }

    /// The databases, server state and command table, borrowed together.
    fn parts(&mut self) -> Parts<'_> {
        Parts {
            dbs: &mut self.dbs,
            server: &mut self.server,
            table: &self.table,
        }
    }

    /// Runs a command CLIENT PAUSE held back, now that the pause is over (or holds it
    /// back again if another pause began). Returns true if it ran.
    pub fn resume_postponed(
        &mut self,
        session: &mut Session,
        out: &mut OutBuf,
        clients: &mut dyn ClientDirectory,
    ) -> bool {
        let Some(args) = session.postponed.take() else {
            return true;
        };
        self.execute_with(session, &args, out, clients);
        session.postponed.is_none()
    }

    /// Runs a blocked client's command again because `ready_key` received data; the
    /// handler pops from that key only (`session.serving_key`).
    /// Returns true if it was served (and is unblocked); false if it still waits, in
    /// the same place in line and with the same deadline.
    pub fn retry_blocked(
        &mut self,
        session: &mut Session,
        out: &mut OutBuf,
        ready_key: &Bytes,
    ) -> bool {
        let Some(blocked) = session.blocked.take() else {
            return true;
        };
        session.serving_key = Some(ready_key.clone());
        self.server.tracking.current = session.id;
        let mut nobody = NoClients;
        let mut ctx = self.context(session, out, &mut nobody);
        let served = match ctx.table.resolve(&blocked.args) {
            Ok(spec) => {
                call(&mut ctx, spec, &blocked.args);
                ctx.session.blocked.is_none()
            }
            Err(_) => true,
        };
        session.serving_key = None;
        self.server.tracking.current = 0;
        if served {
            self.server.blocking.unregister(session.id, &blocked);
        } else {
            session.blocked = Some(blocked);
        }
        out.seal_if_large();
        served
    }

    /// Answers a blocked client whose deadline passed, and unblocks it.
    pub fn time_out_blocked(&mut self, session: &mut Session, out: &mut OutBuf) {
        if let Some(blocked) = self.end_wait(session, false) {
            Self::timeout_reply(&self.server, session, out, &blocked);
        }
    }

    /// Takes a client out of its wait and counts its command's call, failed when
    /// CLIENT UNBLOCK ended it (as Redis counts it, whichever reply it gets).
    fn end_wait(&mut self, session: &mut Session, unblocked: bool) -> Option<Blocked> {
        let blocked = session.blocked.take()?;
        self.server.blocking.unregister(session.id, &blocked);
        if let Ok(spec) = self.table.resolve(&blocked.args) {
            let spent = std::mem::take(&mut session.blocked_us);
            accounting::timed_out(&mut self.server, spec, &blocked.args, spent, unblocked);
        }
        Some(blocked)
    }

    /// The reply a blocked command gives when its wait ends with nothing served.
    fn timeout_reply(server: &ServerState, session: &Session, out: &mut OutBuf, blocked: &Blocked) {
        let mut reply = Reply::new(out, session.resp);
        match blocked.on_timeout {
            TimeoutReply::NullArray => reply.null_array(),
            TimeoutReply::NullBulk => reply.null(),
            TimeoutReply::ReplicaAcks => {
                let acks = server.replication.replicas().count_acks(session.woff);
                reply.int(acks as i64)
            }
        }
    }

    /// Ends a blocked client's wait at another client's request (CLIENT UNBLOCK): the
    /// timeout reply, or the UNBLOCKED error.
    pub fn unblock(&mut self, session: &mut Session, out: &mut OutBuf, error: bool) {
        let Some(blocked) = self.end_wait(session, true) else {
            return;
        };
        if !error {
            return Self::timeout_reply(&self.server, session, out, &blocked);
        }
        let text = b"UNBLOCKED client unblocked via CLIENT UNBLOCK";
        accounting::count_error_reply(&mut self.server, text);
        Reply::new(out, session.resp).error(text);
    }

    /// Ends a blocked client's wait because this server became a replica (Redis's
    /// disconnectAllBlockedClients): the command counts as called, the client gets
    /// the error and is closed after it. Returns false if it was not blocked.
    pub fn force_unblock(&mut self, session: &mut Session, out: &mut OutBuf) -> bool {
        if self.end_wait(session, false).is_none() {
            return false;
        }
        let text = b"UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
        accounting::count_error_reply(&mut self.server, text);
        Reply::new(out, session.resp).error(text);
        session.close_after_reply = true;
        true
    }

    /// Forgets everything the executor holds for a client that is going away.
    pub fn client_closed(&mut self, session: &mut Session) {
        if session.monitor {
            self.server.monitors.remove(session.id);
        }
        if session.replica {
            let now = self.server.now_ms;
            if let Some(replica) = self.server.replication.detach(session.id, now) {
                let port = replica.conf.listening_port;
                log::info!("Connection with replica {}:{port} lost.", replica.ip);
            }
        }
        if session.postponed.take().is_some() {
            self.server.pause.release(session.id);
        }
        if let Some(blocked) = session.blocked.take() {
            self.server.blocking.unregister(session.id, &blocked);
        }
        let watched = std::mem::take(&mut session.watched);
        self.server.watches.unwatch_all(session.id, &watched);
        let subscriptions = std::mem::take(&mut session.subscriptions);
        self.server.pubsub.drop_client(session.id, &subscriptions);
        if session.tracking {
            session.tracking = false;
            self.server.tracking.disable(session.id);
        }
    }

    fn context<'a>(
        &'a mut self,
        session: &'a mut Session,
        out: &'a mut OutBuf,
        clients: &'a mut dyn ClientDirectory,
    ) -> Ctx<'a> {
        self.parts().context(session, out, clients)
    }
}

/// What a command runs with: the executor's databases, server state and command table.
/// A script lends its own to the commands other clients send while it is busy.
pub(crate) struct Parts<'a> {
    /// All databases.
    pub dbs: &'a mut Vec<Db>,
    /// Server-wide state.
    pub server: &'a mut ServerState,
    /// The command table.
    pub table: &'a CommandTable,
}

impl<'a> Parts<'a> {
    /// Runs (or queues, or holds back during CLIENT PAUSE) one command for a client,
    /// writing its reply into `out` unless CLIENT REPLY turned replies off.
    #[inline(always)]
    pub(crate) fn execute(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &mut dyn ClientDirectory,
    ) {
        debug_assert!(!args.is_empty());
        self.server.tracking.current = session.id;
        if session.reply_mode.suppresses() {
            self.execute_silenced(session, args, out, clients);
        } else {
            self.run(session, args, out, clients);
        }
        self.server.tracking.current = 0;
        if !self.server.tracking.outbox.is_empty() {
            self.server
                .tracking
                .write_own(session.id, session.resp, out);
        }
        if session.tracking_caching {
            self.end_caching(session, args);
        }
        session.reply_mode = session.reply_mode.after_command();
        out.seal_if_large();
    }

    /// CLIENT CACHING covers one command: it ends after any command other than a
    /// CLIENT subcommand, unless a transaction is open (then it covers EXEC's queue).
    #[cold]
    fn end_caching(&self, session: &mut Session, args: &[Bytes]) {
        let client_command =
            args[0].eq_ignore_ascii_case(b"client") && self.table.resolve(args).is_ok();
        if session.multi.is_none() && !client_command {
            session.tracking_caching = false;
        }
    }

    /// Runs a command whose reply CLIENT REPLY OFF/SKIP drops; only a CLIENT REPLY ON
    /// that turns replies back on is answered. Pushes are not replies: (un)subscribe
    /// confirmations still arrive, in RESP2 and RESP3, as in Redis.
    #[cold]
    fn execute_silenced(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &mut dyn ClientDirectory,
    ) {
        let mut discarded = OutBuf::new();
        self.run(session, args, &mut discarded, clients);
        let pushed = match discarded.first_byte() {
            Some(b'>') => session.resp >= 3,
            Some(b'*') => is_subscription(&args[0]),
            _ => false,
        };
        if session.reply_mode == ReplyMode::On || pushed {
            discarded.move_into(out);
        }
    }

    #[inline(always)]
    fn run(
        &mut self,
        session: &mut Session,
        args: &[Bytes],
        out: &mut OutBuf,
        clients: &mut dyn ClientDirectory,
    ) {
        self.hold_expiry_while_paused();
        if self.server.master.is_some() || self.server.replica_expiry {
            self.replica_expiry(session.master);
        }
        let mut ctx = self.reborrow().context(session, out, clients);
        process(&mut ctx, args);
        if let Some(blocked) = ctx.session.blocked.as_mut().filter(|b| b.args.is_empty()) {
            // Owned copies: a client may stay blocked for long, and must not pin the
            // query buffer its command arrived in.
            blocked.args = crate::command::core::args::owned(args);
            blocked.keys = crate::command::core::args::owned(&blocked.keys);
            let blocked = blocked.clone();
            ctx.server.blocking.register(ctx.session.id, &blocked);
            after_expiry(ctx.dbs, ctx.server);
        }
    }

    /// Keeps expired keys stored (reading as missing) while a CLIENT PAUSE is in force,
    /// as Redis does; one comparison per command when nothing changes.
    fn hold_expiry_while_paused(&mut self) {
        let now = self.server.now_ms;
        if let Some(held) = self.server.pause.expiry_hold_change(now) {
            for db in self.dbs.iter_mut() {
                db.expiry_held = held;
            }
        }
    }

    /// A replica never deletes keys on its own: expired keys read as missing to its
    /// clients but stay stored until the master's DEL arrives, and the master's own
    /// commands see them as they are (Redis's `expireIfNeeded` on a replica).
    /// Once no longer a replica, expiry returns to what CLIENT PAUSE says.
    #[cold]
    fn replica_expiry(&mut self, master_client: bool) {
        let replica = self.server.master.is_some();
        let held = replica || self.server.pause.expiry_is_held();
        for db in self.dbs.iter_mut() {
            db.expiry_held = held;
            db.expiry_ignored = replica && master_client;
        }
        self.server.replica_expiry = replica;
    }

    /// The same parts for a shorter borrow.
    fn reborrow(&mut self) -> Parts<'_> {
        Parts {
            dbs: &mut *self.dbs,
            server: &mut *self.server,
            table: self.table,
        }
    }

    /// A handler's context for one client's command.
    fn context(
        self,
        session: &'a mut Session,
        out: &'a mut OutBuf,
        clients: &'a mut dyn ClientDirectory,
    ) -> Ctx<'a> {
        let reply = Reply::new(out, session.resp);
        Ctx {
            dbs: self.dbs,
            server: self.server,
            session,
            reply,
            table: self.table,
            clients,
        }
    }
}

/// The (un)subscribe commands, whose confirmations Redis writes as pushes (CLIENT REPLY
/// OFF does not silence them).
fn is_subscription(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 6] = [
        b"subscribe",
        b"psubscribe",
        b"ssubscribe",
        b"unsubscribe",
        b"punsubscribe",
        b"sunsubscribe",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}
