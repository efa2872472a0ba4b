//! The Lua 5.1 virtual machine scripts run in, set up as Redis 7.0 sets up its own.
//!
//! Base, table, string and math are loaded, then the Rust side of the Redis API (the
//! `internal` table (kept in the registry, see [`Vm::internal`]): SHA1, logging, rand48, locating errors, the
//! cjson/cmsgpack/bit/struct libraries) and `prelude.lua`, which builds `redis.*` over it
//! and locks the globals. Rust functions here never raise Lua errors: they return values
//! and the Lua wrappers raise, so error values stay plain strings and `{err=...}` tables.

use std::ffi::c_int;

use mlua::{ffi, Function, LightUserData, Lua, LuaOptions, StdLib, Table, Value, Variadic};

use crate::command::scripting::convert::FIELD_NAMES;
use crate::command::scripting::host::{self, Refs};
use crate::command::scripting::libs;
use crate::util::sha1::Sha1;

/// Name of the chunk holding our own Lua code; error positions skip its frames.
pub const INTERNAL_CHUNK: &str = "=rredis";
/// Name scripts are compiled under (errors read `user_script:1: ...`).
pub const SCRIPT_CHUNK: &str = "@user_script";
/// Registry name of the `internal` table.
const INTERNAL_KEY: &str = "rredis.internal";
/// The Redis version scripts see in `redis.REDIS_VERSION`.
const VERSION: &str = "7.0.15";
/// The same as a number (`0x00MMmmpp`).
const VERSION_NUM: u32 = 0x0007_000f;
/// Upper bound on the VM's heap: past it allocations fail with "not enough memory"
/// instead of growing the server without bound.
pub const MEMORY_LIMIT: usize = 512 * 1024 * 1024;
/// rand48's state at start-up (Redis's `{X0, X1, X2}`).
const RAND48_INITIAL: u64 = 0x1234_abcd_330e;
/// Largest value of Redis's `redisLrand48` (`REDIS_LRAND48_MAX`, INT32_MAX).
const LRAND48_MAX: u64 = i32::MAX as u64;

/// One Lua state with the Redis API loaded (cloning shares the same state).
#[derive(Clone)]
pub struct Vm {
    /// The Lua state.
    pub lua: Lua,
    /// What a run pushes from the registry: the error handler, the globals table.
    pub refs: Refs,
    /// The main Lua state, for raw calls (owned by `lua`, which this keeps alive).
    pub state: *mut ffi::lua_State,
}

impl Vm {
    /// A fresh VM, with the API loaded and the globals locked; `load_api` adds what
    /// FUNCTION LOAD needs (the functions VM).
    pub fn new(load_api: bool) -> mlua::Result<Vm> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG;
        // SAFETY: the debug library is loaded only so the prelude can install the
        // load-time hook (`debug.sethook`, kept in a private upvalue); the prelude
        // builds the globals scripts see from Redis's allow list, which has no
        // `debug`, so no script can reach it. Nothing else unsafe is loaded.
        let lua = unsafe { Lua::unsafe_new_with(libs, LuaOptions::default()) };
        lua.set_memory_limit(MEMORY_LIMIT)?;
        let internal = lua.create_table()?;
        let debug: Table = lua.globals().raw_get("debug")?;
        internal.raw_set("sethook", debug.raw_get::<Function>("sethook")?)?;
        register_internal(&lua, &internal)?;
        internal.raw_set("load_api", load_api)?;
        let prelude = lua
            .load(include_str!("prelude.lua"))
            .set_name(INTERNAL_CHUNK)
            .into_function()?;
        let globals: Table = prelude.call(internal.clone())?;
        let handler: Function = globals.raw_get("__redis__err__handler")?;
        let names = lua.create_sequence_from(FIELD_NAMES)?;
        lua.set_named_registry_value("rredis.field_names", names)?;
        let trampoline: Function = internal.raw_get("trampoline")?;
        let (refs, state) = registry_refs(&lua, &handler, &globals, &trampoline)?;
        lua.set_named_registry_value(INTERNAL_KEY, internal)?;
        // Start from a clean heap: the set-up's garbage would show in used_memory_lua.
        lua.gc_collect()?;
        Ok(Vm { lua, refs, state })
    }

    /// Keeps `func` in the registry; the number pushes it (a cached script's body, kept
    /// as long as the VM).
    pub fn keep(&self, func: &Function) -> mlua::Result<c_int> {
        let mut id = 0;
        // SAFETY: runs in protected mode with the function on the stack, which
        // `luaL_ref` pops into the registry.
        unsafe {
            self.lua.exec_raw::<()>(func, |state| {
                id = ffi::luaL_ref(state, ffi::LUA_REGISTRYINDEX)
            })?;
        }
        Ok(id)
    }

    /// The Rust side of the API (the load-time helpers are read from it).
    pub fn internal(&self) -> mlua::Result<Table> {
        self.lua.named_registry_value(INTERNAL_KEY)
    }

    /// Bytes the Lua heap holds, in whole KB as Redis reports it
    /// (`lua_gc(LUA_GCCOUNT) * 1024`: INFO `used_memory_lua`, `used_memory_vm_*`).
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory() / 1024 * 1024
    }
}

/// Registry references to the error handler, the globals table and the trampoline,
/// for raw pushes; and the main state.
fn registry_refs(
    lua: &Lua,
    handler: &Function,
    globals: &Table,
    trampoline: &Function,
) -> mlua::Result<(Refs, *mut ffi::lua_State)> {
    let mut refs = Refs {
        handler: 0,
        globals: 0,
        trampoline: 0,
    };
    let mut main = std::ptr::null_mut();
    // SAFETY: runs in protected mode on the main state (no coroutine is running) with
    // the three values on the stack; each `luaL_ref` pops one into the registry.
    unsafe {
        lua.exec_raw::<()>((handler, globals, trampoline), |state| {
            refs.trampoline = ffi::luaL_ref(state, ffi::LUA_REGISTRYINDEX);
            refs.globals = ffi::luaL_ref(state, ffi::LUA_REGISTRYINDEX);
            refs.handler = ffi::luaL_ref(state, ffi::LUA_REGISTRYINDEX);
            main = state;
        })?;
    }
    Ok((refs, main))
}

/// `redis.call` (`raise`) or `redis.pcall` as a C closure (see `host.rs`).
fn call_function(lua: &Lua, raise: bool) -> mlua::Result<Function> {
    // SAFETY: runs in protected mode; `push_call` pushes one closure, the value
    // returned.
    unsafe { lua.exec_raw::<Function>((), |state| host::push_call(state, raise)) }
}

/// Fills `internal` with the Rust functions the prelude wraps.
fn register_internal(lua: &Lua, internal: &Table) -> mlua::Result<()> {
    let failed = lua.create_table()?;
    internal.raw_set("failed", failed.clone())?;
    internal.raw_set("call", call_function(lua, true)?)?;
    internal.raw_set("pcall", call_function(lua, false)?)?;
    for (name, f) in host::functions() {
        // SAFETY: the host's C functions follow the rules in host.rs.
        internal.raw_set(name, unsafe { lua.create_c_function(f)? })?;
    }
    internal.raw_set("version", VERSION)?;
    internal.raw_set("version_num", VERSION_NUM)?;
    internal.raw_set("sha1hex", lua.create_function(sha1hex)?)?;
    internal.raw_set("log", lua.create_function(log_line)?)?;
    internal.raw_set("locate", lua.create_function(locate)?)?;
    internal.raw_set(
        "cwrap",
        lua.create_function(|lua, f: Function| c_wrap(lua, f))?,
    )?;
    let epoch = std::time::Instant::now();
    let clock = lua.create_function(move |_, ()| Ok(epoch.elapsed().as_secs_f64() * 1000.0))?;
    internal.raw_set("clock_ms", clock)?;
    register_rand(lua, internal)?;
    let null = Value::LightUserData(LightUserData(std::ptr::null_mut()));
    internal.raw_set("cjson", libs::cjson::table(lua, &failed, null)?)?;
    internal.raw_set("cmsgpack", libs::cmsgpack::table(lua, &failed)?)?;
    internal.raw_set("bit", libs::bit::table(lua, &failed)?)?;
    internal.raw_set("struct", libs::structs::table(lua, &failed)?)?;
    Ok(())
}

/// Wraps Lua function `f` in a C function that calls it, so that scripts see the Redis
/// API as C functions, as in Redis: a C function called in tail position keeps the
/// caller's frame, which error positions (`on @user_script:N.`) are read from.
fn c_wrap(lua: &Lua, f: Function) -> mlua::Result<Function> {
    // SAFETY: `exec_raw` runs the closure in protected mode with `f` on top of the stack;
    // `lua_pushcclosure` pops it as the closure's single upvalue and pushes the closure,
    // which is the one value returned. No Rust value lives across the call.
    unsafe {
        lua.exec_raw::<Function>(f, |state| {
            mlua::ffi::lua_pushcclosure(state, call_upvalue, 1);
        })
    }
}

/// The body of the C functions made by [`c_wrap`]: calls upvalue 1 with every argument
/// and returns all its results.
///
/// # Safety
/// Called by Lua only, as a C closure with one upvalue. A Lua error raised by the callee
/// unwinds through this frame, which holds no Rust values that need dropping.
unsafe extern "C-unwind" fn call_upvalue(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int {
    use mlua::ffi;
    let nargs = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, nargs, ffi::LUA_MULTRET);
    ffi::lua_gettop(state)
}

/// `redis.sha1hex`: 40 lower-case hex digits of the string's SHA1.
fn sha1hex(_lua: &Lua, text: mlua::LuaString) -> mlua::Result<String> {
    Ok(sha1_hex(&text.as_bytes()))
}

/// 40 lower-case hex digits of the SHA1 of `data` (script names).
pub fn sha1_hex(data: &[u8]) -> String {
    String::from_utf8_lossy(&sha1_hex_digits(data)).into_owned()
}

/// The same digits in a buffer (no allocation, for cache lookups).
pub fn sha1_hex_digits(data: &[u8]) -> [u8; 40] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 40];
    for (i, b) in Sha1::digest(data).iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    out
}

/// `redis.log`: writes a line to the server log at Redis level `level` (0..=3).
fn log_line(_lua: &Lua, (level, text): (i64, mlua::LuaString)) -> mlua::Result<()> {
    let text = String::from_utf8_lossy(&text.as_bytes()).into_owned();
    match level {
        0 => log::debug!("{text}"),
        1 => log::info!("{text}"),
        2 => log::info!("{text}"),
        _ => log::warn!("{text}"),
    }
    Ok(())
}

/// Message-handler helper: records in `err` (a table) the source and line of the
/// innermost frame of the user's code, as Redis's `__redis__err__handler` does.
fn locate(lua: &Lua, err: Table) -> mlua::Result<()> {
    for level in 1..64 {
        let frame = lua.inspect_stack(level, |debug| {
            let source = debug.source();
            let name = source.source.map(|s| s.into_owned()).unwrap_or_default();
            let what = source.what;
            (name, what, debug.current_line())
        });
        let Some((source, what, line)) = frame else {
            break;
        };
        if what == "C" || what == "tail" || source == INTERNAL_CHUNK {
            continue;
        }
        err.raw_set("source", source)?;
        if let Some(line) = line {
            err.raw_set("line", line as i64)?;
        }
        break;
    }
    Ok(())
}

/// `math.random`'s source: Redis's rand48, in `[0, 1)`, shared by every script and never
/// reseeded except by `math.randomseed`.
fn register_rand(lua: &Lua, internal: &Table) -> mlua::Result<()> {
    let state = std::rc::Rc::new(std::cell::Cell::new(RAND48_INITIAL));
    let next = state.clone();
    let rand = lua.create_function(move |_, ()| {
        let x = rand48_next(next.get());
        next.set(x);
        let value = (x >> 17) & 0x7fff_ffff;
        Ok((value % LRAND48_MAX) as f64 / LRAND48_MAX as f64)
    })?;
    let seed = lua.create_function(move |_, seed: i64| {
        state.set(rand48_seed(seed as i32));
        Ok(())
    })?;
    internal.raw_set("rand", rand)?;
    internal.raw_set("seed", seed)
}

/// rand48's state after `srand48(seed)`.
fn rand48_seed(seed: i32) -> u64 {
    ((seed as u32 as u64) << 16) | 0x330e
}

/// rand48's next state: `x = (0x5DEECE66D * x + 0xB) mod 2^48`.
fn rand48_next(x: u64) -> u64 {
    x.wrapping_mul(0x5_deec_e66d).wrapping_add(0xb) & 0xffff_ffff_ffff
}

/// Values passed to Rust library functions, as Lua's variadic arguments.
pub type Args = Variadic<Value>;

/// Error text safe on the wire: trailing CR/LF dropped, inner ones turned to spaces.
pub fn one_line(mut text: Vec<u8>) -> Vec<u8> {
    while matches!(text.last(), Some(b'\r' | b'\n')) {
        text.pop();
    }
    for b in &mut text {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
    text
}

/// The message inside a Lua error, without mlua's decorations.
pub fn lua_message(err: &mlua::Error) -> String {
    match err {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(msg) | mlua::Error::MemoryError(msg) => msg.clone(),
        mlua::Error::CallbackError { cause, .. } => lua_message(cause),
        other => other.to_string(),
    }
}
