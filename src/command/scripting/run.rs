//! Running one script or function: the [`Host`] behind `redis.call` (commands run
//! through the normal dispatcher), the busy-script checks, and the final reply or
//! error.
//!
//! The Lua side of the run is in `host.rs` (raw Lua calls, the hot path); this module
//! is the server side. Commands called from a script run as the script's own session
//! (like Redis's Lua client): the caller's database at first, RESP2 unless the script
//! asks otherwise, never blocking.

use std::borrow::Cow;
use std::ffi::c_int;

use bytes::Bytes;
use mlua::ffi;
use mlua::Function;

use crate::command::core::access;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::dispatch::{self, DiskFailure};
use crate::command::core::executor::Parts;
use crate::command::core::spec::flags;
use crate::command::core::state::ServerEvent;
use crate::command::scripting::convert::{field_is_true, field_text, write_result};
use crate::command::scripting::host::{self, Args, CallStatus, Host, Running};
use crate::command::scripting::state::{BusyScript, CallBuffers};
use crate::command::scripting::vm::{lua_message, one_line, Vm};
use crate::command::state::directory::{BufferStats, ClientView, NoClients};
use crate::command::state::session::Session;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;

/// What a run needs to know besides the function.
pub struct Invocation<'a> {
    /// The compiled script body, or the registered function.
    pub func: Callee,
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

/// What runs: a cached script's body (kept in the VM's registry), or a library's
/// function.
pub enum Callee {
    /// A number in the registry.
    Registry(c_int),
    /// A function value.
    Function(Function),
}

/// The state of the run the callback updates.
#[derive(Debug)]
struct RunState<'a> {
    /// When the run began (busy-reply-threshold counts from here).
    started: std::time::Instant,
    /// EVAL rather than FCALL (which KILL applies, which BUSY text).
    eval_mode: bool,
    /// Past busy-reply-threshold: other clients are being served.
    timed_out: bool,
    /// SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE asked the script to stop.
    killed: bool,
    /// The script's name and command line, for FUNCTION STATS.
    name: &'a str,
    command: &'a [Bytes],
    /// `redis.setresp(3)` was called.
    resp3: bool,
    /// A write command ran (the script can no longer be killed).
    write_dirty: bool,
    /// Writes are refused.
    read_only: bool,
    /// `denyoom` commands may run over maxmemory.
    allow_oom: bool,
    /// The keys the caller declared (tracked for it once the script reads).
    keys: &'a [Bytes],
    /// They were tracked already.
    tracked: bool,
}

/// Runs `inv` in `vm` and writes its reply (or error) for the caller.
pub fn run(ctx: &mut Ctx<'_>, vm: &Vm, inv: Invocation<'_>) -> CmdResult {
    let session = script_session(ctx);
    let state = RunState {
        started: std::time::Instant::now(),
        eval_mode: inv.eval_mode,
        timed_out: false,
        killed: false,
        name: inv.name,
        command: inv.command,
        resp3: false,
        write_dirty: false,
        read_only: inv.read_only,
        allow_oom: inv.allow_oom,
        keys: inv.keys,
        tracked: false,
    };
    let buffers = std::mem::take(&mut ctx.server.scripting.buffers);
    let mut frame = Frame {
        ctx,
        session,
        state,
        buffers,
        outcome: None,
    };
    let refs = vm.refs;
    let frame_ptr: *mut Frame<'_, '_> = &mut frame;
    let raw = {
        // SAFETY: while the guard lives the frame is reached only through `frame_ptr`:
        // by the C functions during Lua calls, and by `finish_run` after the script
        // returned, never both at once.
        let _running = unsafe { Running::enter(frame_ptr as *mut dyn Host) };
        let body = |state: *mut ffi::lua_State| {
            // SAFETY: in protected mode with the function alone on the stack, as
            // `invoke` requires; `finish_run` never raises.
            unsafe {
                let status = host::invoke(state, refs, inv.keys, inv.args, inv.eval_mode);
                finish_run(state, frame_ptr, status);
            }
        };
        match &inv.func {
            // SAFETY: the main state is idle between commands; the body pushes the
            // function first, then follows `invoke`'s rules.
            Callee::Registry(func) => unsafe {
                host::protected(vm.state, refs, &mut |state| {
                    ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, *func);
                    body(state);
                })
                .map_err(|e| CmdError::Raw(failure_text(&e)))
            },
            // SAFETY: `exec_raw` calls the body in protected mode with the function
            // alone on the stack.
            Callee::Function(func) => unsafe {
                vm.lua.exec_raw::<()>(func, body).map_err(lua_failure)
            },
        }
    };
    let Frame {
        ctx,
        session,
        state,
        mut buffers,
        outcome,
    } = frame;
    buffers.args.argv.clear();
    ctx.server.scripting.buffers = buffers;
    if state.timed_out {
        ctx.server.scripting.busy = None;
    }
    collect_garbage_now_and_then(ctx, vm);
    ctx.server.scripting.put_session(session);
    match (raw, outcome) {
        (Ok(()), Some(outcome)) => outcome,
        (Err(err), _) => Err(err),
        (Ok(()), None) => Err(CmdError::raw("ERR Error running script, no result")),
    }
}

/// Writes the script's result (at the top of the stack) or turns its error into the
/// command's error; never raises.
///
/// # Safety
/// Called from inside the protected run, after `host::invoke`, with no C function of
/// the run active (so the frame is not borrowed elsewhere).
unsafe fn finish_run(state: *mut ffi::lua_State, frame: *mut Frame<'_, '_>, status: c_int) {
    let frame = &mut *frame;
    let top = ffi::lua_gettop(state);
    let ctx = &mut *frame.ctx;
    let outcome = if status == 0 {
        count_returned_error(ctx, state, top);
        write_result(state, top, &mut ctx.reply, frame.state.resp3);
        Ok(())
    } else {
        script_error(ctx, state, top, frame.state.name)
    };
    frame.outcome = Some(outcome);
}

/// The state of one run: the caller's context and what the C functions work with.
struct Frame<'c, 'a> {
    /// The caller's context.
    ctx: &'c mut Ctx<'a>,
    /// The session commands called from the script run as.
    session: Session,
    /// What the run has done so far.
    state: RunState<'c>,
    /// The command line `redis.call` runs, its reply as written and as bytes for Lua
    /// (kept between runs).
    buffers: CallBuffers,
    /// The command's result once the script is over.
    outcome: Option<CmdResult>,
}

impl Host for Frame<'_, '_> {
    fn args(&mut self) -> &mut Args {
        &mut self.buffers.args
    }

    fn call(&mut self) -> CallStatus {
        call_command(self)
    }

    fn reply(&self) -> &[u8] {
        &self.buffers.reply
    }

    fn interrupted(&mut self) -> bool {
        busy_check(self.ctx, &mut self.state)
    }

    fn set_resp3(&mut self, on: bool) {
        self.state.resp3 = on;
    }

    fn acl_verdict(&mut self) -> Option<bool> {
        let argv = &self.buffers.args.argv;
        let ctx = &*self.ctx;
        let spec = ctx.table.resolve(argv).ok()?;
        let user = ctx.session.user;
        Some(access::check(ctx.server, ctx.table, user, spec, argv).is_ok())
    }
}

/// A script that returns an `{err=...}` table (redis.error_reply) sends an error
/// reply, counted in the error statistics unless it came from a command's reply.
/// Either way the call counts as failed, as in Redis.
unsafe fn count_returned_error(ctx: &mut Ctx<'_>, state: *mut ffi::lua_State, idx: c_int) {
    if ffi::lua_type(state, idx) != ffi::LUA_TTABLE {
        return;
    }
    let Some(err) = string_field(state, idx, "err") else {
        return;
    };
    ctx.server.failed_uncounted = true;
    if field_is_true(state, idx, "ignore_error_stats_update") {
        return;
    }
    ctx.server.stats.error_replies += 1;
    ctx.server.admin.count_error(&err);
}

/// Field `name` of the table at `idx` if it is a string (not a number).
unsafe fn string_field(state: *mut ffi::lua_State, idx: c_int, name: &str) -> Option<Vec<u8>> {
    ffi::lua_pushlstring_(state, name.as_ptr().cast(), name.len());
    ffi::lua_rawget_(state, idx);
    let is_string = ffi::lua_type(state, -1) == ffi::LUA_TSTRING;
    ffi::lua_pop(state, 1);
    if is_string {
        field_text(state, idx, name)
    } else {
        None
    }
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
    session.user = ctx.session.user;
    session.resp = 2;
    session.no_touch = ctx.session.no_touch;
    session
}

/// Called every 100000 instructions: past busy-reply-threshold, serves the other
/// clients. Returns true when the script must stop.
fn busy_check(ctx: &mut Ctx<'_>, state: &mut RunState<'_>) -> bool {
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
        enter_busy(ctx, state, elapsed);
    }
    serve_others(ctx, state);
    state.killed
}

/// The run just passed busy-reply-threshold: log it, as Redis does, and show the
/// script to the commands other clients may still send.
fn enter_busy(ctx: &mut Ctx<'_>, state: &RunState<'_>, elapsed: u64) {
    let kill = if state.eval_mode {
        "SCRIPT KILL"
    } else {
        "FUNCTION KILL"
    };
    log::warn!(
        "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the {kill} command. Script name is: {}.",
        state.name
    );
    ctx.server.scripting.busy = Some(BusyScript {
        eval_mode: state.eval_mode,
        name: state.name.to_string(),
        command: state.command.to_vec(),
        started: state.started,
        write_dirty: false,
        killed: false,
    });
}

/// Runs the commands other clients sent meanwhile (the dispatcher refuses all but the
/// `allow-busy` ones); a KILL or a shutdown stops the script.
fn serve_others(ctx: &mut Ctx<'_>, state: &mut RunState<'_>) {
    if let Some(busy) = ctx.server.scripting.busy.as_mut() {
        busy.write_dirty = state.write_dirty;
    }
    let current = ctx.server.tracking.current;
    let admission = ctx.server.admission();
    let (dbs, server, table) = (&mut *ctx.dbs, &mut *ctx.server, ctx.table);
    ctx.clients
        .serve_busy(&admission, &mut |session, args, out| {
            let mut parts = Parts {
                dbs: &mut *dbs,
                server: &mut *server,
                table,
            };
            parts.execute(session, args, out, &mut NoClients);
        });
    ctx.server.tracking.current = current;
    let killed = ctx.server.scripting.busy.as_ref().is_some_and(|b| b.killed);
    let shutdown = ctx
        .server
        .events
        .iter()
        .any(|e| matches!(e, ServerEvent::Shutdown));
    state.killed |= killed || shutdown;
}

/// Runs the command line in the frame's `argv` for the script; its reply (or the
/// refusal's text) goes to the frame's `reply` bytes.
fn call_command(frame: &mut Frame<'_, '_>) -> CallStatus {
    let resp = if frame.state.resp3 { 3 } else { 2 };
    let ctx = &mut *frame.ctx;
    let buffers = &mut frame.buffers;
    let caller = ClientView {
        session: &*ctx.session,
        buffers: BufferStats::default(),
    };
    let checked = {
        let mut inner = Ctx {
            dbs: &mut *ctx.dbs,
            server: &mut *ctx.server,
            session: &mut frame.session,
            reply: Reply::new(&mut buffers.scratch, resp),
            table: ctx.table,
            clients: &mut *ctx.clients,
        };
        check_command(&mut inner, caller, &mut frame.state, &buffers.args.argv)
    };
    buffers.reply.clear();
    match checked {
        Err(text) => {
            buffers.reply.extend_from_slice(text.as_bytes());
            return CallStatus::Refused;
        }
        Ok(ran) if ran & flags::READONLY != 0 && ctx.session.tracking && !frame.state.tracked => {
            frame.state.tracked = true;
            dispatch::remember_keys(ctx, frame.state.keys);
        }
        Ok(_) => {}
    }
    let _ = buffers.scratch.write_to(&mut buffers.reply, usize::MAX);
    CallStatus::Replied
}

/// The checks Redis makes before a command called from a script, then the call.
/// Returns the command's flags, or the refusal's text (code included) when the
/// command may not run.
fn check_command(
    inner: &mut Ctx<'_>,
    caller: ClientView<'_>,
    state: &mut RunState,
    argv: &[Bytes],
) -> Result<u32, Cow<'static, str>> {
    let spec = match inner.table.resolve(argv) {
        Ok(spec) => spec,
        Err(_) => {
            let text = "ERR Unknown Redis command called from script";
            return Err(refuse(inner, None, argv, text.into()));
        }
    };
    let refusal = if !spec.arity_ok(argv.len()) {
        Some("ERR Wrong number of args calling Redis command from script".into())
    } else if spec.has(flags::NOSCRIPT) && !inner.server.admin.scripts_may_run_noscript {
        Some("ERR This Redis command is not allowed from script".into())
    } else if inner.server.serves_no_stale_data() && !spec.has(flags::STALE) {
        Some("ERR Can not execute the command on a stale replica".into())
    } else if let Some(text) = access::script_refusal(inner, caller, spec, argv) {
        Some(text.into())
    } else if let Some(text) = write_refusal(inner, state, spec, caller.session.master) {
        Some(text)
    } else if refused_for_memory(inner, state, spec) {
        Some(crate::command::core::evict::ERR_OOM.into())
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
    Ok(spec.flags)
}

/// Why a script may not run this command now, as Redis's
/// `scriptVerifyWriteCommandAllow`: no writes (nor may-replicate commands) from
/// read-only scripts; the server state's refusals only until the script first wrote.
fn write_refusal(
    inner: &Ctx<'_>,
    state: &RunState,
    spec: &'static CommandSpec,
    from_master: bool,
) -> Option<Cow<'static, str>> {
    if state.read_only && spec.has(flags::WRITE | flags::MAY_REPLICATE) {
        return Some("ERR Write commands are not allowed from read-only scripts.".into());
    }
    if !spec.has(flags::WRITE) || state.write_dirty {
        return None;
    }
    if inner.server.is_replica() && inner.server.config.replica.read_only && !from_master {
        return Some(dispatch::ERR_READONLY.into());
    }
    if let Some(failure) = dispatch::disk_failure(inner.server) {
        let err = dispatch::disk_error(inner.server, failure).to_bytes();
        return Some(String::from_utf8_lossy(&err).into_owned().into());
    }
    let lacking = inner.server.lacks_good_replicas();
    lacking.then_some(dispatch::NOREPLICAS.into())
}

/// Redis's `scriptVerifyOOM`: over maxmemory with nothing left to evict (found before
/// the script's command ran), a script that has not written yet may not run a
/// `denyoom` command, unless it declared `allow-oom`.
fn refused_for_memory(inner: &Ctx<'_>, state: &RunState, spec: &CommandSpec) -> bool {
    inner.server.config.maxmemory != 0
        && inner.server.eviction.pre_command_oom
        && !state.write_dirty
        && !state.allow_oom
        && spec.has(flags::DENYOOM)
}

/// Counts a refused command as Redis does (an error reply, a rejected call).
fn refuse(
    inner: &mut Ctx<'_>,
    spec: Option<&'static CommandSpec>,
    argv: &[Bytes],
    text: Cow<'static, str>,
) -> Cow<'static, str> {
    crate::command::core::accounting::rejected(inner, spec, argv, text.as_bytes());
    text
}

/// A script without `allow-stale` on a replica whose link is down.
const MASTERDOWN_SCRIPT: &str = "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";

/// A script declaring writes refused because the last background save failed.
const MISCONF_RDB_SCRIPT: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
/// The same when the AOF cannot be written (the error follows).
const MISCONF_AOF_SCRIPT: &str = "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: ";

/// The checks Redis makes before running a script that declared its flags
/// (`scriptPrepareForRun`): a script that may write is refused by the `_RO` commands
/// and while `min-replicas-to-write` is not met. Scripts without a shebang are checked
/// command by command instead.
pub fn prepare(ctx: &Ctx<'_>, script_flags: u32, ro: bool) -> CmdResult {
    use crate::command::scripting::flags::script_flags::{
        ALLOW_STALE, EVAL_COMPAT_MODE, NO_WRITES,
    };
    let running_stale = ctx.server.serves_no_stale_data();
    if script_flags & EVAL_COMPAT_MODE != 0 {
        return match running_stale {
            true => Err(CmdError::raw(dispatch::ERR_MASTERDOWN)),
            false => Ok(()),
        };
    }
    if running_stale && script_flags & ALLOW_STALE == 0 {
        return Err(CmdError::raw(MASTERDOWN_SCRIPT));
    }
    if script_flags & NO_WRITES != 0 {
        return Ok(());
    }
    if ctx.server.is_replica() && ctx.server.config.replica.read_only && !ctx.session.master {
        return Err(CmdError::raw(
            "READONLY Can not run script with write flag on readonly replica",
        ));
    }
    if let Some(failure) = dispatch::disk_failure(ctx.server) {
        return Err(CmdError::raw(match failure {
            DiskFailure::Rdb => MISCONF_RDB_SCRIPT.to_string(),
            DiskFailure::Aof => format!("{MISCONF_AOF_SCRIPT}{}", ctx.server.aof.last_write_error),
        }));
    }
    if ro {
        return Err(CmdError::raw(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    if ctx.server.lacks_good_replicas() {
        return Err(CmdError::raw(dispatch::NOREPLICAS));
    }
    Ok(())
}

/// The reply for a script that raised the error at `idx` (normally the table the
/// message handler built): `-<err> script: <name>, on <source>:<line>.`
unsafe fn script_error(
    ctx: &mut Ctx<'_>,
    state: *mut ffi::lua_State,
    idx: c_int,
    name: &str,
) -> CmdResult {
    if ffi::lua_type(state, idx) != ffi::LUA_TTABLE {
        let msg = if ffi::lua_type(state, idx) == ffi::LUA_TSTRING {
            let mut len = 0usize;
            let ptr = ffi::lua_tolstring(state, idx, &mut len);
            String::from_utf8_lossy(std::slice::from_raw_parts(ptr.cast::<u8>(), len)).into_owned()
        } else {
            "execution failure".to_string()
        };
        let text = format!("ERR Error running script {name}, {msg:.100}");
        return Err(CmdError::Raw(one_line(text.into_bytes())));
    }
    let mut text = field_text(state, idx, "err").unwrap_or_default();
    if let (Some(source), Some(line)) = (
        field_text(state, idx, "source"),
        field_text(state, idx, "line"),
    ) {
        text.extend_from_slice(format!(" script: {name}, on ").as_bytes());
        text.extend_from_slice(&source);
        text.push(b':');
        text.extend_from_slice(&line);
        text.push(b'.');
    }
    let text = one_line(text);
    if !field_is_true(state, idx, "ignore_error_stats_update") {
        return Err(CmdError::Raw(text));
    }
    ctx.server.failed_uncounted = true;
    ctx.reply.error(&text);
    Ok(())
}

/// A failure of the VM itself (out of memory while preparing a run).
pub fn lua_failure(err: mlua::Error) -> CmdError {
    CmdError::Raw(failure_text(lua_message(&err).as_bytes()))
}

/// `ERR Error running script, <message>` (the message cut at 100 bytes).
fn failure_text(message: &[u8]) -> Vec<u8> {
    let message = String::from_utf8_lossy(message);
    format!("ERR Error running script, {message:.100}").into_bytes()
}
