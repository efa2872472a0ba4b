//! Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FUNCTION, FCALL and
//! FCALL_RO (issue 11).
//!
//! Layers, bottom up: [`libs`] (cjson, cmsgpack, bit, struct in Rust), [`vm`] (the Lua
//! 5.1 state with the Redis API and locked globals, built from `prelude.lua`),
//! [`convert`] (replies to Lua values and back), [`run`] (one run: `redis.call` through
//! the normal dispatcher, the final reply), [`eval`] (the commands and the script
//! cache) and [`table`] (their command table entries).
//!
//! One VM, owned by the executor like everything else; it is created on first use and
//! dropped by SCRIPT FLUSH. Scripts are atomic because the executor runs one command at
//! a time.

pub mod convert;
pub mod eval;
pub mod flags;
pub mod function_dump;
pub mod functions;
pub mod host;
pub mod library;
pub mod libs;
pub mod run;
pub mod state;
pub mod table;
pub mod vm;
