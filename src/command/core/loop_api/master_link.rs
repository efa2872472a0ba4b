//! What the reactor asks of the executor while this server follows a master: where
//! to connect and how to introduce itself, the snapshot the master sent (loaded in
//! place of the dataset), the link's progress for INFO and ROLE, and the offset the
//! master's stream has reached. REPLICAOF starts and ends following through
//! [`follow`] and [`promote`], which the command handler shares with start-up.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::command::core::executor::Executor;
use crate::command::core::state::{random_hex, ServerEvent, ServerState};
use crate::command::snapshot::{aof, rdb as snapshot};
use crate::command::state::master_link::{
    ack_command, stream_len, LinkState, MasterLink, Transfer,
};
use crate::command::state::replication::NO_REPLID;
use crate::config::MasterAddr;
use crate::persistence::aof::commands::encode;

/// How this replica introduces itself to its master, in handshake order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduction {
    /// `AUTH [user] password`, when `masterauth` is set.
    pub auth: Option<Vec<String>>,
    /// The port sent with REPLCONF listening-port.
    pub listening_port: u16,
    /// The address sent with REPLCONF ip-address, when `replica-announce-ip` is set.
    pub announce_ip: Option<String>,
    /// PSYNC's arguments: our history (replid, next offset), or `?` and `-1`.
    pub psync: [String; 2],
}

/// Starts following `host:port`: the link starts in `Connect`, and the reactor drops
/// any previous link and connects (Redis's `replicationSetMaster`).
pub fn follow(server: &mut ServerState, host: String, port: u16, can_continue: bool) {
    let now = server.now_ms;
    // CONFIG GET replicaof (and CONFIG REWRITE) report the master followed now.
    server.config.replica.replicaof = Some(MasterAddr {
        host: host.clone(),
        port,
    });
    server.master = Some(MasterLink::new(host, port, now, can_continue));
    server.events.push(ServerEvent::MasterChanged);
    server.events.push(ServerEvent::DisconnectBlocked);
    aof::sync_recording(server);
}

/// Stops following: this server becomes a master with a new history, keeping the old
/// one as its second id so that its replicas can continue from it, and its replicas
/// reconnect to learn the change (Redis's `replicationUnsetMaster`).
pub fn promote(server: &mut ServerState) {
    if server.master.take().is_none() {
        return;
    }
    server.config.replica.replicaof = None;
    let new_id = random_hex(&mut server.rng);
    shift_history(server, new_id);
    // The stream we produce from now on starts with a SELECT of its own.
    server.replication.force_select();
    disconnect_replicas(server);
    server.events.push(ServerEvent::MasterChanged);
    aof::sync_recording(server);
}

/// Takes `new_id` as the replication id, keeping the current one as the second id
/// valid up to the current offset.
fn shift_history(server: &mut ServerState, new_id: String) {
    log::info!(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {new_id}",
        server.replication.replid(),
        server.replication.offset() + 1
    );
    server.replication.shift_replid(new_id);
}

/// Closes every replica of this server: they must resynchronize after our history
/// changed.
fn disconnect_replicas(server: &mut ServerState) {
    let replicas: Vec<u64> = server.replication.replicas().iter().map(|r| r.id).collect();
    server
        .events
        .extend(replicas.into_iter().map(ServerEvent::KillClient));
}

impl Executor {
    /// Starts following the master `replicaof` names at start-up, if any. Nothing
    /// is known of its history, so the first PSYNC asks for everything.
    pub fn follow_configured_master(&mut self) {
        if let Some(addr) = self.server.config.replica.replicaof.clone() {
            follow(&mut self.server, addr.host, addr.port, false);
            let events = &mut self.server.events;
            events.retain(|event| {
                !matches!(
                    event,
                    ServerEvent::MasterChanged | ServerEvent::DisconnectBlocked
                )
            });
        }
    }

    /// Where the RDB file is: a replica keeps its master's snapshot there.
    pub fn rdb_file_path(&self) -> PathBuf {
        snapshot::rdb_path(&self.server.config)
    }

    /// The master to connect to, when a replica's link waits in `Connect`.
    pub fn master_to_connect(&self) -> Option<(String, u16)> {
        let link = self.server.master.as_ref()?;
        (link.state == LinkState::Connect).then(|| (link.host.clone(), link.port))
    }

    /// How to introduce ourselves to the master.
    pub fn master_introduction(&self) -> Introduction {
        let settings = &self.server.config.replica;
        let auth = (!settings.masterauth.is_empty()).then(|| {
            let mut words = vec!["AUTH".to_string()];
            if !settings.masteruser.is_empty() {
                words.push(settings.masteruser.clone());
            }
            words.push(settings.masterauth.clone());
            words
        });
        let listening_port = match settings.announce_port {
            0 => self.server.bound_port,
            port => port,
        };
        let can_continue = self.server.master.as_ref().is_some_and(|l| l.can_continue);
        let psync = if can_continue {
            let next = self.server.replication.offset() + 1;
            [
                self.server.replication.replid().to_string(),
                next.to_string(),
            ]
        } else {
            ["?".to_string(), "-1".to_string()]
        };
        Introduction {
            auth,
            listening_port,
            announce_ip: (!settings.announce_ip.is_empty()).then(|| settings.announce_ip.clone()),
            psync,
        }
    }

    /// The link moved to `state` (the reactor drives it).
    pub fn set_master_link_state(&mut self, state: LinkState) {
        let now = self.server.now_ms;
        if let Some(link) = self.server.master.as_mut() {
            link.state = state;
            link.last_io_ms = now;
            if state != LinkState::Transfer {
                link.transfer = None;
            }
        }
    }

    /// The link's state, when this server is a replica.
    pub fn master_link_state(&self) -> Option<LinkState> {
        self.server.master.as_ref().map(|link| link.state)
    }

    /// The master sent something: the link is alive.
    pub fn note_master_io(&mut self) {
        let now = self.server.now_ms;
        if let Some(link) = self.server.master.as_mut() {
            link.last_io_ms = now;
        }
    }

    /// Milliseconds since the master last sent anything, and `repl-timeout` in ms.
    pub fn master_silence_ms(&self) -> Option<(i64, i64)> {
        let link = self.server.master.as_ref()?;
        let timeout =
            i64::try_from(self.server.config.repl_timeout.saturating_mul(1000)).unwrap_or(i64::MAX);
        Some((self.server.now_ms - link.last_io_ms, timeout))
    }

    /// A snapshot of `total` bytes (-1: until an end mark) starts arriving.
    pub fn begin_master_transfer(&mut self, total: i64) {
        self.set_master_link_state(LinkState::Transfer);
        if let Some(link) = self.server.master.as_mut() {
            link.transfer = Some(Transfer { total, read: 0 });
        }
    }

    /// `bytes` more of the snapshot arrived.
    pub fn master_transfer_read(&mut self, bytes: u64) {
        self.note_master_io();
        if let Some(transfer) = self
            .server
            .master
            .as_mut()
            .and_then(|l| l.transfer.as_mut())
        {
            transfer.read += bytes;
        }
    }

    /// Replaces the dataset with the master's snapshot at `path` and takes the
    /// master's history (`replid`, `offset`). Our own replicas must resynchronize.
    /// On failure the dataset is left empty, as Redis leaves it.
    pub fn load_master_snapshot(
        &mut self,
        path: &Path,
        replid: &str,
        offset: i64,
    ) -> Result<(), String> {
        log::info!("MASTER <-> REPLICA sync: Flushing old data");
        snapshot::empty_all(&mut self.dbs, &mut self.server);
        log::info!("MASTER <-> REPLICA sync: Loading DB in memory");
        if let Err(error) = snapshot::load(&mut self.dbs, &mut self.server, path, false) {
            snapshot::empty_all(&mut self.dbs, &mut self.server);
            return Err(error);
        }
        self.take_master_history(replid, offset);
        disconnect_replicas(&mut self.server);
        if let Some(link) = self.server.master.as_mut() {
            link.applied = offset;
        }
        if self.server.config.appendonly {
            // The file describes the old dataset: rewrite it from the new one.
            if let Err(error) = aof::start_rewrite(&self.dbs, &mut self.server) {
                log::warn!("Could not rewrite the append only file after the sync: {error}");
            }
        }
        Ok(())
    }

    /// Takes the master's history: its id, no second id, its offset, and a backlog
    /// (a replica keeps one, so that its own replicas and a promotion can continue).
    fn take_master_history(&mut self, replid: &str, offset: i64) {
        let feed = &mut self.server.replication;
        feed.set_replid(replid.to_string());
        feed.set_replid2(NO_REPLID.to_string(), -1);
        feed.create_backlog(self.server.config.repl_backlog_size as usize);
        feed.set_offset(offset.max(0) as u64);
        aof::sync_recording(&mut self.server);
    }

    /// The master accepted a partial resynchronization, possibly under a new id.
    pub fn continue_with_master(&mut self, new_replid: Option<&str>) {
        if let Some(id) = new_replid.filter(|id| *id != self.server.replication.replid()) {
            shift_history(&mut self.server, id.to_string());
            disconnect_replicas(&mut self.server);
        }
        let size = self.server.config.repl_backlog_size as usize;
        self.server.replication.create_backlog(size);
        aof::sync_recording(&mut self.server);
        let offset = self.server.replication.offset() as i64;
        if let Some(link) = self.server.master.as_mut() {
            link.applied = offset;
        }
    }

    /// The master's stream now arrives on client `client`.
    pub fn master_connected(&mut self, client: u64) {
        self.set_master_link_state(LinkState::Connected);
        if let Some(link) = self.server.master.as_mut() {
            link.client = Some(client);
            link.can_continue = true;
        }
        aof::sync_recording(&mut self.server);
    }

    /// The link broke, or a connection attempt failed: the cron connects again.
    pub fn master_link_lost(&mut self) {
        let now = self.server.now_ms;
        if let Some(link) = self.server.master.as_mut() {
            link.lost(now);
        }
    }

    /// Id of the client the master's stream arrives on.
    pub fn master_client(&self) -> Option<u64> {
        self.server.master.as_ref().and_then(|link| link.client)
    }

    /// The master's client ran `args`: the applied offset moves past it, and the
    /// command goes on, as the master sent it, to our backlog and our own replicas.
    pub fn master_applied(&mut self, args: &[Bytes]) {
        if let Some(link) = self.server.master.as_mut() {
            link.applied += stream_len(args);
        }
        let mut bytes = Vec::with_capacity(stream_len(args) as usize);
        encode(&mut bytes, args);
        self.server.replication.feed_raw(&bytes);
    }

    /// The REPLCONF ACK the master asked for with GETACK, if it did.
    pub fn take_master_ack(&mut self) -> Option<Vec<u8>> {
        let link = self.server.master.as_mut()?;
        std::mem::take(&mut link.ack_requested).then(|| ack_command(link.applied))
    }

    /// The REPLCONF ACK a connected replica sends every second.
    pub fn master_ack(&self) -> Option<Vec<u8>> {
        let link = self.server.master.as_ref()?;
        link.is_up().then(|| ack_command(link.applied))
    }
}
