//! What the executor keeps for scripting between commands: the script cache, the
//! function libraries and their VMs, and the state of the script running now.

use std::collections::HashMap;

use bytes::Bytes;

use crate::command::scripting::host::Args;
use crate::command::scripting::library::Functions;
use crate::command::scripting::vm;
use crate::command::state::session::Session;
use crate::error::CmdError;
use crate::protocol::OutBuf;

/// A script in the cache (SCRIPT LOAD, EVAL).
pub struct Script {
    /// The source as sent.
    pub body: Bytes,
    /// Its [`script_flags`].
    pub flags: u32,
    /// The compiled body, kept in the VM's registry under this number.
    pub func: std::ffi::c_int,
}

/// `-BUSY` while an EVAL script runs past busy-reply-threshold.
pub const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// `-BUSY` while a function runs past busy-reply-threshold.
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/// SCRIPT KILL / FUNCTION KILL of a script that already wrote.
pub const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
/// SCRIPT KILL / FUNCTION KILL with no script running past the threshold.
pub const NOTBUSY: &str = "NOTBUSY No scripts in execution right now.";

/// The script running past `busy-reply-threshold`, as the commands other clients may
/// still send (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS) see it.
#[derive(Debug)]
pub struct BusyScript {
    /// EVAL rather than FCALL: which KILL applies, which BUSY text.
    pub eval_mode: bool,
    /// The script's SHA1 or the function's name.
    pub name: String,
    /// The command line that started it (FUNCTION STATS shows it).
    pub command: Vec<Bytes>,
    /// When the run began.
    pub started: std::time::Instant,
    /// It ran a write command, so it can no longer be killed.
    pub write_dirty: bool,
    /// SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE asked it to stop.
    pub killed: bool,
}

impl BusyScript {
    /// The `-BUSY` error text for commands refused while it runs.
    pub fn busy_error(&self) -> &'static str {
        if self.eval_mode {
            BUSY_EVAL
        } else {
            BUSY_FUNCTION
        }
    }

    /// SCRIPT KILL (`eval`) or FUNCTION KILL: marks the script killed, or says why not.
    pub fn kill(&mut self, eval: bool) -> Result<(), &'static str> {
        if self.write_dirty {
            return Err(UNKILLABLE);
        }
        match (eval, self.eval_mode) {
            (true, false) => Err(BUSY_FUNCTION),
            (false, true) => Err(BUSY_EVAL),
            _ => {
                self.killed = true;
                Ok(())
            }
        }
    }
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
    /// The script running past `busy-reply-threshold`, while other clients are served.
    pub busy: Option<BusyScript>,
    /// The buffers `redis.call` works in, kept from run to run.
    pub(super) buffers: CallBuffers,
}

/// The buffers `redis.call` works in: the command line, its reply as written, and the
/// same as bytes for Lua. Kept between runs so a call allocates nothing new.
#[derive(Default)]
pub struct CallBuffers {
    /// The command line.
    pub args: Args,
    /// The reply as the command writes it.
    pub scratch: OutBuf,
    /// The reply as bytes.
    pub reply: Vec<u8>,
}

impl Scripting {
    /// The VM, created on first use.
    pub fn vm(&mut self) -> Result<&vm::Vm, CmdError> {
        if self.vm.is_none() {
            let vm = vm::Vm::new(false).map_err(|e| {
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

    /// Drops every cached script and the VM (SCRIPT FLUSH).
    pub fn flush(&mut self) {
        self.scripts.clear();
        self.scripts_mem = 0;
        self.vm = None;
    }

    /// The flags a script command line (EVAL, EVALSHA, FCALL and their `_RO` forms)
    /// runs with, as Redis's `evalGetCommandFlags` and `fcallGetCommandFlags`: those
    /// the script or function declares, or `flags` (the command's own) for a script
    /// without a shebang, or one not found.
    pub fn command_flags(&self, name: &str, args: &[Bytes], flags: u32) -> u32 {
        use crate::command::scripting::flags::{command_flags, script_flags, shebang_flags};
        let declared = match name {
            "fcall" | "fcall_ro" => self.functions.find(&args[1]).map(|f| f.flags),
            "evalsha" | "evalsha_ro" => {
                let sha = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
                self.scripts.get(&sha).map(|s| s.flags)
            }
            "eval" | "eval_ro" => match self.scripts.get(&vm::sha1_hex(&args[1])) {
                Some(script) => Some(script.flags),
                None => shebang_flags(&args[1]).ok().map(|(flags, _)| flags),
            },
            _ => None,
        };
        match declared {
            Some(declared) if declared & script_flags::EVAL_COMPAT_MODE == 0 => {
                command_flags(flags, declared)
            }
            _ => flags,
        }
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
