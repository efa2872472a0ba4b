//! MONITOR: clients that receive a line for every command the server runs.
//!
//! After a command runs, the dispatcher formats it once ([`Monitors::feed`]); the
//! reactor copies each queued line to every monitoring client before it sleeps.
//! Administrative commands are never shown, and credentials are redacted.

use bytes::Bytes;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Group};
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
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("monitor", 1, ADMIN | NOSCRIPT | LOADING | STALE, monitor)
        .acl(acl::ADMIN | acl::DANGEROUS)
        .docs(Group::Server.doc("Streams every command the server runs, as it runs.", "1.0.0", "")),
];
