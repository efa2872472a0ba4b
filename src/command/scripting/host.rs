//! The Lua side of a script run, on the raw Lua stack: `redis.call` and `redis.pcall`
//! as C functions, the instruction-count hook that checks on a busy script, and the
//! call that runs a script under the error handler.
//!
//! This is the hot path of EVAL, EVALSHA and FCALL, so it talks to Lua through
//! `mlua::ffi` instead of mlua's protected wrappers. What the server must do (run a
//! command, decide whether to stop) is behind the [`Host`] trait, which
//! `run.rs` implements; while a run is in progress a pointer to its host sits in a
//! thread-local slot ([`Running`]) where the C functions find it.
//!
//! # Rules that keep the unsafe code sound
//! - Lua API calls that allocate may raise a Lua error, which is a `longjmp`: every
//!   frame here that makes such a call holds no value that needs dropping (buffers live
//!   in the host, borrowed; texts are static or borrowed).
//! - The host pointer is taken out of the slot for the duration of a callback, so a
//!   re-entrant call (a `__gc` metamethod calling `redis.call`) never creates a second
//!   `&mut` to it; it finds no run and fails.
//! - Rust code that could panic runs under `catch_unwind`: a panic never unwinds
//!   through Lua's C frames.

use std::cell::Cell;
use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use bytes::{Bytes, BytesMut};
use mlua::ffi::{self, lua_State};

use crate::command::scripting::convert::{number_arg, push_error, push_reply};

/// Instructions between two calls of the busy hook (Redis's value).
const HOOK_PERIOD: c_int = 100_000;
/// The error a killed script raises on every line until it is over.
const KILLED: &[u8] = b"ERR Script killed by user with SCRIPT KILL...";

/// What a command called from a script ended in.
pub enum CallStatus {
    /// It ran; its reply is in [`Host::reply`].
    Replied,
    /// It was refused before running; the error text (code included) is in
    /// [`Host::reply`].
    Refused,
}

/// A command line read from Lua, and the buffer its arguments share (kept from call
/// to call: once the previous arguments are dropped it is reused).
#[derive(Default)]
pub struct Args {
    /// The arguments, command name first.
    pub argv: Vec<Bytes>,
    /// The bytes they are slices of.
    buf: BytesMut,
}

/// What a running script asks of the server.
pub trait Host {
    /// The command line `redis.call` fills.
    fn args(&mut self) -> &mut Args;
    /// Runs the command line in [`Host::args`].
    fn call(&mut self) -> CallStatus;
    /// The reply (or refusal) of the last [`Host::call`].
    fn reply(&self) -> &[u8];
    /// Called every [`HOOK_PERIOD`] instructions: true when the script must stop.
    fn interrupted(&mut self) -> bool;
    /// `redis.setresp`: the protocol commands reply in.
    fn set_resp3(&mut self, on: bool);
    /// `redis.acl_check_cmd`: whether the script's caller may run the command line in
    /// [`Host::args`]; `None` when it names no command.
    fn acl_verdict(&mut self) -> Option<bool>;
}

thread_local! {
    /// The host of the run in progress on this thread (null between runs).
    static RUNNING: Cell<Option<*mut (dyn Host + 'static)>> = const { Cell::new(None) };
}

/// Marks a run in progress for the C functions; the previous state comes back on drop.
pub struct Running(Option<*mut (dyn Host + 'static)>);

impl Running {
    /// Publishes `host` to the C functions until the guard is dropped.
    ///
    /// # Safety
    /// `host` must stay valid and otherwise unused while Lua code runs under the guard
    /// (the caller reaches it only through the guard's lifetime, outside Lua calls).
    pub unsafe fn enter(host: *mut (dyn Host + '_)) -> Running {
        // SAFETY: only the lifetime bound changes; the pointer is removed from the slot
        // when the guard drops, before the borrow it came from ends.
        let host: *mut (dyn Host + 'static) = std::mem::transmute(host);
        Running(RUNNING.replace(Some(host)))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.set(self.0);
    }
}

/// Takes the host out of the slot for one callback (none outside a run).
fn take_host() -> Option<*mut (dyn Host + 'static)> {
    RUNNING.take()
}

/// Puts the host back after a callback.
fn put_host(host: *mut (dyn Host + 'static)) {
    RUNNING.set(Some(host));
}

/// Runs the function at stack index 1 of `state` under the error handler: a script
/// (`eval_mode`) with `keys` and `args` set as its KEYS and ARGV globals, or a function
/// called with them as its two arguments. Leaves the result (or the error value) on
/// top and returns Lua's status.
///
/// # Safety
/// `state` is the VM's main state with only the function on its stack; called in
/// protected mode (`Lua::exec_raw`), as it may raise a memory error.
pub unsafe fn invoke(
    state: *mut lua_State,
    refs: Refs,
    keys: &[Bytes],
    args: &[Bytes],
    eval_mode: bool,
) -> c_int {
    ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, refs.handler);
    ffi::lua_insert(state, 1);
    let nargs = if eval_mode {
        ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, refs.globals);
        push_bytes(state, b"KEYS");
        push_array(state, keys);
        ffi::lua_rawset(state, -3);
        push_bytes(state, b"ARGV");
        push_array(state, args);
        ffi::lua_rawset(state, -3);
        ffi::lua_pop(state, 1);
        0
    } else {
        push_array(state, keys);
        push_array(state, args);
        2
    };
    ffi::lua_sethook(state, Some(busy_hook), ffi::LUA_MASKCOUNT, HOOK_PERIOD);
    let status = ffi::lua_pcall(state, nargs, 1, 1);
    ffi::lua_sethook(state, None, 0, 0);
    status
}

/// Registry references a run needs, taken once per VM.
#[derive(Debug, Clone, Copy)]
pub struct Refs {
    /// The error handler every run is called under.
    pub handler: c_int,
    /// The globals table scripts see (KEYS and ARGV are set there).
    pub globals: c_int,
    /// [`trampoline`], which runs Rust code in protected mode.
    pub trampoline: c_int,
}

/// The Rust code [`protected`] runs, behind a thin pointer for Lua.
type Body<'b> = &'b mut dyn FnMut(*mut lua_State);

/// Runs `body` in protected mode on `state` (a Lua error it raises, such as a memory
/// error, comes back as the error's text) and restores the stack. Unlike
/// `Lua::exec_raw` it allocates nothing: the C function it calls is registered once.
///
/// # Safety
/// `state` is the VM's main state, idle; `body` follows the module rules.
pub unsafe fn protected(
    state: *mut lua_State,
    refs: Refs,
    mut body: Body<'_>,
) -> Result<(), Vec<u8>> {
    let top = ffi::lua_gettop(state);
    if ffi::lua_checkstack(state, 2) == 0 {
        return Err(b"stack overflow".to_vec());
    }
    ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, refs.trampoline);
    ffi::lua_pushlightuserdata(state, (&mut body as *mut Body<'_>).cast());
    let status = ffi::lua_pcall(state, 1, 0, 0);
    let outcome = if status == 0 {
        Ok(())
    } else if ffi::lua_type(state, -1) == ffi::LUA_TSTRING {
        Err(string_at(state, -1).to_vec())
    } else {
        Err(b"unknown error".to_vec())
    };
    ffi::lua_settop(state, top);
    outcome
}

/// The C function [`protected`] calls: runs the body its light userdata points to,
/// on an empty stack.
///
/// # Safety
/// Called by Lua only, from [`protected`].
pub unsafe extern "C-unwind" fn trampoline(state: *mut lua_State) -> c_int {
    let body = ffi::lua_touserdata(state, 1) as *mut Body<'_>;
    ffi::lua_settop(state, 0);
    if body.is_null() || catch_unwind(AssertUnwindSafe(|| (*body)(state))).is_err() {
        push_bytes(state, b"internal error");
        ffi::lua_error(state);
    }
    0
}

/// Pushes a Lua string.
///
/// # Safety
/// May raise a memory error (see the module rules).
pub unsafe fn push_bytes(state: *mut lua_State, bytes: &[u8]) {
    ffi::lua_pushlstring_(state, bytes.as_ptr().cast(), bytes.len());
}

/// Pushes a Lua array of `items`.
///
/// # Safety
/// May raise a memory error (see the module rules).
unsafe fn push_array(state: *mut lua_State, items: &[Bytes]) {
    ffi::lua_createtable(state, items.len().min(c_int::MAX as usize) as c_int, 0);
    for (i, item) in items.iter().enumerate() {
        push_bytes(state, item);
        ffi::lua_rawseti_(state, -2, (i + 1) as c_int);
    }
}

/// `redis.call` (upvalue 1 true) and `redis.pcall` (false): runs the command the
/// arguments name and returns its reply as Lua values; `redis.call` raises a command's
/// error, `redis.pcall` returns it as an `{err=...}` table.
///
/// # Safety
/// Called by Lua only, as a C closure with one boolean upvalue.
pub unsafe extern "C-unwind" fn redis_call(state: *mut lua_State) -> c_int {
    let raise = ffi::lua_toboolean(state, ffi::lua_upvalueindex(1)) != 0;
    let Some(host) = take_host() else {
        push_error(
            state,
            b"ERR redis.call/pcall can only be called inside a script invocation",
            false,
        );
        ffi::lua_error(state);
    };
    if let Err(text) = read_args(state, (*host).args()) {
        put_host(host);
        push_error(state, text.as_bytes(), false);
        return finish(state, raise, true);
    }
    let status = catch_unwind(AssertUnwindSafe(|| (*host).call()));
    let failed = match status {
        Ok(CallStatus::Replied) => {
            let reply = (*host).reply();
            push_reply(state, reply);
            reply.first() == Some(&b'-')
        }
        Ok(CallStatus::Refused) => {
            push_error(state, (*host).reply(), true);
            true
        }
        Err(_) => {
            push_error(state, b"ERR internal error running the command", false);
            true
        }
    };
    put_host(host);
    finish(state, raise, failed)
}

/// Returns the value on top, or raises it when `redis.call` failed.
unsafe fn finish(state: *mut lua_State, raise: bool, failed: bool) -> c_int {
    if raise && failed {
        ffi::lua_error(state);
    }
    1
}

/// Reads `redis.call`'s arguments into `argv`: strings as they are, numbers as `%.17g`
/// (as Redis, not Lua's `%.14g`), then empties the stack. Never raises.
unsafe fn read_args(state: *mut lua_State, args: &mut Args) -> Result<(), &'static str> {
    let Args { argv, buf } = args;
    argv.clear();
    let n = ffi::lua_gettop(state);
    if n == 0 {
        return Err("ERR Please specify at least one argument for this redis lib call");
    }
    let mut total = 0;
    for i in 1..=n {
        match ffi::lua_type(state, i) {
            ffi::LUA_TSTRING => total += string_at(state, i).len(),
            ffi::LUA_TNUMBER => total += 24,
            _ => return Err("ERR Lua redis lib command arguments must be strings or integers"),
        }
    }
    // One buffer for every argument: each is split off it as it is appended.
    buf.reserve(total);
    for i in 1..=n {
        if ffi::lua_type(state, i) == ffi::LUA_TNUMBER {
            buf.extend_from_slice(&number_arg(ffi::lua_tonumber(state, i)));
        } else {
            buf.extend_from_slice(string_at(state, i));
        }
        argv.push(buf.split().freeze());
    }
    // The arguments are copied: their stack slots are free for the reply.
    ffi::lua_settop(state, 0);
    Ok(())
}

/// The string at stack index `i` (which must be a string).
unsafe fn string_at<'s>(state: *mut lua_State, i: c_int) -> &'s [u8] {
    let mut len = 0usize;
    let ptr = ffi::lua_tolstring(state, i, &mut len);
    if ptr.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(ptr.cast(), len)
}

/// `redis.setresp(2|3)` once the prelude checked the argument: sets the protocol.
///
/// # Safety
/// Called by Lua only.
pub unsafe extern "C-unwind" fn set_resp(state: *mut lua_State) -> c_int {
    let resp3 = ffi::lua_tonumber(state, 1) == 3.0;
    if let Some(host) = take_host() {
        let _ = catch_unwind(AssertUnwindSafe(|| (*host).set_resp3(resp3)));
        put_host(host);
    }
    0
}

/// True while a script runs (the prelude's API functions check it first).
///
/// # Safety
/// Called by Lua only.
pub unsafe extern "C-unwind" fn active(state: *mut lua_State) -> c_int {
    let running = RUNNING.with(|slot| slot.get().is_some());
    ffi::lua_pushboolean(state, c_int::from(running));
    1
}

/// `redis.acl_check_cmd(...)`: returns (true, allowed), (true, nil) for an unknown
/// command, or (false, error table).
///
/// # Safety
/// Called by Lua only.
pub unsafe extern "C-unwind" fn acl_check(state: *mut lua_State) -> c_int {
    let Some(host) = take_host() else {
        ffi::lua_pushboolean(state, 0);
        push_error(
            state,
            b"ERR redis.acl_check_cmd can only be called inside a script invocation",
            false,
        );
        return 2;
    };
    let known = match read_args(state, (*host).args()) {
        Ok(()) => catch_unwind(AssertUnwindSafe(|| (*host).acl_verdict())).map_err(|_| ""),
        Err(text) => Err(text),
    };
    put_host(host);
    match known {
        Ok(verdict) => {
            ffi::lua_pushboolean(state, 1);
            match verdict {
                Some(allowed) => ffi::lua_pushboolean(state, c_int::from(allowed)),
                None => ffi::lua_pushnil(state),
            }
        }
        Err(text) => {
            ffi::lua_pushboolean(state, 0);
            push_error(state, text.as_bytes(), false);
        }
    }
    2
}

/// The instruction-count hook of every run: asks the host whether the script must
/// stop (it serves the other clients past busy-reply-threshold). A killed script
/// raises on every line from then on, so `pcall` cannot swallow the kill.
unsafe extern "C-unwind" fn busy_hook(state: *mut lua_State, _ar: *mut ffi::lua_Debug) {
    let Some(host) = take_host() else {
        return;
    };
    let stop = catch_unwind(AssertUnwindSafe(|| (*host).interrupted())).unwrap_or(true);
    put_host(host);
    if stop {
        ffi::lua_sethook(state, Some(busy_hook), ffi::LUA_MASKLINE, 0);
        push_error(state, KILLED, false);
        ffi::lua_error(state);
    }
}

/// The C functions the VM registers in its `internal` table, by name.
pub fn functions() -> [(&'static str, ffi::lua_CFunction); 4] {
    [
        ("active", active),
        ("setresp", set_resp),
        ("acl_check", acl_check),
        ("trampoline", trampoline),
    ]
}

/// Pushes a C closure of `f` with one boolean upvalue (`redis.call`'s `raise`).
///
/// # Safety
/// May raise a memory error; for VM set-up in protected mode.
pub unsafe fn push_call(state: *mut lua_State, raise: bool) {
    ffi::lua_pushboolean(state, c_int::from(raise));
    ffi::lua_pushcclosure(state, redis_call, 1);
}
