//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, ROLE, SHUTDOWN,
//! the CONFIG container (GET, SET, RESETSTAT, REWRITE, HELP), and INFO's table entry
//! (its handler lives in `info`).

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::command::{container_handler, CommandSpec, Handler};
use crate::command::core::help::write_help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Docs, Group};
use crate::command::core::state::{ServerEvent, Stats};
use crate::config::{find_param, Config, Param};
use crate::error::{one_line, CmdError, CmdResult};
use crate::util::glob::glob_match;

const ERR_FIRST_DB: &str = "ERR invalid first DB index";
const ERR_SECOND_DB: &str = "ERR invalid second DB index";
const ERR_NO_SHUTDOWN: &str = "ERR No shutdown in progress.";
const ERR_UNKNOWN_OPTION: &str = "ERR Unknown option or number of arguments for CONFIG SET - ";

/// `DBSIZE` — the number of keys in the selected database.
fn dbsize(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let n = ctx.db().len();
    ctx.reply.int(n as i64);
    Ok(())
}

/// Parses FLUSHDB/FLUSHALL's optional `ASYNC | SYNC`; true for ASYNC.
fn flush_mode(args: &[Bytes], lazy_by_default: bool) -> CmdResult<bool> {
    match args {
        [_] => Ok(lazy_by_default),
        [_, mode] if args::is(mode, "ASYNC") => Ok(true),
        [_, mode] if args::is(mode, "SYNC") => Ok(false),
        _ => Err(CmdError::Syntax),
    }
}

/// Empties the databases at `indexes`; with `lazy` their contents are dropped on a
/// background thread. Returns the number of keys removed.
fn flush_dbs(ctx: &mut Ctx<'_>, indexes: std::ops::Range<usize>, lazy: bool) -> usize {
    let mut removed = 0;
    let mut garbage = Vec::new();
    for index in indexes.clone() {
        let db = &ctx.dbs[index];
        ctx.server.watches.touch_db(index, |key| db.has_key(key));
    }
    ctx.server.tracking.flush();
    for db in &mut ctx.dbs[indexes] {
        removed += db.len();
        if lazy {
            garbage.push(db.take_all());
        } else {
            db.clear();
        }
    }
    if !garbage.is_empty() {
        std::thread::spawn(move || drop(garbage));
    }
    ctx.server.dirty += removed as u64 + 1;
    removed
}

/// `FLUSHDB [ASYNC | SYNC]` — removes every key of the selected database.
fn flushdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.server.config.lazyfree.user_flush)?;
    let db = ctx.session.db;
    flush_dbs(ctx, db..db + 1, lazy);
    ctx.reply.ok();
    Ok(())
}

/// `FLUSHALL [ASYNC | SYNC]` — removes every key of every database.
fn flushall(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.server.config.lazyfree.user_flush)?;
    let all = 0..ctx.dbs.len();
    flush_dbs(ctx, all, lazy);
    ctx.reply.ok();
    Ok(())
}

/// A SWAPDB index: an integer (else `error`), then within `0..databases`.
fn swap_index(arg: &[u8], databases: usize, error: &str) -> CmdResult<usize> {
    let index = args::int(arg)
        .ok()
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or_else(|| CmdError::raw(error))?;
    if index < 0 || index as u64 >= databases as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(index as usize)
}

/// `SWAPDB index1 index2` — exchanges two databases' contents; clients stay on their index.
fn swapdb(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let first = swap_index(&args[1], ctx.dbs.len(), ERR_FIRST_DB)?;
    let second = swap_index(&args[2], ctx.dbs.len(), ERR_SECOND_DB)?;
    // Watched keys present in either database change value from the watcher's view.
    let watches = &mut ctx.server.watches;
    let (a, b) = (&ctx.dbs[first], &ctx.dbs[second]);
    watches.touch_db(first, |key| a.has_key(key) || b.has_key(key));
    watches.touch_db(second, |key| a.has_key(key) || b.has_key(key));
    ctx.dbs.swap(first, second);
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// `TIME` — the server clock as `[seconds, microseconds]` bulk strings.
fn time(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let us = ctx.server.now_us;
    ctx.reply.array_len(2);
    ctx.reply.bulk_int(us.div_euclid(1_000_000));
    ctx.reply.bulk_int(us.rem_euclid(1_000_000));
    Ok(())
}

/// `SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]` — stops the server once pending
/// replies are written. We keep no data on disk, so SAVE saves nothing, and a shutdown
/// is never pending, so ABORT always fails as Redis's does with nothing to abort.
fn shutdown(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (mut nosave, mut save, mut other, mut abort) = (false, false, false, false);
    for arg in &args[1..] {
        match arg {
            a if args::is(a, "NOSAVE") => nosave = true,
            a if args::is(a, "SAVE") => save = true,
            a if args::is(a, "NOW") || args::is(a, "FORCE") => other = true,
            a if args::is(a, "ABORT") => abort = true,
            _ => return Err(CmdError::Syntax),
        }
    }
    if (abort && (nosave || save || other)) || (nosave && save) {
        return Err(CmdError::Syntax);
    }
    if abort {
        return Err(CmdError::raw(ERR_NO_SHUTDOWN));
    }
    ctx.server.events.push(ServerEvent::Shutdown);
    Ok(())
}

/// `LASTSAVE` — the unix time of the last successful save; with nothing ever saved,
/// the start time, as Redis reports.
fn lastsave(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.int(ctx.server.admin.lastsave);
    Ok(())
}

/// `ROLE` — this server's replication role: a master with no replicas, at offset 0.
fn role(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(3);
    ctx.reply.bulk(b"master");
    ctx.reply.int(0);
    ctx.reply.array_len(0);
    Ok(())
}

// ---- CONFIG --------------------------------------------------------------------------

/// `CONFIG GET parameter [parameter ...]` — a map of every parameter matching any of the
/// glob patterns. An exact (non-glob) name is echoed as the client spelled it.
fn config_get(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut found: Vec<(String, &'static Param)> = Vec::new();
    for pattern in &args[2..] {
        let text = String::from_utf8_lossy(pattern);
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            if let Some(param) = find_param(&text) {
                if !found.iter().any(|(n, _)| n.eq_ignore_ascii_case(&text)) {
                    found.push((text.into_owned(), param));
                }
            }
            continue;
        }
        for (name, param) in crate::config::all_names() {
            if glob_match(pattern, name.as_bytes(), true) && !found.iter().any(|(n, _)| n == name) {
                found.push((name.to_string(), param));
            }
        }
    }
    ctx.reply.map_len(found.len());
    for (name, param) in found {
        ctx.reply.bulk(name.as_bytes());
        ctx.reply.bulk((param.get)(&ctx.server.config).as_bytes());
    }
    Ok(())
}

/// `CONFIG SET parameter value [parameter value ...]` — all or nothing: every name is
/// checked first, then the values are applied to a copy that replaces the live
/// configuration only if all succeed.
fn config_set(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if !args.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    let mut pairs: Vec<(String, &'static Param, String)> = Vec::new();
    for pair in args[2..].chunks_exact(2) {
        let name = String::from_utf8_lossy(&pair[0]).into_owned();
        let Some(param) = find_param(&name) else {
            return Err(CmdError::raw(one_line(
                format!("{ERR_UNKNOWN_OPTION}'{name}'").into_bytes(),
            )));
        };
        if !param.mutable {
            return Err(config_set_failed(&name, "can't set immutable config"));
        }
        if param.is_protected() {
            return Err(config_set_failed(&name, "can't set protected config"));
        }
        if pairs.iter().any(|(_, seen, _)| seen.name == param.name) {
            return Err(config_set_failed(&name, "duplicate parameter"));
        }
        pairs.push((name, param, String::from_utf8_lossy(&pair[1]).into_owned()));
    }
    let mut config: Config = ctx.server.config.clone();
    for (name, param, value) in pairs {
        (param.set)(&mut config, std::slice::from_ref(&value))
            .map_err(|e| config_set_failed(&name, &e.0))?;
    }
    ctx.server.config = config;
    ctx.reply.ok();
    Ok(())
}

fn config_set_failed(name: &str, reason: &str) -> CmdError {
    let text = format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}");
    CmdError::raw(one_line(text.into_bytes()))
}

/// `CONFIG REWRITE` — rewrites the file the server started with so that it holds the
/// running configuration, keeping comments and lines it does not know.
fn config_rewrite(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let Some(path) = ctx.server.config.config_file.clone() else {
        return Err(CmdError::raw(
            "ERR The server is running without a config file",
        ));
    };
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = crate::config::rewrite_text(&old, &ctx.server.config);
    let temp = format!("{path}.rewrite-tmp");
    let written = std::fs::write(&temp, new).and_then(|()| std::fs::rename(&temp, &path));
    if let Err(e) = written {
        log::warn!("CONFIG REWRITE failed: {e}");
        return Err(CmdError::raw(format!("ERR Rewriting config file: {e}")));
    }
    log::info!("CONFIG REWRITE executed with success.");
    ctx.reply.ok();
    Ok(())
}

/// `CONFIG RESETSTAT` — zeroes the INFO stats counters (not the client count).
fn config_resetstat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    // This command itself counts once it completes, as in Redis.
    ctx.server.stats = Stats {
        commands_processed: 1,
        ..Stats::default()
    };
    ctx.server.admin.reset();
    for db in ctx.dbs.iter_mut() {
        db.stats = Default::default();
    }
    ctx.reply.ok();
    Ok(())
}

/// Lines of CONFIG HELP.
const CONFIG_HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

/// `CONFIG HELP`
fn config_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    write_help(&mut ctx.reply, CONFIG_HELP);
    Ok(())
}

// ---- table entries -------------------------------------------------------------------

const KEYSPACE: u32 = acl::KEYSPACE;
const CONFIG_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
const ALL_SHARDS_SUCCEEDED: &[&str] =
    &["request_policy:all_shards", "response_policy:all_succeeded"];
const FLUSH_HISTORY: &[(&str, &str)] = &[
    ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
    ("6.2.0", "Added the `SYNC` flushing mode modifier."),
];
const FLUSH_ARGS: &[Arg] = &[Arg::one_of(
    "async",
    &[
        Arg::token("async", "ASYNC").since("4.0.0"),
        Arg::token("sync", "SYNC").since("6.2.0"),
    ],
)
.optional()];

/// A keyless server command.
const fn cmd(
    name: &'static str,
    arity: i32,
    flags: u32,
    acl: u32,
    tips: &'static [&'static str],
    handler: Handler,
    docs: Docs,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        acl,
        first_key: 0,
        last_key: 0,
        key_step: 0,
        key_specs: &[],
        tips,
        handler,
        subcommands: &[],
        docs,
    }
}

const fn docs(summary: &'static str, since: &'static str, complexity: &'static str) -> Docs {
    Docs {
        summary,
        since,
        group: Group::Server,
        complexity,
        ..Docs::EMPTY
    }
}

const CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    cmd(
        "get",
        -3,
        CONFIG_FLAGS,
        0,
        &[],
        config_get,
        Docs {
            history: &[(
                "7.0.0",
                "Added the ability to pass multiple pattern parameters in one call",
            )],
            args: &[Arg::block("parameter", &[Arg::new("parameter", ArgType::String)]).multiple()],
            ..docs(
                "Reads configuration parameters matching glob patterns.",
                "2.0.0",
                "O(N) when N is the number of configuration parameters provided",
            )
        },
    ),
    cmd(
        "resetstat",
        2,
        CONFIG_FLAGS,
        0,
        &[],
        config_resetstat,
        docs("Zeroes the counters INFO reports.", "2.0.0", "O(1)"),
    ),
    cmd(
        "rewrite",
        2,
        CONFIG_FLAGS,
        0,
        &[],
        config_rewrite,
        docs(
            "Writes the running configuration back into the configuration file.",
            "2.8.0",
            "O(1)",
        ),
    ),
    cmd(
        "help",
        2,
        LOADING | STALE,
        0,
        &[],
        config_help,
        docs("Lists the CONFIG subcommands.", "5.0.0", "O(1)"),
    ),
    cmd(
        "set",
        -4,
        CONFIG_FLAGS,
        0,
        &["request_policy:all_nodes", "response_policy:all_succeeded"],
        config_set,
        Docs {
            history: &[(
                "7.0.0",
                "Added the ability to set multiple parameters in one call.",
            )],
            args: &[Arg::block(
                "parameter_value",
                &[
                    Arg::new("parameter", ArgType::String),
                    Arg::new("value", ArgType::String),
                ],
            )
            .multiple()],
            ..docs(
                "Changes configuration parameters, all or none.",
                "2.0.0",
                "O(N) when N is the number of configuration parameters provided",
            )
        },
    ),
];

/// The server family's table entries.
pub const COMMANDS: &[CommandSpec] = &[
    cmd(
        "dbsize",
        1,
        READONLY | FAST,
        KEYSPACE,
        &["request_policy:all_shards", "response_policy:agg_sum"],
        dbsize,
        docs("Counts the keys of the selected database.", "1.0.0", "O(1)"),
    ),
    cmd(
        "flushdb",
        -1,
        WRITE,
        KEYSPACE | acl::DANGEROUS,
        ALL_SHARDS_SUCCEEDED,
        flushdb,
        Docs {
            history: FLUSH_HISTORY,
            args: FLUSH_ARGS,
            ..docs("Deletes every key of the selected database.", "1.0.0", "O(N) where N is the number of keys in the selected database")
        },
    ),
    cmd(
        "flushall",
        -1,
        WRITE,
        KEYSPACE | acl::DANGEROUS,
        ALL_SHARDS_SUCCEEDED,
        flushall,
        Docs {
            history: FLUSH_HISTORY,
            args: FLUSH_ARGS,
            ..docs("Deletes every key of every database.", "1.0.0", "O(N) where N is the total number of keys in all databases")
        },
    ),
    cmd(
        "swapdb",
        3,
        WRITE | FAST,
        KEYSPACE | acl::DANGEROUS,
        &[],
        swapdb,
        Docs {
            args: &[Arg::new("index1", ArgType::Integer), Arg::new("index2", ArgType::Integer)],
            ..docs(
                "Exchanges the contents of two databases.",
                "4.0.0",
                "O(N) where N is the count of clients watching or blocking on keys from both databases.",
            )
        },
    ),
    cmd("time", 1, LOADING | STALE | FAST, 0, &["nondeterministic_output"], time, docs("Reads the server clock.", "2.6.0", "O(1)")),
    cmd(
        "info",
        -1,
        LOADING | STALE,
        acl::DANGEROUS,
        &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        crate::command::admin::info::info,
        Docs {
            history: &[("7.0.0", "Added support for taking multiple section arguments.")],
            args: &[Arg::new("section", ArgType::String).optional().multiple()],
            ..docs("Reports server information and statistics.", "1.0.0", "O(1)")
        },
    ),
    cmd(
        "shutdown",
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        0,
        &[],
        shutdown,
        Docs {
            history: &[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")],
            args: &[
                Arg::one_of("nosave_save", &[Arg::token("nosave", "NOSAVE"), Arg::token("save", "SAVE")]).optional(),
                Arg::token("now", "NOW").since("7.0.0").optional(),
                Arg::token("force", "FORCE").since("7.0.0").optional(),
                Arg::token("abort", "ABORT").since("7.0.0").optional(),
            ],
            ..docs(
                "Stops the server.",
                "1.0.0",
                "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
            )
        },
    ),
    cmd(
        "lastsave",
        1,
        LOADING | STALE | FAST,
        acl::ADMIN | acl::DANGEROUS,
        &["nondeterministic_output"],
        lastsave,
        docs("Reads the unix time of the last successful save.", "1.0.0", "O(1)"),
    ),
    cmd(
        "role",
        1,
        NOSCRIPT | LOADING | STALE | FAST,
        acl::ADMIN | acl::DANGEROUS,
        &[],
        role,
        docs("Reports this server's replication role.", "2.8.12", "O(1)"),
    ),
    CommandSpec {
        subcommands: CONFIG_SUBCOMMANDS,
        ..cmd("config", -2, 0, 0, &[], container_handler, docs("A container for configuration commands.", "2.0.0", "Depends on subcommand."))
    },
];
