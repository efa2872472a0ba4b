//! The stream family's command table: one entry per command, with the flags, key specs,
//! ACL categories and argument structure Redis 7.0 reports in COMMAND INFO / COMMAND DOCS
//! (summaries, complexities and history notes in our own words).

use super::entries::{xadd, xdel, xlen, xrange, xrevrange, xtrim};
use super::groups::{
    xack, xautoclaim, xclaim, xgroup_create, xgroup_createconsumer, xgroup_delconsumer,
    xgroup_destroy, xgroup_help, xgroup_setid, xpending,
};
use super::info::{xinfo_consumers, xinfo_groups, xinfo_help, xinfo_stream, xsetid};
use super::read::{xread, xreadgroup};
use crate::command::core::command::CommandSpec;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};

/// The stream family's entries, one per command: name, arity, flags and handler, then ACL
/// categories, key positions, tips and compact docs (argument lists and longer histories
/// are the named consts below the table). XGROUP and XINFO are containers: their
/// subcommands, listed below as well, do the work.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("xack", -4, WRITE | FAST, xack)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Stream.doc("Marks pending entries of a consumer group as processed.",
            "5.0.0", "O(1) per ID.").args(XACK_ARGS)),
    CommandSpec::new("xadd", -5, WRITE | DENYOOM | FAST, xadd)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Appends an entry to a stream, creating the stream when needed.",
            "5.0.0", "O(1) to append; O(N) more when trimming N entries.")
            .history(XADD_HISTORY).args(XADD_ARGS)),
    CommandSpec::new("xautoclaim", -6, WRITE | FAST, xautoclaim)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_DELETE)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Transfers ownership of pending entries idle for long enough, scanning from an ID.",
            "6.2.0", "O(1) per claimed entry, O(COUNT) overall.")
            .history(&[("7.0.0", "Replies with the IDs of deleted entries as a third element.")])
            .args(XAUTOCLAIM_ARGS)),
    CommandSpec::new("xclaim", -6, WRITE | FAST, xclaim)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Transfers ownership of pending entries to another consumer.",
            "5.0.0", "O(log N) per ID, N being the pending entries of the group.")
            .args(XCLAIM_ARGS)),
    CommandSpec::new("xdel", -3, WRITE | FAST, xdel)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::Stream.doc("Removes entries from a stream by ID.", "5.0.0", "O(1) per entry removed.")
            .args(KEY_IDS)),
    CommandSpec::container("xgroup", -2, 0)
        .subcommands(XGROUP_SUBCOMMANDS)
        .docs(Group::Stream.doc("A container for consumer group commands.",
            "5.0.0", "Depends on subcommand.")),
    CommandSpec::container("xinfo", -2, 0)
        .subcommands(XINFO_SUBCOMMANDS)
        .docs(Group::Stream.doc("A container for stream inspection commands.",
            "5.0.0", "Depends on subcommand.")),
    CommandSpec::new("xlen", 2, READONLY | FAST, xlen)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::Stream.doc("Counts the entries of a stream.", "5.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("xpending", -3, READONLY, xpending)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Reports the pending entries of a consumer group.",
            "5.0.0", "O(N) for the N entries listed; O(1) for the summary with few consumers.")
            .history(&[("6.2.0", "The IDLE filter and exclusive ranges.")]).args(XPENDING_ARGS)),
    CommandSpec::new("xrange", -4, READONLY, xrange)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Stream.doc("Lists stream entries whose IDs are in a range.",
            "5.0.0", "O(N) for the N entries returned.")
            .history(&[("6.2.0", "Exclusive ranges.")]).args(XRANGE_ARGS)),
    CommandSpec::new("xread", -4, BLOCKING | READONLY | MOVABLE_KEYS, xread)
        .acl(acl::STREAM)
        .keys(0, 0, 0, XREAD_KEYS)
        .docs(Group::Stream.doc("Reads entries after given IDs from one or more streams, optionally waiting for them.",
            "5.0.0", "O(N) for the N entries returned.").args(XREAD_ARGS)),
    CommandSpec::new("xreadgroup", -7, BLOCKING | WRITE | MOVABLE_KEYS, xreadgroup)
        .acl(acl::STREAM)
        .keys(0, 0, 0, XREADGROUP_KEYS)
        .docs(Group::Stream.doc("Reads entries for a consumer of a consumer group, optionally waiting for them.",
            "5.0.0", "O(M) for the M entries returned.").args(XREADGROUP_ARGS)),
    CommandSpec::new("xrevrange", -4, READONLY, xrevrange)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Stream.doc("Lists stream entries whose IDs are in a range, newest first.",
            "5.0.0", "O(N) for the N entries returned.")
            .history(&[("6.2.0", "Exclusive ranges.")]).args(XREVRANGE_ARGS)),
    CommandSpec::new("xsetid", -3, WRITE | DENYOOM | FAST, xsetid)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Stream.doc("Sets the last ID and counters of a stream (replication and repair).",
            "5.0.0", "O(1)")
            .history(&[("7.0.0", "The ENTRIESADDED and MAXDELETEDID arguments.")]).args(XSETID_ARGS)),
    CommandSpec::new("xtrim", -4, WRITE, xtrim)
        .acl(acl::STREAM)
        .keys(1, 1, 1, key1::RW_DELETE)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Removes the oldest entries of a stream.",
            "5.0.0", "O(N) for the N entries removed.")
            .history(&[("6.2.0", "MINID trimming and LIMIT.")]).args(&[Arg::key("key", 0), TRIM])),
];

/// XGROUP's subcommands, in one order Redis lists them (its subcommand dict order varies
/// per process).
#[rustfmt::skip]
const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("destroy", 4, WRITE, xgroup_destroy)
        .acl(acl::STREAM)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "delete"], 2, 0, 1)])
        .docs(Group::Stream.doc("Removes a consumer group with its consumers and pending entries.",
            "5.0.0", "O(N), N being the pending entries and consumers.").args(KEY_GROUPNAME)),
    CommandSpec::new("setid", -5, WRITE, xgroup_setid)
        .acl(acl::STREAM)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "update"], 2, 0, 1)])
        .docs(Group::Stream.doc("Moves the last-delivered ID of a consumer group.", "5.0.0", "O(1)")
            .history(ENTRIESREAD_HISTORY).args(XGROUP_SETID_ARGS)),
    CommandSpec::new("createconsumer", 5, WRITE | DENYOOM, xgroup_createconsumer)
        .acl(acl::STREAM)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "insert"], 2, 0, 1)])
        .docs(Group::Stream.doc("Adds a consumer to a consumer group.", "6.2.0", "O(1)")
            .args(KEY_GROUPNAME_CONSUMERNAME)),
    CommandSpec::new("delconsumer", 5, WRITE, xgroup_delconsumer)
        .acl(acl::STREAM)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "delete"], 2, 0, 1)])
        .docs(Group::Stream.doc("Removes a consumer from a consumer group.", "5.0.0", "O(1)")
            .args(KEY_GROUPNAME_CONSUMERNAME)),
    CommandSpec::new("help", 2, LOADING | STALE, xgroup_help)
        .acl(acl::STREAM)
        .docs(Group::Stream.doc("Lists the XGROUP subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("create", -5, WRITE | DENYOOM, xgroup_create)
        .acl(acl::STREAM)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "insert"], 2, 0, 1)])
        .docs(Group::Stream.doc("Creates a consumer group on a stream.", "5.0.0", "O(1)")
            .history(ENTRIESREAD_HISTORY).args(XGROUP_CREATE_ARGS)),
];

/// XINFO's subcommands, in one order Redis lists them (its subcommand dict order varies
/// per process).
#[rustfmt::skip]
const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("stream", -3, READONLY, xinfo_stream)
        .acl(acl::STREAM)
        .keys(2, 2, 1, KEY2_RO_ACCESS)
        .docs(Group::Stream.doc("Describes a stream.",
            "5.0.0", "O(1); with FULL, O(N) for the N entries reported.")
            .history(XINFO_STREAM_HISTORY).args(XINFO_STREAM_ARGS)),
    CommandSpec::new("groups", 3, READONLY, xinfo_groups)
        .acl(acl::STREAM)
        .keys(2, 2, 1, KEY2_RO_ACCESS)
        .docs(Group::Stream.doc("Lists the consumer groups of a stream.", "5.0.0", "O(1)")
            .history(&[("7.0.0", "Reports entries-read and lag.")]).args(&[Arg::key("key", 0)])),
    CommandSpec::new("consumers", 4, READONLY, xinfo_consumers)
        .acl(acl::STREAM)
        .keys(2, 2, 1, KEY2_RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Stream.doc("Lists the consumers of a consumer group.", "5.0.0", "O(1)")
            .args(KEY_GROUPNAME)),
    CommandSpec::new("help", 2, LOADING | STALE, xinfo_help)
        .acl(acl::STREAM)
        .docs(Group::Stream.doc("Lists the XINFO subcommands.", "5.0.0", "O(1)")),
];

const XACK_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("group", ArgType::String),
    Arg::new("id", ArgType::String).multiple(),
];

const XADD_HISTORY: &[(&str, &str)] = &[
    ("6.2.0", "NOMKSTREAM, MINID trimming and LIMIT."),
    ("7.0.0", "The `<ms>-*` ID form."),
];

const XADD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::token("nomkstream", "NOMKSTREAM")
        .since("6.2.0")
        .optional(),
    TRIM.optional(),
    Arg::one_of(
        "id_or_auto",
        &[Arg::token("auto_id", "*"), Arg::new("id", ArgType::String)],
    ),
    Arg::block(
        "field_value",
        &[
            Arg::new("field", ArgType::String),
            Arg::new("value", ArgType::String),
        ],
    )
    .multiple(),
];

/// The trimming options XADD (optional there) and XTRIM share.
const TRIM: Arg = Arg::block(
    "trim",
    &[
        Arg::one_of(
            "strategy",
            &[
                Arg::token("maxlen", "MAXLEN"),
                Arg::token("minid", "MINID").since("6.2.0"),
            ],
        ),
        Arg::one_of(
            "operator",
            &[Arg::token("equal", "="), Arg::token("approximately", "~")],
        )
        .optional(),
        Arg::new("threshold", ArgType::String),
        Arg::new("count", ArgType::Integer)
            .with_token("LIMIT")
            .since("6.2.0")
            .optional(),
    ],
);

const XAUTOCLAIM_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("group", ArgType::String),
    Arg::new("consumer", ArgType::String),
    Arg::new("min-idle-time", ArgType::String),
    Arg::new("start", ArgType::String),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
    Arg::token("justid", "JUSTID").optional(),
];

const XCLAIM_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("group", ArgType::String),
    Arg::new("consumer", ArgType::String),
    Arg::new("min-idle-time", ArgType::String),
    Arg::new("id", ArgType::String).multiple(),
    Arg::new("ms", ArgType::Integer)
        .with_token("IDLE")
        .optional(),
    Arg::new("unix-time-milliseconds", ArgType::UnixTime)
        .with_token("TIME")
        .optional(),
    Arg::new("count", ArgType::Integer)
        .with_token("RETRYCOUNT")
        .optional(),
    Arg::token("force", "FORCE").optional(),
    Arg::token("justid", "JUSTID").optional(),
    Arg::new("id", ArgType::String)
        .with_token("LASTID")
        .optional(),
];

const KEY_IDS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("id", ArgType::String).multiple(),
];

const XPENDING_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("group", ArgType::String),
    Arg::block(
        "filters",
        &[
            Arg::new("min-idle-time", ArgType::Integer)
                .with_token("IDLE")
                .since("6.2.0")
                .optional(),
            Arg::new("start", ArgType::String),
            Arg::new("end", ArgType::String),
            Arg::new("count", ArgType::Integer),
            Arg::new("consumer", ArgType::String).optional(),
        ],
    )
    .optional(),
];

const XRANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::String),
    Arg::new("end", ArgType::String),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];

const XREVRANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("end", ArgType::String),
    Arg::new("start", ArgType::String),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];

const XREAD_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RO", "access"],
    begin: BeginSearch::Keyword {
        keyword: "STREAMS",
        start_from: 1,
    },
    find: FindKeys::Range {
        last_key: -1,
        step: 1,
        limit: 2,
    },
}];

const XREAD_ARGS: &[Arg] = &[
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
    Arg::new("milliseconds", ArgType::Integer)
        .with_token("BLOCK")
        .optional(),
    STREAMS,
];

const XREADGROUP_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RO", "access"],
    begin: BeginSearch::Keyword {
        keyword: "STREAMS",
        start_from: 4,
    },
    find: FindKeys::Range {
        last_key: -1,
        step: 1,
        limit: 2,
    },
}];

const XREADGROUP_ARGS: &[Arg] = &[
    Arg::block(
        "group_consumer",
        &[
            Arg::new("group", ArgType::String),
            Arg::new("consumer", ArgType::String),
        ],
    )
    .with_token("GROUP"),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
    Arg::new("milliseconds", ArgType::Integer)
        .with_token("BLOCK")
        .optional(),
    Arg::token("noack", "NOACK").optional(),
    STREAMS,
];

/// `STREAMS key [key ...] id [id ...]`, as XREAD and XREADGROUP document it.
const STREAMS: Arg = Arg::block(
    "streams",
    &[
        Arg::key("key", 0).multiple(),
        Arg::new("id", ArgType::String).multiple(),
    ],
)
.with_token("STREAMS");

const XSETID_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("last-id", ArgType::String),
    Arg::new("entries_added", ArgType::Integer)
        .with_token("ENTRIESADDED")
        .since("7.0.0")
        .optional(),
    Arg::new("max_deleted_entry_id", ArgType::String)
        .with_token("MAXDELETEDID")
        .since("7.0.0")
        .optional(),
];

const KEY_GROUPNAME: &[Arg] = &[Arg::key("key", 0), Arg::new("groupname", ArgType::String)];

const KEY_GROUPNAME_CONSUMERNAME: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("groupname", ArgType::String),
    Arg::new("consumername", ArgType::String),
];

const ENTRIESREAD_HISTORY: &[(&str, &str)] = &[("7.0.0", "The ENTRIESREAD argument.")];

/// The ID a group starts from (XGROUP CREATE) or moves to (XGROUP SETID): an ID or `$`.
const GROUP_ID: Arg = Arg::one_of(
    "id",
    &[Arg::new("id", ArgType::String), Arg::token("new_id", "$")],
);

const XGROUP_CREATE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("groupname", ArgType::String),
    GROUP_ID,
    Arg::token("mkstream", "MKSTREAM").optional(),
    Arg::new("entries_read", ArgType::Integer)
        .with_token("ENTRIESREAD")
        .optional(),
];

const XGROUP_SETID_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("groupname", ArgType::String),
    GROUP_ID,
    Arg::new("entries_read", ArgType::Integer)
        .with_token("ENTRIESREAD")
        .optional(),
];

/// The key at position 2 of an XINFO subcommand, only read.
const KEY2_RO_ACCESS: &[KeySpec] = &[KeySpec::range(&["RO", "access"], 2, 0, 1)];

const XINFO_STREAM_HISTORY: &[(&str, &str)] = &[
    ("6.0.0", "The FULL modifier."),
    (
        "7.0.0",
        "Reports entries-added, max-deleted-entry-id, recorded-first-entry-id, entries-read and lag.",
    ),
];

const XINFO_STREAM_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block(
        "full",
        &[Arg::new("count", ArgType::Integer)
            .with_token("COUNT")
            .optional()],
    )
    .with_token("FULL")
    .optional(),
];
