//! Connection commands: PING ECHO QUIT SELECT HELLO RESET, which act on the calling
//! connection only (CLIENT, which can also act on others, is in `clients`).

use bytes::Bytes;

use crate::command::conn::acl::auth::authenticate;
use crate::command::conn::clients::identity::validate_client_name;
use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};
use crate::error::{CmdError, CmdResult};

/// `PING [message]`
///
/// # Returns
/// `+PONG`, or the message as a bulk string.
fn ping(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 2 {
        return Err(CmdError::wrong_arity("ping"));
    }
    if ctx.session.subscriptions.total() > 0 && !ctx.reply.is_resp3() {
        // A subscribed RESP2 client can only read pushes, so PING answers in that shape.
        ctx.reply.array_len(2);
        ctx.reply.bulk(b"pong");
        ctx.reply.bulk(args.get(1).map_or(&b""[..], |m| &m[..]));
        return Ok(());
    }
    match args.get(1) {
        None => ctx.reply.simple(b"PONG"),
        Some(message) => ctx.reply.bulk_bytes(message),
    }
    Ok(())
}

/// `ECHO message` — replies with the message.
fn echo(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.reply.bulk_bytes(&args[1]);
    Ok(())
}

/// `QUIT` — replies `+OK`, then the connection closes once the reply is written.
fn quit(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.ok();
    ctx.session.close_after_reply = true;
    Ok(())
}

/// `SELECT index` — switches the client's database.
fn select(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let index = args::int(&args[1])?;
    if index < 0 || index as u64 >= ctx.dbs.len() as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    ctx.session.db = index as usize;
    ctx.reply.ok();
    Ok(())
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
///
/// Authenticates and names the connection as the options say, in order (an option
/// that fails leaves the earlier ones done), then switches the protocol version (2
/// or 3) and replies with the server's handshake map. A connection that is not
/// authenticated by then gets `-NOAUTH`. With no arguments it only reports.
fn hello(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut resp = ctx.session.resp;
    if let Some(version) = args.get(1) {
        let version = args::int(version).map_err(|_| CmdError::raw(ERR_HELLO_VERSION))?;
        if !(2..=3).contains(&version) {
            return Err(CmdError::raw("NOPROTO unsupported protocol version"));
        }
        resp = version as u8;
    }
    let mut rest = args.get(2..).unwrap_or(&[]);
    while let Some((option, more)) = rest.split_first() {
        if args::is(option, "AUTH") && more.len() >= 2 {
            authenticate(ctx, args, &more[0], &more[1])?;
            rest = &more[2..];
        } else if args::is(option, "SETNAME") && !more.is_empty() {
            validate_client_name(&more[0])?;
            let name = Bytes::copy_from_slice(&more[0]);
            ctx.session.name = if name.is_empty() { None } else { Some(name) };
            rest = &more[1..];
        } else {
            let mut text = b"ERR Syntax error in HELLO option '".to_vec();
            text.extend_from_slice(crate::error::c_str(option, 128));
            text.push(b'\'');
            return Err(CmdError::raw(crate::error::one_line(text)));
        }
    }
    if !ctx.session.authenticated {
        return Err(CmdError::raw(ERR_HELLO_NOAUTH));
    }
    ctx.session.resp = resp;
    write_hello_map(ctx, resp);
    Ok(())
}

/// The handshake map, written in the (possibly new) protocol version.
fn write_hello_map(ctx: &mut Ctx<'_>, resp: u8) {
    let mut reply = crate::protocol::Reply::new_like(&mut ctx.reply, resp);
    reply.map_len(7);
    reply.bulk(b"server");
    reply.bulk(b"redis");
    reply.bulk(b"version");
    reply.bulk(crate::REDIS_VERSION.as_bytes());
    reply.bulk(b"proto");
    reply.int(i64::from(resp));
    reply.bulk(b"id");
    reply.int(ctx.session.id as i64);
    reply.bulk(b"mode");
    reply.bulk(b"standalone");
    reply.bulk(b"role");
    reply.bulk(b"master");
    reply.bulk(b"modules");
    reply.array_len(0);
}

/// `RESET` — returns the connection to the state of a new one: no transaction or
/// watched keys, no subscriptions, not monitoring, replies on, database 0, RESP2, no
/// name, the `default` user (authenticated only if it needs no password). CLIENT NO-EVICT stays as it was, as in Redis 7.0.
fn reset(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.session.multi = None;
    ctx.session.multi_failed = false;
    ctx.unwatch_all();
    let subscriptions = std::mem::take(&mut ctx.session.subscriptions);
    ctx.server
        .pubsub
        .drop_client(ctx.session.id, &subscriptions);
    if ctx.session.monitor {
        ctx.session.monitor = false;
        ctx.server.monitors.remove(ctx.session.id);
    }
    crate::command::conn::tracking::disable(ctx);
    ctx.session.reply_mode = crate::command::state::session::ReplyMode::On;
    ctx.session.no_touch = false;
    ctx.session.db = 0;
    ctx.session.name = None;
    ctx.session.resp = 2;
    ctx.session.user = crate::command::state::acl::UserId::DEFAULT;
    ctx.session.authenticated = ctx.server.acl.new_clients_authenticated();
    let mut reply = crate::protocol::Reply::new_like(&mut ctx.reply, 2);
    reply.simple(b"RESET");
    Ok(())
}

const ERR_HELLO_VERSION: &str = "ERR Protocol version is not an integer or out of range";
const ERR_HELLO_NOAUTH: &str = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";

/// The connection family's table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST, ping)
        .acl(acl::CONNECTION)
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .docs(Group::Connection.doc("Checks the connection, optionally echoing a message.", "1.0.0", "O(1)")
            .args(&[Arg::new("message", ArgType::String).optional()])),
    CommandSpec::new("echo", 2, LOADING | STALE | FAST, echo)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Replies with the given string.", "1.0.0", "O(1)")
            .args(&[Arg::new("message", ArgType::String)])),
    CommandSpec::new("quit", -1, ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH, quit)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Closes the connection.", "1.0.0", "O(1)")),
    CommandSpec::new("hello", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, hello)
        .acl(acl::FAST | acl::CONNECTION)
        .docs(Group::Connection.doc("Negotiates the protocol version and reports the connection's context.", "6.0.0", "O(1)")
            .history(&[("6.2.0", "The protocol version became optional; without it HELLO only reports.")])
            .args(HELLO_ARGS)),
    CommandSpec::new("reset", 1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, reset)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Returns the connection to its initial state.", "6.2.0", "O(1)")),
    CommandSpec::new("select", 2, LOADING | STALE | FAST, select)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Changes the selected database.", "1.0.0", "O(1)")
            .args(&[Arg::new("index", ArgType::Integer)])),
];

const HELLO_ARGS: &[Arg] = &[Arg::block(
    "arguments",
    &[
        Arg::new("protover", ArgType::Integer),
        Arg::block(
            "username_password",
            &[
                Arg::new("username", ArgType::String),
                Arg::new("password", ArgType::String),
            ],
        )
        .with_token("AUTH")
        .optional(),
        Arg::new("clientname", ArgType::String)
            .with_token("SETNAME")
            .optional(),
    ],
)
.optional()];
