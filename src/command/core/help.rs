//! The HELP reply every container command shares (CONFIG HELP, CLIENT HELP, ...), so
//! that a container declares only its lines and not a handler of its own.
//!
//! A container's table names its HELP entry's handler as a one-line closure over its
//! lines, which coerces to a plain [`Handler`](super::command::Handler):
//!
//! ```ignore
//! CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, CONFIG_HELP))
//! ```

use crate::command::core::command::Ctx;
use crate::error::CmdResult;

/// Answers HELP with `lines`: the usage line, then each subcommand and its
/// explanation, ending with HELP itself, each line a status string. DEBUG, which parses
/// its subcommands itself, calls it from its handler.
pub fn reply(ctx: &mut Ctx<'_>, lines: &[&str]) -> CmdResult {
    ctx.reply.array_len(lines.len());
    for line in lines {
        ctx.reply.simple(line.as_bytes());
    }
    Ok(())
}
