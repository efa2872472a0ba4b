//! CLIENT subcommands that act on other connections: KILL closes them, UNBLOCK ends
//! their blocking command, PAUSE and UNPAUSE hold back and release their commands.
//!
//! Other clients are read through [`crate::command::state::directory`]; what happens to
//! them is recorded as [`ServerEvent`]s for the reactor.

use bytes::Bytes;

use super::list::parse_type;
use crate::command::core::args;
use crate::command::core::client_info::caller_view;
use crate::command::core::command::Ctx;
use crate::command::core::state::ServerEvent;
use crate::command::state::acl::{AclState, UserId};
use crate::command::state::directory;
use crate::command::state::directory::{ClientType, ClientView};
use crate::command::state::pause::PauseMode;
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// The filters of `CLIENT KILL`'s option form; every one given must match.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    kind: Option<ClientType>,
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    user: Option<UserId>,
    skip_me: bool,
}

impl KillFilter {
    /// Parses `option value` pairs; SKIPME defaults to yes. Users are looked up in
    /// `acl`.
    fn parse(options: &[Bytes], acl: &AclState) -> CmdResult<KillFilter> {
        let mut filter = KillFilter {
            skip_me: true,
            ..KillFilter::default()
        };
        for pair in options.chunks(2) {
            let [option, value] = pair else {
                return Err(CmdError::Syntax);
            };
            if args::is(option, "ID") {
                match parse_i64(value) {
                    Some(id) if id > 0 => filter.id = Some(id as u64),
                    _ => return Err(CmdError::raw("ERR client-id should be greater than 0")),
                }
            } else if args::is(option, "TYPE") {
                filter.kind = Some(parse_type(value)?);
            } else if args::is(option, "ADDR") {
                filter.addr = Some(value.clone());
            } else if args::is(option, "LADDR") {
                filter.laddr = Some(value.clone());
            } else if args::is(option, "USER") {
                let Some((id, _)) = acl.find(value) else {
                    let text = format!("ERR No such user '{}'", String::from_utf8_lossy(value));
                    return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
                };
                filter.user = Some(id);
            } else if args::is(option, "SKIPME") {
                filter.skip_me = if args::is(value, "YES") {
                    true
                } else if args::is(value, "NO") {
                    false
                } else {
                    return Err(CmdError::Syntax);
                };
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(filter)
    }

    /// True when `view` matches every filter given; `caller` is the calling client.
    fn matches(&self, view: &ClientView<'_>, caller: u64) -> bool {
        let session = view.session;
        !(self.skip_me && session.id == caller)
            && self.id.is_none_or(|id| id == session.id)
            && self.kind.is_none_or(|kind| kind == ClientType::of(session))
            && self
                .addr
                .as_ref()
                .is_none_or(|a| a[..] == *session.addr.as_bytes())
            && (self.laddr.as_ref()).is_none_or(|a| a[..] == *session.local_addr.as_bytes())
            && self.user.is_none_or(|user| user == session.user)
    }
}

/// `CLIENT KILL ip:port` or `CLIENT KILL <option value> ...` — closes matching
/// connections. The old form replies OK (or an error when nobody matched); the option
/// form replies how many were closed. The caller, when killed, gets its reply first.
pub(super) fn client_kill(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let old_form = args.len() == 3;
    let filter = if old_form {
        KillFilter {
            addr: Some(args[2].clone()),
            skip_me: false,
            ..KillFilter::default()
        }
    } else {
        KillFilter::parse(&args[2..], &ctx.server.acl)?
    };
    let caller = ctx.session.id;
    let mut victims = Vec::new();
    for view in directory::all_clients(ctx.clients, caller_view(ctx)) {
        if filter.matches(&view, caller) {
            victims.push(view.session.id);
        }
    }
    for &id in &victims {
        if id == caller {
            ctx.session.close_after_reply = true;
        } else {
            ctx.server.events.push(ServerEvent::KillClient(id));
        }
    }
    if old_form {
        if victims.is_empty() {
            return Err(CmdError::raw("ERR No such client"));
        }
        ctx.reply.ok();
    } else {
        ctx.reply.int(victims.len() as i64);
    }
    Ok(())
}

/// `CLIENT UNBLOCK id [TIMEOUT|ERROR]` — ends another client's blocking command, as if
/// its timeout passed or with an error. Replies 1 if that client was blocked.
pub(super) fn client_unblock(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 4 {
        return Err(CmdError::subcommand_syntax("client", &args[1]));
    }
    let id = args::int(&args[2])?;
    let error = match args.get(3) {
        None => false,
        Some(reason) if args::is(reason, "TIMEOUT") => false,
        Some(reason) if args::is(reason, "ERROR") => true,
        Some(_) => {
            return Err(CmdError::raw(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
    };
    let blocked = ctx
        .clients
        .others()
        .iter()
        .any(|view| view.session.id as i64 == id && view.session.blocked.is_some());
    if blocked {
        ctx.server.events.push(ServerEvent::UnblockClient {
            id: id as u64,
            error,
        });
    }
    ctx.reply.int(i64::from(blocked));
    Ok(())
}

/// `CLIENT PAUSE timeout [WRITE|ALL]` — holds back every client's commands (or only
/// those that write) for `timeout` ms. A longer or stricter pause already running wins.
pub(super) fn client_pause(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 4 {
        return Err(CmdError::subcommand_syntax("client", &args[1]));
    }
    let timeout = parse_i64(&args[2])
        .ok_or_else(|| CmdError::raw("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(CmdError::raw("ERR timeout is negative"));
    }
    let now = ctx.server.now_ms;
    let mode = match args.get(3) {
        None => PauseMode::All,
        Some(mode) if args::is(mode, "ALL") => PauseMode::All,
        Some(mode) if args::is(mode, "WRITE") => PauseMode::Write,
        Some(_) => return Err(CmdError::raw("ERR CLIENT PAUSE mode must be WRITE or ALL")),
    };
    // Redis adds the timeout to the clock without an overflow check; a sum that wraps
    // lies in the past and pauses nobody, and so it does here.
    let until_ms = if timeout == 0 {
        0
    } else {
        now.wrapping_add(timeout)
    };
    ctx.server.pause.start(mode, until_ms);
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT UNPAUSE` — ends a CLIENT PAUSE; held-back commands run.
pub(super) fn client_unpause(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.server.pause.end();
    ctx.reply.ok();
    Ok(())
}
