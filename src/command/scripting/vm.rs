//! The Lua 5.1 virtual machine scripts run in, set up as Redis 7.0 sets up its own.
//!
//! Base, table, string and math are loaded, then the Rust side of the Redis API (the
//! [`internal`](Vm::internal) table: SHA1, logging, rand48, locating errors, the
//! cjson/cmsgpack/bit/struct libraries) and `prelude.lua`, which builds `redis.*` over it
//! and locks the globals. Rust functions here never raise Lua errors: they return values
//! and the Lua wrappers raise, so error values stay plain strings and `{err=...}` tables.

use mlua::{Function, LightUserData, Lua, LuaOptions, StdLib, Table, Value, Variadic};

use crate::command::scripting::libs;
use crate::util::sha1::Sha1;

/// Name of the chunk holding our own Lua code; error positions skip its frames.
pub const INTERNAL_CHUNK: &str = "=rredis";
/// Name scripts are compiled under (errors read `user_script:1: ...`).
pub const SCRIPT_CHUNK: &str = "@user_script";
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
    /// The table of globals scripts see (KEYS and ARGV are set here).
    pub globals: Table,
    /// The Rust side of the API; `run` holds the per-run callback while a script runs.
    pub internal: Table,
    /// `internal.invoke`: runs a function under the error handler.
    pub invoke: Function,
}

impl Vm {
    /// A fresh VM, with the API loaded and the globals locked.
    pub fn new() -> mlua::Result<Vm> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG;
        // SAFETY: the debug library is loaded only so the prelude can install the
        // instruction-count hook (`debug.sethook`, kept in a private upvalue); the
        // prelude builds the globals scripts see from Redis's allow list, which has no
        // `debug`, so no script can reach it. Nothing else unsafe is loaded.
        let lua = unsafe { Lua::unsafe_new_with(libs, LuaOptions::default()) };
        lua.set_memory_limit(MEMORY_LIMIT)?;
        let internal = lua.create_table()?;
        let debug: Table = lua.globals().raw_get("debug")?;
        internal.raw_set("sethook", debug.raw_get::<Function>("sethook")?)?;
        register_internal(&lua, &internal)?;
        let prelude = lua
            .load(include_str!("prelude.lua"))
            .set_name(INTERNAL_CHUNK)
            .into_function()?;
        let globals: Table = prelude.call(internal.clone())?;
        let invoke = internal.raw_get("invoke")?;
        // Start from a clean heap: the set-up's garbage would show in used_memory_lua.
        lua.gc_collect()?;
        Ok(Vm {
            lua,
            globals,
            internal,
            invoke,
        })
    }

    /// Bytes the Lua heap uses (INFO `used_memory_lua`).
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}

/// Fills `internal` with the Rust functions the prelude wraps.
fn register_internal(lua: &Lua, internal: &Table) -> mlua::Result<()> {
    let failed = lua.create_table()?;
    internal.raw_set("failed", failed.clone())?;
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
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
