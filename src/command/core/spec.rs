//! The command table is data (docs/ARCHITECTURE.md, "The command table is data").
//!
//! Each command is one static [`CommandSpec`]: name, arity, flags, key positions and key
//! specs, ACL categories, handler and docs. Dispatch, COMMAND INFO/DOCS/COUNT/LIST/GETKEYS,
//! MULTI queueing, ACL and redis-cli's hints all read this one table. Family files export
//! their entries (`pub const COMMANDS: &[CommandSpec]`) beside their handlers; containers
//! (CONFIG, CLIENT, OBJECT...) list their subcommands as entries of their own.

/// Command flags, in the bit order Redis lists them in COMMAND INFO.
pub mod flags {
    /// May modify the keyspace.
    pub const WRITE: u32 = 1 << 0;
    /// Only reads.
    pub const READONLY: u32 = 1 << 1;
    /// May grow memory: refused when over maxmemory.
    pub const DENYOOM: u32 = 1 << 2;
    /// Implemented by a module.
    pub const MODULE: u32 = 1 << 3;
    /// Administrative.
    pub const ADMIN: u32 = 1 << 4;
    /// Pub/sub related.
    pub const PUBSUB: u32 = 1 << 5;
    /// Not allowed from scripts.
    pub const NOSCRIPT: u32 = 1 << 6;
    /// May block the client.
    pub const BLOCKING: u32 = 1 << 7;
    /// Allowed while loading the dataset.
    pub const LOADING: u32 = 1 << 8;
    /// Allowed on a replica with stale data.
    pub const STALE: u32 = 1 << 9;
    /// Not shown to MONITOR.
    pub const SKIP_MONITOR: u32 = 1 << 10;
    /// Not logged by SLOWLOG.
    pub const SKIP_SLOWLOG: u32 = 1 << 11;
    /// Cluster ASKING related.
    pub const ASKING: u32 = 1 << 12;
    /// O(1) or O(log N): never slow.
    pub const FAST: u32 = 1 << 13;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 14;
    /// May replicate even when read-only.
    pub const MAY_REPLICATE: u32 = 1 << 15;
    /// May run with no key arguments at all.
    pub const NO_MANDATORY_KEYS: u32 = 1 << 16;
    /// Refused during async loading.
    pub const NO_ASYNC_LOADING: u32 = 1 << 17;
    /// Refused inside MULTI.
    pub const NO_MULTI: u32 = 1 << 18;
    /// Key positions depend on the arguments.
    pub const MOVABLE_KEYS: u32 = 1 << 19;
    /// Allowed while a script is busy.
    pub const ALLOW_BUSY: u32 = 1 << 20;

    /// Flags COMMAND INFO does not list, as Redis hides them on purpose.
    pub const HIDDEN: u32 = MAY_REPLICATE;

    /// Names of the bits above, in order.
    pub const NAMES: [&str; 21] = [
        "write",
        "readonly",
        "denyoom",
        "module",
        "admin",
        "pubsub",
        "noscript",
        "blocking",
        "loading",
        "stale",
        "skip_monitor",
        "skip_slowlog",
        "asking",
        "fast",
        "no_auth",
        "may_replicate",
        "no_mandatory_keys",
        "no_async_loading",
        "no_multi",
        "movablekeys",
        "allow_busy",
    ];
}

/// ACL categories, in Redis's order. Implicit ones (read, write, fast, slow, admin,
/// dangerous, pubsub, blocking) are derived from the flags as Redis does; entries list
/// only the explicit ones.
pub mod acl {
    /// @keyspace
    pub const KEYSPACE: u32 = 1 << 0;
    /// @read
    pub const READ: u32 = 1 << 1;
    /// @write
    pub const WRITE: u32 = 1 << 2;
    /// @set
    pub const SET: u32 = 1 << 3;
    /// @sortedset
    pub const SORTEDSET: u32 = 1 << 4;
    /// @list
    pub const LIST: u32 = 1 << 5;
    /// @hash
    pub const HASH: u32 = 1 << 6;
    /// @string
    pub const STRING: u32 = 1 << 7;
    /// @bitmap
    pub const BITMAP: u32 = 1 << 8;
    /// @hyperloglog
    pub const HYPERLOGLOG: u32 = 1 << 9;
    /// @geo
    pub const GEO: u32 = 1 << 10;
    /// @stream
    pub const STREAM: u32 = 1 << 11;
    /// @pubsub
    pub const PUBSUB: u32 = 1 << 12;
    /// @admin
    pub const ADMIN: u32 = 1 << 13;
    /// @fast
    pub const FAST: u32 = 1 << 14;
    /// @slow
    pub const SLOW: u32 = 1 << 15;
    /// @blocking
    pub const BLOCKING: u32 = 1 << 16;
    /// @dangerous
    pub const DANGEROUS: u32 = 1 << 17;
    /// @connection
    pub const CONNECTION: u32 = 1 << 18;
    /// @transaction
    pub const TRANSACTION: u32 = 1 << 19;
    /// @scripting
    pub const SCRIPTING: u32 = 1 << 20;

    /// Category names, in bit order.
    pub const NAMES: [&str; 21] = [
        "keyspace",
        "read",
        "write",
        "set",
        "sortedset",
        "list",
        "hash",
        "string",
        "bitmap",
        "hyperloglog",
        "geo",
        "stream",
        "pubsub",
        "admin",
        "fast",
        "slow",
        "blocking",
        "dangerous",
        "connection",
        "transaction",
        "scripting",
    ];
}

/// Where a key spec starts looking for keys.
#[derive(Debug, Clone, Copy)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i32),
    /// After a keyword, searched from `start_from` (negative: from the end).
    Keyword {
        keyword: &'static str,
        start_from: i32,
    },
    /// Somewhere Redis cannot describe (SORT's BY/GET and STORE): key finders skip it.
    Unknown,
}

/// How a key spec finds keys once it has started.
#[derive(Debug, Clone, Copy)]
pub enum FindKeys {
    /// A range: last key relative to the start (-1: the last argument), a step, and a
    /// limit (0: none; n: 1/n of the remaining arguments).
    Range {
        last_key: i32,
        step: i32,
        limit: i32,
    },
    /// A count argument at `key_num_index`, then keys from `first_key` every `step`.
    KeyNum {
        key_num_index: i32,
        first_key: i32,
        step: i32,
    },
    /// Not describable (goes with [`BeginSearch::Unknown`]).
    Unknown,
}

/// One key spec (COMMAND INFO's `key_specs`).
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// Flags such as `RW`, `RO`, `OW`, `RM`, `access`, `update`, `insert`, `delete`.
    pub flags: &'static [&'static str],
    /// Where the search begins.
    pub begin: BeginSearch,
    /// How keys are found from there.
    pub find: FindKeys,
}

/// The key specs most commands share: one key at position 1, with these flags.
pub mod key1 {
    use super::KeySpec;

    /// Read only.
    pub const RO: &[KeySpec] = &[KeySpec::range(&["RO"], 1, 0, 1)];
    /// Read only, reading the value.
    pub const RO_ACCESS: &[KeySpec] = &[KeySpec::range(&["RO", "access"], 1, 0, 1)];
    /// Read and written, the value read and updated.
    pub const RW_ACCESS_UPDATE: &[KeySpec] =
        &[KeySpec::range(&["RW", "access", "update"], 1, 0, 1)];
    /// Read and written, the value read and deleted from.
    pub const RW_ACCESS_DELETE: &[KeySpec] =
        &[KeySpec::range(&["RW", "access", "delete"], 1, 0, 1)];
    /// Read and written, inserted into.
    pub const RW_INSERT: &[KeySpec] = &[KeySpec::range(&["RW", "insert"], 1, 0, 1)];
    /// Read and written, updated.
    pub const RW_UPDATE: &[KeySpec] = &[KeySpec::range(&["RW", "update"], 1, 0, 1)];
    /// Read and written, deleted from.
    pub const RW_DELETE: &[KeySpec] = &[KeySpec::range(&["RW", "delete"], 1, 0, 1)];
    /// Overwritten, inserted.
    pub const OW_INSERT: &[KeySpec] = &[KeySpec::range(&["OW", "insert"], 1, 0, 1)];
    /// Overwritten, updated.
    pub const OW_UPDATE: &[KeySpec] = &[KeySpec::range(&["OW", "update"], 1, 0, 1)];
    /// Removed.
    pub const RM_DELETE: &[KeySpec] = &[KeySpec::range(&["RM", "delete"], 1, 0, 1)];
}

impl KeySpec {
    /// A spec whose keys cannot be located from the arguments alone.
    pub const fn unknown(flags: &'static [&'static str]) -> KeySpec {
        KeySpec {
            flags,
            begin: BeginSearch::Unknown,
            find: FindKeys::Unknown,
        }
    }

    /// The common single-range spec: keys from `index` to `last_key` (relative) by `step`.
    pub const fn range(
        flags: &'static [&'static str],
        index: i32,
        last_key: i32,
        step: i32,
    ) -> KeySpec {
        KeySpec {
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range {
                last_key,
                step,
                limit: 0,
            },
        }
    }
}

/// An argument's type in COMMAND DOCS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `double`
    Double,
    /// `key` (with its key spec index)
    Key(i32),
    /// `pattern`
    Pattern,
    /// `pattern` whose expansions are key names (SORT's BY and GET), with its key spec.
    KeyPattern(i32),
    /// `unix-time`
    UnixTime,
    /// `pure-token`
    PureToken,
    /// `oneof`
    OneOf,
    /// `block`
    Block,
}

/// Argument flags in COMMAND DOCS.
pub mod argflags {
    /// May be omitted.
    pub const OPTIONAL: u8 = 1;
    /// May repeat.
    pub const MULTIPLE: u8 = 2;
    /// May repeat, each repetition with its token.
    pub const MULTIPLE_TOKEN: u8 = 4;
}

/// One documented argument (COMMAND DOCS and redis-cli hints).
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// The argument's name.
    pub name: &'static str,
    /// Its type.
    pub kind: ArgType,
    /// A literal token that precedes it (`EX`, `MATCH`...).
    pub token: Option<&'static str>,
    /// Display text when different from the name.
    pub display: Option<&'static str>,
    /// Version that added it.
    pub since: Option<&'static str>,
    /// Version that deprecated it.
    pub deprecated_since: Option<&'static str>,
    /// [`argflags`] bits.
    pub flags: u8,
    /// Nested arguments of a `oneof` or `block`.
    pub args: &'static [Arg],
}

impl Arg {
    /// A base argument; adjust with the builder methods in const context.
    pub const fn new(name: &'static str, kind: ArgType) -> Arg {
        Arg {
            name,
            kind,
            token: None,
            display: None,
            since: None,
            deprecated_since: None,
            flags: 0,
            args: &[],
        }
    }

    /// A key argument using key spec `spec`.
    pub const fn key(name: &'static str, spec: i32) -> Arg {
        Arg::new(name, ArgType::Key(spec))
    }

    /// A pure token (`NX`, `WITHSCORES`...).
    pub const fn token(name: &'static str, token: &'static str) -> Arg {
        Arg::new(name, ArgType::PureToken).with_token(token)
    }

    /// Sets the token.
    pub const fn with_token(mut self, token: &'static str) -> Arg {
        self.token = Some(token);
        self
    }

    /// Marks it optional.
    pub const fn optional(mut self) -> Arg {
        self.flags |= argflags::OPTIONAL;
        self
    }

    /// Marks it repeatable.
    pub const fn multiple(mut self) -> Arg {
        self.flags |= argflags::MULTIPLE;
        self
    }

    /// Marks it repeatable with its token each time.
    pub const fn multiple_token(mut self) -> Arg {
        self.flags |= argflags::MULTIPLE_TOKEN;
        self
    }

    /// Sets the version that added it.
    pub const fn deprecated_since(mut self, version: &'static str) -> Arg {
        self.deprecated_since = Some(version);
        self
    }

    /// Sets the version that added the argument.
    pub const fn since(mut self, version: &'static str) -> Arg {
        self.since = Some(version);
        self
    }

    /// Sets the display text.
    pub const fn display(mut self, text: &'static str) -> Arg {
        self.display = Some(text);
        self
    }

    /// A `oneof` group.
    pub const fn one_of(name: &'static str, args: &'static [Arg]) -> Arg {
        Arg {
            args,
            ..Arg::new(name, ArgType::OneOf)
        }
    }

    /// A `block` group.
    pub const fn block(name: &'static str, args: &'static [Arg]) -> Arg {
        Arg {
            args,
            ..Arg::new(name, ArgType::Block)
        }
    }
}

/// `LIMIT offset count`, as every range command (ZRANGE*, SORT) documents it; chain
/// `.since(...)` where the option came later than the command.
pub const LIMIT_OFFSET_COUNT: Arg = Arg::block(
    "offset_count",
    &[
        Arg::new("offset", ArgType::Integer),
        Arg::new("count", ArgType::Integer),
    ],
)
.with_token("LIMIT")
.optional();

/// Command groups, as COMMAND DOCS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// generic (keys)
    Generic,
    /// string
    String,
    /// list
    List,
    /// set
    Set,
    /// sorted-set
    SortedSet,
    /// hash
    Hash,
    /// pubsub
    Pubsub,
    /// transactions
    Transactions,
    /// connection
    Connection,
    /// server
    Server,
    /// scripting
    Scripting,
    /// hyperloglog
    HyperLogLog,
    /// geo
    Geo,
    /// stream
    Stream,
    /// bitmap
    Bitmap,
    /// cluster
    Cluster,
}

impl Group {
    /// The docs of a command of this group: its summary (our words), the version that
    /// introduced it, and its time complexity. Chain [`Docs::args`], [`Docs::history`]...
    pub const fn doc(
        self,
        summary: &'static str,
        since: &'static str,
        complexity: &'static str,
    ) -> Docs {
        Docs {
            summary,
            since,
            group: self,
            complexity,
            ..Docs::EMPTY
        }
    }

    /// The name COMMAND DOCS uses.
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::Pubsub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::HyperLogLog => "hyperloglog",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
            Group::Cluster => "cluster",
        }
    }
}

/// A command's documentation.
#[derive(Debug, Clone, Copy)]
pub struct Docs {
    /// One line saying what it does (our own words).
    pub summary: &'static str,
    /// The Redis version that introduced it.
    pub since: &'static str,
    /// Its group.
    pub group: Group,
    /// Time complexity.
    pub complexity: &'static str,
    /// Doc flags (`deprecated`, `syscmd`).
    pub doc_flags: &'static [&'static str],
    /// Version that deprecated it.
    pub deprecated_since: Option<&'static str>,
    /// What replaces it, when deprecated.
    pub replaced_by: Option<&'static str>,
    /// (version, change) pairs.
    pub history: &'static [(&'static str, &'static str)],
    /// Its arguments, for COMMAND DOCS and redis-cli hints.
    pub args: &'static [Arg],
}

impl Docs {
    /// Docs of a command in `group`: no history, doc flags or deprecation.
    pub const fn new(
        group: Group,
        summary: &'static str,
        since: &'static str,
        complexity: &'static str,
        args: &'static [Arg],
    ) -> Docs {
        group.doc(summary, since, complexity).args(args)
    }

    /// Its arguments.
    pub const fn args(mut self, args: &'static [Arg]) -> Docs {
        self.args = args;
        self
    }

    /// (version, change) pairs of its history.
    pub const fn history(mut self, history: &'static [(&'static str, &'static str)]) -> Docs {
        self.history = history;
        self
    }

    /// Deprecated since `since`, replaced by `replaced_by`.
    pub const fn deprecated(mut self, since: &'static str, replaced_by: &'static str) -> Docs {
        self.deprecated_since = Some(since);
        self.replaced_by = Some(replaced_by);
        self.doc_flags = &["deprecated"];
        self
    }

    /// Doc flags (`syscmd`, `deprecated`).
    pub const fn doc_flags(mut self, flags: &'static [&'static str]) -> Docs {
        self.doc_flags = flags;
        self
    }

    /// Empty docs to fill with struct update syntax.
    pub const EMPTY: Docs = Docs {
        summary: "",
        since: "1.0.0",
        group: Group::Generic,
        complexity: "",
        doc_flags: &[],
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        args: &[],
    };
}
