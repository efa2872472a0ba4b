//! Functions: FUNCTION LOAD / DELETE / FLUSH / LIST / STATS / KILL / HELP, FCALL and
//! FCALL_RO, over libraries of Lua functions registered with `redis.register_function`.
//!
//! Functions live in their own VM, as in Redis, so SCRIPT FLUSH leaves them alone.
//! A library's code runs once at load time with only the load API visible.

use std::collections::BTreeMap;

use bytes::Bytes;
use mlua::{Function, Table, Value};

use crate::command::scripting::eval::{feed_monitors, flag_named};
use crate::command::scripting::run::{self, lua_message, one_line, Invocation};
use crate::command::scripting::{script_flags, vm};
use crate::command::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::util::glob::glob_match;
use crate::util::numbers::parse_i64;

/// The only engine.
const ENGINE: &str = "LUA";

/// One registered function.
#[derive(Clone)]
pub struct FunctionInfo {
    /// Its name (unique across libraries).
    pub name: String,
    /// `description`, if given.
    pub desc: Option<Bytes>,
    /// Its [`script_flags`].
    pub flags: u32,
    /// The callback.
    pub func: Function,
}

/// A loaded library.
pub struct Library {
    /// Its name from the shebang.
    pub name: String,
    /// The code as sent to FUNCTION LOAD (shebang included).
    pub code: Bytes,
    /// Its functions, in registration order.
    pub functions: Vec<FunctionInfo>,
}

/// The libraries and their VM.
#[derive(Default)]
pub struct Functions {
    vm: Option<vm::Vm>,
    libraries: BTreeMap<String, Library>,
}

impl Functions {
    fn vm(&mut self) -> Result<vm::Vm, CmdError> {
        if self.vm.is_none() {
            let vm = vm::Vm::new().map_err(|e| {
                CmdError::raw(format!("ERR Failed to create the Lua VM: {}", lua_message(&e)))
            })?;
            self.vm = Some(vm);
        }
        self.vm.clone().ok_or_else(|| CmdError::raw("ERR Lua VM unavailable"))
    }

    fn find(&self, name: &[u8]) -> Option<&FunctionInfo> {
        self.libraries
            .values()
            .flat_map(|lib| lib.functions.iter())
            .find(|f| f.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// Number of libraries (FUNCTION STATS).
    pub fn library_count(&self) -> usize {
        self.libraries.len()
    }

    /// Number of functions across libraries (INFO, FUNCTION STATS).
    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|lib| lib.functions.len()).sum()
    }

    /// Bytes the functions VM uses (INFO `used_memory_vm_functions`).
    pub fn lua_memory(&self) -> usize {
        self.vm.as_ref().map_or(0, vm::Vm::used_memory)
    }
}

/// The name and code of a library from its `#!lua name=<name>` first line.
fn parse_metadata(code: &[u8]) -> Result<(String, &[u8]), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&b| b == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let line = String::from_utf8_lossy(&code[..end]).into_owned();
    let mut parts = line.split_ascii_whitespace();
    let engine = parts.next().map(|p| p[2..].to_string()).unwrap_or_default();
    let mut name: Option<String> = None;
    for part in parts {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case("name=") {
            if name.is_some() {
                return Err("Invalid metadata value, name argument was given multiple times".into());
            }
            name = Some(part[5..].to_string());
            continue;
        }
        return Err(format!("Invalid metadata value given: {part}"));
    }
    let name = name.ok_or("Library name was not given")?;
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return Err("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long".into());
    }
    if !engine.eq_ignore_ascii_case(ENGINE) {
        return Err(format!("Engine '{engine}' not found"));
    }
    Ok((name, &code[end..]))
}

/// Compiles and runs a library's code; returns the functions it registered.
fn create_library(vm: &vm::Vm, name: &str, code: &Bytes, body: &[u8]) -> Result<Library, String> {
    let chunk = vm
        .lua
        .load(body)
        .set_name("@user_function")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .into_function()
        .map_err(|e| format!("Error compiling function: {}", lua_message(&e)))?;
    let (ok, result) = run_library_code(vm, chunk).map_err(|e| lua_message(&e))?;
    let registered = match (ok, result) {
        (true, Value::Table(t)) => t,
        (_, Value::String(s)) => {
            return Err(format!("Error registering functions: {}", String::from_utf8_lossy(&s.as_bytes())))
        }
        _ => return Err("Error registering functions".into()),
    };
    let functions = read_registered(&registered).map_err(|e| e.to_string())?;
    if functions.is_empty() {
        return Err("No functions registered".into());
    }
    Ok(Library { name: name.to_string(), code: code.clone(), functions })
}

/// Runs a library's code with the load-time globals and the load timeout; returns
/// (true, registered functions) or (false, error text).
fn run_library_code(vm: &vm::Vm, chunk: Function) -> mlua::Result<(bool, Value)> {
    let begin: Function = vm.internal.raw_get("begin_load")?;
    let protected: Function = vm.internal.raw_get("protected")?;
    let end: Function = vm.internal.raw_get("end_load")?;
    begin.call::<()>(())?;
    let outcome = protected.call::<(bool, Value)>(chunk);
    // A timed-out load leaves a line hook that raises: remove it before any more Lua.
    vm.lua.remove_hook();
    let (ok, err) = outcome?;
    end.call((ok, err))
}

/// The `{name, callback, desc, flags}` records collected by `redis.register_function`.
fn read_registered(list: &Table) -> mlua::Result<Vec<FunctionInfo>> {
    let mut out = Vec::new();
    for record in list.clone().sequence_values::<Table>() {
        let record = record?;
        let flags: Table = record.raw_get("flags")?;
        let mut bits = 0;
        for flag in flags.sequence_values::<String>() {
            bits |= flag_named(&flag?).unwrap_or(0);
        }
        let desc: Option<mlua::LuaString> = record.raw_get("desc")?;
        out.push(FunctionInfo {
            name: record.raw_get("name")?,
            desc: desc.map(|d| Bytes::copy_from_slice(&d.as_bytes())),
            flags: bits,
            func: record.raw_get("callback")?,
        });
    }
    Ok(out)
}

/// `FUNCTION LOAD [REPLACE] function-code` — replies with the library's name.
pub fn function_load(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let mut replace = false;
    for option in &args[2..args.len() - 1] {
        if !option.eq_ignore_ascii_case(b"replace") {
            let text = format!("ERR Unknown option given: {}", String::from_utf8_lossy(option));
            return Err(CmdError::raw(text));
        }
        replace = true;
    }
    let code = &args[args.len() - 1];
    let (name, body) = parse_metadata(code).map_err(|e| CmdError::raw(format!("ERR {e}")))?;
    let functions = &mut ctx.server.scripting.functions;
    if functions.libraries.contains_key(&name) && !replace {
        return Err(CmdError::raw(format!("ERR Library '{name}' already exists")));
    }
    let vm = functions.vm()?;
    let library = create_library(&vm, &name, code, body)
        .map_err(|e| CmdError::Raw(one_line(format!("ERR {e}").into_bytes())))?;
    for f in &library.functions {
        let owner = functions.libraries.iter().find(|(lib, l)| {
            **lib != name && l.functions.iter().any(|g| g.name.eq_ignore_ascii_case(&f.name))
        });
        if owner.is_some() {
            return Err(CmdError::raw(format!("ERR Function {} already exists", f.name)));
        }
    }
    functions.libraries.insert(name.clone(), library);
    ctx.server.dirty += 1;
    ctx.reply.bulk(name.as_bytes());
    Ok(())
}

/// `FUNCTION DELETE library-name`
pub fn function_delete(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    if ctx.server.scripting.functions.libraries.remove(&name).is_none() {
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
        return Err(CmdError::raw("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
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
            let text = format!("ERR Unknown argument {}", String::from_utf8_lossy(&args[i]));
            return Err(CmdError::raw(text));
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

/// `FUNCTION STATS` — no function can be running while another command is served, so
/// `running_script` is always null; then the engine's counts.
pub fn function_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let functions = &ctx.server.scripting.functions;
    let (libraries, count) = (functions.libraries.len(), functions.function_count());
    let reply = &mut ctx.reply;
    reply.map_len(2);
    reply.bulk(b"running_script");
    reply.null();
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

/// `FUNCTION KILL` — there is never a running function to kill (see SCRIPT KILL).
pub fn function_kill(_ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    Err(CmdError::raw("NOTBUSY No scripts in execution right now."))
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
    crate::command::introspection::write_help(&mut ctx.reply, HELP);
    Ok(())
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
    let functions = &mut ctx.server.scripting.functions;
    let Some(info) = functions.find(&args[1]).cloned() else {
        return Err(CmdError::raw("ERR Function not found"));
    };
    let numkeys = parse_i64(&args[2]).ok_or(CmdError::raw("ERR Bad number of keys provided"))?;
    if numkeys > (args.len() - 3) as i64 {
        return Err(CmdError::raw("ERR Number of keys can't be greater than number of args"));
    }
    if numkeys < 0 {
        return Err(CmdError::raw("ERR Number of keys can't be negative"));
    }
    let numkeys = numkeys as usize;
    if info.flags & script_flags::NO_WRITES == 0 && ro {
        return Err(CmdError::raw("ERR Can not execute a script with write flag using *_ro command."));
    }
    let vm = functions.vm()?;
    let invocation = Invocation {
        func: info.func.clone(),
        keys: &args[3..3 + numkeys],
        args: &args[3 + numkeys..],
        name: &info.name,
        eval_mode: false,
        read_only: ro || info.flags & script_flags::NO_WRITES != 0,
        command: args,
    };
    run::run(ctx, &vm, invocation)
}
