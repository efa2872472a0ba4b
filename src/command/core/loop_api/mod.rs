//! What the reactor may ask of the executor, and the only way it reaches executor state.
//!
//! Every method keeps an invariant the reactor should not have to know: a CLIENT PAUSE
//! that ran out is cleared together with the clients it held back; traffic counters
//! change only by counting; a tracking redirect is marked broken only through the
//! tracking table. The executor's fields are private to `core`, so a new field cannot
//! be changed from the network layer by accident.

pub mod master_link;

use std::collections::VecDeque;

use bytes::Bytes;

use crate::command::core::client_info;
use crate::command::core::executor::Executor;
use crate::command::snapshot::rdb as snapshot;
use crate::command::snapshot::shutdown;
use crate::command::snapshot::{aof, aof_load};
use crate::command::state::acl::file;
use crate::command::state::directory::ClientView;
use crate::command::state::notify::KeyspaceEvent;
use crate::command::state::replication::StreamBatch;
use crate::config::Config;
use crate::protocol::sizing::{Resize, SizingPolicy};

impl Executor {
    /// The live configuration, read-only (CONFIG SET is a command).
    pub fn config(&self) -> &Config {
        &self.server.config
    }

    /// The loop iteration's cached wall clock, in ms.
    pub fn now_ms(&self) -> i64 {
        self.server.now_ms
    }

    /// Records the TCP port actually bound (port 0 resolves to an ephemeral one).
    pub fn set_bound_port(&mut self, port: u16) {
        self.server.bound_port = port;
    }

    /// The TCP port actually bound.
    pub fn bound_port(&self) -> u16 {
        self.server.bound_port
    }

    /// Counts a connection attempt (INFO `total_connections_received`).
    pub fn count_connection(&mut self) {
        self.server.stats.connections_received += 1;
    }

    /// Counts a connection refused because of maxclients.
    pub fn count_rejected_connection(&mut self) {
        self.server.stats.rejected_connections += 1;
    }

    /// How many clients are connected now (INFO clients, CLIENT LIST).
    pub fn set_connected_clients(&mut self, count: usize) {
        self.server.connected_clients = count;
    }

    /// Counts one socket read of `bytes` bytes (0 for EOF).
    pub fn count_read(&mut self, bytes: usize) {
        self.server.stats.net_input_bytes += bytes as u64;
        self.server.stats.reads_processed += 1;
    }

    /// How client reply buffers are sized now (DEBUG REPLYBUFFER may change it).
    pub fn reply_buffer_policy(&self) -> SizingPolicy {
        self.server.admin.reply_buffer
    }

    /// Counts what the cron's visit did to a client's reply buffer.
    pub fn count_reply_buffer_resize(&mut self, resize: Resize) {
        let stats = &mut self.server.stats;
        match resize {
            Resize::Shrunk => stats.reply_buffer_shrinks += 1,
            Resize::Expanded => stats.reply_buffer_expands += 1,
            Resize::Kept => {}
        }
    }

    /// Counts bytes written to clients.
    pub fn count_write(&mut self, bytes: usize) {
        self.server.stats.net_output_bytes += bytes as u64;
        self.server.stats.writes_processed += u64::from(bytes > 0);
    }

    /// The earliest instant (ms) the loop must wake for: a blocked client's timeout or
    /// the end of a CLIENT PAUSE; now while an eviction cycle runs.
    pub fn next_deadline_ms(&self) -> Option<i64> {
        if self.server.eviction.cycle_running {
            return Some(self.server.now_ms);
        }
        let pause_end = self.server.pause.deadline();
        self.server
            .blocking
            .next_deadline()
            .into_iter()
            .chain(pause_end)
            .min()
    }

    /// True when a CLIENT PAUSE is set or commands wait for one to end.
    pub fn pause_pending(&self) -> bool {
        !self.server.pause.idle()
    }

    /// True when keys received data for blocked clients.
    pub fn has_ready_keys(&self) -> bool {
        self.server.blocking.has_ready()
    }

    /// True when pub/sub messages, keyspace notifications, tracking invalidations or
    /// MONITOR lines wait to be written to other clients.
    pub fn has_deliveries(&self) -> bool {
        !self.server.keyspace_events.is_empty()
            || !self.server.pubsub.outbox.is_empty()
            || self.server.tracking.has_pending()
            || self.server.monitors.has_lines()
    }

    /// Clears a CLIENT PAUSE whose time ran out and hands over the clients it held back,
    /// in arrival order, for the reactor to run; empty while a pause is in force.
    pub fn end_expired_pause(&mut self) -> VecDeque<u64> {
        let now = self.server.now_ms;
        self.server.pause.end_if_over(now)
    }

    /// A key that received data for blocked clients, if any (database, key).
    pub fn pop_ready_key(&mut self) -> Option<(usize, Bytes)> {
        self.server.blocking.pop_ready()
    }

    /// The clients blocked on `key` of database `db`, oldest first.
    pub fn waiters(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.server.blocking.waiters(db, key)
    }

    /// A blocked client whose timeout has passed, if any.
    pub fn next_timed_out(&mut self) -> Option<u64> {
        let now = self.server.now_ms;
        self.server.blocking.next_timed_out(now)
    }

    /// DEBUG PAUSE-CRON is on: the periodic work is skipped, as Redis's serverCron
    /// skips it (a test aid).
    pub fn cron_paused(&self) -> bool {
        self.server.admin.cron_paused
    }

    /// The replication stream waiting and the replicas to send it to (a GETACK a
    /// WAIT asked for and a PING when `repl-ping-replica-period` has passed go in
    /// first).
    #[inline]
    pub fn take_replication_stream(&mut self) -> Option<StreamBatch> {
        if !self.server.replication.is_active() {
            return None;
        }
        self.take_active_replication_stream()
    }

    /// [`take_replication_stream`](Self::take_replication_stream) with replicas
    /// attached (kept out of line: the loop asks on every turn).
    fn take_active_replication_stream(&mut self) -> Option<StreamBatch> {
        let period = self.server.config.repl_ping_replica_period;
        let paused = self.server.paused().is_some();
        let now = self.server.now_ms;
        self.server.replication.add_due(now, period, paused);
        self.server.replication.take()
    }

    /// The MONITOR lines waiting and the monitoring clients to send them to.
    pub fn take_monitor_output(&mut self) -> Option<(Vec<Bytes>, Vec<u64>)> {
        let lines = self.server.monitors.take_lines();
        if lines.is_empty() {
            return None;
        }
        Some((lines, self.server.monitors.clients().to_vec()))
    }

    /// Where a tracking client's invalidations go: 0 for itself, else a client id;
    /// `None` when it no longer tracks.
    pub fn tracking_redirect(&self, client: u64) -> Option<u64> {
        self.server
            .tracking
            .clients
            .get(&client)
            .map(|t| t.redirect)
    }

    /// The redirect target of a tracking client went away (CLIENT TRACKINGINFO shows
    /// `broken_redirect`).
    pub fn mark_redirect_broken(&mut self, client: u64) {
        if let Some(options) = self.server.tracking.clients.get_mut(&client) {
            options.broken_redirect = true;
        }
    }

    /// One pass of the cron's client buffer sampling: `(query, output)` buffer sizes
    /// of every client.
    pub fn sample_client_buffers(&mut self, sizes: impl Iterator<Item = (usize, usize)>) {
        let now = self.server.now_ms;
        let peaks = &mut self.server.client_peaks;
        for (query, output) in sizes {
            peaks.record(now, query, output);
        }
    }

    /// The memory one client holds, counted as CLIENT LIST's `tot-mem` is.
    pub fn client_memory(&self, view: &ClientView<'_>) -> usize {
        client_info::client_memory(view, &self.server)
    }

    /// The memory all clients may use together before client eviction closes the
    /// largest (`maxmemory-clients`, resolved against `maxmemory`); 0 when off.
    pub fn client_eviction_limit(&self) -> usize {
        usize::try_from(self.server.config.client_eviction_limit()).unwrap_or(usize::MAX)
    }

    /// Records the memory all clients use together (INFO `mem_clients_normal`).
    pub fn set_clients_memory(&mut self, total: usize) {
        self.server.client_peaks.set_memory(total);
    }

    /// Counts a client closed by client eviction and returns its CLIENT LIST line
    /// for the log, as Redis logs it.
    pub fn count_evicted_client(&mut self, view: &ClientView<'_>) -> String {
        self.server.stats.evicted_clients += 1;
        let mut line = String::new();
        client_info::client_line(view, &self.server, &mut line);
        line
    }

    /// Writes since start (Redis's `dirty` counter); tests read it.
    pub fn dirty(&self) -> u64 {
        self.server.dirty
    }

    /// Keyspace notifications fired and not yet published; tests read them.
    pub fn take_keyspace_events(&mut self) -> Vec<KeyspaceEvent> {
        std::mem::take(&mut self.server.keyspace_events)
    }

    /// Sets up the users before the first client, as Redis does: `requirepass` first,
    /// then the config file's `user` lines or the ACL file (not both), then the
    /// `rename-command` lines. An error stops the start.
    pub fn load_users_at_start(&mut self) -> Result<(), String> {
        let config = &self.server.config;
        let pubsub_all = config.acl_pubsub_all;
        self.server
            .acl
            .set_default_password(config.requirepass.as_bytes());
        if !config.aclfile.is_empty() && !config.users.is_empty() {
            return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".into());
        }
        let lines = config.users.clone();
        self.server.acl.load_config_users(&lines, pubsub_all)?;
        if !self.server.config.aclfile.is_empty() {
            let path = self.server.config.aclfile.clone();
            let users = file::load_acl_file(&path, self.server.acl.context(pubsub_all)).map_err(
                |errors| format!("Aborting Redis startup because of ACL errors: {errors}"),
            )?;
            self.server.acl.replace_all(users, pubsub_all);
        }
        for (from, to) in self.server.config.renamed_commands.clone() {
            self.table
                .rename(&from, &to)
                .map_err(|e| format!("rename-command {from} {to}: {e}"))?;
        }
        Ok(())
    }

    /// True if a new connection starts authenticated (`default` needs no password).
    pub fn new_clients_authenticated(&self) -> bool {
        self.server.acl.new_clients_authenticated()
    }

    /// True while protected mode turns away clients that are not local: it is on and
    /// `default` needs no password.
    pub fn protected_mode_active(&self) -> bool {
        self.server.protected_mode_active()
    }

    /// Loads the RDB file named by the config, if it exists, before the first client
    /// is served. An error names the file and the offset; the server must not start.
    pub fn load_data_at_start(&mut self) -> Result<(), String> {
        if !self.server.config.appendonly {
            return snapshot::load_at_start(&mut self.dbs, &mut self.server);
        }
        // With the AOF on it is the source of truth, as in Redis: dump.rdb is ignored.
        let mut manifest = aof_load::read_manifest(&self.server)?;
        aof_load::upgrade_old_style(&self.server, &mut manifest)?;
        aof_load::load(&mut self.dbs, &mut self.server, &self.table, &manifest)?;
        self.server.aof.manifest = manifest;
        aof::open_at_start(&self.dbs, &mut self.server)
    }

    /// Writes what the commands since the last call recorded to the append-only file
    /// (and fsyncs per `appendfsync`). The reactor calls it before writing replies,
    /// so nothing is acknowledged before it is in the file.
    pub fn flush_aof(&mut self) {
        if self.server.aof.file.is_some() || !self.server.propagation.ops.is_empty() {
            aof::flush(&mut self.server);
        }
    }

    /// SIGINT/SIGTERM: saves when save points exist (stopping a background save). False
    /// when the save failed and the server must keep running, as Redis does.
    pub fn prepare_shutdown_on_signal(&mut self) -> bool {
        shutdown::prepare_shutdown(&self.dbs, &mut self.server, None, false).is_ok()
    }
}
