//! SLOWLOG: the log of commands that ran longer than `slowlog-log-slower-than` µs,
//! newest first, at most `slowlog-max-len` entries.
//!
//! Each entry keeps a trimmed copy of the command line (at most 32 arguments, each at
//! most 128 bytes, with a note saying how much was cut) so that a huge MSET cannot make
//! the log hold the dataset twice.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::command::introspection::write_help;
use crate::command::table::{acl, container_handler, flags::*, Arg, ArgType, CommandSpec, Docs};
use crate::command::{Ctx, Session};
use crate::error::{CmdError, CmdResult};

/// Arguments kept per entry; past it the last kept one says how many were dropped.
const MAX_ARGS: usize = 32;

/// Bytes kept per argument; past it the argument ends with how many were dropped.
const MAX_ARG_LEN: usize = 128;

/// Entries SLOWLOG GET returns without a count.
const DEFAULT_GET: usize = 10;

/// One slow command.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Increasing id, never reused (not even after RESET).
    pub id: u64,
    /// Unix time (s) the command finished.
    pub time: i64,
    /// How long it ran, µs.
    pub duration: u64,
    /// The trimmed command line.
    pub args: Vec<Bytes>,
    /// `ip:port` of the client.
    pub addr: String,
    /// The client's name, empty if none.
    pub name: Bytes,
}

/// The slow log: newest entry first.
#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// `arg` cut to [`MAX_ARG_LEN`] bytes with a note of what was dropped.
fn trim_arg(arg: &Bytes) -> Bytes {
    if arg.len() <= MAX_ARG_LEN {
        return arg.clone();
    }
    let mut cut = arg[..MAX_ARG_LEN].to_vec();
    cut.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_ARG_LEN).as_bytes());
    Bytes::from(cut)
}

impl SlowLog {
    /// Adds an entry for `args`, dropping the oldest past `max_len`.
    pub fn push(
        &mut self,
        args: &[Bytes],
        duration: u64,
        time: i64,
        session: &Session,
        max_len: usize,
    ) {
        let mut kept: Vec<Bytes> = args.iter().take(MAX_ARGS).map(trim_arg).collect();
        if args.len() > MAX_ARGS {
            let more = args.len() - MAX_ARGS + 1;
            kept[MAX_ARGS - 1] = Bytes::from(format!("... ({more} more arguments)"));
        }
        self.entries.push_front(Entry {
            id: self.next_id,
            time,
            duration,
            args: kept,
            addr: session.addr.clone(),
            name: session.name.clone().unwrap_or_default(),
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every entry (ids keep increasing).
    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Entries, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

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
        Some(arg) => match crate::command::args::int(arg) {
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

/// `SLOWLOG HELP`
fn slowlog_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    write_help(&mut ctx.reply, HELP);
    Ok(())
}

const ADMIN_FLAGS: u32 = ADMIN | LOADING | STALE;
const ADMIN_ACL: u32 = acl::DANGEROUS;

const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::keyed(
        "help",
        2,
        LOADING | STALE,
        0,
        (0, 0, 0),
        &[],
        &[],
        slowlog_help,
        Docs::new(
            crate::command::table::Group::Server,
            "Lists the SLOWLOG subcommands.",
            "6.2.0",
            "O(1)",
            &[],
        ),
    ),
    CommandSpec::keyed(
        "get",
        -2,
        ADMIN_FLAGS,
        ADMIN_ACL,
        (0, 0, 0),
        &[],
        &["request_policy:all_nodes", "nondeterministic_output"],
        slowlog_get,
        Docs {
            history: &[(
                "4.0.0",
                "Added client IP address, port and name to the reply.",
            )],
            ..Docs::new(
                crate::command::table::Group::Server,
                "Returns the newest slow log entries.",
                "2.2.12",
                "O(N) where N is the number of entries returned",
                &[Arg::new("count", ArgType::Integer).optional()],
            )
        },
    ),
    CommandSpec::keyed(
        "reset",
        2,
        ADMIN_FLAGS,
        ADMIN_ACL,
        (0, 0, 0),
        &[],
        &["request_policy:all_nodes", "response_policy:all_succeeded"],
        slowlog_reset,
        Docs::new(
            crate::command::table::Group::Server,
            "Empties the slow log.",
            "2.2.12",
            "O(N) where N is the number of entries in the slowlog",
            &[],
        ),
    ),
    CommandSpec::keyed(
        "len",
        2,
        ADMIN_FLAGS,
        ADMIN_ACL,
        (0, 0, 0),
        &[],
        &[
            "request_policy:all_nodes",
            "response_policy:agg_sum",
            "nondeterministic_output",
        ],
        slowlog_len,
        Docs::new(
            crate::command::table::Group::Server,
            "Counts the slow log entries.",
            "2.2.12",
            "O(1)",
            &[],
        ),
    ),
];

/// The SLOWLOG container's table entry.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    subcommands: SUBCOMMANDS,
    ..CommandSpec::keyed(
        "slowlog",
        -2,
        0,
        0,
        (0, 0, 0),
        &[],
        &[],
        container_handler,
        Docs::new(
            crate::command::table::Group::Server,
            "A container for slow log commands.",
            "2.2.12",
            "Depends on subcommand.",
            &[],
        ),
    )
}];
