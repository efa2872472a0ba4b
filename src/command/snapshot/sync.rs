//! SYNC: the old replication handshake, served as far as a client that only reads
//! needs it. The client gets the dataset as one RDB payload (`$<length>\r\n` and the
//! bytes, no trailing CRLF), then the replication stream: every write as the server
//! propagates it ([`crate::command::state::replication`]). Its own commands run but
//! are not answered, as a replica's are not. Redis's test harness reads the stream
//! this way, and so does `redis-cli --replica`. PSYNC, REPLCONF and real replicas are
//! not served.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::Group;
use crate::command::snapshot::{aof, rdb as snapshot};
use crate::command::state::session::ReplyMode;
use crate::error::{CmdError, CmdResult};

/// `SYNC` — the snapshot, then the stream of writes from this point on.
fn sync(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.session.replica {
        return Ok(());
    }
    // Writes already made but not yet handed on are in the snapshot: hand them to
    // the append-only file now, so the new reader does not get them again.
    aof::flush(ctx.server);
    let payload = snapshot::to_bytes(ctx.dbs, ctx.server).map_err(|e| {
        log::warn!("SYNC: could not write the snapshot: {e}");
        CmdError::raw("ERR could not write the snapshot for SYNC")
    })?;
    log::info!(
        "Replica {} asks for synchronization; sending {} bytes of snapshot",
        ctx.session.addr,
        payload.len()
    );
    ctx.reply.raw(format!("${}\r\n", payload.len()).as_bytes());
    ctx.reply.raw(&payload);
    ctx.session.replica = true;
    ctx.session.reply_mode = ReplyMode::Off;
    ctx.server
        .replication
        .attach(ctx.session.id, ctx.server.now_ms);
    aof::sync_recording(ctx.server);
    Ok(())
}

/// SYNC's table entry.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sync", 1, NO_ASYNC_LOADING | ADMIN | NO_MULTI | NOSCRIPT, sync)
        .docs(Group::Server.doc("Starts reading the replication stream (an internal replication command).", "1.0.0", "")),
];
