//! The string family's command table: one entry per command, in the order COMMAND lists
//! them, with the flags, key specs, ACL categories and argument structure Redis 7.0
//! reports in COMMAND INFO / COMMAND DOCS (summaries, complexities and history notes in
//! our own words).

use super::counters::{decr, decrby, incr, incrby, incrbyfloat};
use super::edit::{append, getrange, setrange, strlen, substr};
use super::get_set::{get, getdel, getex, getset, mget, mset, msetnx, psetex, set, setex, setnx};
use super::lcs::lcs;
use crate::command::core::command::CommandSpec;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group, KeySpec};

/// The string family's entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, get)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::String.doc("Returns the string value of a key.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("set", -3, WRITE | DENYOOM, set)
        .acl(acl::STRING)
        .keys(1, 1, 1, SET_KEYS)
        .docs(Group::String.doc("Sets a key's string value, with optional conditions and expiry.",
            "1.0.0", "O(1)").history(SET_HISTORY).args(SET_ARGS)),
    CommandSpec::new("setnx", 3, WRITE | DENYOOM | FAST, setnx)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::OW_INSERT)
        .docs(Group::String.doc("Sets a key's string value only when the key is absent.",
            "1.0.0", "O(1)").args(KEY_VALUE)),
    CommandSpec::new("setex", 4, WRITE | DENYOOM, setex)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::OW_UPDATE)
        .docs(Group::String.doc("Sets a key's string value with a time to live in seconds.",
            "2.0.0", "O(1)").args(SETEX_ARGS)),
    CommandSpec::new("psetex", 4, WRITE | DENYOOM, psetex)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::OW_UPDATE)
        .docs(Group::String.doc("Sets a key's string value with a time to live in milliseconds.",
            "2.6.0", "O(1)").args(PSETEX_ARGS)),
    CommandSpec::new("getset", 3, WRITE | DENYOOM | FAST, getset)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Sets a key's string value and returns the previous one.",
            "1.0.0", "O(1)").deprecated("6.2.0", "`SET` with the `!GET` argument").args(KEY_VALUE)),
    CommandSpec::new("getdel", 2, WRITE | FAST, getdel)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .docs(Group::String.doc("Returns a key's string value and deletes the key.",
            "6.2.0", "O(1)").args(&[Arg::key("key", 0)])),
    CommandSpec::new("getex", -2, WRITE | FAST, getex)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Returns a key's string value, optionally changing its expiry.",
            "6.2.0", "O(1)").args(GETEX_ARGS)),
    CommandSpec::new("mget", -2, READONLY | FAST, mget)
        .acl(acl::STRING)
        .keys(1, -1, 1, &[KeySpec::range(&["RO", "access"], 1, -1, 1)])
        .tips(&["request_policy:multi_shard"])
        .docs(Group::String.doc("Returns the string values of several keys.",
            "1.0.0", "O(N) where N is the number of keys to retrieve.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("mset", -3, WRITE | DENYOOM, mset)
        .acl(acl::STRING)
        .keys(1, -1, 2, &[KeySpec::range(&["OW", "update"], 1, -1, 2)])
        .tips(&["request_policy:multi_shard", "response_policy:all_succeeded"])
        .docs(Group::String.doc("Sets several keys' string values at once.",
            "1.0.1", "O(N) where N is the number of keys to set.").args(MSET_ARGS)),
    CommandSpec::new("msetnx", -3, WRITE | DENYOOM, msetnx)
        .acl(acl::STRING)
        .keys(1, -1, 2, &[KeySpec::range(&["OW", "insert"], 1, -1, 2)])
        .tips(&["request_policy:multi_shard", "response_policy:agg_min"])
        .docs(Group::String.doc("Sets several keys' string values only when none of the keys exists.",
            "1.0.1", "O(N) where N is the number of keys to set.").args(MSET_ARGS)),
    CommandSpec::new("append", 3, WRITE | DENYOOM | FAST, append)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::String.doc("Appends bytes to a key's string value, creating the key if needed.",
            "2.0.0",
            "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.")
            .args(KEY_VALUE)),
    CommandSpec::new("strlen", 2, READONLY | FAST, strlen)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::String.doc("Returns the length of a key's string value.", "2.2.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("incr", 2, WRITE | DENYOOM | FAST, incr)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Adds one to a key's integer value.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("decr", 2, WRITE | DENYOOM | FAST, decr)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Subtracts one from a key's integer value.", "1.0.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("incrby", 3, WRITE | DENYOOM | FAST, incrby)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Adds an amount to a key's integer value.", "1.0.0", "O(1)")
            .args(INCRBY_ARGS)),
    CommandSpec::new("decrby", 3, WRITE | DENYOOM | FAST, decrby)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Subtracts an amount from a key's integer value.", "1.0.0", "O(1)")
            .args(DECRBY_ARGS)),
    CommandSpec::new("incrbyfloat", 3, WRITE | DENYOOM | FAST, incrbyfloat)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::String.doc("Adds a floating-point amount to a key's numeric value.",
            "2.6.0", "O(1)").args(INCRBYFLOAT_ARGS)),
    CommandSpec::new("getrange", 4, READONLY, getrange)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::String.doc("Returns part of a key's string value.",
            "2.4.0",
            "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.")
            .args(KEY_START_END)),
    CommandSpec::new("substr", 4, READONLY, substr)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::String.doc("Returns part of a key's string value (old name of GETRANGE).",
            "1.0.0",
            "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.")
            .deprecated("2.0.0", "`GETRANGE`").args(KEY_START_END)),
    CommandSpec::new("setrange", 4, WRITE | DENYOOM, setrange)
        .acl(acl::STRING)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::String.doc("Overwrites part of a key's string value from an offset, zero-padding as needed.",
            "2.2.0",
            "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.")
            .args(SETRANGE_ARGS)),
    CommandSpec::new("lcs", -3, READONLY, lcs)
        .acl(acl::STRING)
        .keys(1, 2, 1, &[KeySpec::range(&["RO", "access"], 1, 1, 1)])
        .docs(Group::String.doc("Finds the longest common subsequence of two keys' string values.",
            "7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively")
            .args(LCS_ARGS)),
];

/// SET's key spec: read and accessed too, because of its optional `GET` argument.
const SET_KEYS: &[KeySpec] = &[KeySpec::range(
    &["RW", "access", "update", "variable_flags"],
    1,
    0,
    1,
)];

const SET_HISTORY: &[(&str, &str)] = &[
    ("2.6.12", "Gained the `EX`, `PX`, `NX` and `XX` options."),
    ("6.0.0", "Gained the `KEEPTTL` option."),
    ("6.2.0", "Gained the `GET`, `EXAT` and `PXAT` options."),
    ("7.0.0", "`NX` and `GET` may be combined."),
];

const SET_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("value", ArgType::String),
    Arg::one_of(
        "condition",
        &[Arg::token("nx", "NX"), Arg::token("xx", "XX")],
    )
    .since("2.6.12")
    .optional(),
    Arg::token("get", "GET").since("6.2.0").optional(),
    Arg::one_of(
        "expiration",
        &[
            Arg::new("seconds", ArgType::Integer)
                .with_token("EX")
                .since("2.6.12"),
            Arg::new("milliseconds", ArgType::Integer)
                .with_token("PX")
                .since("2.6.12"),
            Arg::new("unix-time-seconds", ArgType::UnixTime)
                .with_token("EXAT")
                .since("6.2.0"),
            Arg::new("unix-time-milliseconds", ArgType::UnixTime)
                .with_token("PXAT")
                .since("6.2.0"),
            Arg::token("keepttl", "KEEPTTL").since("6.0.0"),
        ],
    )
    .optional(),
];

const KEY_VALUE: &[Arg] = &[Arg::key("key", 0), Arg::new("value", ArgType::String)];

const SETEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("seconds", ArgType::Integer),
    Arg::new("value", ArgType::String),
];

const PSETEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("milliseconds", ArgType::Integer),
    Arg::new("value", ArgType::String),
];

const GETEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::one_of(
        "expiration",
        &[
            Arg::new("seconds", ArgType::Integer).with_token("EX"),
            Arg::new("milliseconds", ArgType::Integer).with_token("PX"),
            Arg::new("unix-time-seconds", ArgType::UnixTime).with_token("EXAT"),
            Arg::new("unix-time-milliseconds", ArgType::UnixTime).with_token("PXAT"),
            Arg::token("persist", "PERSIST"),
        ],
    )
    .optional(),
];

const MSET_ARGS: &[Arg] = &[Arg::block(
    "key_value",
    &[Arg::key("key", 0), Arg::new("value", ArgType::String)],
)
.multiple()];

const INCRBY_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("increment", ArgType::Integer)];

const DECRBY_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("decrement", ArgType::Integer)];

const INCRBYFLOAT_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("increment", ArgType::Double)];

const KEY_START_END: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::Integer),
    Arg::new("end", ArgType::Integer),
];

const SETRANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("offset", ArgType::Integer),
    Arg::new("value", ArgType::String),
];

const LCS_ARGS: &[Arg] = &[
    Arg::key("key1", 0),
    Arg::key("key2", 0),
    Arg::token("len", "LEN").optional(),
    Arg::token("idx", "IDX").optional(),
    Arg::new("len", ArgType::Integer)
        .with_token("MINMATCHLEN")
        .optional(),
    Arg::token("withmatchlen", "WITHMATCHLEN").optional(),
];
