//! The string family's command table: flags, key specs, ACL categories and argument
//! structure as Redis 7.0 reports them in COMMAND INFO / COMMAND DOCS (summaries,
//! complexities and history notes in our own words).

// The handlers the entries point at live in the parent module.
use super::*;
use crate::command::core::command::{CommandSpec, Handler};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Docs, Group, KeySpec};

/// A string-group command with one key at position 1.
const fn one_key_cmd(
    name: &'static str,
    arity: i32,
    flags: u32,
    spec: &'static [KeySpec],
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec::keyed(
        name,
        arity,
        flags,
        acl::STRING,
        (1, 1, 1),
        spec,
        &[],
        handler,
        docs,
    )
}

/// Docs of a string-group command.
const fn docs(
    summary: &'static str,
    since: &'static str,
    complexity: &'static str,
    args: &'static [Arg],
) -> Docs {
    Docs::new(Group::String, summary, since, complexity, args)
}

const RO: &[KeySpec] = &[KeySpec::range(&["RO"], 1, 0, 1)];
const RO_ACCESS: &[KeySpec] = &[KeySpec::range(&["RO", "access"], 1, 0, 1)];
const RW_ACCESS_UPDATE: &[KeySpec] = &[KeySpec::range(&["RW", "access", "update"], 1, 0, 1)];
const RW_ACCESS_DELETE: &[KeySpec] = &[KeySpec::range(&["RW", "access", "delete"], 1, 0, 1)];
const RW_INSERT: &[KeySpec] = &[KeySpec::range(&["RW", "insert"], 1, 0, 1)];
const RW_UPDATE: &[KeySpec] = &[KeySpec::range(&["RW", "update"], 1, 0, 1)];
const OW_INSERT: &[KeySpec] = &[KeySpec::range(&["OW", "insert"], 1, 0, 1)];
const OW_UPDATE: &[KeySpec] = &[KeySpec::range(&["OW", "update"], 1, 0, 1)];
/// SET's spec; Redis adds the note "RW and ACCESS due to the optional `GET` argument".
const SET_SPEC: &[KeySpec] = &[KeySpec::range(
    &["RW", "access", "update", "variable_flags"],
    1,
    0,
    1,
)];

const KEY: &[Arg] = &[Arg::key("key", 0)];
const KEY_VALUE: &[Arg] = &[Arg::key("key", 0), Arg::new("value", ArgType::String)];
const KEY_RANGE: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::Integer),
    Arg::new("end", ArgType::Integer),
];
const KEY_VALUE_PAIRS: &[Arg] = &[Arg::block(
    "key_value",
    &[Arg::key("key", 0), Arg::new("value", ArgType::String)],
)
.multiple()];

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

const GETRANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

/// The strings family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    one_key_cmd("get", 2, READONLY | FAST, RO_ACCESS, get, docs("Returns the string value of a key.", "1.0.0", "O(1)", KEY)),
    one_key_cmd(
        "set",
        -3,
        WRITE | DENYOOM,
        SET_SPEC,
        set,
        Docs {
            history: &[
                ("2.6.12", "Gained the `EX`, `PX`, `NX` and `XX` options."),
                ("6.0.0", "Gained the `KEEPTTL` option."),
                ("6.2.0", "Gained the `GET`, `EXAT` and `PXAT` options."),
                ("7.0.0", "`NX` and `GET` may be combined."),
            ],
            ..docs("Sets a key's string value, with optional conditions and expiry.", "1.0.0", "O(1)", SET_ARGS)
        },
    ),
    one_key_cmd(
        "setnx",
        3,
        WRITE | DENYOOM | FAST,
        OW_INSERT,
        setnx,
        docs("Sets a key's string value only when the key is absent.", "1.0.0", "O(1)", KEY_VALUE),
    ),
    one_key_cmd(
        "setex",
        4,
        WRITE | DENYOOM,
        OW_UPDATE,
        setex,
        docs(
            "Sets a key's string value with a time to live in seconds.",
            "2.0.0",
            "O(1)",
            &[Arg::key("key", 0), Arg::new("seconds", ArgType::Integer), Arg::new("value", ArgType::String)],
        ),
    ),
    one_key_cmd(
        "psetex",
        4,
        WRITE | DENYOOM,
        OW_UPDATE,
        psetex,
        docs(
            "Sets a key's string value with a time to live in milliseconds.",
            "2.6.0",
            "O(1)",
            &[Arg::key("key", 0), Arg::new("milliseconds", ArgType::Integer), Arg::new("value", ArgType::String)],
        ),
    ),
    one_key_cmd(
        "getset",
        3,
        WRITE | DENYOOM | FAST,
        RW_ACCESS_UPDATE,
        getset,
        Docs {
            doc_flags: &["deprecated"],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`SET` with the `!GET` argument"),
            ..docs("Sets a key's string value and returns the previous one.", "1.0.0", "O(1)", KEY_VALUE)
        },
    ),
    one_key_cmd(
        "getdel",
        2,
        WRITE | FAST,
        RW_ACCESS_DELETE,
        getdel,
        docs("Returns a key's string value and deletes the key.", "6.2.0", "O(1)", KEY),
    ),
    one_key_cmd(
        "getex",
        -2,
        WRITE | FAST,
        RW_ACCESS_UPDATE,
        getex,
        docs("Returns a key's string value, optionally changing its expiry.", "6.2.0", "O(1)", GETEX_ARGS),
    ),
    CommandSpec {
        last_key: -1,
        tips: &["request_policy:multi_shard"],
        ..one_key_cmd(
            "mget",
            -2,
            READONLY | FAST,
            &[KeySpec::range(&["RO", "access"], 1, -1, 1)],
            mget,
            docs(
                "Returns the string values of several keys.",
                "1.0.0",
                "O(N) where N is the number of keys to retrieve.",
                &[Arg::key("key", 0).multiple()],
            ),
        )
    },
    CommandSpec {
        last_key: -1,
        key_step: 2,
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        ..one_key_cmd(
            "mset",
            -3,
            WRITE | DENYOOM,
            &[KeySpec::range(&["OW", "update"], 1, -1, 2)],
            mset,
            docs("Sets several keys' string values at once.", "1.0.1", "O(N) where N is the number of keys to set.", KEY_VALUE_PAIRS),
        )
    },
    CommandSpec {
        last_key: -1,
        key_step: 2,
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        ..one_key_cmd(
            "msetnx",
            -3,
            WRITE | DENYOOM,
            &[KeySpec::range(&["OW", "insert"], 1, -1, 2)],
            msetnx,
            docs(
                "Sets several keys' string values only when none of the keys exists.",
                "1.0.1",
                "O(N) where N is the number of keys to set.",
                KEY_VALUE_PAIRS,
            ),
        )
    },
    one_key_cmd(
        "append",
        3,
        WRITE | DENYOOM | FAST,
        RW_INSERT,
        append,
        docs(
            "Appends bytes to a key's string value, creating the key if needed.",
            "2.0.0",
            "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
            KEY_VALUE,
        ),
    ),
    one_key_cmd("strlen", 2, READONLY | FAST, RO, strlen, docs("Returns the length of a key's string value.", "2.2.0", "O(1)", KEY)),
    one_key_cmd("incr", 2, WRITE | DENYOOM | FAST, RW_ACCESS_UPDATE, incr, docs("Adds one to a key's integer value.", "1.0.0", "O(1)", KEY)),
    one_key_cmd("decr", 2, WRITE | DENYOOM | FAST, RW_ACCESS_UPDATE, decr, docs("Subtracts one from a key's integer value.", "1.0.0", "O(1)", KEY)),
    one_key_cmd(
        "incrby",
        3,
        WRITE | DENYOOM | FAST,
        RW_ACCESS_UPDATE,
        incrby,
        docs(
            "Adds an amount to a key's integer value.",
            "1.0.0",
            "O(1)",
            &[Arg::key("key", 0), Arg::new("increment", ArgType::Integer)],
        ),
    ),
    one_key_cmd(
        "decrby",
        3,
        WRITE | DENYOOM | FAST,
        RW_ACCESS_UPDATE,
        decrby,
        docs(
            "Subtracts an amount from a key's integer value.",
            "1.0.0",
            "O(1)",
            &[Arg::key("key", 0), Arg::new("decrement", ArgType::Integer)],
        ),
    ),
    one_key_cmd(
        "incrbyfloat",
        3,
        WRITE | DENYOOM | FAST,
        RW_ACCESS_UPDATE,
        incrbyfloat,
        docs(
            "Adds a floating-point amount to a key's numeric value.",
            "2.6.0",
            "O(1)",
            &[Arg::key("key", 0), Arg::new("increment", ArgType::Double)],
        ),
    ),
    one_key_cmd(
        "getrange",
        4,
        READONLY,
        RO_ACCESS,
        getrange,
        docs("Returns part of a key's string value.", "2.4.0", GETRANGE_COMPLEXITY, KEY_RANGE),
    ),
    one_key_cmd(
        "substr",
        4,
        READONLY,
        RO_ACCESS,
        substr,
        Docs {
            doc_flags: &["deprecated"],
            deprecated_since: Some("2.0.0"),
            replaced_by: Some("`GETRANGE`"),
            ..docs("Returns part of a key's string value (old name of GETRANGE).", "1.0.0", GETRANGE_COMPLEXITY, KEY_RANGE)
        },
    ),
    one_key_cmd(
        "setrange",
        4,
        WRITE | DENYOOM,
        RW_UPDATE,
        setrange,
        docs(
            "Overwrites part of a key's string value from an offset, zero-padding as needed.",
            "2.2.0",
            "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
            &[Arg::key("key", 0), Arg::new("offset", ArgType::Integer), Arg::new("value", ArgType::String)],
        ),
    ),
    CommandSpec {
        last_key: 2,
        ..one_key_cmd(
            "lcs",
            -3,
            READONLY,
            &[KeySpec::range(&["RO", "access"], 1, 1, 1)],
            lcs,
            docs(
                "Finds the longest common subsequence of two keys' string values.",
                "7.0.0",
                "O(N*M) where N and M are the lengths of s1 and s2, respectively",
                LCS_ARGS,
            ),
        )
    },
];
