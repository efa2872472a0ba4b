//! Functions: FUNCTION LOAD / DELETE / FLUSH / LIST / STATS / KILL / HELP, FCALL and
//! FCALL_RO, over libraries of Lua functions registered with `redis.register_function`.
//!
//! Functions live in their own VM, as in Redis, so SCRIPT FLUSH leaves them alone.
//! A library's code runs once at load time with only the load API visible.

use bytes::Bytes;

use crate::command::core::command::Ctx;
use crate::command::scripting::eval::feed_monitors;
use crate::command::scripting::flags::script_flags;
use crate::command::scripting::library::{Functions, Library, ENGINE};
use crate::command::scripting::run;
use crate::command::scripting::run::{Callee, Invocation};
use crate::command::scripting::vm::one_line;
use crate::error::{CmdError, CmdResult};
use crate::util::glob::glob_match;
use crate::util::numbers::parse_i64;

/// `FUNCTION LOAD [REPLACE] function-code` — replies with the library's name.
pub fn function_load(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut replace = false;
    for option in &args[2..args.len() - 1] {
        if !option.eq_ignore_ascii_case(b"replace") {
            let text = format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(option)
            );
            return Err(CmdError::raw(text));
        }
        replace = true;
    }
    let code = &args[args.len() - 1];
    let name = ctx
        .server
        .scripting
        .functions
        .load_library(code, replace)
        .map_err(|e| CmdError::Raw(one_line(format!("ERR {e}").into_bytes())))?;
    ctx.server.dirty += 1;
    ctx.reply.bulk(name.as_bytes());
    Ok(())
}

/// `FUNCTION DELETE library-name`
pub fn function_delete(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    if ctx
        .server
        .scripting
        .functions
        .libraries
        .remove(&name)
        .is_none()
    {
        return Err(CmdError::raw("ERR Library not found"));
    }
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// `FUNCTION FLUSH [ASYNC|SYNC]` — deletes every library.
pub fn function_flush(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::subcommand_syntax("function", &args[1]));
    }
    let valid = match args.get(2) {
        None => true,
        Some(mode) => {
            args.len() == 3
                && (mode.eq_ignore_ascii_case(b"sync") || mode.eq_ignore_ascii_case(b"async"))
        }
    };
    if !valid {
        return Err(CmdError::raw(
            "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
        ));
    }
    ctx.server.scripting.functions = Functions::default();
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`
pub fn function_list(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (mut with_code, mut pattern): (bool, Option<&Bytes>) = (false, None);
    let mut i = 2;
    while i < args.len() {
        if !with_code && args[i].eq_ignore_ascii_case(b"withcode") {
            with_code = true;
        } else if pattern.is_none() && args[i].eq_ignore_ascii_case(b"libraryname") {
            if i >= args.len() - 1 {
                return Err(CmdError::raw("ERR library name argument was not given"));
            }
            i += 1;
            pattern = Some(&args[i]);
        } else {
            let mut text = b"ERR Unknown argument ".to_vec();
            // As Redis's `%s`: the argument up to a NUL, line breaks as spaces.
            text.extend_from_slice(crate::error::c_str(&args[i], usize::MAX));
            return Err(CmdError::raw(crate::error::one_line(text)));
        }
        i += 1;
    }
    let libraries: Vec<&Library> = ctx
        .server
        .scripting
        .functions
        .libraries
        .values()
        .filter(|lib| pattern.is_none_or(|p| glob_match(p, lib.name.as_bytes(), true)))
        .collect();
    let reply = &mut ctx.reply;
    reply.array_len(libraries.len());
    for lib in libraries {
        reply.map_len(if with_code { 4 } else { 3 });
        reply.bulk(b"library_name");
        reply.bulk(lib.name.as_bytes());
        reply.bulk(b"engine");
        reply.bulk(ENGINE.as_bytes());
        reply.bulk(b"functions");
        reply.array_len(lib.functions.len());
        for f in &lib.functions {
            reply.map_len(3);
            reply.bulk(b"name");
            reply.bulk(f.name.as_bytes());
            reply.bulk(b"description");
            match &f.desc {
                Some(desc) => reply.bulk(desc),
                None => reply.null(),
            }
            reply.bulk(b"flags");
            let names: Vec<&str> = script_flags::NAMES
                .iter()
                .filter(|(_, bit)| f.flags & bit != 0)
                .map(|(name, _)| *name)
                .collect();
            reply.set_len(names.len());
            for name in names {
                reply.simple(name.as_bytes());
            }
        }
        if with_code {
            reply.bulk(b"library_code");
            reply.bulk(&lib.code);
        }
    }
    Ok(())
}

/// `FUNCTION STATS` — the function running past busy-reply-threshold, if any, then the
/// engine's counts. A busy EVAL script answers `-BUSY`, as in Redis.
pub fn function_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let scripting = &ctx.server.scripting;
    if let Some(busy) = scripting.busy.as_ref().filter(|busy| busy.eval_mode) {
        return Err(CmdError::raw(busy.busy_error()));
    }
    let functions = &scripting.functions;
    let (libraries, count) = (functions.libraries.len(), functions.function_count());
    let reply = &mut ctx.reply;
    reply.map_len(2);
    reply.bulk(b"running_script");
    match scripting.busy.as_ref() {
        Some(busy) => {
            reply.map_len(3);
            reply.bulk(b"name");
            reply.bulk(busy.name.as_bytes());
            reply.bulk(b"command");
            reply.array_len(busy.command.len());
            for arg in &busy.command {
                reply.bulk(arg);
            }
            reply.bulk(b"duration_ms");
            reply.int(busy.started.elapsed().as_millis() as i64);
        }
        None => reply.null(),
    }
    reply.bulk(b"engines");
    reply.map_len(1);
    reply.bulk(ENGINE.as_bytes());
    reply.map_len(2);
    reply.bulk(b"libraries_count");
    reply.int(libraries as i64);
    reply.bulk(b"functions_count");
    reply.int(count as i64);
    Ok(())
}

/// `FUNCTION KILL` — stops the function running past busy-reply-threshold (see SCRIPT
/// KILL).
pub fn function_kill(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    crate::command::scripting::eval::kill_busy(ctx, false)
}

/// Lines of FUNCTION HELP.
const HELP: &[&str] = &[
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
];

/// `FUNCTION HELP`
pub fn function_help(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    crate::command::core::help::reply(ctx, HELP)
}

/// `FCALL function numkeys [key ...] [arg ...]`
pub fn fcall(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, args, false)
}

/// `FCALL_RO function numkeys [key ...] [arg ...]` — the function may not write.
pub fn fcall_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, args, true)
}

fn fcall_generic(ctx: &mut Ctx<'_>, args: &[Bytes], ro: bool) -> CmdResult {
    feed_monitors(ctx, args);
    let Some(info) = ctx.server.scripting.functions.find(&args[1]).cloned() else {
        return Err(CmdError::raw("ERR Function not found"));
    };
    let numkeys = parse_i64(&args[2]).ok_or(CmdError::raw("ERR Bad number of keys provided"))?;
    if numkeys > (args.len() - 3) as i64 {
        return Err(CmdError::raw(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(CmdError::raw("ERR Number of keys can't be negative"));
    }
    let numkeys = numkeys as usize;
    run::prepare(ctx, info.flags, ro)?;
    let vm = ctx.server.scripting.functions.vm()?;
    let invocation = Invocation {
        func: Callee::Function(info.func.clone()),
        keys: &args[3..3 + numkeys],
        args: &args[3 + numkeys..],
        name: &info.name,
        eval_mode: false,
        read_only: ro || info.flags & script_flags::NO_WRITES != 0,
        allow_oom: info.flags & script_flags::ALLOW_OOM != 0,
        command: args,
    };
    run::run(ctx, &vm, invocation)
}
