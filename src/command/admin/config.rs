//! The CONFIG container: GET, SET, RESETSTAT, REWRITE and HELP. The parameters
//! themselves (names, parsing, defaults, the config file's text) live in
//! [`crate::config`]; these commands read, change and save them at run time.

use bytes::Bytes;

use crate::command::snapshot::aof;

use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::evict;
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{Arg, ArgType, Group};
use crate::command::core::state::ServerState;
use crate::command::metrics::stats::Stats;
use crate::command::state::acl::file::user_line;
use crate::config::{find_param, Config, Param};
use crate::error::{one_line, CmdError, CmdResult};
use crate::util::glob::glob_match;

const ERR_UNKNOWN_OPTION: &str = "ERR Unknown option or number of arguments for CONFIG SET - ";

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
            let listed = !crate::config::is_hidden(name);
            if listed
                && glob_match(pattern, name.as_bytes(), true)
                && !found.iter().any(|(n, _)| n == name)
            {
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
        let protected_allowed = ctx
            .server
            .config
            .enable_protected_configs
            .allows(ctx.session.is_local());
        if param.is_protected() && !protected_allowed {
            return Err(config_set_failed(&name, "can't set protected config"));
        }
        if pairs.iter().any(|(_, seen, _)| seen.name == param.name) {
            return Err(config_set_failed(&name, "duplicate parameter"));
        }
        pairs.push((name, param, String::from_utf8_lossy(&pair[1]).into_owned()));
    }
    let mut config: Config = ctx.server.config.clone();
    let maxmemory_set = pairs.iter().any(|(_, param, _)| param.name == "maxmemory");
    for (name, param, value) in pairs {
        (param.set)(&mut config, std::slice::from_ref(&value))
            .map_err(|e| config_set_failed(&name, &e.0))?;
    }
    move_listeners(ctx, &config)?;
    let aof_was = ctx.server.config.appendonly;
    let auto_gc_was = !ctx.server.config.aof_disable_auto_gc;
    let password_changed = config.requirepass != ctx.server.config.requirepass;
    ctx.server.config = config;
    if password_changed {
        let password = ctx.server.config.requirepass.clone();
        ctx.server.acl.set_default_password(password.as_bytes());
    }
    if ctx.server.config.appendonly != aof_was
        && aof::apply_config(ctx.dbs, ctx.server, ctx.session.in_exec).is_err()
    {
        ctx.server.config.appendonly = aof_was;
        return Err(config_set_failed(
            "appendonly",
            "Unable to turn on AOF. Check server logs.",
        ));
    }
    if maxmemory_set {
        maxmemory_changed(ctx.server);
    }
    if !auto_gc_was && !ctx.server.config.aof_disable_auto_gc {
        // Turned back on: what rewrites retired meanwhile goes now, as in Redis.
        aof::delete_history(ctx.server);
    }
    ctx.reply.ok();
    Ok(())
}

/// A new `port` or `bind` takes effect before CONFIG SET answers, as in Redis: the
/// reactor listens on the new addresses, or keeps the old ones and the whole CONFIG
/// SET fails with Redis's reason.
fn move_listeners(ctx: &mut Ctx<'_>, config: &Config) -> Result<(), CmdError> {
    let old = &ctx.server.config;
    let (port_changed, bind_changed) = (config.port != old.port, config.bind != old.bind);
    if !port_changed && !bind_changed {
        return Ok(());
    }
    match ctx.clients.rebind(&config.bind, config.port) {
        Ok(bound) => {
            ctx.server.bound_port = bound;
            Ok(())
        }
        Err(e) => {
            log::warn!("Failed to listen on the new address set: {e}");
            Err(if port_changed {
                config_set_failed("port", "Unable to listen on this port")
            } else {
                config_set_failed("bind", "Failed to bind to specified addresses.")
            })
        }
    }
}

/// A new `maxmemory` takes effect at once, as in Redis: a warning when memory is over
/// it already, and an eviction cycle in the event loop (commands also evict first).
fn maxmemory_changed(server: &mut ServerState) {
    let limit = server.config.maxmemory;
    if limit == 0 {
        return;
    }
    let used =
        crate::util::alloc::used_memory().saturating_sub(evict::not_counted_for_evict(server));
    if limit < used {
        log::warn!("WARNING: the new maxmemory value set via CONFIG SET ({limit}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.");
    }
    server.eviction.cycle_running = true;
}

/// The error CONFIG SET reports when parameter `name` cannot be set, for `reason`.
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
    let users = rewritten_users(ctx);
    let new = crate::config::rewrite_text(&old, &ctx.server.config, &users);
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

/// The `user` lines CONFIG REWRITE writes: every user, unless users live in an ACL file.
fn rewritten_users(ctx: &Ctx<'_>) -> Vec<String> {
    if !ctx.server.config.aclfile.is_empty() {
        return Vec::new();
    }
    let acl = &ctx.server.acl;
    acl.users()
        .map(|user| String::from_utf8_lossy(&user_line(user, acl)).into_owned())
        .collect()
}

/// `CONFIG RESETSTAT` — zeroes the INFO stats counters (not the client count).
fn config_resetstat(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    // This command itself counts once it completes, as in Redis.
    ctx.server.stats = Stats {
        commands_processed: 1,
        ..Stats::default()
    };
    ctx.server.admin.reset();
    ctx.server.background.reset_stats();
    ctx.server.eviction.reset_stats();
    for db in ctx.dbs.iter_mut() {
        db.stats = Default::default();
    }
    ctx.reply.ok();
    Ok(())
}

/// The CONFIG container's table entry.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("config", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("A container for configuration commands.", "2.0.0", "Depends on subcommand.")),
];

/// CONFIG's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", -3, ADMIN | NOSCRIPT | LOADING | STALE, config_get)
        .docs(Group::Server.doc("Reads configuration parameters matching glob patterns.", "2.0.0", PER_PARAMETER)
            .history(&[("7.0.0", "Added the ability to pass multiple pattern parameters in one call")])
            .args(GET_ARGS)),
    CommandSpec::new("resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, config_resetstat)
        .docs(Group::Server.doc("Zeroes the counters INFO reports.", "2.0.0", "O(1)")),
    CommandSpec::new("rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, config_rewrite)
        .docs(Group::Server.doc("Writes the running configuration back into the configuration file.", "2.8.0", "O(1)")),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Server.doc("Lists the CONFIG subcommands.", "5.0.0", "O(1)")),
    CommandSpec::new("set", -4, ADMIN | NOSCRIPT | LOADING | STALE, config_set)
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
        .docs(Group::Server.doc("Changes configuration parameters, all or none.", "2.0.0", PER_PARAMETER)
            .history(&[("7.0.0", "Added the ability to set multiple parameters in one call.")])
            .args(SET_ARGS)),
];

const PER_PARAMETER: &str = "O(N) when N is the number of configuration parameters provided";
const GET_ARGS: &[Arg] =
    &[Arg::block("parameter", &[Arg::new("parameter", ArgType::String)]).multiple()];
const SET_ARGS: &[Arg] = &[Arg::block(
    "parameter_value",
    &[
        Arg::new("parameter", ArgType::String),
        Arg::new("value", ArgType::String),
    ],
)
.multiple()];

/// Lines of CONFIG HELP.
const HELP: &[&str] = &[
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
