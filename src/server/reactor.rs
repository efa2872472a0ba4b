//! The event loop: one thread, a mio `Poll`, listeners, clients in a slab.
//!
//! One iteration, like Redis's `aeProcessEvents`:
//! 1. poll, with the time to the next cron tick as timeout (zero when clients still have
//!    buffered commands waiting their turn);
//! 2. refresh the cached clock;
//! 3. accept new clients; read from readable clients and run their complete commands;
//!    write to writable clients;
//! 4. give clients held back by the fairness caps another turn;
//! 5. run the cron when due;
//! 6. before sleeping: the fast expire cycle, then write every pending reply directly,
//!    registering WRITABLE only for sockets that would block; close finished clients.
//!
//! A client's slab key is its token; listeners and the signal pipe use tokens at the top
//! of the range, so they never collide with slab keys.

use crate::util::clock::monotonic_us;
use crate::util::hash::IdMap;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::Duration;

use mio::net::{TcpListener, UnixListener};
use mio::{Events, Interest, Poll, Token};

use crate::command::core::executor::Executor;
use crate::config::Config;
use crate::protocol::{ParseLimits, ParseOutcome};
use crate::server::banner;
use crate::server::client::{Client, ClientSlab, Stream};
use crate::server::client_memory::ClientMemory;
use crate::server::others::OtherClients;
use crate::server::{busy, listener, signals};

/// Token of the signal pipe.
const SIGNAL_TOKEN: Token = Token(usize::MAX);
use crate::server::listener::LISTENER_BASE;

mod delivery;
mod events;
mod housekeeping;
mod master_link;
/// Most listeners (bind addresses plus the unix socket).
const MAX_LISTENERS: usize = 32;
/// Bytes read from one client per turn before others get theirs.
const READ_BUDGET: usize = 1024 * 1024;
/// Commands run for one client per turn before others get theirs: about what Redis
/// runs from one 16 KB read of small commands, so that a deep pipeline (a bulk load
/// that rehashes the keyspace as it goes) holds others for a few milliseconds at most.
const COMMAND_BUDGET: usize = 512;
/// Bytes written to one client per turn.
const WRITE_BUDGET: usize = 4 * 1024 * 1024;
/// The write budget of a client whose reply is produced as it is written: producing
/// costs as much as writing, so its turns are kept short for everyone else.
const DEFERRED_WRITE_BUDGET: usize = 16 * 1024;
/// Size of the scratch buffer socket reads land in (Redis's `PROTO_IOBUF_LEN`). A big
/// argument's first bytes arrive through it and are copied twice (into the query buffer,
/// then into the buffer made for the argument), so it is kept small: at 64 KB a 100 KB
/// SET spent more user time copying than Redis spends on the whole request. Pipelines
/// lose nothing by it: a read of 16 KB holds hundreds of small commands.
const READ_CHUNK: usize = 16 * 1024;
/// Connections accepted per listener event.
const ACCEPTS_PER_EVENT: usize = 1000;

/// The server: reactor state plus the executor it feeds.
pub struct Server {
    poll: Poll,
    tcp: Vec<TcpListener>,
    unix: Option<(UnixListener, String)>,
    signal_rx: mio::unix::pipe::Receiver,
    _signal_tx: mio::unix::pipe::Sender,
    clients: ClientSlab,
    /// Slab key of each client id (for waking blocked clients by id).
    client_keys: IdMap<u64, usize>,
    exec: Executor,
    next_client_id: u64,
    /// What a busy script's serving of other clients left to finish (empty otherwise).
    busy_log: busy::BusyLog,
    /// Clients with replies to write before sleeping.
    pending_writes: Vec<usize>,
    /// Clients with input left over by the fairness caps.
    pending_reads: VecDeque<usize>,
    read_scratch: Vec<u8>,
    /// When the cron runs next, on the monotonic clock (`util::clock`, microseconds).
    next_cron_us: u64,
    shutting_down: bool,
    /// Every client's memory and client eviction's limit.
    memory: ClientMemory,
    /// The connection to the master while it is in handshake or transfer.
    handshake: Option<master_link::Handshake>,
    /// Id of the client the master's stream arrives on.
    current_master_client: Option<u64>,
    /// The database the master's stream had selected when its client closed: a
    /// partial resynchronization continues the stream without a new SELECT, as Redis's
    /// cached master keeps its database.
    master_db: usize,
    /// When the replica's once-a-second work runs next (ms).
    next_replication_cron_ms: i64,
}

impl Server {
    /// Binds the listeners and installs signal handlers.
    pub fn bind(config: Config) -> io::Result<Server> {
        let poll = Poll::new()?;
        let (mut tcp, port) = listener::bind_tcp(&config.bind, config.port, config.tcp_backlog)
            .map_err(|e| {
                // Redis's two lines: tools that start servers look for the second one
                // to try another port.
                log::warn!("Warning: {e}");
                let aborting = format!("Failed listening on port {} (TCP), aborting.", config.port);
                io::Error::new(e.kind(), aborting)
            })?;
        let mut unix = None;
        if let Some(path) = &config.unixsocket {
            unix = Some((
                listener::bind_unix(path, config.unixsocketperm)?,
                path.clone(),
            ));
        }
        if tcp.len() + 1 > MAX_LISTENERS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "too many bind addresses",
            ));
        }
        for (i, l) in tcp.iter_mut().enumerate() {
            poll.registry()
                .register(l, Token(LISTENER_BASE - i), Interest::READABLE)?;
            log::info!("Listening on {}", l.local_addr()?);
        }
        if let Some((l, path)) = unix.as_mut() {
            poll.registry()
                .register(l, Token(LISTENER_BASE - tcp.len()), Interest::READABLE)?;
            log::info!("The server is now ready to accept connections at {path}");
        }
        let (mut signal_rx, signal_tx) = signals::install()?;
        poll.registry()
            .register(&mut signal_rx, SIGNAL_TOKEN, Interest::READABLE)?;
        banner::show(&config, port);
        let mut exec = crate::command::registry::executor(config);
        exec.set_bound_port(port);
        exec.load_users_at_start().map_err(io::Error::other)?;
        exec.load_data_at_start().map_err(io::Error::other)?;
        exec.follow_configured_master();
        Ok(Server {
            poll,
            tcp,
            unix,
            signal_rx,
            _signal_tx: signal_tx,
            clients: ClientSlab::new(),
            client_keys: IdMap::default(),
            exec,
            next_client_id: 1,
            busy_log: busy::BusyLog::default(),
            pending_writes: Vec::new(),
            pending_reads: VecDeque::new(),
            read_scratch: vec![0; READ_CHUNK],
            next_cron_us: monotonic_us(),
            shutting_down: false,
            memory: ClientMemory::default(),
            handshake: None,
            current_master_client: None,
            master_db: 0,
            next_replication_cron_ms: 0,
        })
    }

    /// The TCP port actually bound.
    pub fn port(&self) -> u16 {
        self.exec.bound_port()
    }

    /// Runs the loop until a signal or SHUTDOWN stops it.
    pub fn run(&mut self) -> io::Result<()> {
        log::info!("Ready to accept connections");
        self.connect_master();
        let mut events = Events::with_capacity(1024);
        while !self.shutting_down {
            let timeout = self.poll_timeout();
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            self.exec.update_clock();
            for event in events.iter() {
                self.dispatch_event(event);
            }
            self.serve_pending_reads();
            if self.handshake.as_ref().is_some_and(|h| h.again) {
                self.master_link_event();
            }
            // Read again after the commands: one that ran long may have made the cron
            // due (a finished background rewrite is then taken in before the replies
            // go out, as the loop did before the clock was cached).
            self.exec.update_clock();
            if self.exec.clock_mono_us() >= self.next_cron_us {
                self.cron();
                self.exec.update_clock();
            }
            self.before_sleep();
        }
        self.shutdown();
        Ok(())
    }

    fn poll_timeout(&self) -> Duration {
        if !self.pending_reads.is_empty()
            || !self.pending_writes.is_empty()
            || self.handshake.as_ref().is_some_and(|h| h.again)
        {
            return Duration::ZERO;
        }
        let mut until_cron =
            Duration::from_micros(self.next_cron_us.saturating_sub(self.exec.clock_mono_us()));
        if self.exec.expiry_backlog() {
            // Stale keys are left: the next expire slice is due within a slice.
            until_cron = until_cron.min(crate::command::core::executor::EXPIRE_SLICE);
        }
        match self.exec.next_deadline_ms() {
            Some(deadline) => {
                let until_deadline = (deadline - self.exec.now_ms()).max(0) as u64;
                until_cron.min(Duration::from_millis(until_deadline))
            }
            None => until_cron,
        }
    }

    fn dispatch_event(&mut self, event: &mio::event::Event) {
        let token = event.token();
        if token == SIGNAL_TOKEN {
            if signals::drain(&mut self.signal_rx) {
                self.shutdown_on_signal();
            }
        } else if token == master_link::MASTER_TOKEN {
            self.master_link_event();
        } else if token.0 > LISTENER_BASE - MAX_LISTENERS {
            self.accept(LISTENER_BASE - token.0);
        } else if self.clients.contains(token.0) {
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                // After a hang-up, read to the end: the EOF will not be signalled again.
                self.read_client(token.0, event.is_read_closed() || event.is_error());
            }
            if event.is_writable() {
                self.exec.flush_aof();
                self.write_client(token.0);
            }
            self.close_if_done(token.0);
        }
    }

    /// SIGINT/SIGTERM: saves if save points exist and stops, or keeps running if the
    /// save failed (then a later signal starts over), as Redis does.
    fn shutdown_on_signal(&mut self) {
        self.shutting_down = self.exec.prepare_shutdown_on_signal();
        if !self.shutting_down {
            signals::shutdown_abandoned();
        }
    }

    /// Accepts pending connections on listener `index` (bounded per event).
    fn accept(&mut self, index: usize) {
        let keepalive = self.exec.config().tcp_keepalive;
        for _ in 0..ACCEPTS_PER_EVENT {
            let unix = self.unix.as_ref();
            let Some((stream, peer, local)) =
                listener::accept_one(&self.tcp, unix, index, keepalive)
            else {
                return;
            };
            if self.exec.protected_mode_active() && !listener::from_loopback(&stream) {
                self.deny_protected(stream);
                continue;
            }
            self.add_client(stream, peer, local);
        }
    }

    /// Protected mode: a client from another machine while `default` has no password
    /// gets Redis's explanation and is closed.
    fn deny_protected(&mut self, mut stream: Stream) {
        listener::deny_protected(&mut stream);
        self.exec.count_rejected_connection();
    }

    fn add_client(&mut self, mut stream: Stream, peer: String, local: String) {
        self.exec.count_connection();
        if self.clients.len() >= self.exec.config().maxclients {
            listener::refuse(&mut stream, &peer);
            self.exec.count_rejected_connection();
            return;
        }
        let mut client =
            Client::accepted(stream, peer, local, self.next_client_id, self.exec.now_ms());
        client.session.authenticated = self.exec.new_clients_authenticated();
        self.next_client_id += 1;
        self.insert_client(client);
    }

    /// Registers an accepted client and gives it a slot (none if registering failed).
    fn insert_client(&mut self, mut client: Client) -> Option<usize> {
        let entry = self.clients.vacant_entry();
        let token = Token(entry.key());
        if let Err(e) = self
            .poll
            .registry()
            .register(&mut client.stream, token, Interest::READABLE)
        {
            log::warn!("Registering client {}: {e}", client.session.addr);
            return None;
        }
        log::debug!(
            "Accepted {} (id {})",
            client.session.addr,
            client.session.id
        );
        self.client_keys.insert(client.session.id, token.0);
        entry.insert(Box::new(client));
        self.exec.set_connected_clients(self.clients.len());
        Some(token.0)
    }

    /// Reads what the socket has (up to the read budget) and runs complete commands.
    fn read_client(&mut self, key: usize, until_eof: bool) {
        let Some(client) = self.clients.get_mut(key) else {
            return;
        };
        if !client.accepts_input() {
            return;
        }
        // The backlog test first: it reads two fields, where the line's would walk it.
        if !until_eof && has_backlog(client) && self.pending_reads.contains(&key) {
            // The pending-read pass will run the backlog first, then read.
            return;
        }
        let mut total = 0;
        loop {
            // A big argument is read exactly to its end, straight into the buffer made
            // for it (as much of it as the budget allows in one call); anything else
            // lands in the scratch buffer and is copied into the query buffer.
            let missing = client.parser.big_bulk_missing(&client.query);
            let (room, result) = match missing {
                Some(missing) => {
                    let room = missing.min(READ_BUDGET);
                    (room, client.stream.read_into_spare(&mut client.query, room))
                }
                None => (READ_CHUNK, client.stream.read(&mut self.read_scratch)),
            };
            match result {
                Ok(0) => {
                    log::debug!("Client closed connection {}", client.session.addr);
                    client.peer_closed = true;
                    break;
                }
                Ok(n) => {
                    if missing.is_none() {
                        client.query.extend_from_slice(&self.read_scratch[..n]);
                    }
                    total += n;
                    if total >= READ_BUDGET
                        || missing == Some(n)
                        || (missing.is_none() && n == room && !until_eof)
                    {
                        // Out of budget, a big argument complete, or a full chunk
                        // (more is waiting): run what is buffered before reading on.
                        // After a full chunk this parses a big argument's header as
                        // soon as it is here, so the rest of that argument is read
                        // into a buffer of its size instead of through the scratch
                        // buffer and a growing query buffer. A client already waiting
                        // in line keeps its one place (a pipelining client must not
                        // pile up turns and run tens of thousands of commands in one).
                        if !self.pending_reads.contains(&key) {
                            self.pending_reads.push_back(key);
                        }
                        break;
                    }
                    if n < room && !until_eof {
                        // A short read drained the socket: new data brings a new edge,
                        // so the extra read that would return WouldBlock is skipped.
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::debug!("Reading from client {}: {e}", client.session.addr);
                    client.close_asap = true;
                    break;
                }
            }
        }
        self.exec.count_read(total);
        client.session.last_interaction_ms = self.exec.now_ms();
        if client.query.len() > self.exec.config().client_query_buffer_limit {
            log::warn!(
                "Closing client that reached max query buffer length: {}",
                client.session.addr
            );
            client.close_asap = true;
            return;
        }
        if self.memory.eviction_on() {
            // Evict before running what was read, as Redis does before each command: a
            // client growing a huge query buffer goes before it costs more.
            self.recount_memory(key);
            self.evict_clients();
            if !self.clients.contains(key) {
                return;
            }
        }
        self.process_input(key);
    }

    /// Runs the complete commands in a client's query buffer, up to the command budget.
    fn process_input(&mut self, key: usize) {
        let mut limits = ParseLimits {
            max_bulk_len: self.exec.config().proto_max_bulk_len,
            unauthenticated: false,
        };
        let room = self.memory_room(key);
        self.exec.begin_batch();
        let out_of_budget = self.with_client(key, |exec, client, others| {
            let mut budget = COMMAND_BUDGET;
            // `others.caller` holds the buffers as this batch found them (taken as the
            // client left the slab): the query buffer with the commands already run
            // included, what Redis's `qbuf` shows until the batch is trimmed away.
            // A peer that closed still gets the replies to what it sent before closing; a
            // blocked or paused client's pipeline waits behind its held command.
            // An empty buffer holds no command, whole or partial: the parser is not asked.
            while client.ready_for_command() && !client.query.is_empty() {
                if budget == 0 {
                    return true;
                }
                limits.unauthenticated =
                    !client.session.authenticated && !exec.new_clients_authenticated();
                match client.parser.parse(&mut client.query, &limits) {
                    Ok(ParseOutcome::Command(args)) => {
                        others.caller.argv_mem = args.iter().map(bytes::Bytes::len).sum();
                        exec.execute_with(&mut client.session, &args, &mut client.out, others);
                        if client.session.master {
                            Self::after_master_command(exec, client, &args);
                        }
                        client.parser.recycle(args);
                        budget -= 1;
                        if room.is_some_and(|room| over_room(exec, client, room)) {
                            // Stop here: client eviction decides before the next one.
                            return true;
                        }
                    }
                    Ok(ParseOutcome::Empty) => {}
                    Ok(ParseOutcome::Incomplete) => break,
                    Err(err) => {
                        client.reject_protocol(&err);
                        break;
                    }
                }
            }
            client.reclaim_query();
            false
        });
        self.exec.end_batch();
        if out_of_budget == Some(true) && !self.pending_reads.contains(&key) {
            self.pending_reads.push_back(key);
        }
        self.after_commands(key);
        self.evict_clients();
    }

    /// While client eviction is on, the memory the client in slot `key` may reach
    /// before the clients' total meets the limit; `None` when eviction is off or the
    /// client may not be evicted.
    fn memory_room(&self, key: usize) -> Option<usize> {
        let client = self.clients.get(key)?;
        if !self.memory.eviction_on() || client.session.no_evict {
            return None;
        }
        Some(
            self.memory
                .limit()
                .saturating_sub(self.memory.others(client)),
        )
    }

    /// What follows a client's turn: queue its replies, serve clients blocked on keys
    /// that became ready, carry out the effects its commands asked for.
    fn after_commands(&mut self, key: usize) {
        self.queue_write(key);
        self.serve_ready_keys();
        self.carry_out_events();
        self.serve_postponed();
    }

    /// Carries out what commands (or the cron) asked of the loop.
    #[inline(always)]
    fn carry_out_events(&mut self) {
        if self.exec.has_events() {
            self.carry_out_events_now();
        }
    }

    /// Runs `work` on the client in slot `key` while the executor sees every other
    /// client through a [`ClientDirectory`]. The client leaves the slab for the call and
    /// returns to the same slot.
    fn with_client<R>(
        &mut self,
        key: usize,
        work: impl FnOnce(&mut Executor, &mut Client, &mut OtherClients<'_>) -> R,
    ) -> Option<R> {
        let mut client = self.clients.try_remove(key)?;
        let config = self.exec.config();
        let mut others = OtherClients {
            clients: &mut self.clients,
            lent: busy::Lent {
                tcp: &mut self.tcp,
                unix: self.unix.as_mut(),
                signals: &mut self.signal_rx,
                next_id: &mut self.next_client_id,
                log: &mut self.busy_log,
            },
            registry: self.poll.registry(),
            backlog: config.tcp_backlog,
            caller: client.buffer_stats(),
        };
        let result = work(&mut self.exec, &mut client, &mut others);
        let entry = self.clients.vacant_entry();
        // The slab hands out the slot freed last, which is `key`: nothing was inserted
        // or removed meanwhile.
        debug_assert_eq!(entry.key(), key);
        if entry.key() != key {
            let moved_to = entry.key();
            let _ = self.poll.registry().reregister(
                &mut client.stream,
                Token(moved_to),
                Interest::READABLE,
            );
            client.write_registered = false;
            self.client_keys.insert(client.session.id, moved_to);
        }
        entry.insert(client);
        if self.busy_log.touched {
            self.after_busy();
        }
        Some(result)
    }

    /// After a busy script: adds the clients it accepted, gives the clients it served
    /// their turn for what is left of their input and output, and honours a shutdown
    /// signal that came meanwhile.
    fn after_busy(&mut self) {
        let io = std::mem::take(&mut self.busy_log);
        if io.signalled {
            self.shutdown_on_signal();
        }
        self.exec.count_read(io.read);
        self.exec.count_write(io.written);
        for _ in 0..io.rejected {
            self.exec.count_connection();
            self.exec.count_rejected_connection();
        }
        let mut touched = io.served;
        for client in io.newcomers {
            self.exec.count_connection();
            touched.extend(self.insert_client(client));
        }
        for key in touched {
            self.queue_write(key);
            if !self.pending_reads.contains(&key) {
                self.pending_reads.push_back(key);
            }
        }
    }

    /// Runs the commands CLIENT PAUSE held back, in the order they arrived.
    #[inline(always)]
    fn serve_postponed(&mut self) {
        if self.exec.pause_pending() {
            self.serve_postponed_now();
        }
    }

    /// [`Self::serve_postponed`] while a pause is set or commands wait.
    fn serve_postponed_now(&mut self) {
        let waiting = self.exec.end_expired_pause();
        for id in waiting {
            let Some(&slot) = self.client_keys.get(&id) else {
                continue;
            };
            let ran = self.with_client(slot, |exec, client, others| {
                exec.resume_postponed(&mut client.session, &mut client.out, others)
            });
            if ran == Some(true) {
                self.resume(slot);
            }
        }
    }

    /// Puts a client with pending output on the before-sleep write list, or cuts it off
    /// if its output buffer passed its class's limit.
    fn queue_write(&mut self, key: usize) {
        let limits = &self.exec.config().client_output_buffer_limit;
        if let Some(client) = self.clients.get_mut(key) {
            if client.output_over_limit(&limits[client.output_class()]) {
                log::warn!(
                    "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                    client.session.id,
                    client.session.addr
                );
                client.close_asap = true;
                client.out.clear();
            }
            if self.memory.eviction_on() {
                self.memory.recount(client, &self.exec);
                self.exec.set_clients_memory(self.memory.total());
            }
            // A client cut off is queued too: the before-sleep pass closes it.
            if (client.close_asap || !client.out.is_empty()) && !client.write_queued {
                client.write_queued = true;
                self.pending_writes.push(key);
            }
        }
    }

    /// Writes pending pub/sub messages (and keyspace notifications) into their
    /// receivers' output buffers, in each receiver's protocol version.
    #[inline(always)]
    fn deliver_messages(&mut self) {
        if self.exec.has_deliveries() {
            self.deliver_messages_now();
        }
    }

    /// Serves clients blocked on keys that received data, oldest waiter first, until no
    /// key is ready (a served BLMOVE may make another key ready).
    #[inline(always)]
    fn serve_ready_keys(&mut self) {
        if self.exec.has_ready_keys() {
            self.serve_ready_keys_now();
        }
    }

    /// [`Self::serve_ready_keys`] once keys are ready. The clock is read again first, as
    /// Redis does before serving blocked clients: a key that expired while the command
    /// that filled it ran (a MULTI with DEBUG SLEEP) is found expired, and its waiters
    /// stay blocked.
    fn serve_ready_keys_now(&mut self) {
        self.exec.update_clock();
        while let Some((db, key)) = self.exec.pop_ready_key() {
            for id in self.exec.waiters(db, &key) {
                let Some(&slot) = self.client_keys.get(&id) else {
                    continue;
                };
                let Some(client) = self.clients.get_mut(slot) else {
                    continue;
                };
                if self
                    .exec
                    .retry_blocked(&mut client.session, &mut client.out, &key)
                {
                    self.resume(slot);
                }
            }
        }
    }

    /// A client left the blocked state: write its reply and run its waiting pipeline.
    fn resume(&mut self, key: usize) {
        self.queue_write(key);
        if self.clients.get(key).is_some_and(|c| !c.query.is_empty())
            && !self.pending_reads.contains(&key)
        {
            self.pending_reads.push_back(key);
        }
    }

    /// Answers blocked clients whose timeout passed.
    fn time_out_blocked_clients(&mut self) {
        while let Some(id) = self.exec.next_timed_out() {
            match self
                .client_keys
                .get(&id)
                .and_then(|&slot| Some((slot, self.clients.get_mut(slot)?)))
            {
                Some((slot, client)) => {
                    self.exec
                        .time_out_blocked(&mut client.session, &mut client.out);
                    self.resume(slot);
                }
                None => break,
            }
        }
    }

    /// Gives clients held back by the fairness caps another turn.
    fn serve_pending_reads(&mut self) {
        for _ in 0..self.pending_reads.len() {
            let Some(key) = self.pending_reads.pop_front() else {
                break;
            };
            if let Some(client) = self.clients.get(key) {
                if has_backlog(client) {
                    // Run the backlog; if the budget stops it again the client is
                    // queued again, else (all of it ran, or the rest is one command
                    // still arriving) it reads on now.
                    self.process_input(key);
                    if self.pending_reads.contains(&key) {
                        self.close_if_done(key);
                        continue;
                    }
                }
                self.read_client(key, false);
                self.process_input(key);
                self.close_if_done(key);
            }
        }
    }

    /// Writes pending output; registers or drops WRITABLE interest as needed.
    fn write_client(&mut self, key: usize) {
        let Some(client) = self.clients.get_mut(key) else {
            return;
        };
        if client.session.output_held {
            // A forked child is writing this replica's snapshot into the socket.
            return;
        }
        let deferred = client.out.has_deferred();
        let budget = if deferred {
            DEFERRED_WRITE_BUDGET
        } else {
            WRITE_BUDGET
        };
        match client.out.write_to(&mut client.stream, budget) {
            Ok(n) => {
                self.exec.count_write(n);
                let unsent = &mut client.session.snapshot_unsent;
                *unsent = unsent.saturating_sub(n);
                if deferred {
                    self.after_deferred_write(key, n);
                    return;
                }
            }
            Err(e) => {
                log::debug!("Writing to client {}: {e}", client.session.addr);
                client.close_asap = true;
                return;
            }
        }
        self.update_write_interest(key);
    }

    /// After a write to a client whose reply was deferred (`n` bytes went out): a
    /// write that stopped at the budget, not at a full socket, has no writable event
    /// coming, so the client is queued for the next pass; a reply now complete lets
    /// the client's waiting pipeline run.
    #[cold]
    fn after_deferred_write(&mut self, key: usize, n: usize) {
        let Some(client) = self.clients.get_mut(key) else {
            return;
        };
        if n >= DEFERRED_WRITE_BUDGET && !client.out.is_empty() && !client.write_queued {
            client.write_queued = true;
            self.pending_writes.push(key);
        }
        if !client.out.has_deferred()
            && !client.query.is_empty()
            && !self.pending_reads.contains(&key)
        {
            self.pending_reads.push_back(key);
        }
        self.update_write_interest(key);
    }

    /// Registers or drops WRITABLE interest as the client's pending output needs.
    fn update_write_interest(&mut self, key: usize) {
        let Some(client) = self.clients.get_mut(key) else {
            return;
        };
        let want_writable = !client.out.is_empty();
        if want_writable != client.write_registered {
            let interest = if want_writable {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            if self
                .poll
                .registry()
                .reregister(&mut client.stream, Token(key), interest)
                .is_err()
            {
                client.close_asap = true;
            }
            client.write_registered = want_writable;
        }
        if self.memory.eviction_on() {
            self.memory.recount(client, &self.exec);
            self.exec.set_clients_memory(self.memory.total());
        }
    }

    /// Closes the client if it errored or finished a close-after-reply.
    #[inline(always)]
    fn close_if_done(&mut self, key: usize) {
        if self
            .clients
            .get(key)
            .is_some_and(|client| client.should_close())
        {
            self.close_now(key);
        }
    }

    /// Removes the client in slot `key` and forgets it everywhere.
    fn close_now(&mut self, key: usize) {
        let mut client = self.clients.remove(key);
        self.memory.forget(&client);
        let _ = self.poll.registry().deregister(&mut client.stream);
        self.client_keys.remove(&client.session.id);
        self.exec.client_closed(&mut client.session);
        if client.session.master {
            self.master_db = client.session.db;
            self.master_client_closed();
        }
        log::debug!(
            "Closed client {} (id {})",
            client.session.addr,
            client.session.id
        );
        self.exec.set_connected_clients(self.clients.len());
    }

    /// Work before sleeping: fast expiry, then write every pending reply directly.
    fn before_sleep(&mut self) {
        self.time_out_blocked_clients();
        self.serve_postponed();
        self.exec.before_sleep();
        // Expiry can delete a stream that XREADGROUP clients wait on: answer them.
        self.serve_ready_keys();
        self.deliver_messages();
        // The append-only file first: no reply acknowledges a write before it is there.
        self.exec.flush_aof();
        self.deliver_replication_stream();
        // The list is taken and handed back emptied, so its allocation is reused from
        // one loop to the next.
        let mut pending = std::mem::take(&mut self.pending_writes);
        for &key in &pending {
            if let Some(client) = self.clients.get_mut(key) {
                client.write_queued = false;
                self.write_client(key);
                self.close_if_done(key);
            }
        }
        pending.clear();
        pending.append(&mut self.pending_writes);
        self.pending_writes = pending;
        self.apply_client_eviction_limit();
        self.evict_clients();
        self.exec.set_clients_memory(self.memory.total());
    }

    /// Takes up a new `maxmemory-clients` (or a `maxmemory` that changes a percentage
    /// limit): turning eviction on recounts every client, whose memory was only
    /// sampled by the cron until now.
    fn apply_client_eviction_limit(&mut self) {
        let limit = self.exec.client_eviction_limit();
        if self.memory.set_limit(limit) && limit > 0 {
            self.memory.recount_all(&mut self.clients, &self.exec);
        }
    }

    /// Counts the memory of the client in slot `key` again; INFO sees the new total.
    fn recount_memory(&mut self, key: usize) {
        if let Some(client) = self.clients.get_mut(key) {
            self.memory.recount(client, &self.exec);
            self.exec.set_clients_memory(self.memory.total());
        }
    }

    /// Client eviction (Redis's `evictClients`): while the clients' memory is at or
    /// over `maxmemory-clients`, closes the largest evictable clients, logging and
    /// counting each (INFO `evicted_clients`).
    #[inline(always)]
    fn evict_clients(&mut self) {
        if self.memory.over_limit() {
            self.evict_clients_now();
        }
    }

    /// [`Self::evict_clients`] once over the limit.
    fn evict_clients_now(&mut self) {
        let (victims, still_over) = self.memory.victims(&self.clients);
        for key in victims {
            let Some(client) = self.clients.get_mut(key) else {
                continue;
            };
            let line = self.exec.count_evicted_client(&client.view());
            log::info!("Evicting client: {line}");
            client.close_asap = true;
            client.out.clear();
            self.close_if_done(key);
        }
        if still_over && self.memory.warn_once_over() {
            log::warn!("Over client maxmemory after evicting all evictable clients");
        }
    }

    /// Writes what can be written to every client, then closes everything.
    fn shutdown(&mut self) {
        log::warn!("User requested shutdown...");
        // Listeners first, as Redis closes them before exiting: once a client sees its
        // connection close, a new connection is refused rather than accepted by a
        // server about to go.
        self.tcp.clear();
        if let Some((_, path)) = self.unix.take() {
            let _ = std::fs::remove_file(path);
        }
        let keys: Vec<usize> = self.clients.iter().map(|(k, _)| k).collect();
        for key in keys {
            if let Some(client) = self.clients.get_mut(key) {
                // What is queued, but not the endless rest of a deferred reply.
                let queued = client.out.pending().max(WRITE_BUDGET);
                let _ = client.out.write_to(&mut client.stream, queued);
            }
        }
        self.clients.clear();
        log::warn!("Redis is now ready to exit, bye bye...");
    }
}

/// True when the command budget left a chunk or more of a client's input unrun (a
/// client pipelining faster than its commands run). Its next turn runs that backlog
/// before reading more: reading on would only grow the query buffer, and move all of it
/// each time it grows (a bulk load through `redis-cli --pipe` held the loop 130 ms).
/// A big argument still arriving is never a backlog: its bytes are read on.
fn has_backlog(client: &Client) -> bool {
    client.query.len() >= READ_CHUNK && client.parser.big_bulk_missing(&client.query).is_none()
}

/// True when the running client, evictable, has grown to `room` bytes or more: the
/// clients together are at the `maxmemory-clients` limit.
fn over_room(exec: &Executor, client: &Client, room: usize) -> bool {
    !client.session.no_evict && exec.client_memory(&client.view()) >= room
}
