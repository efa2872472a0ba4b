//! The CLIENT container's table: each subcommand's arity, flags, ACL categories and
//! docs as Redis 7.0 declares them (SETINFO and NO-TOUCH as Redis 7.2 does). The
//! handlers live in the sibling modules by concern, and in `conn::tracking`.

use super::control::{client_kill, client_pause, client_unblock, client_unpause};
use super::identity::{client_getname, client_id, client_setinfo, client_setname};
use super::list::{client_info, client_list};
use super::modes::{client_no_evict, client_no_touch, client_reply};
use crate::command::conn::tracking::{
    client_caching, client_getredir, client_tracking, client_trackinginfo,
};
use crate::command::core::command::CommandSpec;
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group};

/// The CLIENT container: the family's one top-level entry. The container itself is in
/// no category but @slow; its subcommands are in @connection.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("client", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Connection.doc("A container for client connection commands.", "2.4.0", "Depends on subcommand.")),
];

/// CLIENT's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("setname", 3, BASE, client_setname)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Names the connection.", "2.6.9", "O(1)")
            .args(&[Arg::new("connection-name", ArgType::String)])),
    CommandSpec::new("getname", 2, BASE, client_getname)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Returns the connection's name.", "2.6.9", "O(1)")),
    CommandSpec::new("pause", -3, ADMIN_FLAGS, client_pause)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Holds back commands from every client for a while.", "2.9.50", "O(1)")
            .history(&[("6.2.0", "WRITE mode, and the mode argument, added.")])
            .args(PAUSE_ARGS)),
    CommandSpec::new("unpause", 2, ADMIN_FLAGS, client_unpause)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Ends a CLIENT PAUSE.", "6.2.0", "O(N) Where N is the number of paused clients")),
    CommandSpec::new("info", 2, BASE, client_info)
        .acl(acl::CONNECTION)
        .tips(NONDETERMINISTIC)
        .docs(Group::Connection.doc("Returns the current connection's CLIENT LIST line.", "6.2.0", "O(1)")),
    CommandSpec::new("tracking", -3, BASE, client_tracking)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Turns key tracking for client-side caching on or off.", "6.0.0", TRACKING_COST)
            .args(TRACKING_ARGS)),
    CommandSpec::new("caching", 3, BASE, client_caching)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Says whether the next command's keys are tracked (OPTIN/OPTOUT modes).", "6.0.0", "O(1)")
            .args(CACHING_ARGS)),
    CommandSpec::new("trackinginfo", 2, BASE, client_trackinginfo)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Returns the current connection's key tracking state.", "6.2.0", "O(1)")),
    CommandSpec::new("getredir", 2, BASE, client_getredir)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Returns where tracking invalidations are redirected.", "6.0.0", "O(1)")),
    CommandSpec::new("list", -2, ADMIN_FLAGS, client_list)
        .acl(acl::CONNECTION)
        .tips(NONDETERMINISTIC)
        .docs(Group::Connection.doc("Lists the client connections.", "2.4.0", PER_CONNECTION)
            .history(LIST_HISTORY)
            .args(LIST_ARGS)),
    CommandSpec::new("reply", 3, BASE, client_reply)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Turns the replies to the connection on or off.", "3.2.0", "O(1)")
            .args(REPLY_ARGS)),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Lists the CLIENT subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("unblock", -3, ADMIN_FLAGS, client_unblock)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Ends another client's blocking command.", "5.0.0", "O(log N) where N is the number of client connections")
            .args(UNBLOCK_ARGS)),
    CommandSpec::new("kill", -3, ADMIN_FLAGS, client_kill)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Closes client connections.", "2.4.0", PER_CONNECTION)
            .history(KILL_HISTORY)
            .args(KILL_ARGS)),
    CommandSpec::new("id", 2, BASE, client_id)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Returns the connection's unique id.", "5.0.0", "O(1)")),
    CommandSpec::new("no-evict", 3, ADMIN_FLAGS, client_no_evict)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Exempts the connection from client eviction.", "7.0.0", "O(1)").args(ON_OFF)),
    CommandSpec::new("no-touch", 3, BASE, client_no_touch)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Keeps the connection's reads from changing access times.", "7.2.0", "O(1)")
            .args(ON_OFF)),
    CommandSpec::new("setinfo", 4, BASE, client_setinfo)
        .acl(acl::CONNECTION)
        .docs(Group::Connection.doc("Records the client library's name or version.", "7.2.0", "O(1)")
            .args(SETINFO_ARGS)),
];

/// The flags of the subcommands any client may run on its own connection.
const BASE: u32 = NOSCRIPT | LOADING | STALE;
/// The flags of the subcommands that see or act on other connections.
const ADMIN_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
const NONDETERMINISTIC: &[&str] = &["nondeterministic_output"];
const PER_CONNECTION: &str = "O(N) where N is the number of client connections";
const TRACKING_COST: &str = "O(1). Some options may introduce additional complexity.";

const ON_OFF: &[Arg] = &[Arg::one_of(
    "enabled",
    &[Arg::token("on", "ON"), Arg::token("off", "OFF")],
)];
const PAUSE_ARGS: &[Arg] = &[
    Arg::new("timeout", ArgType::Integer),
    Arg::one_of(
        "mode",
        &[Arg::token("write", "WRITE"), Arg::token("all", "ALL")],
    )
    .since("6.2.0")
    .optional(),
];
const REPLY_ARGS: &[Arg] = &[Arg::one_of(
    "on_off_skip",
    &[
        Arg::token("on", "ON"),
        Arg::token("off", "OFF"),
        Arg::token("skip", "SKIP"),
    ],
)];
const UNBLOCK_ARGS: &[Arg] = &[
    Arg::new("client-id", ArgType::Integer),
    Arg::one_of(
        "timeout_error",
        &[
            Arg::token("timeout", "TIMEOUT"),
            Arg::token("error", "ERROR"),
        ],
    )
    .optional(),
];
const SETINFO_ARGS: &[Arg] = &[Arg::one_of(
    "attr",
    &[
        Arg::new("libname", ArgType::String).with_token("LIB-NAME"),
        Arg::new("libver", ArgType::String).with_token("LIB-VER"),
    ],
)];
const CACHING_ARGS: &[Arg] = &[Arg::one_of(
    "mode",
    &[Arg::token("yes", "YES"), Arg::token("no", "NO")],
)];
const TRACKING_ARGS: &[Arg] = &[
    Arg::one_of(
        "status",
        &[Arg::token("on", "ON"), Arg::token("off", "OFF")],
    ),
    Arg::new("client-id", ArgType::Integer)
        .with_token("REDIRECT")
        .optional(),
    Arg::new("prefix", ArgType::String)
        .with_token("PREFIX")
        .optional()
        .multiple()
        .multiple_token(),
    Arg::token("bcast", "BCAST").optional(),
    Arg::token("optin", "OPTIN").optional(),
    Arg::token("optout", "OPTOUT").optional(),
    Arg::token("noloop", "NOLOOP").optional(),
];

const LIST_ARGS: &[Arg] = &[
    Arg::one_of("normal_master_replica_pubsub", TYPES_LIST)
        .with_token("TYPE")
        .since("5.0.0")
        .optional(),
    Arg::block("id", &[Arg::new("client-id", ArgType::Integer).multiple()])
        .with_token("ID")
        .since("6.2.0")
        .optional(),
];
const TYPES_LIST: &[Arg] = &[
    Arg::token("normal", "NORMAL"),
    Arg::token("master", "MASTER"),
    Arg::token("replica", "REPLICA"),
    Arg::token("pubsub", "PUBSUB"),
];
const LIST_HISTORY: &[(&str, &str)] = &[
    ("2.8.12", "The `id` field."),
    ("5.0.0", "The TYPE filter."),
    ("6.0.0", "The `user` field."),
    (
        "6.2.0",
        "The `argv-mem`, `tot-mem`, `laddr` and `redir` fields; the ID filter.",
    ),
    ("7.0.0", "The `resp`, `multi-mem`, `rbs` and `rbp` fields."),
    ("7.0.3", "The `ssub` field."),
];

const KILL_ARGS: &[Arg] = &[Arg::one_of(
    "filter",
    &[
        Arg::new("ip:port", ArgType::String).deprecated_since("2.8.12"),
        Arg::one_of("new-format", KILL_FILTERS).multiple(),
    ],
)];
const KILL_FILTERS: &[Arg] = &[
    Arg::new("client-id", ArgType::Integer)
        .with_token("ID")
        .since("2.8.12")
        .optional(),
    Arg::one_of("normal_master_slave_pubsub", TYPES_KILL)
        .with_token("TYPE")
        .since("2.8.12")
        .optional(),
    Arg::new("username", ArgType::String)
        .with_token("USER")
        .optional(),
    Arg::new("ip:port", ArgType::String)
        .with_token("ADDR")
        .optional(),
    Arg::new("ip:port", ArgType::String)
        .with_token("LADDR")
        .since("6.2.0")
        .optional(),
    Arg::new("yes/no", ArgType::String)
        .with_token("SKIPME")
        .optional(),
];
const TYPES_KILL: &[Arg] = &[
    Arg::token("normal", "NORMAL"),
    Arg::token("master", "MASTER").since("3.2.0"),
    Arg::token("slave", "SLAVE"),
    Arg::token("replica", "REPLICA").since("5.0.0"),
    Arg::token("pubsub", "PUBSUB"),
];
const KILL_HISTORY: &[(&str, &str)] = &[
    ("2.8.12", "The option form of the filters."),
    ("2.8.12", "The ID filter."),
    ("3.2.0", "TYPE master."),
    ("5.0.0", "TYPE replica, with slave kept as an alias."),
    ("6.2.0", "The LADDR filter."),
];

/// Lines of CLIENT HELP (the subcommands this server has).
const HELP: &[&str] = &[
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
