//! EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP,
//! over the script cache (scripts by SHA1 of their source).

use bytes::Bytes;

use crate::command::scripting::run;

use crate::command::core::command::Ctx;
use crate::command::scripting::flags::{script_flags, shebang_flags};
use crate::command::scripting::run::{Callee, Invocation};
use crate::command::scripting::state::{Script, NOTBUSY};
use crate::command::scripting::vm;
use crate::error::{CmdError, CmdResult};
use crate::util::numbers::parse_i64;

/// EVALSHA of a script the cache does not hold.
pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";

/// `EVAL script numkeys [key ...] [arg ...]`
pub fn eval(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    eval_generic(ctx, args, false, false)
}

/// `EVAL_RO script numkeys [key ...] [arg ...]` — the script may not write.
pub fn eval_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    eval_generic(ctx, args, false, true)
}

/// `EVALSHA sha1 numkeys [key ...] [arg ...]`
pub fn evalsha(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    eval_generic(ctx, args, true, false)
}

/// `EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
pub fn evalsha_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    eval_generic(ctx, args, true, true)
}

/// Shows the command to MONITOR clients before the commands the script runs (EVAL is
/// `skip_monitor` for the dispatcher for that reason, as in Redis).
pub fn feed_monitors(ctx: &mut Ctx<'_>, args: &[Bytes]) {
    if ctx.server.monitors.is_empty() {
        return;
    }
    let (_, now_us) = crate::command::core::state::wall_clock();
    let origin = if ctx.session.unix_socket {
        format!("unix:{}", ctx.session.local_addr)
    } else {
        ctx.session.addr.clone()
    };
    ctx.server
        .monitors
        .feed(now_us, ctx.session.db, &origin, args);
}

/// The `numkeys` argument, checked against the arguments that follow it.
pub fn parse_numkeys(args: &[Bytes]) -> Result<usize, CmdError> {
    let numkeys = parse_i64(&args[2]).ok_or(CmdError::NotInteger)?;
    if numkeys > (args.len() - 3) as i64 {
        return Err(CmdError::raw(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(CmdError::raw("ERR Number of keys can't be negative"));
    }
    Ok(numkeys as usize)
}

fn eval_generic(ctx: &mut Ctx<'_>, args: &[Bytes], by_sha: bool, ro: bool) -> CmdResult {
    feed_monitors(ctx, args);
    if by_sha && args[1].len() != 40 {
        return Err(CmdError::raw(NOSCRIPT));
    }
    let numkeys = parse_numkeys(args)?;
    let digits = if by_sha {
        let mut digits = [0u8; 40];
        for (d, s) in digits.iter_mut().zip(args[1].iter()) {
            *d = s.to_ascii_lowercase();
        }
        digits
    } else {
        vm::sha1_hex_digits(&args[1])
    };
    let sha = std::str::from_utf8(&digits).map_err(|_| CmdError::raw(NOSCRIPT))?;
    let vm = ctx.server.scripting.vm()?.clone();
    if !ctx.server.scripting.scripts.contains_key(sha) {
        if by_sha {
            return Err(CmdError::raw(NOSCRIPT));
        }
        create_script(ctx, &vm, &args[1], sha)?;
    }
    let Some(script) = ctx.server.scripting.scripts.get(sha) else {
        return Err(CmdError::raw(NOSCRIPT));
    };
    let (func, flags) = (Callee::Registry(script.func), script.flags);
    let compat = flags & script_flags::EVAL_COMPAT_MODE != 0;
    run::prepare(ctx, flags, ro)?;
    let invocation = Invocation {
        func,
        keys: &args[3..3 + numkeys],
        args: &args[3 + numkeys..],
        name: sha,
        eval_mode: true,
        read_only: ro || (!compat && flags & script_flags::NO_WRITES != 0),
        allow_oom: flags & script_flags::ALLOW_OOM != 0,
        command: args,
    };
    run::run(ctx, &vm, invocation)
}

/// Compiles `body` and caches it under `sha`.
fn create_script(ctx: &mut Ctx<'_>, vm: &vm::Vm, body: &Bytes, sha: &str) -> CmdResult {
    let (flags, skip) = shebang_flags(body)?;
    let func = vm
        .lua
        .load(&body[skip..])
        .set_name(vm::SCRIPT_CHUNK)
        .set_mode(mlua::chunk::ChunkMode::Text)
        .into_function()
        .map_err(|e| {
            let text = format!(
                "ERR Error compiling script (new function): {}",
                vm::lua_message(&e)
            );
            CmdError::Raw(vm::one_line(text.into_bytes()))
        })?;
    let func = vm.keep(&func).map_err(run::lua_failure)?;
    let scripting = &mut ctx.server.scripting;
    scripting.scripts_mem += body.len() + sha.len();
    scripting.scripts.insert(
        sha.to_string(),
        Script {
            // Owned: a cached script must not pin the query buffer it came in.
            body: Bytes::copy_from_slice(body),
            flags,
            func,
        },
    );
    Ok(())
}

/// `SCRIPT LOAD script` — caches the script and replies with its SHA1.
pub fn script_load(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let sha = vm::sha1_hex(&args[2]);
    if !ctx.server.scripting.scripts.contains_key(&sha) {
        let vm = ctx.server.scripting.vm()?.clone();
        create_script(ctx, &vm, &args[2], &sha)?;
    }
    ctx.reply.bulk(sha.as_bytes());
    Ok(())
}

/// `SCRIPT EXISTS sha1 [sha1 ...]` — 1 or 0 for each.
pub fn script_exists(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(args.len() - 2);
    for sha in &args[2..] {
        let key = String::from_utf8_lossy(sha).to_ascii_lowercase();
        let known = ctx.server.scripting.scripts.contains_key(&key);
        ctx.reply.int(i64::from(known));
    }
    Ok(())
}

/// `SCRIPT FLUSH [ASYNC|SYNC]` — empties the cache and resets the VM.
pub fn script_flush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let valid = match args.get(2) {
        None => true,
        Some(mode) => {
            args.len() == 3
                && (mode.eq_ignore_ascii_case(b"sync") || mode.eq_ignore_ascii_case(b"async"))
        }
    };
    if !valid {
        return Err(CmdError::raw(
            "ERR SCRIPT FLUSH only support SYNC|ASYNC option",
        ));
    }
    ctx.server.scripting.flush();
    ctx.reply.ok();
    Ok(())
}

/// `SCRIPT KILL` — stops the script running past busy-reply-threshold (this reaches
/// the handler only from another client while one is busy), unless it already wrote.
pub fn script_kill(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    kill_busy(ctx, true)
}

/// SCRIPT KILL (`eval`) or FUNCTION KILL of the busy script.
pub fn kill_busy(ctx: &mut Ctx<'_>, eval: bool) -> CmdResult {
    let Some(busy) = ctx.server.scripting.busy.as_mut() else {
        return Err(CmdError::raw(NOTBUSY));
    };
    busy.kill(eval).map_err(CmdError::raw)?;
    ctx.reply.ok();
    Ok(())
}

/// Lines of SCRIPT HELP.
const HELP: &[&str] = &[
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
];

/// `SCRIPT HELP`
pub fn script_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    ctx.reply.array_len(HELP.len());
    for line in HELP {
        ctx.reply.simple(line.as_bytes());
    }
    Ok(())
}
