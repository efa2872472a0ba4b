//! The stream family's command table: flags, key specs, ACL categories and argument
//! structure as Redis 7.0 reports them in COMMAND INFO / COMMAND DOCS (summaries,
//! complexities and history notes in our own words). Generated once from the shape of
//! Redis's command metadata, then kept by hand.

use crate::command::core::spec::{acl, Arg, ArgType, BeginSearch, Docs, FindKeys, Group, KeySpec};

use crate::command::core::command::{container_handler, CommandSpec};

use crate::command::core::spec::flags::*;

use super::entries::{xadd, xdel, xlen, xrange, xrevrange, xtrim};
use super::{groups, info, read};

/// XGROUP's subcommands.
const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    // In one order Redis lists them (its subcommand dict order varies per process).
    CommandSpec {
        name: "destroy",
        arity: 4,
        flags: WRITE,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec {
            flags: &["RW", "delete"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                step: 1,
                limit: 0,
            },
        }],
        tips: &[],
        handler: groups::xgroup_destroy,
        subcommands: &[],
        docs: Docs {
            summary: "Removes a consumer group with its consumers and pending entries.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N), N being the pending entries and consumers.",
            history: &[],
            args: &[Arg::key("key", 0), Arg::new("groupname", ArgType::String)],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "setid",
        arity: -5,
        flags: WRITE,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec {
            flags: &["RW", "update"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                step: 1,
                limit: 0,
            },
        }],
        tips: &[],
        handler: groups::xgroup_setid,
        subcommands: &[],
        docs: Docs {
            summary: "Moves the last-delivered ID of a consumer group.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[("7.0.0", "The ENTRIESREAD argument.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("groupname", ArgType::String),
                Arg::one_of(
                    "id",
                    &[
                        Arg::new("id", ArgType::String),
                        Arg::new("new_id", ArgType::PureToken).with_token("$"),
                    ],
                ),
                Arg::new("entries_read", ArgType::Integer)
                    .with_token("ENTRIESREAD")
                    .optional(),
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "createconsumer",
        arity: 5,
        flags: WRITE | DENYOOM,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec {
            flags: &["RW", "insert"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                step: 1,
                limit: 0,
            },
        }],
        tips: &[],
        handler: groups::xgroup_createconsumer,
        subcommands: &[],
        docs: Docs {
            summary: "Adds a consumer to a consumer group.",
            since: "6.2.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("groupname", ArgType::String),
                Arg::new("consumername", ArgType::String),
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "delconsumer",
        arity: 5,
        flags: WRITE,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec {
            flags: &["RW", "delete"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                step: 1,
                limit: 0,
            },
        }],
        tips: &[],
        handler: groups::xgroup_delconsumer,
        subcommands: &[],
        docs: Docs {
            summary: "Removes a consumer from a consumer group.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("groupname", ArgType::String),
                Arg::new("consumername", ArgType::String),
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        acl: acl::STREAM,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler: groups::xgroup_help,
        subcommands: &[],
        docs: Docs {
            summary: "Lists the XGROUP subcommands.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "create",
        arity: -5,
        flags: WRITE | DENYOOM,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec {
            flags: &["RW", "insert"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                step: 1,
                limit: 0,
            },
        }],
        tips: &[],
        handler: groups::xgroup_create,
        subcommands: &[],
        docs: Docs {
            summary: "Creates a consumer group on a stream.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[("7.0.0", "The ENTRIESREAD argument.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("groupname", ArgType::String),
                Arg::one_of(
                    "id",
                    &[
                        Arg::new("id", ArgType::String),
                        Arg::new("new_id", ArgType::PureToken).with_token("$"),
                    ],
                ),
                Arg::new("mkstream", ArgType::PureToken)
                    .with_token("MKSTREAM")
                    .optional(),
                Arg::new("entries_read", ArgType::Integer)
                    .with_token("ENTRIESREAD")
                    .optional(),
            ],
            ..Docs::EMPTY
        },
    },
];

/// XINFO's subcommands.
const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    // In one order Redis lists them (its subcommand dict order varies per process).
    CommandSpec {
        name: "stream",
        arity: -3,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: info::xinfo_stream,
        subcommands: &[],
        docs: Docs {
            summary: "Describes a stream.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1); with FULL, O(N) for the N entries reported.",
            history: &[("6.0.0", "The FULL modifier."), ("7.0.0", "Reports entries-added, max-deleted-entry-id, recorded-first-entry-id, entries-read and lag.")],
            args: &[
                Arg::key("key", 0),
                Arg::block("full", &[Arg::new("count", ArgType::Integer).with_token("COUNT").optional()]).with_token("FULL").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "groups",
        arity: 3,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: info::xinfo_groups,
        subcommands: &[],
        docs: Docs {
            summary: "Lists the consumer groups of a stream.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[("7.0.0", "Reports entries-read and lag.")],
            args: &[
                Arg::key("key", 0)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "consumers",
        arity: 4,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 2,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: info::xinfo_consumers,
        subcommands: &[],
        docs: Docs {
            summary: "Lists the consumers of a consumer group.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("groupname", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        acl: acl::STREAM,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler: info::xinfo_help,
        subcommands: &[],
        docs: Docs {
            summary: "Lists the XINFO subcommands.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[
                
            ],
            ..Docs::EMPTY
        },
    },
];

/// This family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: WRITE | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: groups::xack,
        subcommands: &[],
        docs: Docs {
            summary: "Marks pending entries of a consumer group as processed.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1) per ID.",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("group", ArgType::String),
                Arg::new("id", ArgType::String).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: WRITE | DENYOOM | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: xadd,
        subcommands: &[],
        docs: Docs {
            summary: "Appends an entry to a stream, creating the stream when needed.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1) to append; O(N) more when trimming N entries.",
            history: &[("6.2.0", "NOMKSTREAM, MINID trimming and LIMIT."), ("7.0.0", "The `<ms>-*` ID form.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("nomkstream", ArgType::PureToken).with_token("NOMKSTREAM").since("6.2.0").optional(),
                Arg::block("trim", &[Arg::one_of("strategy", &[Arg::new("maxlen", ArgType::PureToken).with_token("MAXLEN"), Arg::new("minid", ArgType::PureToken).with_token("MINID").since("6.2.0")]), Arg::one_of("operator", &[Arg::new("equal", ArgType::PureToken).with_token("="), Arg::new("approximately", ArgType::PureToken).with_token("~")]).optional(), Arg::new("threshold", ArgType::String), Arg::new("count", ArgType::Integer).with_token("LIMIT").since("6.2.0").optional()]).optional(),
                Arg::one_of("id_or_auto", &[Arg::new("auto_id", ArgType::PureToken).with_token("*"), Arg::new("id", ArgType::String)]),
                Arg::block("field_value", &[Arg::new("field", ArgType::String), Arg::new("value", ArgType::String)]).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: WRITE | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: groups::xautoclaim,
        subcommands: &[],
        docs: Docs {
            summary: "Transfers ownership of pending entries idle for long enough, scanning from an ID.",
            since: "6.2.0",
            group: Group::Stream,
            complexity: "O(1) per claimed entry, O(COUNT) overall.",
            history: &[("7.0.0", "Replies with the IDs of deleted entries as a third element.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("group", ArgType::String),
                Arg::new("consumer", ArgType::String),
                Arg::new("min-idle-time", ArgType::String),
                Arg::new("start", ArgType::String),
                Arg::new("count", ArgType::Integer).with_token("COUNT").optional(),
                Arg::new("justid", ArgType::PureToken).with_token("JUSTID").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: WRITE | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: groups::xclaim,
        subcommands: &[],
        docs: Docs {
            summary: "Transfers ownership of pending entries to another consumer.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(log N) per ID, N being the pending entries of the group.",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("group", ArgType::String),
                Arg::new("consumer", ArgType::String),
                Arg::new("min-idle-time", ArgType::String),
                Arg::new("id", ArgType::String).multiple(),
                Arg::new("ms", ArgType::Integer).with_token("IDLE").optional(),
                Arg::new("unix-time-milliseconds", ArgType::UnixTime).with_token("TIME").optional(),
                Arg::new("count", ArgType::Integer).with_token("RETRYCOUNT").optional(),
                Arg::new("force", ArgType::PureToken).with_token("FORCE").optional(),
                Arg::new("justid", ArgType::PureToken).with_token("JUSTID").optional(),
                Arg::new("id", ArgType::String).with_token("LASTID").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: WRITE | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: xdel,
        subcommands: &[],
        docs: Docs {
            summary: "Removes entries from a stream by ID.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1) per entry removed.",
            history: &[],
            args: &[
                Arg::key("key", 0),
                Arg::new("id", ArgType::String).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xgroup",
        arity: -2,
        flags: 0,
        acl: 0,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler: container_handler,
        subcommands: XGROUP_SUBCOMMANDS,
        docs: Docs {
            summary: "A container for consumer group commands.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "Depends on subcommand.",
            history: &[],
            args: &[
                
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xinfo",
        arity: -2,
        flags: 0,
        acl: 0,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips: &[],
        handler: container_handler,
        subcommands: XINFO_SUBCOMMANDS,
        docs: Docs {
            summary: "A container for stream inspection commands.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "Depends on subcommand.",
            history: &[],
            args: &[
                
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: READONLY | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: xlen,
        subcommands: &[],
        docs: Docs {
            summary: "Counts the entries of a stream.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[],
            args: &[
                Arg::key("key", 0)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: groups::xpending,
        subcommands: &[],
        docs: Docs {
            summary: "Reports the pending entries of a consumer group.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N) for the N entries listed; O(1) for the summary with few consumers.",
            history: &[("6.2.0", "The IDLE filter and exclusive ranges.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("group", ArgType::String),
                Arg::block("filters", &[Arg::new("min-idle-time", ArgType::Integer).with_token("IDLE").since("6.2.0").optional(), Arg::new("start", ArgType::String), Arg::new("end", ArgType::String), Arg::new("count", ArgType::Integer), Arg::new("consumer", ArgType::String).optional()]).optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: xrange,
        subcommands: &[],
        docs: Docs {
            summary: "Lists stream entries whose IDs are in a range.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N) for the N entries returned.",
            history: &[("6.2.0", "Exclusive ranges.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("start", ArgType::String),
                Arg::new("end", ArgType::String),
                Arg::new("count", ArgType::Integer).with_token("COUNT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: BLOCKING | READONLY | MOVABLE_KEYS,
        acl: acl::STREAM,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", start_from: 1 }, find: FindKeys::Range { last_key: -1, step: 1, limit: 2 } }],
        tips: &[],
        handler: read::xread,
        subcommands: &[],
        docs: Docs {
            summary: "Reads entries after given IDs from one or more streams, optionally waiting for them.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N) for the N entries returned.",
            history: &[],
            args: &[
                Arg::new("count", ArgType::Integer).with_token("COUNT").optional(),
                Arg::new("milliseconds", ArgType::Integer).with_token("BLOCK").optional(),
                Arg::block("streams", &[Arg::key("key", 0).multiple(), Arg::new("id", ArgType::String).multiple()]).with_token("STREAMS")
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: BLOCKING | WRITE | MOVABLE_KEYS,
        acl: acl::STREAM,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", start_from: 4 }, find: FindKeys::Range { last_key: -1, step: 1, limit: 2 } }],
        tips: &[],
        handler: read::xreadgroup,
        subcommands: &[],
        docs: Docs {
            summary: "Reads entries for a consumer of a consumer group, optionally waiting for them.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(M) for the M entries returned.",
            history: &[],
            args: &[
                Arg::block("group_consumer", &[Arg::new("group", ArgType::String), Arg::new("consumer", ArgType::String)]).with_token("GROUP"),
                Arg::new("count", ArgType::Integer).with_token("COUNT").optional(),
                Arg::new("milliseconds", ArgType::Integer).with_token("BLOCK").optional(),
                Arg::new("noack", ArgType::PureToken).with_token("NOACK").optional(),
                Arg::block("streams", &[Arg::key("key", 0).multiple(), Arg::new("id", ArgType::String).multiple()]).with_token("STREAMS")
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: READONLY,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: xrevrange,
        subcommands: &[],
        docs: Docs {
            summary: "Lists stream entries whose IDs are in a range, newest first.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N) for the N entries returned.",
            history: &[("6.2.0", "Exclusive ranges.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("end", ArgType::String),
                Arg::new("start", ArgType::String),
                Arg::new("count", ArgType::Integer).with_token("COUNT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: info::xsetid,
        subcommands: &[],
        docs: Docs {
            summary: "Sets the last ID and counters of a stream (replication and repair).",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(1)",
            history: &[("7.0.0", "The ENTRIESADDED and MAXDELETEDID arguments.")],
            args: &[
                Arg::key("key", 0),
                Arg::new("last-id", ArgType::String),
                Arg::new("entries_added", ArgType::Integer).with_token("ENTRIESADDED").since("7.0.0").optional(),
                Arg::new("max_deleted_entry_id", ArgType::String).with_token("MAXDELETEDID").since("7.0.0").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: WRITE,
        acl: acl::STREAM,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: xtrim,
        subcommands: &[],
        docs: Docs {
            summary: "Removes the oldest entries of a stream.",
            since: "5.0.0",
            group: Group::Stream,
            complexity: "O(N) for the N entries removed.",
            history: &[("6.2.0", "MINID trimming and LIMIT.")],
            args: &[
                Arg::key("key", 0),
                Arg::block("trim", &[Arg::one_of("strategy", &[Arg::new("maxlen", ArgType::PureToken).with_token("MAXLEN"), Arg::new("minid", ArgType::PureToken).with_token("MINID").since("6.2.0")]), Arg::one_of("operator", &[Arg::new("equal", ArgType::PureToken).with_token("="), Arg::new("approximately", ArgType::PureToken).with_token("~")]).optional(), Arg::new("threshold", ArgType::String), Arg::new("count", ArgType::Integer).with_token("LIMIT").since("6.2.0").optional()])
            ],
            ..Docs::EMPTY
        },
    },
];
