//! Full synchronizations without a stall: a forked child writes `+FULLRESYNC`, the
//! snapshot and its end mark (`$EOF:<mark>`) straight into the replicas' sockets,
//! while the loop goes on serving and holds the stream for them in their output
//! buffers. It is how Redis 7.0 serves replicas by default (`repl-diskless-sync
//! yes`), with the child writing to the sockets itself as Redis did before 6.0. Only
//! replicas that announced `capa eof` are served this way; the others (SYNC readers)
//! get the snapshot written in the loop ([`super::sync`]).
//!
//! One child runs at a time: replicas arriving while any child works (a BGSAVE, an
//! AOF rewrite, another synchronization) wait for the next one, which serves all of
//! them together. Each is attached to the stream at the fork, so that it gets exactly
//! the writes after the snapshot.

use crate::command::core::state::{random_hex, ServerEvent, ServerState};
use crate::command::snapshot::{aof, rdb};
use crate::command::state::replication::jobs::{Running, Waiting};
use crate::persistence::fanout::Fanout;
use crate::persistence::fork::fork_child_keeping;
use crate::store::Db;

/// Whether `repl-diskless-sync` asks for synchronizations through a child.
pub fn diskless(server: &ServerState) -> bool {
    crate::config::find_param("repl-diskless-sync")
        .is_some_and(|param| (param.get)(&server.config) == "yes")
}

/// Queues a replica for the next child, and starts it if no child runs.
pub fn request(dbs: &[Db], server: &mut ServerState, waiting: Waiting) {
    server.replication.jobs.waiting.push(waiting);
    start_if_idle(dbs, server);
}

/// Forks a child for the replicas waiting, unless another child runs.
pub fn start_if_idle(dbs: &[Db], server: &mut ServerState) {
    if server.replication.jobs.waiting.is_empty() || server.child_active() {
        return;
    }
    // Writes already made are in the snapshot: they enter the stream now, before the
    // offset the replicas start from is taken.
    aof::flush(server);
    let waiting = std::mem::take(&mut server.replication.jobs.waiting);
    let mark = random_hex(&mut server.rng);
    let headers: Vec<String> = waiting.iter().map(|w| header(server, w, &mark)).collect();
    let fds: Vec<i32> = waiting.iter().map(|w| w.fd).collect();
    let count = fds.len();
    let keep = fds.clone();
    let timeout_ms =
        i32::try_from(server.config.repl_timeout.saturating_mul(1000)).unwrap_or(i32::MAX);
    let snapshot_of: &ServerState = server;
    let child = fork_child_keeping(&keep, || {
        let mut out = Fanout::new(fds, timeout_ms);
        for (index, header) in headers.iter().enumerate() {
            out.write_one(index, header.as_bytes());
        }
        let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut out);
        let written = rdb::write_payload(dbs, snapshot_of, &mut buffered)
            .and_then(|()| std::io::Write::flush(&mut buffered));
        drop(buffered);
        let complete =
            written.is_ok() && std::io::Write::write_all(&mut out, mark.as_bytes()).is_ok();
        // A replica cut off halfway would take the stream for snapshot bytes: any
        // failure fails them all, and they synchronize again.
        complete && (0..count).all(|index| out.is_alive(index))
    });
    let child = match child {
        Ok(child) => child,
        Err(error) => {
            log::warn!("Can't fork for the replicas' synchronization: {error}");
            let ids = waiting.iter().map(|w| w.replica.id);
            server.events.extend(ids.map(ServerEvent::KillClient));
            return;
        }
    };
    log::info!(
        "Starting BGSAVE for SYNC with target: replicas sockets (pid {})",
        child.pid()
    );
    rdb::child_started();
    attach_all(server, waiting, child);
}

/// `+FULLRESYNC <replid> <offset>` (for PSYNC) and `$EOF:<mark>`, as of the fork.
fn header(server: &ServerState, waiting: &Waiting, mark: &str) -> String {
    let feed = &server.replication;
    let resync = if waiting.psync {
        format!("+FULLRESYNC {} {}\r\n", feed.replid(), feed.offset())
    } else {
        String::new()
    };
    format!("{resync}$EOF:{mark}\r\n")
}

/// The replicas join the stream at the fork; the child's record.
fn attach_all(
    server: &mut ServerState,
    waiting: Vec<Waiting>,
    child: crate::persistence::fork::ForkedChild,
) {
    let now = server.now_ms;
    let mut running = Running {
        child,
        replicas: Vec::new(),
        rdb_only: Vec::new(),
    };
    for job in waiting {
        let id = job.replica.id;
        running.replicas.push(id);
        if job.rdb_only {
            running.rdb_only.push(id);
        } else {
            server.replication.attach(job.replica, true, now);
        }
    }
    server.rdb.total_forks += 1;
    server.replication.jobs.running = Some(running);
}

/// The cron's part: when the child is done, the replicas' held output (the stream
/// since the fork) goes out, or they are closed if it failed; then the next child.
pub fn cron(dbs: &[Db], server: &mut ServerState) {
    let exit = match server.replication.jobs.running.as_mut() {
        Some(running) => running.child.try_wait(),
        None => None,
    };
    if let Some(exit) = exit {
        if let Some(running) = server.replication.jobs.running.take() {
            rdb::child_ended();
            finish(server, running, exit.success);
        }
    }
    start_if_idle(dbs, server);
}

/// Releases (or closes) the replicas a finished child served.
fn finish(server: &mut ServerState, running: Running, success: bool) {
    if success {
        log::info!("Background RDB transfer terminated with success");
    } else {
        log::warn!("Background transfer error");
    }
    for id in running.replicas {
        let event = if success && !running.rdb_only.contains(&id) {
            ServerEvent::ReleaseOutput(id)
        } else {
            ServerEvent::KillClient(id)
        };
        server.events.push(event);
    }
}

/// Stops the child (SHUTDOWN): its replicas are closed with everyone else.
pub fn kill(server: &mut ServerState) {
    if let Some(running) = server.replication.jobs.running.take() {
        let _ = running.child.kill();
        rdb::child_ended();
    }
}
