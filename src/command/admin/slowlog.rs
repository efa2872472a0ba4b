//! SLOWLOG: the log of commands that ran longer than `slowlog-log-slower-than` µs,
//! newest first, at most `slowlog-max-len` entries.
//!
//! Each entry keeps a trimmed copy of the command line (at most 32 arguments, each at
//! most 128 bytes, with a note saying how much was cut) so that a huge MSET cannot make
//! the log hold the dataset twice.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{CmdError, CmdResult};

/// Entries SLOWLOG GET returns without a count.
const DEFAULT_GET: usize = 10;

/// `SLOWLOG GET [count]` — the newest `count` entries (10 by default, -1 for all), each
/// `[id, time, µs, [args...], addr, name]`.
fn slowlog_get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        let text = format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try SLOWLOG HELP.",
            String::from_utf8_lossy(&args[1])
        );
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    }
    let count = match args.get(2) {
        None => DEFAULT_GET,
        Some(arg) => match crate::command::core::args::int(arg) {
            Ok(-1) => usize::MAX,
            Ok(n) if n >= 0 => n as usize,
            _ => {
                return Err(CmdError::raw(
                    "ERR count should be greater than or equal to -1",
                ))
            }
        },
    };
    let log = &ctx.server.admin.slowlog;
    let reply = &mut ctx.reply;
    reply.array_len(log.len().min(count));
    for entry in log.iter().take(count) {
        reply.array_len(6);
        reply.int(entry.id as i64);
        reply.int(entry.time);
        reply.int(entry.duration as i64);
        reply.array_len(entry.args.len());
        for arg in &entry.args {
            reply.bulk(arg);
        }
        reply.bulk(entry.addr.as_bytes());
        reply.bulk(&entry.name);
    }
    Ok(())
}

/// `SLOWLOG LEN`
fn slowlog_len(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.server.admin.slowlog.len() as i64);
    Ok(())
}

/// `SLOWLOG RESET`
fn slowlog_reset(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.server.admin.slowlog.reset();
    ctx.reply.ok();
    Ok(())
}

/// The SLOWLOG container's table entry.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("slowlog", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("A container for slow log commands.", "2.2.12", "Depends on subcommand.")),
];

/// SLOWLOG's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Server.doc("Lists the SLOWLOG subcommands.", "6.2.0", "O(1)")),
    CommandSpec::new("get", -2, ADMIN | LOADING | STALE, slowlog_get)
        .acl(acl::DANGEROUS)
        .tips(&["request_policy:all_nodes", "nondeterministic_output"])
        .docs(Group::Server.doc("Returns the newest slow log entries.", "2.2.12", "O(N) where N is the number of entries returned")
            .history(&[("4.0.0", "Added client IP address, port and name to the reply.")])
            .args(&[Arg::new("count", ArgType::Integer).optional()])),
    CommandSpec::new("reset", 2, ADMIN | LOADING | STALE, slowlog_reset)
        .acl(acl::DANGEROUS)
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .docs(Group::Server.doc("Empties the slow log.", "2.2.12", "O(N) where N is the number of entries in the slowlog")),
    CommandSpec::new("len", 2, ADMIN | LOADING | STALE, slowlog_len)
        .acl(acl::DANGEROUS)
        .tips(&["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"])
        .docs(Group::Server.doc("Counts the slow log entries.", "2.2.12", "O(1)")),
];

/// Lines of SLOWLOG HELP.
const HELP: &[&str] = &[
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return the <count> newest entries of the slow log (default: 10, -1 for all).",
    "    Each entry holds:",
    "    id, timestamp, duration in microseconds, arguments, client address and port,",
    "    client name",
    "LEN",
    "    Return the number of entries in the slow log.",
    "RESET",
    "    Empty the slow log.",
    "HELP",
    "    Print this help.",
];
