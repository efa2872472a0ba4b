//! SAVE, BGSAVE, BGREWRITEAOF, DUMP and RESTORE: the commands that write the keyspace
//! (or one value) to disk or in RDB form, and read a value back.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, BeginSearch, FindKeys, Group, KeySpec};
use crate::command::snapshot::rdb as snapshot;
use crate::command::snapshot::rdb::Failed;
use crate::command::snapshot::{aof, migrate};
use crate::command::state::notify;
use crate::error::{CmdError, CmdResult};
use crate::persistence::rdb::{dump_payload, restore_payload, RestoreError};
use crate::store::db::{access_clock, initial_access, AccessMode};
use crate::store::{Object, Value};

const ERR_BGSAVE_RUNNING: &str = "ERR Background save already in progress";

/// `SAVE` — writes the snapshot now, in the loop.
fn save(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.server.rdb.in_progress() {
        return Err(CmdError::raw(ERR_BGSAVE_RUNNING));
    }
    snapshot::save(ctx.dbs, ctx.server).map_err(|Failed| CmdError::raw("ERR"))?;
    ctx.reply.ok();
    Ok(())
}

/// `BGSAVE [SCHEDULE]` — forks a child that writes the snapshot. Inside MULTI (or
/// with SCHEDULE while another child runs) the save is scheduled for the cron.
fn bgsave(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let schedule = match args {
        [_] => false,
        [_, option] if args::is(option, "schedule") => true,
        _ => return Err(CmdError::Syntax),
    };
    if ctx.server.rdb.in_progress() {
        return Err(CmdError::raw(ERR_BGSAVE_RUNNING));
    }
    if ctx.server.child_active() || ctx.session.in_exec {
        if !(schedule || ctx.session.in_exec) {
            return Err(CmdError::raw("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."));
        }
        ctx.server.rdb.scheduled = true;
        ctx.reply.simple(b"Background saving scheduled");
        return Ok(());
    }
    snapshot::bgsave(ctx.dbs, ctx.server).map_err(|Failed| CmdError::raw("ERR"))?;
    ctx.reply.simple(b"Background saving started");
    Ok(())
}

/// `BGREWRITEAOF` — forks a child that writes a new AOF base; the writes meanwhile go
/// to a fresh incremental file. Works with the AOF off too (it writes a base).
fn bgrewriteaof(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    if ctx.server.aof.rewrite.is_some() {
        return Err(CmdError::raw(
            "ERR Background append only file rewriting already in progress",
        ));
    }
    if ctx.server.child_active() || ctx.session.in_exec {
        ctx.server.aof.rewrite_scheduled = true;
        ctx.server.aof.consecutive_failures = 0;
        ctx.reply
            .simple(b"Background append only file rewriting scheduled");
        return Ok(());
    }
    aof::start_rewrite(ctx.dbs, ctx.server).map_err(|_| {
        CmdError::raw("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
    })?;
    ctx.reply
        .simple(b"Background append only file rewriting started");
    Ok(())
}

/// `DUMP key` — the value in RDB form with its version and checksum; nil when missing.
fn dump(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = snapshot::save_options(&ctx.server.config);
    let now = ctx.now();
    match ctx.db().lookup_read(&args[1], now) {
        Some(value) => {
            let payload = dump_payload(value, opts);
            ctx.reply.bulk(&payload);
        }
        None => ctx.reply.null(),
    }
    Ok(())
}

/// RESTORE's options after the payload.
#[derive(Default)]
struct RestoreOptions {
    replace: bool,
    absttl: bool,
    idle_secs: Option<i64>,
    freq: Option<i64>,
}

/// Parses `[REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]` (IDLETIME and FREQ
/// exclude each other), with Redis's errors.
fn restore_options(options: &[Bytes]) -> CmdResult<RestoreOptions> {
    let mut opts = RestoreOptions::default();
    let mut i = 0;
    while i < options.len() {
        let has_value = i + 1 < options.len();
        match &options[i] {
            o if args::is(o, "replace") => opts.replace = true,
            o if args::is(o, "absttl") => opts.absttl = true,
            o if args::is(o, "idletime") && has_value && opts.freq.is_none() => {
                let idle = args::int(&options[i + 1])?;
                if idle < 0 {
                    return Err(CmdError::raw("ERR Invalid IDLETIME value, must be >= 0"));
                }
                opts.idle_secs = Some(idle);
                i += 1;
            }
            o if args::is(o, "freq") && has_value && opts.idle_secs.is_none() => {
                let freq = args::int(&options[i + 1])?;
                if !(0..=255).contains(&freq) {
                    return Err(CmdError::raw(
                        "ERR Invalid FREQ value, must be >= 0 and <= 255",
                    ));
                }
                opts.freq = Some(freq);
                i += 1;
            }
            _ => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    Ok(opts)
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]` —
/// creates `key` from a DUMP payload (ours or real Redis's).
fn restore(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let opts = restore_options(&args[4..])?;
    let (key, now) = (&args[1], ctx.now());
    if !opts.replace && ctx.db().lookup_write(key, now).is_some() {
        return Err(CmdError::raw("BUSYKEY Target key name already exists."));
    }
    let ttl = args::int(&args[2])?;
    if ttl < 0 {
        return Err(CmdError::raw("ERR Invalid TTL value, must be >= 0"));
    }
    let enc = snapshot::encodings(&ctx.server.config);
    let value = restore_payload(&args[3], &enc).map_err(|e| match e {
        RestoreError::VersionOrChecksum => {
            CmdError::raw("ERR DUMP payload version or checksum are wrong")
        }
        RestoreError::BadFormat => CmdError::raw("ERR Bad data format"),
    })?;
    let deleted = opts.replace && ctx.db().remove(key, now).is_some();
    let expire_at = match ttl {
        0 => None,
        ttl if opts.absttl => Some(ttl),
        ttl => Some(ttl.saturating_add(now)),
    };
    if expire_at.is_some_and(|when| when <= now) && ctx.server.deletes_past_deadlines() {
        if deleted {
            let del: &'static [u8] = if ctx.server.config.lazyfree.server_del {
                b"UNLINK"
            } else {
                b"DEL"
            };
            ctx.propagate_as(vec![Bytes::from_static(del), key.clone()]);
            ctx.server.dirty += 1;
            ctx.notify(notify::GENERIC, "del", key);
        }
        ctx.reply.ok();
        return Ok(());
    }
    let wakes = matches!(value, Value::List(_) | Value::ZSet(_) | Value::Stream(_));
    let clock = restored_clock(ctx.db().access_mode, &opts, now);
    ctx.db().put(key, Object::new(value, clock), expire_at);
    if let (Some(when), false, true) = (expire_at, opts.absttl, ctx.propagating()) {
        // A relative TTL replays as the instant it ends.
        let mut record = args.to_vec();
        record[2] = Bytes::from(when.to_string());
        record.push(Bytes::from_static(b"ABSTTL"));
        ctx.propagate_as(record);
    }
    if wakes {
        ctx.signal_ready(key);
    }
    ctx.server.dirty += 1;
    ctx.notify(notify::GENERIC, "restore", key);
    ctx.reply.ok();
    Ok(())
}

/// The access stamp RESTORE gives: FREQ under an LFU policy, IDLETIME otherwise.
fn restored_clock(mode: AccessMode, opts: &RestoreOptions, now: i64) -> u32 {
    match (mode, opts.freq, opts.idle_secs) {
        (AccessMode::Lfu { .. }, Some(freq), _) => {
            (initial_access(mode, now) & !0xFF) | freq as u32
        }
        (AccessMode::Lru, _, Some(idle)) => access_clock(now).wrapping_sub(idle as u32),
        _ => initial_access(mode, now),
    }
}

/// The snapshot commands' table entries.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("save", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, save)
        .acl(acl::DANGEROUS)
        .docs(Group::Server.doc("Writes the dataset to disk, blocking the server until done.", "1.0.0",
            "O(N) where N is the total number of keys in all databases")),
    CommandSpec::new("bgsave", -1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, bgsave)
        .acl(acl::DANGEROUS)
        .docs(Group::Server.doc("Writes the dataset to disk from a forked child process.", "1.0.0", "O(1)")
            .history(&[("3.2.2", "Added the `SCHEDULE` option.")])
            .args(&[Arg::token("schedule", "SCHEDULE").since("3.2.2").optional()])),
    CommandSpec::new("bgrewriteaof", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, bgrewriteaof)
        .acl(acl::DANGEROUS)
        .docs(Group::Server.doc("Rewrites the append-only file's base from a forked child process.", "1.0.0", "O(1)")),
    CommandSpec::new("migrate", -6, WRITE | MOVABLE_KEYS, migrate::migrate)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .keys(3, 3, 1, MIGRATE_KEYS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Moves keys to another instance as DUMP payloads restored there.", "2.6.0", MIGRATE_COST)
            .history(&[
                ("3.0.0", "Added the `COPY` and `REPLACE` options."),
                ("3.0.6", "Added the `KEYS` option."),
                ("4.0.7", "Added the `AUTH` option."),
                ("6.0.0", "Added the `AUTH2` option."),
            ])
            .args(MIGRATE_ARGS)),
    CommandSpec::new("dump", 2, READONLY, dump)
        .acl(acl::KEYSPACE)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .tips(&["nondeterministic_output"])
        .docs(Group::Generic.doc("Serializes a key's value in the RDB format, for RESTORE.", "2.6.0", DUMP_COST)
            .args(&[Arg::key("key", 0)])),
    CommandSpec::new("restore", -4, WRITE | DENYOOM, restore)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .keys(1, 1, 1, key1::OW_UPDATE)
        .docs(Group::Generic.doc("Creates a key from a value serialized by DUMP.", "2.6.0", RESTORE_COST)
            .history(&[
                ("3.0.0", "Added the `REPLACE` modifier."),
                ("5.0.0", "Added the `ABSTTL` modifier."),
                ("5.0.0", "Added the `IDLETIME` and `FREQ` options."),
            ])
            .args(RESTORE_ARGS)),
];

const MIGRATE_COST: &str = "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.";
const MIGRATE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "delete"], 3, 0, 1),
    KeySpec {
        flags: &["RW", "access", "delete", "incomplete"],
        begin: BeginSearch::Keyword {
            keyword: "KEYS",
            start_from: -2,
        },
        find: FindKeys::Range {
            last_key: -1,
            step: 1,
            limit: 0,
        },
    },
];
const MIGRATE_ARGS: &[Arg] = &[
    Arg::new("host", ArgType::String),
    Arg::new("port", ArgType::Integer),
    Arg::one_of(
        "key_or_empty_string",
        &[Arg::key("key", 0), Arg::token("empty_string", "")],
    ),
    Arg::new("destination-db", ArgType::Integer),
    Arg::new("timeout", ArgType::Integer),
    Arg::token("copy", "COPY").since("3.0.0").optional(),
    Arg::token("replace", "REPLACE").since("3.0.0").optional(),
    Arg::one_of(
        "authentication",
        &[
            Arg::new("password", ArgType::String)
                .with_token("AUTH")
                .since("4.0.7")
                .optional(),
            Arg::block(
                "username_password",
                &[
                    Arg::new("username", ArgType::String),
                    Arg::new("password", ArgType::String),
                ],
            )
            .with_token("AUTH2")
            .since("6.0.0")
            .optional(),
        ],
    )
    .optional(),
    Arg::key("key", 1)
        .with_token("KEYS")
        .since("3.0.6")
        .optional()
        .multiple(),
];
const DUMP_COST: &str = "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).";
const RESTORE_COST: &str = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).";
const RESTORE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("ttl", ArgType::Integer),
    Arg::new("serialized-value", ArgType::String),
    Arg::token("replace", "REPLACE").since("3.0.0").optional(),
    Arg::token("absttl", "ABSTTL").since("5.0.0").optional(),
    Arg::new("seconds", ArgType::Integer)
        .with_token("IDLETIME")
        .since("5.0.0")
        .optional(),
    Arg::new("frequency", ArgType::Integer)
        .with_token("FREQ")
        .since("5.0.0")
        .optional(),
];
