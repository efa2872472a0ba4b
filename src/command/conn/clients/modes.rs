//! CLIENT subcommands that set modes of the calling connection: REPLY, NO-EVICT and
//! NO-TOUCH (the tracking modes are in `conn::tracking`).

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::state::session::ReplyMode;
use crate::error::{CmdError, CmdResult};

/// `CLIENT REPLY ON|OFF|SKIP` — turns the caller's replies off, back on, or off for
/// the next command only. Only ON answers (OFF and SKIP are themselves silent).
pub(super) fn client_reply(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mode = &args[2];
    if args::is(mode, "ON") {
        ctx.session.reply_mode = ReplyMode::On;
        ctx.reply.ok();
    } else if args::is(mode, "OFF") {
        ctx.session.reply_mode = ReplyMode::Off;
    } else if args::is(mode, "SKIP") {
        if ctx.session.reply_mode != ReplyMode::Off {
            ctx.session.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CmdError::Syntax);
    }
    Ok(())
}

/// Parses an `ON|OFF` switch.
fn on_off(arg: &[u8]) -> CmdResult<bool> {
    if args::is(arg, "ON") {
        Ok(true)
    } else if args::is(arg, "OFF") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

/// `CLIENT NO-EVICT ON|OFF` — exempts the connection from client eviction.
pub(super) fn client_no_evict(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.session.no_evict = on_off(&args[2])?;
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT NO-TOUCH ON|OFF` (Redis 7.2) — the connection's reads stop updating keys'
/// access time (LRU/LFU); TOUCH still does.
pub(super) fn client_no_touch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.session.no_touch = on_off(&args[2])?;
    ctx.reply.ok();
    Ok(())
}
