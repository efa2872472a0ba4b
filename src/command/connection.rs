//! Connection commands: PING ECHO QUIT SELECT, and CLIENT SETNAME/GETNAME/ID/HELP.

use bytes::Bytes;

use crate::command::args;
use crate::command::table::{acl, container_handler, flags::*, Arg, ArgType, CommandSpec, Docs, Group};
use crate::command::Ctx;
use crate::error::{CmdError, CmdResult};

/// `PING [message]`
///
/// # Returns
/// `+PONG`, or the message as a bulk string.
fn ping(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
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

/// `CLIENT SETNAME name` — names the connection; an empty name clears it. Names are
/// printable ASCII without spaces, so CLIENT LIST stays parseable.
fn client_setname(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = &args[2];
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(CmdError::raw("ERR Client names cannot contain spaces, newlines or special characters."));
    }
    ctx.session.name = if name.is_empty() { None } else { Some(name.clone()) };
    ctx.reply.ok();
    Ok(())
}

/// Lines of CLIENT HELP.
const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
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

const CONN: u32 = acl::CONNECTION;
const CONN_FLAGS: u32 = NOSCRIPT | LOADING | STALE;

/// A connection command without keys.
const fn conn(name: &'static str, arity: i32, flags: u32, handler: crate::command::table::Handler, docs: Docs) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl: CONN,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler,
        subcommands: &[],
        docs,
    }
}

const CLIENT_SUBCOMMANDS: &[CommandSpec] = &[
    conn(
        "id",
        2,
        CONN_FLAGS,
        client_id,
        Docs { summary: "Returns the unique id of the connection.", since: "5.0.0", group: Group::Connection, complexity: "O(1)", ..Docs::EMPTY },
    ),
    conn(
        "getname",
        2,
        CONN_FLAGS,
        client_getname,
        Docs { summary: "Returns the name of the connection.", since: "2.6.9", group: Group::Connection, complexity: "O(1)", ..Docs::EMPTY },
    ),
    conn(
        "setname",
        3,
        CONN_FLAGS,
        client_setname,
        Docs {
            summary: "Gives the connection a name.",
            since: "2.6.9",
            group: Group::Connection,
            complexity: "O(1)",
            args: &[Arg::new("connection-name", ArgType::String)],
            ..Docs::EMPTY
        },
    ),
    conn(
        "help",
        2,
        LOADING | STALE,
        client_help,
        Docs { summary: "Lists the CLIENT subcommands.", since: "5.0.0", group: Group::Connection, complexity: "O(1)", ..Docs::EMPTY },
    ),
];

/// The connection family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    conn(
        "ping",
        -1,
        FAST,
        ping,
        Docs {
            summary: "Checks the connection, optionally echoing a message.",
            group: Group::Connection,
            complexity: "O(1)",
            args: &[Arg::new("message", ArgType::String).optional()],
            ..Docs::EMPTY
        },
    ),
    conn(
        "echo",
        2,
        FAST,
        echo,
        Docs {
            summary: "Replies with the given string.",
            group: Group::Connection,
            complexity: "O(1)",
            args: &[Arg::new("message", ArgType::String)],
            ..Docs::EMPTY
        },
    ),
    conn(
        "quit",
        -1,
        ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH,
        quit,
        Docs {
            summary: "Closes the connection.",
            group: Group::Connection,
            complexity: "O(1)",
            ..Docs::EMPTY
        },
    ),
    conn(
        "select",
        2,
        LOADING | STALE | FAST,
        select,
        Docs {
            summary: "Changes the selected database.",
            group: Group::Connection,
            complexity: "O(1)",
            args: &[Arg::new("index", ArgType::Integer)],
            ..Docs::EMPTY
        },
    ),
    CommandSpec {
        subcommands: CLIENT_SUBCOMMANDS,
        ..conn(
            "client",
            -2,
            SENTINEL_FREE,
            container_handler,
            Docs { summary: "A container for client connection commands.", since: "2.4.0", group: Group::Connection, complexity: "Depends on subcommand.", ..Docs::EMPTY },
        )
    },
];

/// Containers carry no flags of their own.
const SENTINEL_FREE: u32 = 0;
