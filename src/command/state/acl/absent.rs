//! Commands Redis 7.0 has that this server does not run (replication, modules,
//! LOLWUT...). ACL rules may still name them (`-failover`, `+replicaof`), ACL
//! CAT lists them and descriptions count them, exactly as in Redis, so that users
//! written for Redis load here and read back the same. Running one still answers
//! "unknown command".

/// One absent command: its name, ACL categories, and subcommands with theirs.
pub struct Absent {
    /// The name.
    pub name: &'static str,
    /// Its categories, by name.
    pub categories: &'static [&'static str],
    /// Its subcommands: (name, categories).
    pub subcommands: &'static [(&'static str, &'static [&'static str])],
}

const ADMIN: &[&str] = &["admin", "slow", "dangerous"];
const SLOW: &[&str] = &["slow"];

/// Every absent command, with Redis 7.0.15's categories.
pub const ABSENT: &[Absent] = &[
    plain("failover", ADMIN),
    plain("lolwut", &["read", "fast"]),
    Absent {
        name: "module",
        categories: SLOW,
        subcommands: &[
            ("help", SLOW),
            ("list", ADMIN),
            ("load", ADMIN),
            ("loadex", ADMIN),
            ("unload", ADMIN),
        ],
    },
    plain(
        "restore-asking",
        &["keyspace", "write", "slow", "dangerous"],
    ),
];

/// Absent subcommands of containers this server has: (container, name, categories).
pub const ABSENT_SUBCOMMANDS: &[(&str, &str, &[&str])] =
    &[("script", "debug", &["slow", "scripting"])];

/// An absent command without subcommands.
const fn plain(name: &'static str, categories: &'static [&'static str]) -> Absent {
    Absent {
        name,
        categories,
        subcommands: &[],
    }
}
