//! Running one script or function: the per-run callback behind `redis.call`, the
//! commands it runs through the normal dispatcher, and the final reply or error.
//!
//! The callback is created with `Lua::scope`, so it may borrow the executor's [`Ctx`]
//! for exactly the duration of the run without `unsafe` or shared ownership. Commands
//! called from a script run as the script's own session (like Redis's Lua client): the
//! caller's database at first, RESP2 unless the script asks otherwise, never blocking.

use bytes::Bytes;
use mlua::{Function, Lua, MultiValue, Table, Value, Variadic};

use crate::command::core::command::Ctx;
use crate::command::core::dispatch;
use crate::command::core::spec::flags;
use crate::command::scripting::convert::{error_table, lua_to_reply, number_arg, reply_to_lua};
use crate::command::scripting::vm::{lua_message, one_line, Vm};
use crate::command::state::session::Session;
use crate::error::{CmdError, CmdResult};
use crate::protocol::{OutBuf, Reply};

/// `redis.call` op codes passed from the prelude's wrappers.
const OP_CALL: i64 = 1;
/// `redis.setresp`.
const OP_SETRESP: i64 = 2;
/// `redis.acl_check_cmd`.
const OP_ACL_CHECK: i64 = 3;
/// The instruction-count hook: must the script stop?
const OP_BUSY: i64 = 4;
/// BUSY while an EVAL script runs.
const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// BUSY while a function runs.
const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/// SCRIPT KILL / FUNCTION KILL of a script that already wrote.
const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/// What a run needs to know besides the function.
pub struct Invocation<'a> {
    /// The compiled script body, or the registered function.
    pub func: Function,
    /// KEYS.
    pub keys: &'a [Bytes],
    /// ARGV.
    pub args: &'a [Bytes],
    /// The name errors cite: the script's SHA1, or the function's name.
    pub name: &'a str,
    /// EVAL mode (KEYS/ARGV globals) rather than FCALL (two parameters).
    pub eval_mode: bool,
    /// Writes are refused (`*_RO` variants, `no-writes` scripts).
    pub read_only: bool,
    /// The script declared `allow-oom`: over maxmemory it may still run `denyoom`
    /// commands.
    pub allow_oom: bool,
    /// The command line that started the run (FUNCTION STATS shows it).
    pub command: &'a [Bytes],
}

/// The state of the run the callback updates.
#[derive(Debug)]
struct RunState {
    /// When the run began (busy-reply-threshold counts from here).
    started: std::time::Instant,
    /// EVAL rather than FCALL (which KILL applies, which BUSY text).
    eval_mode: bool,
    /// Past busy-reply-threshold: other clients are being answered.
    timed_out: bool,
    /// SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE asked the script to stop.
    killed: bool,
    /// The script's name and command line, for FUNCTION STATS.
    name: String,
    command: Vec<Bytes>,
    /// `redis.setresp(3)` was called.
    resp3: bool,
    /// A write command ran (the script can no longer be killed).
    write_dirty: bool,
    /// Writes are refused.
    read_only: bool,
    /// `denyoom` commands may run over maxmemory.
    allow_oom: bool,
}

/// Runs `inv` in `vm` and writes its reply (or error) for the caller.
pub fn run(ctx: &mut Ctx<'_>, vm: &Vm, inv: Invocation<'_>) -> CmdResult {
    let lua = &vm.lua;
    let keys = array(lua, inv.keys).map_err(lua_failure)?;
    let argv = array(lua, inv.args).map_err(lua_failure)?;
    if inv.eval_mode {
        vm.globals
            .raw_set("KEYS", keys.clone())
            .map_err(lua_failure)?;
        vm.globals
            .raw_set("ARGV", argv.clone())
            .map_err(lua_failure)?;
    }
    let mut session = script_session(ctx);
    let mut state = RunState {
        started: std::time::Instant::now(),
        eval_mode: inv.eval_mode,
        timed_out: false,
        killed: false,
        name: inv.name.to_string(),
        command: inv.command.to_vec(),
        resp3: false,
        write_dirty: false,
        read_only: inv.read_only,
        allow_oom: inv.allow_oom,
    };
    let outcome = lua.scope(|scope| {
        let host = scope.create_function_mut(|lua, args: Variadic<Value>| {
            host_op(lua, ctx, &mut session, &mut state, args)
        })?;
        vm.internal.raw_set("run", host)?;
        let params = if inv.eval_mode {
            (inv.func.clone(), Value::Nil, Value::Nil)
        } else {
            (inv.func.clone(), Value::Table(keys), Value::Table(argv))
        };
        vm.invoke.call::<(bool, Value)>(params)
    });
    let _ = vm.internal.raw_set("run", Value::Nil);
    collect_garbage_now_and_then(ctx, vm);
    ctx.server.scripting.put_session(session);
    match outcome {
        Ok((true, value)) => {
            count_returned_error(ctx, &value);
            lua_to_reply(&value, &mut ctx.reply, state.resp3).map_err(lua_failure)
        }
        Ok((false, err)) => script_error(ctx, &err, inv.name),
        Err(err) => {
            let text = format!(
                "ERR Error running script {}, {:.100}",
                inv.name,
                lua_message(&err)
            );
            Err(CmdError::Raw(one_line(text.into_bytes())))
        }
    }
}

/// A script that returns an `{err=...}` table (redis.error_reply) sends an error
/// reply, counted in the error statistics unless it came from a command's reply.
fn count_returned_error(ctx: &mut Ctx<'_>, value: &Value) {
    let Value::Table(t) = value else {
        return;
    };
    let Ok(Value::String(err)) = t.raw_get::<Value>("err") else {
        return;
    };
    if matches!(
        t.raw_get::<Value>("ignore_error_stats_update"),
        Ok(Value::Boolean(true))
    ) {
        return;
    }
    ctx.server.stats.error_replies += 1;
    ctx.server.admin.count_error(&err.as_bytes());
}

/// A step of the incremental collector every this many runs (as Redis does), so
/// garbage does not pile up between scripts.
const GC_PERIOD: u32 = 50;

fn collect_garbage_now_and_then(ctx: &mut Ctx<'_>, vm: &Vm) {
    let scripting = &mut ctx.server.scripting;
    scripting.runs = (scripting.runs + 1) % GC_PERIOD;
    if scripting.runs == 0 {
        let _ = vm.lua.gc_step();
    }
}

/// The session commands called from the script run as.
fn script_session(ctx: &mut Ctx<'_>) -> Session {
    let mut session = ctx.server.scripting.take_session(ctx.server.now_ms);
    session.id = ctx.session.id;
    session.db = ctx.session.db;
    session.resp = 2;
    session.tracking = ctx.session.tracking;
    session.tracking_caching = ctx.session.tracking_caching;
    session.no_touch = ctx.session.no_touch;
    session
}

/// A Lua array of `items`.
fn array(lua: &Lua, items: &[Bytes]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        t.raw_set(i + 1, lua.create_string(item)?)?;
    }
    Ok(t)
}

/// The callback behind `redis.call`, `redis.setresp` and `redis.acl_check_cmd`; it
/// returns (ok, value) and never raises.
fn host_op(
    lua: &Lua,
    ctx: &mut Ctx<'_>,
    session: &mut Session,
    state: &mut RunState,
    args: Variadic<Value>,
) -> mlua::Result<MultiValue> {
    let op = match args.first() {
        Some(Value::Integer(n)) => *n,
        Some(Value::Number(n)) => *n as i64,
        _ => 0,
    };
    let rest = &args[1.min(args.len())..];
    match op {
        OP_CALL => {
            let packed = unpack_args(rest)?;
            call_command(lua, ctx, session, state, &packed)
        }
        OP_SETRESP => {
            state.resp3 = matches!(rest.first(), Some(Value::Integer(3)))
                || matches!(rest.first(), Some(Value::Number(n)) if *n == 3.0);
            pair(true, Value::Nil)
        }
        OP_BUSY => Ok(MultiValue::from_iter([Value::Boolean(busy_check(
            ctx, state,
        ))])),
        OP_ACL_CHECK => match command_args(rest) {
            Ok(argv) => pair(true, Value::Boolean(ctx.table.resolve(&argv).is_ok())),
            Err(text) => pair(false, Value::Table(plain_error(lua, text)?)),
        },
        _ => pair(false, Value::Nil),
    }
}

/// Called every 100000 instructions: past busy-reply-threshold, answers the other
/// clients. Returns true when the script must stop.
fn busy_check(ctx: &mut Ctx<'_>, state: &mut RunState) -> bool {
    if state.killed {
        return true;
    }
    let threshold = ctx.server.config.busy_reply_threshold_ms;
    let elapsed = state.started.elapsed().as_millis() as u64;
    if threshold == 0 || elapsed < threshold {
        return false;
    }
    if !state.timed_out {
        state.timed_out = true;
        let kill = if state.eval_mode {
            "SCRIPT KILL"
        } else {
            "FUNCTION KILL"
        };
        log::warn!(
            "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the {kill} command. Script name is: {}.",
            state.name
        );
    }
    let (clients, table) = (ctx.clients, ctx.table);
    let server = &mut *ctx.server;
    clients.serve_busy(&mut |args| busy_answer(table, server, state, args));
    state.killed
}

/// The reply to another client's command while the script is busy.
fn busy_answer(
    table: &crate::command::core::command::CommandTable,
    server: &mut crate::command::core::state::ServerState,
    state: &mut RunState,
    args: &[Bytes],
) -> Vec<u8> {
    let spec = match table.resolve(args) {
        Ok(spec) if spec.arity_ok(args.len()) => spec,
        Ok(spec) => {
            return error_line(
                server,
                &CmdError::wrong_arity(&crate::command::core::command::full_name(args, spec))
                    .to_bytes(),
            )
        }
        Err(err) => return error_line(server, &err.to_bytes()),
    };
    match crate::command::core::command::full_name(args, spec).as_str() {
        "script|kill" => kill(server, state, true),
        "function|kill" => kill(server, state, false),
        "function|stats" => running_stats(server, state),
        "shutdown" if args.len() == 2 && args[1].eq_ignore_ascii_case(b"nosave") => {
            server.events.push(crate::command::ServerEvent::Shutdown);
            state.killed = true;
            Vec::new()
        }
        _ => {
            let text = if state.eval_mode {
                BUSY_EVAL
            } else {
                BUSY_FUNCTION
            };
            error_line(server, text.as_bytes())
        }
    }
}

/// SCRIPT KILL (`eval`) or FUNCTION KILL of the running script.
fn kill(
    server: &mut crate::command::core::state::ServerState,
    state: &mut RunState,
    eval: bool,
) -> Vec<u8> {
    if state.write_dirty {
        return error_line(server, UNKILLABLE.as_bytes());
    }
    if eval != state.eval_mode {
        let text = if eval { BUSY_FUNCTION } else { BUSY_EVAL };
        return error_line(server, text.as_bytes());
    }
    state.killed = true;
    b"+OK\r\n".to_vec()
}

/// FUNCTION STATS while a script runs (RESP2 layout).
fn running_stats(
    server: &mut crate::command::core::state::ServerState,
    state: &RunState,
) -> Vec<u8> {
    let functions = &server.scripting.functions;
    let mut out = OutBuf::new();
    let mut reply = Reply::new(&mut out, 2);
    reply.map_len(2);
    reply.bulk(b"running_script");
    if state.eval_mode {
        reply.null();
    } else {
        reply.map_len(3);
        reply.bulk(b"name");
        reply.bulk(state.name.as_bytes());
        reply.bulk(b"command");
        reply.array_len(state.command.len());
        for arg in &state.command {
            reply.bulk(arg);
        }
        reply.bulk(b"duration_ms");
        reply.int(state.started.elapsed().as_millis() as i64);
    }
    reply.bulk(b"engines");
    reply.map_len(1);
    reply.bulk(b"LUA");
    reply.map_len(2);
    reply.bulk(b"libraries_count");
    reply.int(functions.library_count() as i64);
    reply.bulk(b"functions_count");
    reply.int(functions.function_count() as i64);
    let mut bytes = Vec::new();
    let _ = out.write_to(&mut bytes, usize::MAX);
    bytes
}

/// An error reply's bytes, counted in the error statistics.
fn error_line(server: &mut crate::command::core::state::ServerState, text: &[u8]) -> Vec<u8> {
    server.stats.error_replies += 1;
    server.admin.count_error(text);
    let mut line = Vec::with_capacity(text.len() + 3);
    line.push(b'-');
    line.extend_from_slice(text);
    line.extend_from_slice(b"\r\n");
    line
}

/// `redis.call`'s arguments, packed by the prelude as `{n=count, ...}` so that calls
/// with thousands of arguments need no Lua stack.
fn unpack_args(values: &[Value]) -> mlua::Result<Vec<Value>> {
    let Some(Value::Table(t)) = values.first() else {
        return Ok(Vec::new());
    };
    let n: i64 = t.raw_get("n")?;
    (1..=n.max(0)).map(|i| t.raw_get::<Value>(i)).collect()
}

fn pair(ok: bool, value: Value) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([Value::Boolean(ok), value]))
}

/// An `{err=...}` table that still counts in the error statistics when the script fails.
fn plain_error(lua: &Lua, text: &str) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", format!("ERR {text}"))?;
    Ok(t)
}

/// `redis.call`'s arguments as a command line: strings, and numbers as `%.17g`.
fn command_args(values: &[Value]) -> Result<Vec<Bytes>, &'static str> {
    if values.is_empty() {
        return Err("Please specify at least one argument for this redis lib call");
    }
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(Bytes::copy_from_slice(&s.as_bytes())),
            Value::Integer(n) => Ok(Bytes::from(number_arg(*n as f64))),
            Value::Number(n) => Ok(Bytes::from(number_arg(*n))),
            _ => Err("Lua redis lib command arguments must be strings or integers"),
        })
        .collect()
}

/// Runs one command for the script and converts its reply.
fn call_command(
    lua: &Lua,
    ctx: &mut Ctx<'_>,
    session: &mut Session,
    state: &mut RunState,
    values: &[Value],
) -> mlua::Result<MultiValue> {
    let argv = match command_args(values) {
        Ok(argv) => argv,
        Err(text) => return pair(false, Value::Table(plain_error(lua, text)?)),
    };
    let mut scratch = OutBuf::new();
    let resp = if state.resp3 { 3 } else { 2 };
    let checked = {
        let mut inner = Ctx {
            dbs: &mut *ctx.dbs,
            server: &mut *ctx.server,
            session,
            reply: Reply::new(&mut scratch, resp),
            table: ctx.table,
            clients: ctx.clients,
        };
        check_command(&mut inner, state, &argv)
    };
    if let Err(text) = checked {
        let table = error_table(lua, text.as_bytes())?;
        return pair(false, Value::Table(table));
    }
    let mut bytes = Vec::with_capacity(scratch.pending());
    let _ = scratch.write_to(&mut bytes, usize::MAX);
    let value = reply_to_lua(lua, &bytes)?;
    pair(bytes.first() != Some(&b'-'), value)
}

/// The checks Redis makes before a command called from a script, then the call.
/// Returns the refusal's text (with its code) when the command may not run.
fn check_command(
    inner: &mut Ctx<'_>,
    state: &mut RunState,
    argv: &[Bytes],
) -> Result<(), &'static str> {
    let spec = match inner.table.resolve(argv) {
        Ok(spec) => spec,
        Err(_) => {
            return Err(refuse(
                inner,
                None,
                argv,
                "ERR Unknown Redis command called from script",
            ))
        }
    };
    let refusal = if !spec.arity_ok(argv.len()) {
        Some("ERR Wrong number of args calling Redis command from script")
    } else if spec.has(flags::NOSCRIPT) {
        Some("ERR This Redis command is not allowed from script")
    } else if state.read_only && spec.has(flags::WRITE | flags::MAY_REPLICATE) {
        Some("ERR Write commands are not allowed from read-only scripts.")
    } else if refused_for_memory(inner, state, spec) {
        Some(crate::command::core::evict::ERR_OOM)
    } else {
        None
    };
    if let Some(text) = refusal {
        return Err(refuse(inner, Some(spec), argv, text));
    }
    if spec.has(flags::WRITE) {
        state.write_dirty = true;
    }
    dispatch::call(inner, spec, argv);
    Ok(())
}

/// Redis's `scriptVerifyOOM`: over maxmemory with nothing left to evict (found before
/// the script's command ran), a script that has not written yet may not run a
/// `denyoom` command, unless it declared `allow-oom`.
fn refused_for_memory(
    inner: &Ctx<'_>,
    state: &RunState,
    spec: &crate::command::core::command::CommandSpec,
) -> bool {
    inner.server.config.maxmemory != 0
        && inner.server.eviction.pre_command_oom
        && !state.write_dirty
        && !state.allow_oom
        && spec.has(flags::DENYOOM)
}

/// Counts a refused command as Redis does (an error reply, a rejected call); `text`
/// carries its error code.
fn refuse(
    inner: &mut Ctx<'_>,
    spec: Option<&'static crate::command::core::command::CommandSpec>,
    argv: &[Bytes],
    text: &'static str,
) -> &'static str {
    inner.server.stats.error_replies += 1;
    crate::command::core::accounting::rejected(inner, spec, argv, text.as_bytes());
    text
}

/// The reply for a script that raised `err` (normally the table the message handler
/// built): `-<err> script: <name>, on <source>:<line>.`
fn script_error(ctx: &mut Ctx<'_>, err: &Value, name: &str) -> CmdResult {
    let Value::Table(t) = err else {
        let msg = match err {
            Value::String(s) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
            _ => "execution failure".to_string(),
        };
        let text = format!("ERR Error running script {name}, {msg:.100}");
        return Err(CmdError::Raw(one_line(text.into_bytes())));
    };
    let field = |key: &str| -> Option<Vec<u8>> {
        match t.raw_get::<Value>(key).ok()? {
            Value::String(s) => Some(s.as_bytes().to_vec()),
            Value::Integer(n) => Some(n.to_string().into_bytes()),
            Value::Number(n) => Some(crate::command::scripting::libs::format_g(n, 14).into_bytes()),
            _ => None,
        }
    };
    let mut text = field("err").unwrap_or_default();
    if let (Some(source), Some(line)) = (field("source"), field("line")) {
        text.extend_from_slice(format!(" script: {name}, on ").as_bytes());
        text.extend_from_slice(&source);
        text.push(b':');
        text.extend_from_slice(&line);
        text.push(b'.');
    }
    let text = one_line(text);
    let counted = !matches!(
        t.raw_get::<Value>("ignore_error_stats_update"),
        Ok(Value::Boolean(true))
    );
    if counted {
        return Err(CmdError::Raw(text));
    }
    ctx.reply.error(&text);
    Ok(())
}

/// A failure of the VM itself (out of memory while preparing a run).
pub fn lua_failure(err: mlua::Error) -> CmdError {
    CmdError::raw(format!(
        "ERR Error running script, {:.100}",
        lua_message(&err)
    ))
}
