//! Commands about the server process itself: TIME, LASTSAVE, SHUTDOWN, and INFO's
//! table entry (INFO's report is long enough to have its own module, `info`).

use bytes::Bytes;

use crate::command::snapshot::rdb::Failed;
use crate::command::snapshot::shutdown;

use crate::command::admin::info::info;
use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::command::core::state::ServerEvent;
use crate::error::{CmdError, CmdResult};

const ERR_NO_SHUTDOWN: &str = "ERR No shutdown in progress.";

/// `TIME` — the server clock as `[seconds, microseconds]` bulk strings.
fn time(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let us = ctx.server.now_us;
    ctx.reply.array_len(2);
    ctx.reply.bulk_int(us.div_euclid(1_000_000));
    ctx.reply.bulk_int(us.rem_euclid(1_000_000));
    Ok(())
}

/// `SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]` — saves when asked (or, by
/// default, when save points exist), then stops the server once pending replies are
/// written. A failed save keeps the server running unless FORCE. There are no
/// replicas to wait for, so a shutdown is never pending and ABORT always fails.
fn shutdown(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (mut nosave, mut save, mut force, mut now, mut abort) = (false, false, false, false, false);
    for arg in &args[1..] {
        match arg {
            a if args::is(a, "NOSAVE") => nosave = true,
            a if args::is(a, "SAVE") => save = true,
            a if args::is(a, "NOW") => now = true,
            a if args::is(a, "FORCE") => force = true,
            a if args::is(a, "ABORT") => abort = true,
            _ => return Err(CmdError::Syntax),
        }
    }
    if (abort && (nosave || save || now || force)) || (nosave && save) {
        return Err(CmdError::Syntax);
    }
    if abort {
        return Err(CmdError::raw(ERR_NO_SHUTDOWN));
    }
    let choice = if nosave {
        Some(false)
    } else {
        save.then_some(true)
    };
    shutdown::prepare_shutdown(ctx.dbs, ctx.server, choice, force)
        .map_err(|Failed| CmdError::raw("ERR Errors trying to SHUTDOWN. Check logs."))?;
    ctx.server.events.push(ServerEvent::Shutdown);
    Ok(())
}

/// `LASTSAVE` — the unix time of the last successful save; with nothing ever saved,
/// the start time, as Redis reports.
fn lastsave(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.server.rdb.lastsave);
    Ok(())
}

/// The process commands' table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("time", 1, LOADING | STALE | FAST, time)
        .tips(&["nondeterministic_output"])
        .docs(Group::Server.doc("Reads the server clock.", "2.6.0", "O(1)")),
    CommandSpec::new("info", -1, LOADING | STALE, info)
        .acl(acl::DANGEROUS)
        .tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .docs(Group::Server.doc("Reports server information and statistics.", "1.0.0", "O(1)")
            .history(&[("7.0.0", "Added support for taking multiple section arguments.")])
            .args(&[Arg::new("section", ArgType::String).optional().multiple()])),
    CommandSpec::new("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, shutdown)
        .docs(Group::Server.doc("Stops the server.", "1.0.0", SHUTDOWN_COST)
            .history(&[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")])
            .args(SHUTDOWN_ARGS)),
    CommandSpec::new("lastsave", 1, LOADING | STALE | FAST, lastsave)
        .acl(acl::ADMIN | acl::DANGEROUS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Server.doc("Reads the unix time of the last successful save.", "1.0.0", "O(1)")),
];

const SHUTDOWN_COST: &str = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)";
const SHUTDOWN_ARGS: &[Arg] = &[
    Arg::one_of(
        "nosave_save",
        &[Arg::token("nosave", "NOSAVE"), Arg::token("save", "SAVE")],
    )
    .optional(),
    Arg::token("now", "NOW").since("7.0.0").optional(),
    Arg::token("force", "FORCE").since("7.0.0").optional(),
    Arg::token("abort", "ABORT").since("7.0.0").optional(),
];
