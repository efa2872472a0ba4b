//! The sorted-set family's command table: one entry per command, in the order COMMAND
//! lists them, with the flags, key specs, ACL categories and argument structure Redis 7.0
//! reports in COMMAND INFO / COMMAND DOCS (summaries, complexities and history notes in
//! our own words).

use super::algebra::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};
use super::pop::{bzmpop, bzpopmax, bzpopmin, zmpop, zpopmax, zpopmin};
use super::range::{
    zcount, zlexcount, zrange, zrangebylex, zrangebyscore, zrangestore, zremrangebylex,
    zremrangebyrank, zremrangebyscore, zrevrange, zrevrangebylex, zrevrangebyscore,
};
use super::read::{zcard, zmscore, zrandmember, zrank, zrevrank, zscan, zscore};
use super::update::{zadd, zincrby, zrem};
use crate::command::core::command::CommandSpec;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{
    acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec, LIMIT_OFFSET_COUNT,
};

/// The sorted-set family's entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zadd", -4, WRITE | DENYOOM | FAST, zadd)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::SortedSet.doc("Adds members with scores to a sorted set, or updates their scores.",
            "1.2.0", "O(log(N)) per member added or updated, N being the set's size.")
            .history(ZADD_HISTORY).args(ZADD_ARGS)),
    CommandSpec::new("zincrby", 4, WRITE | DENYOOM | FAST, zincrby)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::SortedSet.doc("Adds an increment to one member's score.",
            "1.2.0", "O(log(N)), N being the set's size.").args(ZINCRBY_ARGS)),
    CommandSpec::new("zrem", -3, WRITE | FAST, zrem)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::SortedSet.doc("Removes members from a sorted set.",
            "1.2.0", "O(M*log(N)), M members removed from a set of size N.")
            .history(&[("2.4.0", "Several members per call.")]).args(KEY_MEMBERS)),
    CommandSpec::new("zcard", 2, READONLY | FAST, zcard)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO)
        .docs(Group::SortedSet.doc("Returns how many members a sorted set has.", "1.2.0", "O(1)")
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("zscore", 3, READONLY | FAST, zscore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns one member's score.", "1.2.0", "O(1)").args(KEY_MEMBER)),
    CommandSpec::new("zmscore", -3, READONLY | FAST, zmscore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns the scores of several members.",
            "6.2.0", "O(N), N being the number of members asked for.").args(KEY_MEMBERS)),
    CommandSpec::new("zrank", 3, READONLY | FAST, zrank)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns a member's 0-based position in ascending score order.",
            "2.0.0", "O(log(N))").args(KEY_MEMBER)),
    CommandSpec::new("zrevrank", 3, READONLY | FAST, zrevrank)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns a member's 0-based position in descending score order.",
            "2.0.0", "O(log(N))").args(KEY_MEMBER)),
    CommandSpec::new("zcount", 4, READONLY | FAST, zcount)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Counts the members whose scores fall in a range.",
            "2.0.0", "O(log(N)), N being the set's size.").args(SCORE_RANGE_ARGS)),
    CommandSpec::new("zlexcount", 4, READONLY | FAST, zlexcount)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Counts the members in a lexicographical range.",
            "2.8.9", "O(log(N)), N being the set's size.").args(LEX_RANGE_ARGS)),
    CommandSpec::new("zrange", -4, READONLY, zrange)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members in a range of ranks, scores or lexicographical order.",
            "1.2.0", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .history(&[("6.2.0", "New options: `REV`, `BYSCORE`, `BYLEX`, `LIMIT`.")])
            .args(ZRANGE_ARGS)),
    CommandSpec::new("zrangestore", -5, WRITE | DENYOOM, zrangestore)
        .acl(acl::SORTEDSET)
        .keys(1, 2, 1, ZRANGESTORE_KEYS)
        .docs(Group::SortedSet.doc("Stores a range of members of one sorted set into another key.",
            "6.2.0", "O(log(N)+M), N being the source's size and M the number of members stored.")
            .args(ZRANGESTORE_ARGS)),
    CommandSpec::new("zrangebyscore", -4, READONLY, zrangebyscore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members whose scores fall in a range, ascending.",
            "1.0.5", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .history(&[("2.0.0", "New modifier: `WITHSCORES`.")])
            .deprecated("6.2.0", "`ZRANGE` with the `BYSCORE` argument")
            .args(ZRANGEBYSCORE_ARGS)),
    CommandSpec::new("zrevrangebyscore", -4, READONLY, zrevrangebyscore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members whose scores fall in a range, descending.",
            "2.2.0", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .history(&[("2.1.6", "Exclusive `min`/`max` bounds.")])
            .deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments")
            .args(ZREVRANGEBYSCORE_ARGS)),
    CommandSpec::new("zrangebylex", -4, READONLY, zrangebylex)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members in a lexicographical range, ascending.",
            "2.8.9", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .deprecated("6.2.0", "`ZRANGE` with the `BYLEX` argument").args(ZRANGEBYLEX_ARGS)),
    CommandSpec::new("zrevrangebylex", -4, READONLY, zrevrangebylex)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members in a lexicographical range, descending.",
            "2.8.9", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments")
            .args(ZREVRANGEBYLEX_ARGS)),
    CommandSpec::new("zrevrange", -4, READONLY, zrevrange)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::SortedSet.doc("Returns members in a range of ranks, highest score first.",
            "1.2.0", "O(log(N)+M), N being the set's size and M the number of members returned.")
            .deprecated("6.2.0", "`ZRANGE` with the `REV` argument").args(ZREVRANGE_ARGS)),
    CommandSpec::new("zremrangebyrank", 4, WRITE, zremrangebyrank)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::SortedSet.doc("Removes the members in a range of ranks.",
            "2.0.0", "O(log(N)+M), N being the set's size and M the number of members removed.")
            .args(ZREMRANGEBYRANK_ARGS)),
    CommandSpec::new("zremrangebyscore", 4, WRITE, zremrangebyscore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::SortedSet.doc("Removes the members whose scores fall in a range.",
            "1.2.0", "O(log(N)+M), N being the set's size and M the number of members removed.")
            .args(SCORE_RANGE_ARGS)),
    CommandSpec::new("zremrangebylex", 4, WRITE, zremrangebylex)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_DELETE)
        .docs(Group::SortedSet.doc("Removes the members in a lexicographical range.",
            "2.8.9", "O(log(N)+M), N being the set's size and M the number of members removed.")
            .args(LEX_RANGE_ARGS)),
    CommandSpec::new("zpopmin", -2, WRITE | FAST, zpopmin)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .docs(Group::SortedSet.doc("Removes and returns the lowest-scored members.",
            "5.0.0", "O(log(N)*M), M members popped from a set of size N.").args(ZPOPMIN_ARGS)),
    CommandSpec::new("zpopmax", -2, WRITE | FAST, zpopmax)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RW_ACCESS_DELETE)
        .docs(Group::SortedSet.doc("Removes and returns the highest-scored members.",
            "5.0.0", "O(log(N)*M), M members popped from a set of size N.").args(ZPOPMIN_ARGS)),
    CommandSpec::new("zmpop", -4, WRITE | MOVABLE_KEYS, zmpop)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, ZMPOP_KEYS)
        .docs(Group::SortedSet.doc("Pops members from the first non-empty sorted set among several keys.",
            "7.0.0", "O(K) + O(M*log(N)), K keys given, M members popped, N the set's size.")
            .args(ZMPOP_ARGS)),
    CommandSpec::new("bzpopmin", -3, WRITE | NOSCRIPT | BLOCKING | FAST, bzpopmin)
        .acl(acl::SORTEDSET)
        .keys(1, -2, 1, &[KeySpec::range(&["RW", "access", "delete"], 1, -2, 1)])
        .docs(Group::SortedSet.doc("Pops the lowest-scored member of the first non-empty sorted set, waiting for one if needed.",
            "5.0.0", "O(log(N)), N being the set's size.")
            .history(&[("6.0.0", "`timeout` may be fractional (a double).")]).args(KEYS_TIMEOUT)),
    CommandSpec::new("bzpopmax", -3, WRITE | NOSCRIPT | BLOCKING | FAST, bzpopmax)
        .acl(acl::SORTEDSET)
        .keys(1, -2, 1, &[KeySpec::range(&["RW", "access", "delete"], 1, -2, 1)])
        .docs(Group::SortedSet.doc("Pops the highest-scored member of the first non-empty sorted set, waiting for one if needed.",
            "5.0.0", "O(log(N)), N being the set's size.")
            .history(&[("6.0.0", "`timeout` may be fractional (a double).")]).args(KEYS_TIMEOUT)),
    CommandSpec::new("bzmpop", -5, WRITE | BLOCKING | MOVABLE_KEYS, bzmpop)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, BZMPOP_KEYS)
        .docs(Group::SortedSet.doc("Like ZMPOP, but waits for a member when every set is empty.",
            "7.0.0", "O(K) + O(M*log(N)), K keys given, M members popped, N the set's size.")
            .args(BZMPOP_ARGS)),
    CommandSpec::new("zunion", -3, READONLY | MOVABLE_KEYS, zunion)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, NUMKEYS_READ)
        .docs(Group::SortedSet.doc("Returns the union of sorted sets.",
            "6.2.0", "O(N)+O(M*log(M)), N the total input size and M the result size.")
            .args(ZUNION_ARGS)),
    CommandSpec::new("zinter", -3, READONLY | MOVABLE_KEYS, zinter)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, NUMKEYS_READ)
        .docs(Group::SortedSet.doc("Returns the intersection of sorted sets.",
            "6.2.0",
            "O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M the result size.")
            .args(ZUNION_ARGS)),
    CommandSpec::new("zdiff", -3, READONLY | MOVABLE_KEYS, zdiff)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, NUMKEYS_READ)
        .docs(Group::SortedSet.doc("Returns the members of the first sorted set missing from all the others.",
            "6.2.0",
            "O(L + (N-K)log(N)) worst case, L the total input size, N the first set's size, K the result size.")
            .args(ZDIFF_ARGS)),
    CommandSpec::new("zunionstore", -4, WRITE | DENYOOM | MOVABLE_KEYS, zunionstore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, STORE_NUMKEYS)
        .docs(Group::SortedSet.doc("Stores the union of sorted sets in a key.",
            "2.0.0", "O(N)+O(M*log(M)), N the total input size and M the result size.")
            .args(ZUNIONSTORE_ARGS)),
    CommandSpec::new("zinterstore", -4, WRITE | DENYOOM | MOVABLE_KEYS, zinterstore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, STORE_NUMKEYS)
        .docs(Group::SortedSet.doc("Stores the intersection of sorted sets in a key.",
            "2.0.0",
            "O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M the result size.")
            .args(ZUNIONSTORE_ARGS)),
    CommandSpec::new("zdiffstore", -4, WRITE | DENYOOM | MOVABLE_KEYS, zdiffstore)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, STORE_NUMKEYS)
        .docs(Group::SortedSet.doc("Stores the difference of sorted sets in a key.",
            "6.2.0",
            "O(L + (N-K)log(N)) worst case, L the total input size, N the first set's size, K the result size.")
            .args(ZDIFFSTORE_ARGS)),
    CommandSpec::new("zintercard", -3, READONLY | MOVABLE_KEYS, zintercard)
        .acl(acl::SORTEDSET)
        .keys(0, 0, 0, NUMKEYS_READ)
        .docs(Group::SortedSet.doc("Returns the size of the intersection of sorted sets.",
            "7.0.0", "O(N*K) worst case, N the smallest input and K the number of inputs.")
            .args(ZINTERCARD_ARGS)),
    CommandSpec::new("zrandmember", -2, READONLY, zrandmember)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::SortedSet.doc("Returns random members of a sorted set.",
            "6.2.0", "O(N), N being the number of members returned.").args(ZRANDMEMBER_ARGS)),
    CommandSpec::new("zscan", -3, READONLY, zscan)
        .acl(acl::SORTEDSET)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::SortedSet.doc("Incrementally iterates a sorted set's members and scores.",
            "2.8.0", "O(1) per call, O(N) for a complete iteration.").args(ZSCAN_ARGS)),
];

const ZADD_HISTORY: &[(&str, &str)] = &[
    ("2.4.0", "Several members per call."),
    ("3.0.2", "New options: `XX`, `NX`, `CH`, `INCR`."),
    ("6.2.0", "New options: `GT`, `LT`."),
];

const ZADD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::one_of(
        "condition",
        &[Arg::token("nx", "NX"), Arg::token("xx", "XX")],
    )
    .since("3.0.2")
    .optional(),
    Arg::one_of(
        "comparison",
        &[Arg::token("gt", "GT"), Arg::token("lt", "LT")],
    )
    .since("6.2.0")
    .optional(),
    Arg::token("change", "CH").since("3.0.2").optional(),
    Arg::token("increment", "INCR").since("3.0.2").optional(),
    Arg::block(
        "score_member",
        &[
            Arg::new("score", ArgType::Double),
            Arg::new("member", ArgType::String),
        ],
    )
    .multiple(),
];

const ZINCRBY_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("increment", ArgType::Integer),
    Arg::new("member", ArgType::String),
];

const KEY_MEMBERS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String).multiple(),
];

const KEY_MEMBER: &[Arg] = &[Arg::key("key", 0), Arg::new("member", ArgType::String)];

const SCORE_RANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("min", ArgType::Double),
    Arg::new("max", ArgType::Double),
];

const LEX_RANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("min", ArgType::String),
    Arg::new("max", ArgType::String),
];

const ZRANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::String),
    Arg::new("stop", ArgType::String),
    Arg::one_of(
        "sortby",
        &[
            Arg::token("byscore", "BYSCORE"),
            Arg::token("bylex", "BYLEX"),
        ],
    )
    .since("6.2.0")
    .optional(),
    Arg::token("rev", "REV").since("6.2.0").optional(),
    LIMIT_OFFSET_COUNT.since("6.2.0"),
    Arg::token("withscores", "WITHSCORES").optional(),
];

const ZRANGESTORE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["OW", "update"], 1, 0, 1),
    KeySpec::range(&["RO", "access"], 2, 0, 1),
];

const ZRANGESTORE_ARGS: &[Arg] = &[
    Arg::key("dst", 0),
    Arg::key("src", 1),
    Arg::new("min", ArgType::String),
    Arg::new("max", ArgType::String),
    Arg::one_of(
        "sortby",
        &[
            Arg::token("byscore", "BYSCORE"),
            Arg::token("bylex", "BYLEX"),
        ],
    )
    .optional(),
    Arg::token("rev", "REV").optional(),
    LIMIT_OFFSET_COUNT,
];

const ZRANGEBYSCORE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("min", ArgType::Double),
    Arg::new("max", ArgType::Double),
    Arg::token("withscores", "WITHSCORES")
        .since("2.0.0")
        .optional(),
    LIMIT_OFFSET_COUNT,
];

const ZREVRANGEBYSCORE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("max", ArgType::Double),
    Arg::new("min", ArgType::Double),
    Arg::token("withscores", "WITHSCORES").optional(),
    LIMIT_OFFSET_COUNT,
];

const ZRANGEBYLEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("min", ArgType::String),
    Arg::new("max", ArgType::String),
    LIMIT_OFFSET_COUNT,
];

const ZREVRANGEBYLEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("max", ArgType::String),
    Arg::new("min", ArgType::String),
    LIMIT_OFFSET_COUNT,
];

const ZREVRANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::Integer),
    Arg::new("stop", ArgType::Integer),
    Arg::token("withscores", "WITHSCORES").optional(),
];

const ZREMRANGEBYRANK_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgType::Integer),
    Arg::new("stop", ArgType::Integer),
];

const ZPOPMIN_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer).optional(),
];

const ZMPOP_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RW", "access", "delete"],
    begin: BeginSearch::Index(1),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const ZMPOP_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::one_of(
        "where",
        &[Arg::token("min", "MIN"), Arg::token("max", "MAX")],
    ),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];

const KEYS_TIMEOUT: &[Arg] = &[
    Arg::key("key", 0).multiple(),
    Arg::new("timeout", ArgType::Double),
];

const BZMPOP_KEYS: &[KeySpec] = &[KeySpec {
    flags: &["RW", "access", "delete"],
    begin: BeginSearch::Index(2),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const BZMPOP_ARGS: &[Arg] = &[
    Arg::new("timeout", ArgType::Double),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::one_of(
        "where",
        &[Arg::token("min", "MIN"), Arg::token("max", "MAX")],
    ),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];

const NUMKEYS_READ: &[KeySpec] = &[KeySpec {
    flags: &["RO", "access"],
    begin: BeginSearch::Index(1),
    find: FindKeys::KeyNum {
        key_num_index: 0,
        first_key: 1,
        step: 1,
    },
}];

const ZUNION_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::new("weight", ArgType::Integer)
        .with_token("WEIGHTS")
        .optional()
        .multiple(),
    Arg::one_of(
        "aggregate",
        &[
            Arg::token("sum", "SUM"),
            Arg::token("min", "MIN"),
            Arg::token("max", "MAX"),
        ],
    )
    .with_token("AGGREGATE")
    .optional(),
    Arg::token("withscores", "WITHSCORES").optional(),
];

const ZDIFF_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::token("withscores", "WITHSCORES").optional(),
];

const STORE_NUMKEYS: &[KeySpec] = &[
    KeySpec::range(&["OW", "update"], 1, 0, 1),
    KeySpec {
        flags: &["RO", "access"],
        begin: BeginSearch::Index(2),
        find: FindKeys::KeyNum {
            key_num_index: 0,
            first_key: 1,
            step: 1,
        },
    },
];

const ZUNIONSTORE_ARGS: &[Arg] = &[
    Arg::key("destination", 0),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 1).multiple(),
    Arg::new("weight", ArgType::Integer)
        .with_token("WEIGHTS")
        .optional()
        .multiple(),
    Arg::one_of(
        "aggregate",
        &[
            Arg::token("sum", "SUM"),
            Arg::token("min", "MIN"),
            Arg::token("max", "MAX"),
        ],
    )
    .with_token("AGGREGATE")
    .optional(),
];

const ZDIFFSTORE_ARGS: &[Arg] = &[
    Arg::key("destination", 0),
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 1).multiple(),
];

const ZINTERCARD_ARGS: &[Arg] = &[
    Arg::new("numkeys", ArgType::Integer),
    Arg::key("key", 0).multiple(),
    Arg::new("limit", ArgType::Integer)
        .with_token("LIMIT")
        .optional(),
];

const ZRANDMEMBER_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block(
        "options",
        &[
            Arg::new("count", ArgType::Integer),
            Arg::token("withscores", "WITHSCORES").optional(),
        ],
    )
    .optional(),
];

const ZSCAN_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("cursor", ArgType::Integer),
    Arg::new("pattern", ArgType::Pattern)
        .with_token("MATCH")
        .optional(),
    Arg::new("count", ArgType::Integer)
        .with_token("COUNT")
        .optional(),
];
