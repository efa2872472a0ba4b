//! MONITOR: clients that receive a line for every command the server runs.
//!
//! After a command runs, the dispatcher formats it once ([`Monitors::feed`]); the
//! reactor copies each queued line to every monitoring client before it sleeps.
//! Administrative commands are never shown, and credentials are redacted.

use bytes::Bytes;

use crate::command::core::spec::{acl, Docs, Group};

use crate::command::core::spec::flags::*;

use crate::command::core::command::CommandSpec;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};

/// `MONITOR` — turns the connection into a monitor. A second MONITOR is ignored
/// silently; inside MULTI it is refused.
fn monitor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.session.in_exec {
        return Err(CmdError::raw(
            "ERR MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    if ctx.session.monitor {
        return Ok(());
    }
    ctx.session.monitor = true;
    ctx.server.monitors.add(ctx.session.id);
    ctx.reply.ok();
    Ok(())
}

/// The family's table entries.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "monitor",
    arity: 1,
    flags: ADMIN | NOSCRIPT | LOADING | STALE,
    acl: acl::ADMIN | acl::DANGEROUS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    key_specs: &[],
    tips: &[],
    handler: monitor,
    subcommands: &[],
    docs: Docs {
        complexity: "",
        ..Docs::new(
            Group::Server,
            "Streams every command the server runs, as it runs.",
            "1.0.0",
            "",
            &[],
        )
    },
}];
