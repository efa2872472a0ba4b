//! The geo family's command table: flags, key specs, ACL categories and argument
//! structure as Redis 7.0 reports them in COMMAND INFO / COMMAND DOCS (summaries,
//! complexities and history notes in our own words).

use crate::command::core::spec::{acl, Arg, ArgType, BeginSearch, Docs, FindKeys, Group, KeySpec};

use crate::command::core::spec::flags::*;

use crate::command::core::command::CommandSpec;

/// The source key every geo command reads (or GEOADD updates) at argument 1.
const fn first_key(flags: &'static [&'static str]) -> KeySpec {
    KeySpec::range(flags, 1, 0, 1)
}

/// GEORADIUS[BYMEMBER]'s optional STORE / STOREDIST destination, searched from `from`.
const fn store_key(keyword: &'static str, from: i32) -> KeySpec {
    KeySpec {
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword {
            keyword,
            start_from: from,
        },
        find: FindKeys::Range {
            last_key: 0,
            step: 1,
            limit: 0,
        },
    }
}

/// A geo command's docs.
const fn docs(
    summary: &'static str,
    since: &'static str,
    complexity: &'static str,
    history: &'static [(&'static str, &'static str)],
    args: &'static [Arg],
) -> Docs {
    Docs {
        history,
        ..Docs::new(Group::Geo, summary, since, complexity, args)
    }
}

/// A deprecated GEORADIUS-family command's docs.
const fn deprecated(
    summary: &'static str,
    since: &'static str,
    replaced_by: &'static str,
    history: &'static [(&'static str, &'static str)],
    args: &'static [Arg],
) -> Docs {
    Docs {
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some(replaced_by),
        ..docs(summary, since, SEARCH_COMPLEXITY, history, args)
    }
}

/// Cost of every search.
const SEARCH_COMPLEXITY: &str =
    "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.";

/// The `unit` choice (M KM FT MI).
const UNIT: Arg = Arg::one_of(
    "unit",
    &[
        Arg::token("m", "M"),
        Arg::token("km", "KM"),
        Arg::token("ft", "FT"),
        Arg::token("mi", "MI"),
    ],
);

/// WITHCOORD WITHDIST WITHHASH.
const WITHCOORD: Arg = Arg::token("withcoord", "WITHCOORD").optional();
/// See [`WITHCOORD`].
const WITHDIST: Arg = Arg::token("withdist", "WITHDIST").optional();
/// See [`WITHCOORD`].
const WITHHASH: Arg = Arg::token("withhash", "WITHHASH").optional();

/// `[COUNT count [ANY]]`, with ANY marked as added in 6.2 where Redis marks it.
const fn count_block(any_since: bool) -> Arg {
    const PLAIN: &[Arg] = &[
        Arg::new("count", ArgType::Integer).with_token("COUNT"),
        Arg::token("any", "ANY").optional(),
    ];
    const DATED: &[Arg] = &[
        Arg::new("count", ArgType::Integer).with_token("COUNT"),
        Arg::token("any", "ANY").since("6.2.0").optional(),
    ];
    Arg::block("count", if any_since { DATED } else { PLAIN }).optional()
}

/// `[ASC|DESC]`.
const ORDER: Arg = Arg::one_of(
    "order",
    &[Arg::token("asc", "ASC"), Arg::token("desc", "DESC")],
)
.optional();

/// `STORE key` and `STOREDIST key`.
const STORE: Arg = Arg::key("key", 1).with_token("STORE").optional();
/// See [`STORE`].
const STOREDIST: Arg = Arg::key("key", 2).with_token("STOREDIST").optional();

/// `FROMMEMBER member | FROMLONLAT longitude latitude`.
const FROM: Arg = Arg::one_of(
    "from",
    &[
        Arg::new("member", ArgType::String).with_token("FROMMEMBER"),
        Arg::block(
            "longitude_latitude",
            &[
                Arg::new("longitude", ArgType::Double),
                Arg::new("latitude", ArgType::Double),
            ],
        )
        .with_token("FROMLONLAT"),
    ],
);

/// `BYRADIUS radius unit | BYBOX width height unit`.
const BY: Arg = Arg::one_of(
    "by",
    &[
        Arg::block(
            "circle",
            &[
                Arg::new("radius", ArgType::Double).with_token("BYRADIUS"),
                UNIT,
            ],
        ),
        Arg::block(
            "box",
            &[
                Arg::new("width", ArgType::Double).with_token("BYBOX"),
                Arg::new("height", ArgType::Double),
                UNIT,
            ],
        ),
    ],
);

/// History shared by the commands that learned upper-case units in 7.0.
const UPPERCASE_UNITS: (&str, &str) = ("7.0.0", "Units may be given in upper case.");
/// History of ANY.
const ANY_ADDED: (&str, &str) = ("6.2.0", "New `ANY` option for `COUNT`.");

/// GEORADIUS's arguments after the key; `tail` ends the list.
const RADIUS_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("longitude", ArgType::Double),
    Arg::new("latitude", ArgType::Double),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITHCOORD,
    WITHDIST,
    WITHHASH,
    count_block(true),
    ORDER,
    STORE,
    STOREDIST,
];

/// GEORADIUSBYMEMBER's arguments.
const BYMEMBER_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITHCOORD,
    WITHDIST,
    WITHHASH,
    count_block(false),
    ORDER,
    STORE,
    STOREDIST,
];

/// This family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::keyed(
        "geoadd",
        -5,
        WRITE | DENYOOM,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RW", "update"])],
        &[],
        super::geoadd,
        docs(
            "Adds members at given positions to a geospatial index (a sorted set).",
            "3.2.0",
            "O(log(N)) per member added, N being the set's size.",
            &[("6.2.0", "New options: `CH`, `NX`, `XX`.")],
            &[
                Arg::key("key", 0),
                Arg::one_of(
                    "condition",
                    &[Arg::token("nx", "NX"), Arg::token("xx", "XX")],
                )
                .since("6.2.0")
                .optional(),
                Arg::token("change", "CH").since("6.2.0").optional(),
                Arg::block(
                    "longitude_latitude_member",
                    &[
                        Arg::new("longitude", ArgType::Double),
                        Arg::new("latitude", ArgType::Double),
                        Arg::new("member", ArgType::String),
                    ],
                )
                .multiple(),
            ],
        ),
    ),
    CommandSpec::keyed(
        "geodist",
        -4,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::geodist,
        docs(
            "Returns the distance between two members of a geospatial index.",
            "3.2.0",
            "O(log(N))",
            &[],
            &[
                Arg::key("key", 0),
                Arg::new("member1", ArgType::String),
                Arg::new("member2", ArgType::String),
                UNIT.optional(),
            ],
        ),
    ),
    CommandSpec::keyed(
        "geohash",
        -2,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::geohash,
        docs(
            "Returns the standard geohash strings of members of a geospatial index.",
            "3.2.0",
            "O(log(N)) per member asked for, N being the set's size.",
            &[],
            &[
                Arg::key("key", 0),
                Arg::new("member", ArgType::String).multiple(),
            ],
        ),
    ),
    CommandSpec::keyed(
        "geopos",
        -2,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::geopos,
        docs(
            "Returns the longitude and latitude of members of a geospatial index.",
            "3.2.0",
            "O(N), N being the number of members asked for.",
            &[],
            &[
                Arg::key("key", 0),
                Arg::new("member", ArgType::String).multiple(),
            ],
        ),
    ),
    CommandSpec::keyed(
        "georadius",
        -6,
        WRITE | DENYOOM | MOVABLE_KEYS,
        acl::GEO,
        (1, 1, 1),
        &[
            first_key(&["RO", "access"]),
            store_key("STORE", 6),
            store_key("STOREDIST", 6),
        ],
        &[],
        super::georadius,
        deprecated(
            "Finds members within a radius of a point, optionally storing them.",
            "3.2.0",
            "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
            &[ANY_ADDED, UPPERCASE_UNITS],
            RADIUS_ARGS,
        ),
    ),
    CommandSpec::keyed(
        "georadiusbymember",
        -5,
        WRITE | DENYOOM | MOVABLE_KEYS,
        acl::GEO,
        (1, 1, 1),
        &[
            first_key(&["RO", "access"]),
            store_key("STORE", 5),
            store_key("STOREDIST", 5),
        ],
        &[],
        super::georadiusbymember,
        deprecated(
            "Finds members within a radius of another member, optionally storing them.",
            "3.2.0",
            "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
            &[UPPERCASE_UNITS],
            BYMEMBER_ARGS,
        ),
    ),
    CommandSpec::keyed(
        "georadius_ro",
        -6,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::georadius_ro,
        deprecated(
            "GEORADIUS without the STORE options.",
            "3.2.10",
            "`GEOSEARCH` with the `BYRADIUS` argument",
            &[ANY_ADDED],
            RADIUS_ARGS.split_at(RADIUS_ARGS.len() - 2).0,
        ),
    ),
    CommandSpec::keyed(
        "georadiusbymember_ro",
        -5,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::georadiusbymember_ro,
        deprecated(
            "GEORADIUSBYMEMBER without the STORE options.",
            "3.2.10",
            "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
            &[],
            BYMEMBER_ARGS.split_at(BYMEMBER_ARGS.len() - 2).0,
        ),
    ),
    CommandSpec::keyed(
        "geosearch",
        -7,
        READONLY,
        acl::GEO,
        (1, 1, 1),
        &[first_key(&["RO", "access"])],
        &[],
        super::geosearch,
        docs(
            "Finds members of a geospatial index inside a circle or a box.",
            "6.2.0",
            SEARCH_COMPLEXITY,
            &[UPPERCASE_UNITS],
            &[
                Arg::key("key", 0),
                FROM,
                BY,
                ORDER,
                count_block(false),
                WITHCOORD,
                WITHDIST,
                WITHHASH,
            ],
        ),
    ),
    CommandSpec::keyed(
        "geosearchstore",
        -8,
        WRITE | DENYOOM,
        acl::GEO,
        (1, 2, 1),
        &[
            KeySpec::range(&["OW", "update"], 1, 0, 1),
            KeySpec::range(&["RO", "access"], 2, 0, 1),
        ],
        &[],
        super::geosearchstore,
        docs(
            "Finds members of a geospatial index inside a circle or a box and stores them.",
            "6.2.0",
            SEARCH_COMPLEXITY,
            &[UPPERCASE_UNITS],
            &[
                Arg::key("destination", 0),
                Arg::key("source", 1),
                FROM,
                BY,
                ORDER,
                count_block(false),
                Arg::token("storedist", "STOREDIST").optional(),
            ],
        ),
    ),
];
