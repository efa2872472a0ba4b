//! The CLIENT container's table entries: flags, ACL categories and docs as Redis 7.0
//! declares them (SETINFO and NO-TOUCH as Redis 7.2 does).

use super::*;
use crate::command::core::command::{container_handler, CommandSpec, Handler};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Docs, Group};

const BASE: u32 = NOSCRIPT | LOADING | STALE;
const ADMIN_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

/// One CLIENT subcommand.
const fn sub(
    name: &'static str,
    arity: i32,
    flags: u32,
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl: acl::CONNECTION,
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

const fn docs(summary: &'static str, since: &'static str, args: &'static [Arg]) -> Docs {
    Docs::new(Group::Connection, summary, since, "O(1)", args)
}

const ON_OFF: &[Arg] = &[Arg::one_of(
    "enabled",
    &[Arg::token("on", "ON"), Arg::token("off", "OFF")],
)];

const TYPES_LIST: &[Arg] = &[
    Arg::token("normal", "NORMAL"),
    Arg::token("master", "MASTER"),
    Arg::token("replica", "REPLICA"),
    Arg::token("pubsub", "PUBSUB"),
];

const TYPES_KILL: &[Arg] = &[
    Arg::token("normal", "NORMAL"),
    Arg::token("master", "MASTER").since("3.2.0"),
    Arg::token("slave", "SLAVE"),
    Arg::token("replica", "REPLICA").since("5.0.0"),
    Arg::token("pubsub", "PUBSUB"),
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

const KILL_ARGS: &[Arg] = &[Arg::one_of(
    "filter",
    &[
        Arg::new("ip:port", ArgType::String).deprecated_since("2.8.12"),
        Arg::one_of(
            "new-format",
            &[
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
            ],
        )
        .multiple(),
    ],
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

const CACHING_ARGS: &[Arg] = &[Arg::one_of(
    "mode",
    &[Arg::token("yes", "YES"), Arg::token("no", "NO")],
)];

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

const KILL_HISTORY: &[(&str, &str)] = &[
    ("2.8.12", "The option form of the filters."),
    ("2.8.12", "The ID filter."),
    ("3.2.0", "TYPE master."),
    ("5.0.0", "TYPE replica, with slave kept as an alias."),
    ("6.2.0", "The LADDR filter."),
];

const NONDETERMINISTIC: &[&str] = &["nondeterministic_output"];

const SUBCOMMANDS: &[CommandSpec] = &[
    sub(
        "setname",
        3,
        BASE,
        client_setname,
        docs(
            "Names the connection.",
            "2.6.9",
            &[Arg::new("connection-name", ArgType::String)],
        ),
    ),
    sub(
        "getname",
        2,
        BASE,
        client_getname,
        docs("Returns the connection's name.", "2.6.9", &[]),
    ),
    sub(
        "pause",
        -3,
        ADMIN_FLAGS,
        client_pause,
        Docs {
            history: &[("6.2.0", "WRITE mode, and the mode argument, added.")],
            ..docs(
                "Holds back commands from every client for a while.",
                "2.9.50",
                PAUSE_ARGS,
            )
        },
    ),
    sub(
        "unpause",
        2,
        ADMIN_FLAGS,
        client_unpause,
        Docs {
            complexity: "O(N) Where N is the number of paused clients",
            ..docs("Ends a CLIENT PAUSE.", "6.2.0", &[])
        },
    ),
    CommandSpec {
        tips: NONDETERMINISTIC,
        ..sub(
            "info",
            2,
            BASE,
            client_info,
            docs(
                "Returns the current connection's CLIENT LIST line.",
                "6.2.0",
                &[],
            ),
        )
    },
    sub(
        "tracking",
        -3,
        BASE,
        client_tracking,
        Docs {
            complexity: "O(1). Some options may introduce additional complexity.",
            ..docs(
                "Turns key tracking for client-side caching on or off.",
                "6.0.0",
                TRACKING_ARGS,
            )
        },
    ),
    sub(
        "caching",
        3,
        BASE,
        client_caching,
        docs(
            "Says whether the next command's keys are tracked (OPTIN/OPTOUT modes).",
            "6.0.0",
            CACHING_ARGS,
        ),
    ),
    sub(
        "trackinginfo",
        2,
        BASE,
        client_trackinginfo,
        docs(
            "Returns the current connection's key tracking state.",
            "6.2.0",
            &[],
        ),
    ),
    sub(
        "getredir",
        2,
        BASE,
        client_getredir,
        docs(
            "Returns where tracking invalidations are redirected.",
            "6.0.0",
            &[],
        ),
    ),
    CommandSpec {
        tips: NONDETERMINISTIC,
        ..sub(
            "list",
            -2,
            ADMIN_FLAGS,
            client_list,
            Docs {
                complexity: "O(N) where N is the number of client connections",
                history: LIST_HISTORY,
                ..docs("Lists the client connections.", "2.4.0", LIST_ARGS)
            },
        )
    },
    sub(
        "reply",
        3,
        BASE,
        client_reply,
        docs(
            "Turns the replies to the connection on or off.",
            "3.2.0",
            REPLY_ARGS,
        ),
    ),
    sub(
        "help",
        2,
        LOADING | STALE,
        client_help,
        docs("Lists the CLIENT subcommands.", "5.0.0", &[]),
    ),
    sub(
        "unblock",
        -3,
        ADMIN_FLAGS,
        client_unblock,
        Docs {
            complexity: "O(log N) where N is the number of client connections",
            ..docs(
                "Ends another client's blocking command.",
                "5.0.0",
                UNBLOCK_ARGS,
            )
        },
    ),
    sub(
        "kill",
        -3,
        ADMIN_FLAGS,
        client_kill,
        Docs {
            complexity: "O(N) where N is the number of client connections",
            history: KILL_HISTORY,
            ..docs("Closes client connections.", "2.4.0", KILL_ARGS)
        },
    ),
    sub(
        "id",
        2,
        BASE,
        client_id,
        docs("Returns the connection's unique id.", "5.0.0", &[]),
    ),
    sub(
        "no-evict",
        3,
        ADMIN_FLAGS,
        client_no_evict,
        docs(
            "Exempts the connection from client eviction.",
            "7.0.0",
            ON_OFF,
        ),
    ),
    sub(
        "no-touch",
        3,
        BASE,
        client_no_touch,
        docs(
            "Keeps the connection's reads from changing access times.",
            "7.2.0",
            ON_OFF,
        ),
    ),
    sub(
        "setinfo",
        4,
        BASE,
        client_setinfo,
        docs(
            "Records the client library's name or version.",
            "7.2.0",
            SETINFO_ARGS,
        ),
    ),
];

/// The CLIENT container: the family's one top-level entry.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    subcommands: SUBCOMMANDS,
    // The container itself is in no category but @slow; its subcommands are.
    acl: 0,
    ..sub(
        "client",
        -2,
        0,
        container_handler,
        Docs {
            complexity: "Depends on subcommand.",
            ..docs("A container for client connection commands.", "2.4.0", &[])
        },
    )
}];
