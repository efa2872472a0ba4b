//! The geo family's command table: one entry per command, in the order COMMAND lists
//! them, with the flags, key specs, ACL categories and argument structure Redis 7.0
//! reports in COMMAND INFO / COMMAND DOCS (summaries, complexities and history notes in
//! our own words).

use super::members::{geoadd, geodist, geohash, geopos};
use super::search::{
    georadius, georadius_ro, georadiusbymember, georadiusbymember_ro, geosearch, geosearchstore,
};
use crate::command::core::command::CommandSpec;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};

/// The geo family's entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("geoadd", -5, WRITE | DENYOOM, geoadd)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RW_UPDATE)
        .docs(Group::Geo.doc("Adds members at given positions to a geospatial index (a sorted set).",
            "3.2.0", "O(log(N)) per member added, N being the set's size.")
            .history(&[("6.2.0", "New options: `CH`, `NX`, `XX`.")]).args(GEOADD_ARGS)),
    CommandSpec::new("geodist", -4, READONLY, geodist)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("Returns the distance between two members of a geospatial index.",
            "3.2.0", "O(log(N))").args(GEODIST_ARGS)),
    CommandSpec::new("geohash", -2, READONLY, geohash)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("Returns the standard geohash strings of members of a geospatial index.",
            "3.2.0", "O(log(N)) per member asked for, N being the set's size.").args(KEY_MEMBERS)),
    CommandSpec::new("geopos", -2, READONLY, geopos)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("Returns the longitude and latitude of members of a geospatial index.",
            "3.2.0", "O(N), N being the number of members asked for.").args(KEY_MEMBERS)),
    CommandSpec::new("georadius", -6, WRITE | DENYOOM | MOVABLE_KEYS, georadius)
        .acl(acl::GEO)
        .keys(1, 1, 1, GEORADIUS_KEYS)
        .docs(Group::Geo.doc("Finds members within a radius of a point, optionally storing them.",
            "3.2.0",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .history(GEORADIUS_HISTORY)
            .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument")
            .args(GEORADIUS_ARGS)),
    CommandSpec::new("georadiusbymember", -5, WRITE | DENYOOM | MOVABLE_KEYS, georadiusbymember)
        .acl(acl::GEO)
        .keys(1, 1, 1, GEORADIUSBYMEMBER_KEYS)
        .docs(Group::Geo.doc("Finds members within a radius of another member, optionally storing them.",
            "3.2.0",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .history(&[("7.0.0", "Units may be given in upper case.")])
            .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments")
            .args(GEORADIUSBYMEMBER_ARGS)),
    CommandSpec::new("georadius_ro", -6, READONLY, georadius_ro)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("GEORADIUS without the STORE options.",
            "3.2.10",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .history(&[("6.2.0", "New `ANY` option for `COUNT`.")])
            .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument")
            .args(GEORADIUS_RO_ARGS)),
    CommandSpec::new("georadiusbymember_ro", -5, READONLY, georadiusbymember_ro)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("GEORADIUSBYMEMBER without the STORE options.",
            "3.2.10",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments")
            .args(GEORADIUSBYMEMBER_RO_ARGS)),
    CommandSpec::new("geosearch", -7, READONLY, geosearch)
        .acl(acl::GEO)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Geo.doc("Finds members of a geospatial index inside a circle or a box.",
            "6.2.0",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .history(&[("7.0.0", "Units may be given in upper case.")]).args(GEOSEARCH_ARGS)),
    CommandSpec::new("geosearchstore", -8, WRITE | DENYOOM, geosearchstore)
        .acl(acl::GEO)
        .keys(1, 2, 1, GEOSEARCHSTORE_KEYS)
        .docs(Group::Geo.doc("Finds members of a geospatial index inside a circle or a box and stores them.",
            "6.2.0",
            "O(N+log(M)), N being the members in the cells scanned around the shape and M the set's size.")
            .history(&[("7.0.0", "Units may be given in upper case.")]).args(GEOSEARCHSTORE_ARGS)),
];

const GEOADD_ARGS: &[Arg] = &[
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
];

const GEODIST_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member1", ArgType::String),
    Arg::new("member2", ArgType::String),
    UNIT.optional(),
];

const KEY_MEMBERS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String).multiple(),
];

const GEORADIUS_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RO", "access"], 1, 0, 1),
    KeySpec {
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword {
            keyword: "STORE",
            start_from: 6,
        },
        find: FindKeys::Range {
            last_key: 0,
            step: 1,
            limit: 0,
        },
    },
    KeySpec {
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword {
            keyword: "STOREDIST",
            start_from: 6,
        },
        find: FindKeys::Range {
            last_key: 0,
            step: 1,
            limit: 0,
        },
    },
];

const GEORADIUS_HISTORY: &[(&str, &str)] = &[
    ("6.2.0", "New `ANY` option for `COUNT`."),
    ("7.0.0", "Units may be given in upper case."),
];

const GEORADIUS_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("longitude", ArgType::Double),
    Arg::new("latitude", ArgType::Double),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITH_COORD,
    WITH_DIST,
    WITH_HASH,
    Arg::block(
        "count",
        &[
            Arg::new("count", ArgType::Integer).with_token("COUNT"),
            Arg::token("any", "ANY").since("6.2.0").optional(),
        ],
    )
    .optional(),
    ORDER,
    Arg::key("key", 1).with_token("STORE").optional(),
    Arg::key("key", 2).with_token("STOREDIST").optional(),
];

const GEORADIUSBYMEMBER_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RO", "access"], 1, 0, 1),
    KeySpec {
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword {
            keyword: "STORE",
            start_from: 5,
        },
        find: FindKeys::Range {
            last_key: 0,
            step: 1,
            limit: 0,
        },
    },
    KeySpec {
        flags: &["OW", "update"],
        begin: BeginSearch::Keyword {
            keyword: "STOREDIST",
            start_from: 5,
        },
        find: FindKeys::Range {
            last_key: 0,
            step: 1,
            limit: 0,
        },
    },
];

const GEORADIUSBYMEMBER_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITH_COORD,
    WITH_DIST,
    WITH_HASH,
    COUNT_ANY,
    ORDER,
    Arg::key("key", 1).with_token("STORE").optional(),
    Arg::key("key", 2).with_token("STOREDIST").optional(),
];

const GEORADIUS_RO_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("longitude", ArgType::Double),
    Arg::new("latitude", ArgType::Double),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITH_COORD,
    WITH_DIST,
    WITH_HASH,
    Arg::block(
        "count",
        &[
            Arg::new("count", ArgType::Integer).with_token("COUNT"),
            Arg::token("any", "ANY").since("6.2.0").optional(),
        ],
    )
    .optional(),
    ORDER,
];

const GEORADIUSBYMEMBER_RO_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgType::String),
    Arg::new("radius", ArgType::Double),
    UNIT,
    WITH_COORD,
    WITH_DIST,
    WITH_HASH,
    COUNT_ANY,
    ORDER,
];

const GEOSEARCH_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    FROM,
    BY,
    ORDER,
    COUNT_ANY,
    WITH_COORD,
    WITH_DIST,
    WITH_HASH,
];

const GEOSEARCHSTORE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["OW", "update"], 1, 0, 1),
    KeySpec::range(&["RO", "access"], 2, 0, 1),
];

const GEOSEARCHSTORE_ARGS: &[Arg] = &[
    Arg::key("destination", 0),
    Arg::key("source", 1),
    FROM,
    BY,
    ORDER,
    COUNT_ANY,
    Arg::token("storedist", "STOREDIST").optional(),
];

/// The distance units every geo command accepts.
const UNIT: Arg = Arg::one_of(
    "unit",
    &[
        Arg::token("m", "M"),
        Arg::token("km", "KM"),
        Arg::token("ft", "FT"),
        Arg::token("mi", "MI"),
    ],
);
/// ASC | DESC, sorting by distance.
const ORDER: Arg = Arg::one_of(
    "order",
    &[Arg::token("asc", "ASC"), Arg::token("desc", "DESC")],
)
.optional();
/// The WITH* reply options.
const WITH_COORD: Arg = Arg::token("withcoord", "WITHCOORD").optional();
const WITH_DIST: Arg = Arg::token("withdist", "WITHDIST").optional();
const WITH_HASH: Arg = Arg::token("withhash", "WITHHASH").optional();
/// COUNT n [ANY], as the commands from 6.2.0 document it.
const COUNT_ANY: Arg = Arg::block(
    "count",
    &[
        Arg::new("count", ArgType::Integer).with_token("COUNT"),
        Arg::token("any", "ANY").optional(),
    ],
)
.optional();
/// GEOSEARCH's centre: a member or a position.
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
/// GEOSEARCH's shape: a circle or a box.
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
