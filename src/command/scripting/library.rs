//! Function libraries as the executor keeps them (FUNCTION LOAD's result): each
//! //! library's code, its registered functions and their flags, and how a library's code
//! //! is run once to register them.

use std::collections::BTreeMap;

use bytes::Bytes;
use mlua::{Function, Table, Value};

use crate::command::scripting::flags::flag_named;
use crate::command::scripting::vm;
use crate::command::scripting::vm::lua_message;
use crate::error::CmdError;
use crate::protocol::inline::split_args;

/// The only engine.
pub const ENGINE: &str = "LUA";

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
    pub(super) vm: Option<vm::Vm>,
    pub(super) libraries: BTreeMap<String, Library>,
}

impl Functions {
    pub(super) fn vm(&mut self) -> Result<vm::Vm, CmdError> {
        if self.vm.is_none() {
            let vm = vm::Vm::new(true).map_err(|e| {
                CmdError::raw(format!(
                    "ERR Failed to create the Lua VM: {}",
                    lua_message(&e)
                ))
            })?;
            self.vm = Some(vm);
        }
        self.vm
            .clone()
            .ok_or_else(|| CmdError::raw("ERR Lua VM unavailable"))
    }

    pub(super) fn find(&self, name: &[u8]) -> Option<&FunctionInfo> {
        self.libraries
            .values()
            .flat_map(|lib| lib.functions.iter())
            .find(|f| f.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// Compiles `code` (with its `#!lua name=` line) and registers its library;
    /// `replace` allows replacing a library of the same name. Returns the library's name,
    /// or the error text (without the `ERR ` prefix). FUNCTION LOAD, FUNCTION RESTORE and
    /// loading an RDB file all come through here.
    pub fn load_library(&mut self, code: &Bytes, replace: bool) -> Result<String, String> {
        let (name, body) = parse_metadata(code)?;
        if self.libraries.contains_key(&name) && !replace {
            return Err(format!("Library '{name}' already exists"));
        }
        let vm = self
            .vm()
            .map_err(|e| e.to_string().trim_start_matches("ERR ").to_string())?;
        let library = create_library(&vm, &name, code, body)?;
        for f in &library.functions {
            let taken = self.libraries.iter().any(|(lib, l)| {
                *lib != name
                    && l.functions
                        .iter()
                        .any(|g| g.name.eq_ignore_ascii_case(&f.name))
            });
            if taken {
                return Err(format!("Function {} already exists", f.name));
            }
        }
        self.libraries.insert(name.clone(), library);
        Ok(name)
    }

    /// Every library's code, in name order (what RDB files and FUNCTION DUMP carry).
    pub fn library_codes(&self) -> Vec<Bytes> {
        self.libraries
            .values()
            .map(|lib| lib.code.clone())
            .collect()
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
pub fn parse_metadata(code: &[u8]) -> Result<(String, &[u8]), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&b| b == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    // Split as Redis splits it (`sdssplitargs`): `name="foo"` is `name=foo`.
    let parts = match split_args(&code[..end]) {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid library metadata".into()),
    };
    let text = |part: &Bytes| String::from_utf8_lossy(part).into_owned();
    let engine = text(&parts[0]).get(2..).unwrap_or_default().to_string();
    let mut name: Option<String> = None;
    for part in parts[1..].iter().map(text) {
        if part.len() >= 5 && part.as_bytes()[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
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
pub fn create_library(
    vm: &vm::Vm,
    name: &str,
    code: &Bytes,
    body: &[u8],
) -> Result<Library, String> {
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
            return Err(format!(
                "Error registering functions: {}",
                String::from_utf8_lossy(&s.as_bytes())
            ))
        }
        _ => return Err("Error registering functions".into()),
    };
    let functions = read_registered(&registered).map_err(|e| e.to_string())?;
    if functions.is_empty() {
        return Err("No functions registered".into());
    }
    Ok(Library {
        name: name.to_string(),
        code: Bytes::copy_from_slice(code),
        functions,
    })
}

/// Runs a library's code with the load-time globals and the load timeout; returns
/// (true, registered functions) or (false, error text).
pub fn run_library_code(vm: &vm::Vm, chunk: Function) -> mlua::Result<(bool, Value)> {
    let internal = vm.internal()?;
    let begin: Function = internal.raw_get("begin_load")?;
    let protected: Function = internal.raw_get("protected")?;
    let end: Function = internal.raw_get("end_load")?;
    begin.call::<()>(())?;
    let outcome = protected.call::<(bool, Value)>(chunk);
    // A timed-out load leaves a line hook that raises: remove it before any more Lua.
    vm.lua.remove_hook();
    let (ok, err) = outcome?;
    end.call((ok, err))
}

/// The `{name, callback, desc, flags}` records collected by `redis.register_function`.
pub fn read_registered(list: &Table) -> mlua::Result<Vec<FunctionInfo>> {
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
