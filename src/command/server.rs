//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, INFO, SHUTDOWN and the CONFIG
//! container (GET, SET, RESETSTAT, HELP).
//!
//! INFO reports our real numbers under Redis 7.0's field names, section by section in
//! Redis's order; fields that would describe machinery we do not have (replication
//! backlog, forks, Lua) are left out rather than faked.

use bytes::Bytes;

use crate::command::introspection::write_help;
use crate::command::table::{
    acl, container_handler, flags::*, Arg, ArgType, CommandSpec, Docs, Group, Handler,
};
use crate::command::{args, Ctx, ServerEvent, Stats};
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

// ---- INFO ----------------------------------------------------------------------------

/// Appends one INFO section's lines.
type SectionWriter = fn(&mut Ctx<'_>, &mut Vec<u8>);

/// INFO's sections in Redis's order; all of them are in `default`.
const SECTIONS: [(&str, &str, SectionWriter); 10] = [
    ("server", "Server", info_server),
    ("clients", "Clients", info_clients),
    ("memory", "Memory", info_memory),
    ("persistence", "Persistence", info_persistence),
    ("stats", "Stats", info_stats),
    ("replication", "Replication", info_replication),
    ("cpu", "CPU", info_cpu),
    ("modules", "Modules", |_, _| {}),
    ("cluster", "Cluster", |_, out| {
        field(out, "cluster_enabled", 0)
    }),
    ("keyspace", "Keyspace", info_keyspace),
];

/// `INFO [section ...]` — server information as `field:value` lines, grouped in
/// `# Section` blocks separated by blank lines. Sections come in Redis's order whatever
/// the order asked; `default`, `all` and `everything` select all we have; unknown names
/// select nothing.
fn info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let wanted = |name: &str| {
        args.len() == 1
            || args[1..].iter().any(|a| {
                ["default", "all", "everything"]
                    .iter()
                    .any(|all| args::is(a, all))
                    || args::is(a, name)
            })
    };
    let mut out = Vec::with_capacity(4096);
    for (name, title, write) in SECTIONS {
        if !wanted(name) {
            continue;
        }
        if !out.is_empty() {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("# {title}\r\n").as_bytes());
        write(ctx, &mut out);
    }
    ctx.reply.verbatim(b"txt", &out);
    Ok(())
}

/// Appends one `name:value` line.
fn field(out: &mut Vec<u8>, name: &str, value: impl std::fmt::Display) {
    out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
}

fn info_server(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    let server = &ctx.server;
    let uptime = (server.now_ms - server.started_ms).max(0) / 1000;
    let executable = std::env::args_os()
        .next()
        .map(|arg0| absolute_path(&arg0.to_string_lossy()))
        .unwrap_or_default();
    let config_file = server
        .config
        .config_file
        .as_deref()
        .map(absolute_path)
        .unwrap_or_default();
    field(out, "redis_version", crate::REDIS_VERSION);
    field(out, "rredis_version", crate::RREDIS_VERSION);
    field(out, "redis_git_sha1", "00000000");
    field(out, "redis_git_dirty", 0);
    field(out, "redis_mode", "standalone");
    field(out, "os", os_name());
    field(out, "arch_bits", usize::BITS);
    field(out, "multiplexing_api", "epoll");
    field(out, "process_id", std::process::id());
    field(out, "process_supervised", "no");
    field(out, "run_id", &server.run_id);
    field(out, "tcp_port", server.bound_port);
    field(out, "server_time_usec", server.now_us);
    field(out, "uptime_in_seconds", uptime);
    field(out, "uptime_in_days", uptime / 86400);
    field(out, "hz", server.config.hz);
    field(out, "configured_hz", server.config.hz);
    field(out, "executable", executable);
    field(out, "config_file", config_file);
    field(out, "io_threads_active", 0);
}

/// `Linux 6.1.0 x86_64`, as Redis prints uname's sysname, release and machine.
fn os_name() -> String {
    // SAFETY: `uname` fills the zeroed struct; its fields are NUL-terminated strings.
    unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) != 0 {
            return std::env::consts::OS.to_string();
        }
        let text = |field: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(field.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        format!(
            "{} {} {}",
            text(&name.sysname),
            text(&name.release),
            text(&name.machine)
        )
    }
}

/// `path` made absolute against the working directory (as Redis shows argv[0] and the
/// config file), without resolving symlinks.
fn absolute_path(path: &str) -> String {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string())
}

fn info_clients(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    field(out, "connected_clients", ctx.server.connected_clients);
    field(out, "cluster_connections", 0);
    field(out, "maxclients", ctx.server.config.maxclients);
    field(out, "blocked_clients", ctx.server.blocking.blocked_clients);
    field(out, "tracking_clients", 0);
}

fn info_memory(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    let rss = resident_bytes();
    let used = heap_bytes().unwrap_or(rss);
    let total = system_memory_bytes();
    let maxmemory = ctx.server.config.maxmemory;
    field(out, "used_memory", used);
    field(out, "used_memory_human", human_bytes(used));
    field(out, "used_memory_rss", rss);
    field(out, "used_memory_rss_human", human_bytes(rss));
    field(out, "total_system_memory", total);
    field(out, "total_system_memory_human", human_bytes(total));
    field(out, "maxmemory", maxmemory);
    field(out, "maxmemory_human", human_bytes(maxmemory));
    field(out, "maxmemory_policy", "noeviction");
    if used > 0 {
        field(
            out,
            "mem_fragmentation_ratio",
            format!("{:.2}", rss as f64 / used as f64),
        );
    }
    field(out, "mem_allocator", "libc");
    field(out, "lazyfree_pending_objects", 0);
}

/// Bytes currently allocated by the process heap. Redis counts its own allocations; we
/// use the allocator's own total (glibc `mallinfo2`: small blocks in use plus mmapped
/// chunks), which is exact for what the process has asked for and excludes free pages
/// the allocator keeps. Where that is unavailable, callers fall back to the RSS.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_bytes() -> Option<u64> {
    // SAFETY: mallinfo2 only reads allocator statistics.
    let info = unsafe { libc::mallinfo2() };
    Some(info.uordblks as u64 + info.hblkhd as u64)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_bytes() -> Option<u64> {
    None
}

/// The resident set size from `/proc/self/statm` (pages × page size), 0 if unreadable.
fn resident_bytes() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|text| {
            text.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<u64>().ok())
        })
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

fn system_memory_bytes() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    pages.max(0) as u64 * page.max(0) as u64
}

/// Redis's human-readable sizes: `919B`, `919.56K`, `11.86M`, `1.00G`...
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u32); 5] = [("K", 1), ("M", 2), ("G", 3), ("T", 4), ("P", 5)];
    if n < 1024 {
        return format!("{n}B");
    }
    for (unit, power) in UNITS {
        let scale = 1024f64.powi(power as i32);
        if (n as f64) < scale * 1024.0 || unit == "P" {
            return format!("{:.2}{unit}", n as f64 / scale);
        }
    }
    format!("{n}B")
}

fn info_persistence(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    field(out, "loading", 0);
    field(out, "async_loading", 0);
    field(out, "rdb_changes_since_last_save", ctx.server.dirty);
    field(out, "rdb_bgsave_in_progress", 0);
    field(out, "aof_enabled", 0);
    field(out, "aof_rewrite_in_progress", 0);
}

fn info_stats(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    let (expired, hits, misses) = ctx.dbs.iter().fold((0, 0, 0), |(e, h, m), db| {
        (
            e + db.stats.expired_keys,
            h + db.stats.hits,
            m + db.stats.misses,
        )
    });
    let stats = &ctx.server.stats;
    field(
        out,
        "total_connections_received",
        stats.connections_received,
    );
    // Redis counts a command once it has run, so INFO does not count itself.
    field(
        out,
        "total_commands_processed",
        stats.commands_processed.saturating_sub(1),
    );
    field(out, "instantaneous_ops_per_sec", 0);
    field(out, "total_net_input_bytes", stats.net_input_bytes);
    field(out, "total_net_output_bytes", stats.net_output_bytes);
    field(out, "rejected_connections", stats.rejected_connections);
    field(out, "expired_keys", expired);
    field(out, "evicted_keys", 0);
    field(out, "keyspace_hits", hits);
    field(out, "keyspace_misses", misses);
    field(out, "pubsub_channels", 0);
    field(out, "pubsub_patterns", 0);
    field(out, "total_error_replies", stats.error_replies);
}

fn info_replication(_ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    field(out, "role", "master");
    field(out, "connected_slaves", 0);
}

fn info_cpu(_ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    let (self_sys, self_user) = cpu_times(libc::RUSAGE_SELF);
    let (child_sys, child_user) = cpu_times(libc::RUSAGE_CHILDREN);
    field(out, "used_cpu_sys", self_sys);
    field(out, "used_cpu_user", self_user);
    field(out, "used_cpu_sys_children", child_sys);
    field(out, "used_cpu_user_children", child_user);
}

/// System and user CPU time as Redis prints them (`seconds.micros`).
fn cpu_times(who: libc::c_int) -> (String, String) {
    // SAFETY: getrusage fills the zeroed struct.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let fmt = |tv: libc::timeval| format!("{}.{:06}", tv.tv_sec, tv.tv_usec);
    (fmt(usage.ru_stime), fmt(usage.ru_utime))
}

fn info_keyspace(ctx: &mut Ctx<'_>, out: &mut Vec<u8>) {
    for (index, db) in ctx.dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        let line = format!("keys={},expires={},avg_ttl=0", db.len(), db.expires_len());
        field(out, &format!("db{index}"), line);
    }
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
        info,
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
    CommandSpec {
        subcommands: CONFIG_SUBCOMMANDS,
        ..cmd("config", -2, 0, 0, &[], container_handler, docs("A container for configuration commands.", "2.0.0", "Depends on subcommand."))
    },
];
