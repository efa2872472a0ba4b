//! REPLCONF, what a replica tells its master about itself (and acknowledges), and
//! WAIT, which blocks a client until replicas acknowledged its writes.
//!
//! A replica announces `listening-port`, `ip-address` and its capabilities before
//! PSYNC ([`super::sync`]); once attached it sends `REPLCONF ACK <offset>` every
//! second and whenever the master's stream carries `REPLCONF GETACK *`, which WAIT
//! asks for. ACK and GETACK are never answered. An acknowledgement wakes the clients
//! in WAIT, which run again and either answer or keep waiting (the blocking
//! machinery of [`crate::command::state::blocking`], on a pseudo-key).

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{c_str, one_line, CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// Redis's `NET_HOST_STR_LEN`: an announced address must be shorter.
const MAX_IP_ADDRESS_LEN: usize = 256;

/// ```text
/// REPLCONF option value [option value ...]
/// ```
/// `listening-port <port>`, `ip-address <ip>`, `capa eof|psync2` (others are
/// ignored), `rdb-only 0|1`, `rdb-filter-only "functions"|""`: `+OK`.
/// `ack <offset>` (from an attached replica) and `getack *` get no reply.
/// WAIT sent to a replica: its writes (if it takes any) are not replicated.
const ERR_WAIT_ON_REPLICA: &str = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";

fn replconf(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    for pair in args[1..].chunks_exact(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if args::is(option, "ack") {
            acknowledge(ctx, value);
            return Ok(());
        }
        if args::is(option, "getack") {
            // Only a replica answers GETACK, with an ACK to its master (the reactor
            // writes it, since nothing else the master sends is answered).
            if let Some(link) = ctx.server.master.as_mut().filter(|_| ctx.session.master) {
                link.ack_requested = true;
            }
            return Ok(());
        }
        set_option(ctx, option, value)?;
    }
    ctx.reply.ok();
    Ok(())
}

/// One `REPLCONF option value` pair that configures the link.
fn set_option(ctx: &mut Ctx<'_>, option: &[u8], value: &[u8]) -> CmdResult {
    let conf = &mut ctx.session.replconf;
    if args::is(option, "listening-port") {
        let port = parse_i64(value).ok_or(CmdError::NotInteger)?;
        // Redis keeps the port in an int.
        conf.listening_port = port as i32;
    } else if args::is(option, "ip-address") {
        if value.len() >= MAX_IP_ADDRESS_LEN {
            return Err(CmdError::raw(format!(
                "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                value.len()
            )));
        }
        conf.ip_address = Some(String::from_utf8_lossy(value).into_owned());
    } else if args::is(option, "capa") {
        if args::is(value, "eof") {
            conf.capa_eof = true;
        } else if args::is(value, "psync2") {
            conf.capa_psync2 = true;
        }
    } else if args::is(option, "rdb-only") {
        let flag = parse_i64(value).ok_or(CmdError::NotInteger)?;
        if !(0..=1).contains(&flag) {
            return Err(CmdError::raw(
                "ERR value is out of range, value must between 0 and 1",
            ));
        }
        conf.rdb_only = flag == 1;
    } else if args::is(option, "rdb-filter-only") {
        check_rdb_filter(value)?;
    } else {
        return Err(echo_error("ERR Unrecognized REPLCONF option: ", option));
    }
    Ok(())
}

/// `rdb-filter-only`: the parts of the snapshot to send, of which Redis 7.0 knows
/// only `functions`. The filter is checked, not applied: the whole snapshot is sent.
fn check_rdb_filter(value: &[u8]) -> CmdResult {
    for word in value
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
    {
        if !args::is(word, "functions") {
            return Err(echo_error("ERR Unsupported rdb-filter-only option: ", word));
        }
    }
    Ok(())
}

/// An error that ends with client bytes, printed as C's `%s` prints them (up to a
/// NUL) and kept on one line.
fn echo_error(prefix: &str, arg: &[u8]) -> CmdError {
    let mut text = prefix.as_bytes().to_vec();
    text.extend_from_slice(c_str(arg, usize::MAX));
    CmdError::raw(one_line(text))
}

/// `REPLCONF ACK <offset>`: an attached replica has processed the stream up to
/// `offset`; clients in WAIT are checked again. Ignored from anyone else.
fn acknowledge(ctx: &mut Ctx<'_>, value: &[u8]) {
    if !ctx.session.replica {
        return;
    }
    let Some(offset) = parse_i64(value) else {
        return;
    };
    let now = ctx.server.now_ms;
    if ctx.server.replication.ack(ctx.session.id, offset, now) {
        ctx.server.blocking.signal_replica_acks();
    }
}

/// A WAIT timeout that is not an integer.
const ERR_WAIT_TIMEOUT: &str = "ERR timeout is not an integer or out of range";
/// A negative WAIT timeout.
const ERR_TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// ```text
/// WAIT numreplicas timeout
/// ```
/// Blocks until `numreplicas` replicas acknowledged the client's last write, or
/// `timeout` ms passed (0: forever). Inside MULTI it answers at once.
///
/// # Returns
/// The number of replicas that acknowledged it.
fn wait(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if ctx.server.is_replica() {
        return Err(CmdError::raw(ERR_WAIT_ON_REPLICA));
    }
    let wanted = parse_i64(&args[1]).ok_or(CmdError::NotInteger)?;
    let timeout = parse_i64(&args[2]).ok_or_else(|| CmdError::raw(ERR_WAIT_TIMEOUT))?;
    if timeout < 0 {
        return Err(CmdError::raw(ERR_TIMEOUT_NEGATIVE));
    }
    let acks = ctx
        .server
        .replication
        .replicas()
        .count_acks(ctx.session.woff);
    if acks as i64 >= wanted || !ctx.may_block() {
        ctx.reply.int(acks as i64);
        return Ok(());
    }
    let retry = ctx.session.serving_key.is_some();
    let deadline = (timeout > 0)
        .then(|| ctx.now().checked_add(timeout))
        .flatten();
    ctx.block_for_replicas(deadline);
    if !retry {
        // Ask once; the acknowledgements that come back run this again.
        ctx.server.replication.request_acks();
    }
    Ok(())
}

/// WAIT's arguments.
const WAIT_ARGS: &[Arg] = &[
    Arg::new("numreplicas", ArgType::Integer),
    Arg::new("timeout", ArgType::Integer),
];

/// REPLCONF's and WAIT's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("replconf", -1, ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY, replconf)
        .docs(Group::Server.doc("Configures the link of a replica to its master (an internal replication command).", "3.0.0", "O(1)")
            .doc_flags(&["syscmd"])),
    CommandSpec::new("wait", 3, NOSCRIPT, wait)
        .acl(acl::CONNECTION)
        .tips(&["request_policy:all_shards", "response_policy:agg_min"])
        .docs(Group::Generic.doc("Blocks until replicas acknowledged the connection's writes.", "3.0.0", "O(1)")
            .args(WAIT_ARGS)),
];
