//! SYNC and PSYNC: a replica asks for the dataset and the stream of writes after it.
//!
//! PSYNC `<replid> <offset>` continues where the replica stopped when `<replid>` is
//! this server's history (or the previous one, up to where it ended) and the backlog
//! still holds `<offset>`: `+CONTINUE <replid>` and the backlog from that byte.
//! Otherwise it is a full synchronization: `+FULLRESYNC <replid> <offset>`, the
//! dataset as one RDB payload (`$<length>\r\n` and the bytes, no trailing CRLF; the
//! form every replica accepts), then the stream. SYNC, the old handshake that
//! Redis's test harness and `redis-cli --replica` use, is the same without the
//! `+FULLRESYNC` line. A replica that announced `capa eof` gets its snapshot from a
//! forked child instead, while the loop goes on ([`super::sync_child`], with
//! `repl-diskless-sync yes`, the default); otherwise the snapshot is written in the
//! loop and the replica is online at once. From then on the client's replies are
//! dropped, as a replica's are.
//!
//! The state is [`crate::command::state::replication`]; docs/ARCHITECTURE.md, "The
//! replication stream".

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{Arg, ArgType, Group};
use crate::command::core::state::{random_hex, ServerEvent, ServerState};
use crate::command::snapshot::{aof, rdb as snapshot, sync_child};
use crate::command::state::replication::jobs::Waiting;
use crate::command::state::replication::replicas::Replica;
use crate::command::state::replication::NO_REPLID;
use crate::command::state::session::ReplyMode;
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// Refused when replies to earlier commands are still waiting to be written.
const ERR_PENDING_OUTPUT: &str = "ERR SYNC and PSYNC are invalid with pending output";

/// SYNC or PSYNC sent to a replica whose own master is out of reach.
const ERR_NO_MASTER_LINK: &str = "NOMASTERLINK Can't SYNC while not connected with my master";

/// What SYNC and PSYNC check first, as Redis's `syncCommand`: a client that already is
/// a replica is ignored (`Ok(false)`); a replica whose own link is down, or a client
/// with replies still unwritten, is refused.
fn may_synchronize(ctx: &Ctx<'_>) -> Result<bool, CmdError> {
    if ctx.session.replica {
        return Ok(false);
    }
    if ctx.server.master.as_ref().is_some_and(|link| !link.is_up()) {
        return Err(CmdError::raw(ERR_NO_MASTER_LINK));
    }
    if ctx.reply.pending() > 0 {
        return Err(CmdError::raw(ERR_PENDING_OUTPUT));
    }
    Ok(true)
}

/// `SYNC` — the snapshot, then the stream of writes from this point on.
fn sync(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if !may_synchronize(ctx)? {
        return Ok(());
    }
    log::info!("Replica {} asks for synchronization", replica_name(ctx));
    full_resync(ctx, false)
}

/// ```text
/// PSYNC replicationid offset
/// ```
/// Continues the stream from `offset` when the history and the backlog allow,
/// else synchronizes fully. `?` as the id asks for a full synchronization.
fn psync(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if !may_synchronize(ctx)? {
        return Ok(());
    }
    log::info!("Replica {} asks for synchronization", replica_name(ctx));
    let Some(offset) = parse_i64(&args[2]) else {
        log::warn!(
            "Replica {} asks for synchronization but with a wrong offset",
            replica_name(ctx)
        );
        return Err(CmdError::NotInteger);
    };
    if continue_stream(ctx, &args[1], offset) {
        ctx.server.replication.stats.partial_ok += 1;
        return Ok(());
    }
    if !args[1].starts_with(b"?") {
        ctx.server.replication.stats.partial_err += 1;
    }
    full_resync(ctx, true)
}

/// The partial resynchronization, if possible: `+CONTINUE` and the backlog from
/// `offset`. False when a full one is needed.
fn continue_stream(ctx: &mut Ctx<'_>, replid: &[u8], offset: i64) -> bool {
    let name = replica_name(ctx);
    let server = &mut *ctx.server;
    let feed = &server.replication;
    let same = replid.eq_ignore_ascii_case(feed.replid().as_bytes());
    let previous = replid.eq_ignore_ascii_case(feed.replid2().as_bytes());
    if !same && (!previous || offset > feed.second_offset()) {
        if replid.starts_with(b"?") {
            log::info!("Full resync requested by replica {name}");
        } else {
            log::info!(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                String::from_utf8_lossy(replid),
                feed.replid(),
                feed.replid2()
            );
        }
        return false;
    }
    // Writes recorded but not yet in the stream (keys expired by the cron) go in
    // first, so that the backlog is complete.
    server.replicate_recorded();
    let feed = &server.replication;
    let backlog = u64::try_from(offset)
        .ok()
        .and_then(|at| Some((at, feed.backlog()?.read_from(at)?)));
    let Some((_, (first, second))) = backlog else {
        log::info!("Unable to partial resync with replica {name} for lack of backlog (Replica request was: {offset}).");
        return false;
    };
    let line = if ctx.session.replconf.capa_psync2 {
        format!("+CONTINUE {}\r\n", feed.replid())
    } else {
        "+CONTINUE\r\n".to_string()
    };
    ctx.reply.raw(line.as_bytes());
    ctx.reply.raw(first);
    ctx.reply.raw(second);
    log::info!(
        "Partial resynchronization request from {name} accepted. Sending {} bytes of backlog starting from offset {offset}.",
        first.len() + second.len()
    );
    become_replica(ctx, false, false);
    true
}

/// The full synchronization: `+FULLRESYNC` (for PSYNC), the snapshot, then the
/// stream. The first replica creates the backlog, with a new history.
fn full_resync(ctx: &mut Ctx<'_>, psync: bool) -> CmdResult {
    ctx.server.replication.stats.full += 1;
    start_backlog(ctx.server);
    if psync && ctx.session.replconf.capa_eof && sync_child::diskless(ctx.server) {
        // A forked child writes the snapshot into the socket; the loop goes on.
        let waiting = Waiting {
            replica: replica_record(ctx, false),
            fd: ctx.session.fd,
            psync,
            rdb_only: ctx.session.replconf.rdb_only,
        };
        ctx.session.replica = true;
        ctx.session.reply_mode = ReplyMode::Off;
        ctx.session.output_held = true;
        sync_child::request(ctx.dbs, ctx.server, waiting);
        return Ok(());
    }
    // Writes already made are in the snapshot: they enter the stream (and the
    // append-only file) now, so the new replica does not get them again.
    aof::flush(ctx.server);
    let payload = snapshot::to_bytes(ctx.dbs, ctx.server).map_err(|e| {
        log::warn!("SYNC: could not write the snapshot: {e}");
        CmdError::raw("ERR could not write the snapshot for SYNC")
    })?;
    let feed = &ctx.server.replication;
    if psync {
        let line = format!("+FULLRESYNC {} {}\r\n", feed.replid(), feed.offset());
        ctx.reply.raw(line.as_bytes());
    }
    log::info!(
        "Sending {} bytes of snapshot to replica {}",
        payload.len(),
        replica_name(ctx)
    );
    let header = format!("${}\r\n", payload.len());
    ctx.reply.raw(header.as_bytes());
    ctx.reply.raw(&payload);
    ctx.session.snapshot_unsent = ctx.reply.pending();
    if ctx.session.replconf.rdb_only {
        log::info!(
            "RDB transfer completed, rdb only replica ({}) should be disconnected asap",
            replica_name(ctx)
        );
        ctx.session.close_after_reply = true;
        ctx.session.reply_mode = ReplyMode::Off;
        return Ok(());
    }
    become_replica(ctx, true, !psync);
    Ok(())
}

/// Creates the backlog if there is none, with a new history (there is no valid past
/// one), as Redis does when its first replica arrives.
fn start_backlog(server: &mut ServerState) {
    if server.replication.is_active() {
        return;
    }
    let replid = random_hex(&mut server.rng);
    server.replication.set_replid(replid);
    server.replication.set_replid2(NO_REPLID.to_string(), -1);
    let size = usize::try_from(server.config.repl_backlog_size).unwrap_or(usize::MAX);
    server.replication.create_backlog(size);
    log::info!(
        "Replication backlog created, my new replication IDs are '{}' and '{}'",
        server.replication.replid(),
        server.replication.replid2()
    );
    aof::sync_recording(server);
}

/// Attaches the client as an online replica: it gets the stream from now on and
/// its replies are dropped. `pre_psync`: it came with SYNC and will not acknowledge.
fn become_replica(ctx: &mut Ctx<'_>, after_snapshot: bool, pre_psync: bool) {
    let replica = replica_record(ctx, pre_psync);
    let now = ctx.server.now_ms;
    ctx.server.replication.attach(replica, after_snapshot, now);
    ctx.session.replica = true;
    ctx.session.reply_mode = ReplyMode::Off;
}

/// The client's record as a replica: its address and what it announced.
fn replica_record(ctx: &Ctx<'_>, pre_psync: bool) -> Replica {
    let session = &*ctx.session;
    let conf = session.replconf.clone();
    let ip = match &conf.ip_address {
        Some(ip) => ip.clone(),
        None => peer_ip(&session.addr).to_string(),
    };
    let mut replica = Replica::new(session.id, ip, conf, ctx.server.now_ms / 1000);
    replica.pre_psync = pre_psync;
    replica
}

/// The IP part of a peer address `ip:port` (`[ip]:port` for IPv6).
fn peer_ip(addr: &str) -> &str {
    let ip = addr.rsplit_once(':').map_or(addr, |(ip, _)| ip);
    ip.trim_start_matches('[').trim_end_matches(']')
}

/// How logs name a replica: `ip:port` with its announced address and port.
fn replica_name(ctx: &Ctx<'_>) -> String {
    let conf = &ctx.session.replconf;
    let ip = conf
        .ip_address
        .clone()
        .unwrap_or_else(|| peer_ip(&ctx.session.addr).to_string());
    match conf.listening_port {
        0 => format!("{ip}:<unknown-replica-port>"),
        port => format!("{ip}:{port}"),
    }
}

/// The periodic duties of a master (Redis's `replicationCron`): the backlog takes a
/// new `repl-backlog-size`, is freed `repl-backlog-ttl` seconds after the last
/// replica left, and replicas silent for `repl-timeout` seconds are disconnected.
pub fn cron(server: &mut ServerState) {
    if !server.replication.is_active() {
        return;
    }
    let config = &server.config;
    let size = usize::try_from(config.repl_backlog_size).unwrap_or(usize::MAX);
    // A replica keeps its backlog: its master's history must stay continuable.
    let ttl = if server.is_replica() {
        0
    } else {
        config.repl_backlog_ttl
    };
    let timeout = config.repl_timeout;
    server.replication.resize_backlog(size);
    let rng = &mut server.rng;
    let now = server.now_ms;
    let silent = server
        .replication
        .cron(now, ttl, timeout, || random_hex(rng));
    for id in silent {
        log::warn!("Disconnecting timedout replica (streaming sync): client id #{id}");
        server.events.push(ServerEvent::KillClient(id));
    }
    if !server.replication.is_active() {
        aof::sync_recording(server);
    }
}

/// PSYNC's arguments.
const PSYNC_ARGS: &[Arg] = &[
    Arg::new("replicationid", ArgType::String),
    Arg::new("offset", ArgType::Integer),
];

/// SYNC's and PSYNC's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sync", 1, NO_ASYNC_LOADING | ADMIN | NO_MULTI | NOSCRIPT, sync)
        .docs(Group::Server.doc("Starts reading the replication stream (an internal replication command).", "1.0.0", "")),
    CommandSpec::new("psync", -3, NO_ASYNC_LOADING | ADMIN | NO_MULTI | NOSCRIPT, psync)
        .docs(Group::Server.doc("Continues or starts reading the replication stream (an internal replication command).", "2.8.0", "").args(PSYNC_ARGS)),
];

#[cfg(test)]
mod tests {
    use super::peer_ip;

    #[test]
    fn the_peer_ip_drops_the_port() {
        assert_eq!(peer_ip("127.0.0.1:6379"), "127.0.0.1");
        assert_eq!(peer_ip("[::1]:6379"), "::1");
    }
}
