//! What the executor keeps for scripting between commands: the script cache, the
//! function libraries and their VMs, and the state of the script running now.

use std::collections::HashMap;

use bytes::Bytes;
use mlua::Function;

use crate::command::scripting::flags::{declared_in_shebang, script_flags};
use crate::command::scripting::library::Functions;
use crate::command::scripting::vm;
use crate::command::state::session::Session;
use crate::error::CmdError;

/// A script in the cache (SCRIPT LOAD, EVAL).
pub struct Script {
    /// The source as sent.
    pub body: Bytes,
    /// Its [`script_flags`].
    pub flags: u32,
    /// The compiled body.
    pub func: Function,
}

/// The scripting state the executor owns.
#[derive(Default)]
pub struct Scripting {
    /// The VM, once a script needed it.
    pub(super) vm: Option<vm::Vm>,
    /// Cached scripts by lower-case SHA1.
    pub(super) scripts: HashMap<String, Script>,
    /// Bytes held by cached script bodies and names (INFO `used_memory_scripts_eval`).
    pub(super) scripts_mem: usize,
    /// The session commands called from scripts run as, kept between runs.
    pub(super) session: Option<Session>,
    /// Function libraries (FUNCTION LOAD) and their VM.
    pub functions: Functions,
    /// Runs since the collector last took a step.
    pub(super) runs: u32,
}

impl Scripting {
    /// The VM, created on first use.
    pub fn vm(&mut self) -> Result<&vm::Vm, CmdError> {
        if self.vm.is_none() {
            let vm = vm::Vm::new().map_err(|e| {
                CmdError::raw(format!(
                    "ERR Failed to create the Lua VM: {}",
                    vm::lua_message(&e)
                ))
            })?;
            self.vm = Some(vm);
        }
        self.vm
            .as_ref()
            .ok_or_else(|| CmdError::raw("ERR Lua VM unavailable"))
    }

    /// The flags the script or function a scripting command would run declared: Redis
    /// derives such a command's flags from them before it runs (`evalGetCommandFlags`,
    /// `fcallGetCommandFlags`), for the maxmemory check. `None` when nothing was
    /// declared (a script without shebang), the script or function is unknown, or
    /// `command` does not run one.
    pub fn declared_flags(&self, command: &str, args: &[Bytes]) -> Option<u32> {
        let declared = match (command, args.get(1)) {
            ("eval" | "eval_ro", Some(body)) => match self.scripts.get(&vm::sha1_hex(body)) {
                Some(script) => script.flags,
                None => declared_in_shebang(body)?,
            },
            ("evalsha" | "evalsha_ro", Some(sha)) => {
                let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
                self.scripts.get(&sha)?.flags
            }
            ("fcall" | "fcall_ro", Some(name)) => self.functions.find(name)?.flags,
            _ => return None,
        };
        (declared & script_flags::EVAL_COMPAT_MODE == 0).then_some(declared)
    }

    /// Drops every cached script and the VM (SCRIPT FLUSH).
    pub fn flush(&mut self) {
        self.scripts.clear();
        self.scripts_mem = 0;
        self.vm = None;
    }

    /// Cached scripts (INFO `number_of_cached_scripts`).
    pub fn cached_scripts(&self) -> usize {
        self.scripts.len()
    }

    /// Bytes of cached script bodies (INFO `used_memory_scripts_eval`).
    pub fn scripts_memory(&self) -> usize {
        self.scripts_mem
    }

    /// Bytes the Lua heap uses (INFO `used_memory_lua`); 0 before the first script.
    pub fn lua_memory(&self) -> usize {
        self.vm.as_ref().map_or(0, vm::Vm::used_memory)
    }

    /// INFO memory's scripting fields, in Redis's order.
    pub fn memory_info(&self) -> Vec<(&'static str, String)> {
        use crate::command::metrics::process::human_bytes;
        let eval_vm = self.lua_memory() as u64;
        let functions_vm = self.functions.lua_memory() as u64;
        let scripts = self.scripts_mem as u64;
        let total = eval_vm + functions_vm;
        vec![
            ("used_memory_lua", eval_vm.to_string()),
            ("used_memory_vm_eval", eval_vm.to_string()),
            ("used_memory_lua_human", human_bytes(eval_vm)),
            ("used_memory_scripts_eval", scripts.to_string()),
            ("number_of_cached_scripts", self.scripts.len().to_string()),
            (
                "number_of_functions",
                self.functions.function_count().to_string(),
            ),
            (
                "number_of_libraries",
                self.functions.library_count().to_string(),
            ),
            ("used_memory_vm_functions", functions_vm.to_string()),
            ("used_memory_vm_total", total.to_string()),
            ("used_memory_vm_total_human", human_bytes(total)),
            ("used_memory_functions", "0".to_string()),
            ("used_memory_scripts", scripts.to_string()),
            ("used_memory_scripts_human", human_bytes(scripts)),
        ]
    }

    /// The session for commands called from a script (a fresh one the first time).
    pub fn take_session(&mut self, now_ms: i64) -> Session {
        self.session.take().unwrap_or_else(|| {
            let mut session = Session::new(0, "lua".to_string(), String::new(), now_ms);
            // Blocking commands act as their non-blocking forms inside scripts.
            session.in_exec = true;
            session.in_script = true;
            session
        })
    }

    /// Keeps the script session for the next run.
    pub fn put_session(&mut self, session: Session) {
        self.session = Some(session);
    }
}
