//! The CLIENT command family: naming and identifying the caller's connection
//! (ID, SETNAME, GETNAME, INFO, SETINFO), looking at every connection (LIST), acting on
//! other connections (KILL, UNBLOCK, PAUSE, UNPAUSE), and per-connection modes (REPLY,
//! NO-EVICT, NO-TOUCH; TRACKING, CACHING, TRACKINGINFO and GETREDIR live in `tracking`).
//!
//! Other clients are read through [`crate::command::state::directory`]; what happens to them
//! is recorded as [`ServerEvent`]s for the reactor.

use crate::command::state::pause::{Pause, PauseMode};
use bytes::Bytes;

use crate::command::conn::tracking::{
    client_caching, client_getredir, client_tracking, client_trackinginfo,
};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::session::ReplyMode;
use crate::command::core::state::ServerEvent;
use crate::command::state::directory;
use crate::command::state::directory::{BufferStats, ClientType, ClientView};
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

mod line;
mod table;

pub use table::COMMANDS;

/// The caller as a directory entry (its buffers are not visible from here beyond the
/// reply being written).
fn caller_view<'a>(ctx: &'a Ctx<'_>) -> ClientView<'a> {
    ClientView {
        session: ctx.session,
        buffers: BufferStats {
            reply_tail: ctx.reply.pending(),
            reply_pending: ctx.reply.pending(),
            ..BufferStats::default()
        },
    }
}

/// `CLIENT ID` — the client's unique id.
fn client_id(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.session.id as i64);
    Ok(())
}

/// `CLIENT GETNAME` — the name set with SETNAME, or null.
fn client_getname(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    match &ctx.session.name {
        Some(name) => ctx.reply.bulk(name),
        None => ctx.reply.null(),
    }
    Ok(())
}

/// `CLIENT SETNAME name` — names the connection; an empty name clears it.
fn client_setname(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = &args[2];
    validate_client_name(name)?;
    ctx.session.name = if name.is_empty() {
        None
    } else {
        Some(name.clone())
    };
    ctx.reply.ok();
    Ok(())
}

/// Client names are printable ASCII without spaces, so CLIENT LIST stays parseable.
pub fn validate_client_name(name: &[u8]) -> CmdResult {
    if !is_printable_word(name) {
        return Err(CmdError::raw(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

fn is_printable_word(text: &[u8]) -> bool {
    text.iter().all(|b| (b'!'..=b'~').contains(b))
}

/// `CLIENT SETINFO LIB-NAME|LIB-VER value` (Redis 7.2; client libraries send it on
/// connect) — records what library the client runs.
fn client_setinfo(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (attribute, value) = (&args[2], &args[3]);
    let is_name = args::is(attribute, "LIB-NAME");
    if !is_name && !args::is(attribute, "LIB-VER") {
        let text = format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attribute)
        );
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    }
    if !is_printable_word(value) {
        let text = format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attribute)
        );
        return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
    }
    let stored = (!value.is_empty()).then(|| value.clone());
    if is_name {
        ctx.session.lib_name = stored;
    } else {
        ctx.session.lib_ver = stored;
    }
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT INFO` — the caller's CLIENT LIST line.
fn client_info(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let mut text = String::new();
    line::client_line(&caller_view(ctx), ctx.server, &mut text);
    text.push('\n');
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// Which clients CLIENT LIST shows.
enum ListFilter {
    All,
    Type(ClientType),
    Ids(Vec<i64>),
}

/// `CLIENT LIST [TYPE type | ID id [id ...]]` — one line per connection.
fn client_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let filter = if args.len() == 4 && args::is(&args[2], "TYPE") {
        ListFilter::Type(parse_type(&args[3])?)
    } else if args.len() >= 4 && args::is(&args[2], "ID") {
        let ids = args[3..]
            .iter()
            .map(|arg| parse_i64(arg).ok_or_else(|| CmdError::raw("ERR Invalid client ID")))
            .collect::<CmdResult<Vec<i64>>>()?;
        ListFilter::Ids(ids)
    } else if args.len() != 2 {
        return Err(CmdError::Syntax);
    } else {
        ListFilter::All
    };
    let mut text = String::new();
    for view in directory::all_clients(ctx.clients, caller_view(ctx)) {
        let shown = match &filter {
            ListFilter::All => true,
            ListFilter::Type(kind) => ClientType::of(view.session) == *kind,
            ListFilter::Ids(ids) => ids.contains(&(view.session.id as i64)),
        };
        if shown {
            line::client_line(&view, ctx.server, &mut text);
            text.push('\n');
        }
    }
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

fn parse_type(name: &Bytes) -> CmdResult<ClientType> {
    ClientType::parse(name).ok_or_else(|| {
        let text = format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(name)
        );
        CmdError::raw(crate::error::one_line(text.into_bytes()))
    })
}

/// The filters of `CLIENT KILL`'s option form; every one given must match.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    kind: Option<ClientType>,
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    skip_me: bool,
}

impl KillFilter {
    fn parse(options: &[Bytes]) -> CmdResult<KillFilter> {
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
                // Every connection runs as the default user until ACLs exist.
                if &value[..] != b"default" {
                    let text = format!("ERR No such user '{}'", String::from_utf8_lossy(value));
                    return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
                }
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
    }
}

/// `CLIENT KILL ip:port` or `CLIENT KILL <option value> ...` — closes matching
/// connections. The old form replies OK (or an error when nobody matched); the option
/// form replies how many were closed. The caller, when killed, gets its reply first.
fn client_kill(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let old_form = args.len() == 3;
    let filter = if old_form {
        KillFilter {
            addr: Some(args[2].clone()),
            skip_me: false,
            ..KillFilter::default()
        }
    } else {
        KillFilter::parse(&args[2..])?
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
fn client_unblock(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn client_pause(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
    let pause = match ctx.server.pause {
        Some(current) => Pause {
            mode: current.mode.max(mode),
            until_ms: current.until_ms.max(until_ms),
        },
        None => Pause { mode, until_ms },
    };
    ctx.server.pause = Some(pause);
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT UNPAUSE` — ends a CLIENT PAUSE; held-back commands run.
fn client_unpause(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.server.pause = None;
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT REPLY ON|OFF|SKIP` — turns the caller's replies off, back on, or off for
/// the next command only. Only ON answers (OFF and SKIP are themselves silent).
fn client_reply(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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
fn client_no_evict(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.session.no_evict = on_off(&args[2])?;
    ctx.reply.ok();
    Ok(())
}

/// `CLIENT NO-TOUCH ON|OFF` (Redis 7.2) — the connection's reads stop updating keys'
/// access time (LRU/LFU); TOUCH still does.
fn client_no_touch(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.session.no_touch = on_off(&args[2])?;
    ctx.reply.ok();
    Ok(())
}

/// Lines of CLIENT HELP (the subcommands this server has).
const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Say whether the next command's keys are tracked (OPTIN / OPTOUT modes).",
    "GETREDIR",
    "    The client invalidations go to: -1 with tracking off, 0 for this one.",
    "GETNAME",
    "    Reply with the name of the current connection.",
    "ID",
    "    Reply with the id of the current connection.",
    "INFO",
    "    Reply with the CLIENT LIST line of the current connection.",
    "KILL <ip:port>",
    "    Close the connection from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Close every connection matching all the options:",
    "    * ID <client-id>",
    "    * ADDR (<ip:port>|<unixsocket>:0)   the client's address",
    "    * LADDR (<ip:port>|<unixsocket>:0)  the server address it connected to",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "    * USER <username>",
    "    * SKIPME (YES|NO)   leave the calling connection alone (default: yes)",
    "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB) | ID <client-id> [...]]",
    "    Reply with one line per connection, optionally only of one type or ids.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Turn key tracking for client-side caching on or off.",
    "TRACKINGINFO",
    "    The tracking flags, redirect and prefixes of this connection.",
    "UNPAUSE",
    "    End a CLIENT PAUSE.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Hold back every command, or only writes, for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Turn the replies to this connection on or off, or off for the next command.",
    "SETNAME <name>",
    "    Name the current connection.",
    "SETINFO (LIB-NAME|LIB-VER) <value>",
    "    Record the client library's name or version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    End a blocked client's wait, as a timeout (default) or with an error.",
    "NO-EVICT (ON|OFF)",
    "    Exempt the current connection from client eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Keep the current connection's reads from changing keys' access time.",
    "HELP",
    "    Print this help.",
];

/// `CLIENT HELP`
fn client_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(CLIENT_HELP.len());
    for line in CLIENT_HELP {
        ctx.reply.simple(line.as_bytes());
    }
    Ok(())
}
