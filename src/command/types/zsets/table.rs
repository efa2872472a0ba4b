//! The sorted-set family's command table: flags, key specs, ACL categories and
//! argument structure as Redis 7.0 reports them in COMMAND INFO / COMMAND DOCS
//! (summaries, complexities and history notes in our own words).

use crate::command::core::spec::{acl, Arg, ArgType, BeginSearch, Docs, FindKeys, Group, KeySpec};

use crate::command::core::spec::flags::*;

use crate::command::core::command::CommandSpec;

/// This family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zadd",
        arity: -4,
        flags: WRITE | DENYOOM | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zadd,
        subcommands: &[],
        docs: Docs {
            summary: "Adds members with scores to a sorted set, or updates their scores.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)) per member added or updated, N being the set's size.",
            history: &[("2.4.0", "Several members per call."), ("3.0.2", "New options: `XX`, `NX`, `CH`, `INCR`."), ("6.2.0", "New options: `GT`, `LT`.")],
            args: &[
            Arg::key("key", 0),
            Arg::one_of("condition", &[
                Arg::token("nx", "NX"),
                Arg::token("xx", "XX"),
            ]).since("3.0.2").optional(),
            Arg::one_of("comparison", &[
                Arg::token("gt", "GT"),
                Arg::token("lt", "LT"),
            ]).since("6.2.0").optional(),
            Arg::token("change", "CH").since("3.0.2").optional(),
            Arg::token("increment", "INCR").since("3.0.2").optional(),
            Arg::block("score_member", &[
                Arg::new("score", ArgType::Double),
                Arg::new("member", ArgType::String),
            ]).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zincrby",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "access", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zincrby,
        subcommands: &[],
        docs: Docs {
            summary: "Adds an increment to one member's score.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)), N being the set's size.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("increment", ArgType::Integer),
            Arg::new("member", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrem",
        arity: -3,
        flags: WRITE | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrem,
        subcommands: &[],
        docs: Docs {
            summary: "Removes members from a sorted set.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(M*log(N)), M members removed from a set of size N.",
            history: &[("2.4.0", "Several members per call.")],
            args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgType::String).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zcard",
        arity: 2,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zcard,
        subcommands: &[],
        docs: Docs {
            summary: "Returns how many members a sorted set has.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(1)",
            history: &[],
            args: &[
            Arg::key("key", 0)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zscore",
        arity: 3,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zscore,
        subcommands: &[],
        docs: Docs {
            summary: "Returns one member's score.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(1)",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zmscore",
        arity: -3,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zmscore,
        subcommands: &[],
        docs: Docs {
            summary: "Returns the scores of several members.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(N), N being the number of members asked for.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgType::String).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrank",
        arity: 3,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrank,
        subcommands: &[],
        docs: Docs {
            summary: "Returns a member's 0-based position in ascending score order.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N))",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrevrank",
        arity: 3,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrevrank,
        subcommands: &[],
        docs: Docs {
            summary: "Returns a member's 0-based position in descending score order.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N))",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zcount",
        arity: 4,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zcount,
        subcommands: &[],
        docs: Docs {
            summary: "Counts the members whose scores fall in a range.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)), N being the set's size.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zlexcount",
        arity: 4,
        flags: READONLY | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zlexcount,
        subcommands: &[],
        docs: Docs {
            summary: "Counts the members in a lexicographical range.",
            since: "2.8.9",
            group: Group::SortedSet,
            complexity: "O(log(N)), N being the set's size.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrange",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrange,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members in a range of ranks, scores or lexicographical order.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[("6.2.0", "New options: `REV`, `BYSCORE`, `BYLEX`, `LIMIT`.")],
            args: &[
            Arg::key("key", 0),
            Arg::new("start", ArgType::String),
            Arg::new("stop", ArgType::String),
            Arg::one_of("sortby", &[
                Arg::token("byscore", "BYSCORE"),
                Arg::token("bylex", "BYLEX"),
            ]).since("6.2.0").optional(),
            Arg::token("rev", "REV").since("6.2.0").optional(),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").since("6.2.0").optional(),
            Arg::token("withscores", "WITHSCORES").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrangestore",
        arity: -5,
        flags: WRITE | DENYOOM,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrangestore,
        subcommands: &[],
        docs: Docs {
            summary: "Stores a range of members of one sorted set into another key.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the source's size and M the number of members stored.",
            history: &[],
            args: &[
            Arg::key("dst", 0),
            Arg::key("src", 1),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
            Arg::one_of("sortby", &[
                Arg::token("byscore", "BYSCORE"),
                Arg::token("bylex", "BYLEX"),
            ]).optional(),
            Arg::token("rev", "REV").optional(),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrangebyscore",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrangebyscore,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members whose scores fall in a range, ascending.",
            since: "1.0.5",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[("2.0.0", "New modifier: `WITHSCORES`.")],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`ZRANGE` with the `BYSCORE` argument"),
            doc_flags: &["deprecated"],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double),
            Arg::token("withscores", "WITHSCORES").since("2.0.0").optional(),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").optional()
            ],
        },
    },
    CommandSpec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrevrangebyscore,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members whose scores fall in a range, descending.",
            since: "2.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[("2.1.6", "Exclusive `min`/`max` bounds.")],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`ZRANGE` with the `REV` and `BYSCORE` arguments"),
            doc_flags: &["deprecated"],
            args: &[
            Arg::key("key", 0),
            Arg::new("max", ArgType::Double),
            Arg::new("min", ArgType::Double),
            Arg::token("withscores", "WITHSCORES").optional(),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").optional()
            ],
        },
    },
    CommandSpec {
        name: "zrangebylex",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrangebylex,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members in a lexicographical range, ascending.",
            since: "2.8.9",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`ZRANGE` with the `BYLEX` argument"),
            doc_flags: &["deprecated"],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").optional()
            ],
        },
    },
    CommandSpec {
        name: "zrevrangebylex",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrevrangebylex,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members in a lexicographical range, descending.",
            since: "2.8.9",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`ZRANGE` with the `REV` and `BYLEX` arguments"),
            doc_flags: &["deprecated"],
            args: &[
            Arg::key("key", 0),
            Arg::new("max", ArgType::String),
            Arg::new("min", ArgType::String),
            Arg::block("offset_count", &[
                Arg::new("offset", ArgType::Integer),
                Arg::new("count", ArgType::Integer),
            ]).with_token("LIMIT").optional()
            ],
        },
    },
    CommandSpec {
        name: "zrevrange",
        arity: -4,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zrevrange,
        subcommands: &[],
        docs: Docs {
            summary: "Returns members in a range of ranks, highest score first.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members returned.",
            history: &[],
            deprecated_since: Some("6.2.0"),
            replaced_by: Some("`ZRANGE` with the `REV` argument"),
            doc_flags: &["deprecated"],
            args: &[
            Arg::key("key", 0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer),
            Arg::token("withscores", "WITHSCORES").optional()
            ],
        },
    },
    CommandSpec {
        name: "zremrangebyrank",
        arity: 4,
        flags: WRITE,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zremrangebyrank,
        subcommands: &[],
        docs: Docs {
            summary: "Removes the members in a range of ranks.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members removed.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("start", ArgType::Integer),
            Arg::new("stop", ArgType::Integer)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zremrangebyscore",
        arity: 4,
        flags: WRITE,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zremrangebyscore,
        subcommands: &[],
        docs: Docs {
            summary: "Removes the members whose scores fall in a range.",
            since: "1.2.0",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members removed.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::Double),
            Arg::new("max", ArgType::Double)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zremrangebylex",
        arity: 4,
        flags: WRITE,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zremrangebylex,
        subcommands: &[],
        docs: Docs {
            summary: "Removes the members in a lexicographical range.",
            since: "2.8.9",
            group: Group::SortedSet,
            complexity: "O(log(N)+M), N being the set's size and M the number of members removed.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("min", ArgType::String),
            Arg::new("max", ArgType::String)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zpopmin",
        arity: -2,
        flags: WRITE | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zpopmin,
        subcommands: &[],
        docs: Docs {
            summary: "Removes and returns the lowest-scored members.",
            since: "5.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)*M), M members popped from a set of size N.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("count", ArgType::Integer).optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zpopmax",
        arity: -2,
        flags: WRITE | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::zpopmax,
        subcommands: &[],
        docs: Docs {
            summary: "Removes and returns the highest-scored members.",
            since: "5.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)*M), M members popped from a set of size N.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("count", ArgType::Integer).optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zmpop",
        arity: -4,
        flags: WRITE | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zmpop,
        subcommands: &[],
        docs: Docs {
            summary: "Pops members from the first non-empty sorted set among several keys.",
            since: "7.0.0",
            group: Group::SortedSet,
            complexity: "O(K) + O(M*log(N)), K keys given, M members popped, N the set's size.",
            history: &[],
            args: &[
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::one_of("where", &[
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]),
            Arg::new("count", ArgType::Integer).with_token("COUNT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: WRITE | NOSCRIPT | BLOCKING | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: -2, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::bzpopmin,
        subcommands: &[],
        docs: Docs {
            summary: "Pops the lowest-scored member of the first non-empty sorted set, waiting for one if needed.",
            since: "5.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)), N being the set's size.",
            history: &[("6.0.0", "`timeout` may be fractional (a double).")],
            args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgType::Double)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: WRITE | NOSCRIPT | BLOCKING | FAST,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: -2,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: -2, step: 1, limit: 0 } }],
        tips: &[],
        handler: super::bzpopmax,
        subcommands: &[],
        docs: Docs {
            summary: "Pops the highest-scored member of the first non-empty sorted set, waiting for one if needed.",
            since: "5.0.0",
            group: Group::SortedSet,
            complexity: "O(log(N)), N being the set's size.",
            history: &[("6.0.0", "`timeout` may be fractional (a double).")],
            args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgType::Double)
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: WRITE | BLOCKING | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RW", "access", "delete"], begin: BeginSearch::Index(2), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::bzmpop,
        subcommands: &[],
        docs: Docs {
            summary: "Like ZMPOP, but waits for a member when every set is empty.",
            since: "7.0.0",
            group: Group::SortedSet,
            complexity: "O(K) + O(M*log(N)), K keys given, M members popped, N the set's size.",
            history: &[],
            args: &[
            Arg::new("timeout", ArgType::Double),
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::one_of("where", &[
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]),
            Arg::new("count", ArgType::Integer).with_token("COUNT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zunion",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zunion,
        subcommands: &[],
        docs: Docs {
            summary: "Returns the union of sorted sets.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(N)+O(M*log(M)), N the total input size and M the result size.",
            history: &[],
            args: &[
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::new("weight", ArgType::Integer).with_token("WEIGHTS").optional().multiple(),
            Arg::one_of("aggregate", &[
                Arg::token("sum", "SUM"),
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]).with_token("AGGREGATE").optional(),
            Arg::token("withscores", "WITHSCORES").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zinter",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zinter,
        subcommands: &[],
        docs: Docs {
            summary: "Returns the intersection of sorted sets.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M the result size.",
            history: &[],
            args: &[
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::new("weight", ArgType::Integer).with_token("WEIGHTS").optional().multiple(),
            Arg::one_of("aggregate", &[
                Arg::token("sum", "SUM"),
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]).with_token("AGGREGATE").optional(),
            Arg::token("withscores", "WITHSCORES").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zdiff",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zdiff,
        subcommands: &[],
        docs: Docs {
            summary: "Returns the members of the first sorted set missing from all the others.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(L + (N-K)log(N)) worst case, L the total input size, N the first set's size, K the result size.",
            history: &[],
            args: &[
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::token("withscores", "WITHSCORES").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zunionstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zunionstore,
        subcommands: &[],
        docs: Docs {
            summary: "Stores the union of sorted sets in a key.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(N)+O(M*log(M)), N the total input size and M the result size.",
            history: &[],
            args: &[
            Arg::key("destination", 0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 1).multiple(),
            Arg::new("weight", ArgType::Integer).with_token("WEIGHTS").optional().multiple(),
            Arg::one_of("aggregate", &[
                Arg::token("sum", "SUM"),
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]).with_token("AGGREGATE").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zinterstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zinterstore,
        subcommands: &[],
        docs: Docs {
            summary: "Stores the intersection of sorted sets in a key.",
            since: "2.0.0",
            group: Group::SortedSet,
            complexity: "O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M the result size.",
            history: &[],
            args: &[
            Arg::key("destination", 0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 1).multiple(),
            Arg::new("weight", ArgType::Integer).with_token("WEIGHTS").optional().multiple(),
            Arg::one_of("aggregate", &[
                Arg::token("sum", "SUM"),
                Arg::token("min", "MIN"),
                Arg::token("max", "MAX"),
            ]).with_token("AGGREGATE").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zdiffstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zdiffstore,
        subcommands: &[],
        docs: Docs {
            summary: "Stores the difference of sorted sets in a key.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(L + (N-K)log(N)) worst case, L the total input size, N the first set's size, K the result size.",
            history: &[],
            args: &[
            Arg::key("destination", 0),
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 1).multiple()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zintercard",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: acl::SORTEDSET,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::KeyNum { key_num_index: 0, first_key: 1, step: 1 } }],
        tips: &[],
        handler: super::zintercard,
        subcommands: &[],
        docs: Docs {
            summary: "Returns the size of the intersection of sorted sets.",
            since: "7.0.0",
            group: Group::SortedSet,
            complexity: "O(N*K) worst case, N the smallest input and K the number of inputs.",
            history: &[],
            args: &[
            Arg::new("numkeys", ArgType::Integer),
            Arg::key("key", 0).multiple(),
            Arg::new("limit", ArgType::Integer).with_token("LIMIT").optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zrandmember",
        arity: -2,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: super::zrandmember,
        subcommands: &[],
        docs: Docs {
            summary: "Returns random members of a sorted set.",
            since: "6.2.0",
            group: Group::SortedSet,
            complexity: "O(N), N being the number of members returned.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::block("options", &[
                Arg::new("count", ArgType::Integer),
                Arg::token("withscores", "WITHSCORES").optional(),
            ]).optional()
            ],
            ..Docs::EMPTY
        },
    },
    CommandSpec {
        name: "zscan",
        arity: -3,
        flags: READONLY,
        acl: acl::SORTEDSET,
        first_key: 1,
        last_key: 1,
        key_step: 1,
        key_specs: &[KeySpec { flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 0, step: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: super::zscan,
        subcommands: &[],
        docs: Docs {
            summary: "Incrementally iterates a sorted set's members and scores.",
            since: "2.8.0",
            group: Group::SortedSet,
            complexity: "O(1) per call, O(N) for a complete iteration.",
            history: &[],
            args: &[
            Arg::key("key", 0),
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).with_token("MATCH").optional(),
            Arg::new("count", ArgType::Integer).with_token("COUNT").optional()
            ],
            ..Docs::EMPTY
        },
    },
];
