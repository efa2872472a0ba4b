//! Every tunable: defaults, redis.conf parsing, command-line overrides, and the table
//! CONFIG GET/SET read.
//!
//! Start-up follows redis-server: `BINARY [config-file] [--directive value ...]`, where
//! each `--name value...` is the directive `name value...` appended after the file's
//! lines. Each parameter is one [`Param`] entry with a getter and a setter, so the file
//! parser, the command line and CONFIG SET share one validation path.

mod load;
mod model;
mod param;
pub mod params;
pub mod replica;
mod rewrite;
mod table;
#[cfg(test)]
mod tests;

pub use model::{
    AppendFsync, ClientMemoryLimit, Config, EvictionPolicy, LazyFree, LogLevel, MasterAddr,
    OutputLimit, ProtectedAccess, MIN_CLIENT_EVICTION_LIMIT, OUTPUT_CLASSES,
};
pub use param::{parse_memory, ConfigError, Param};
pub use rewrite::rewrite_text;
pub use table::{all_names, find_param, is_hidden, ALIASES, PARAMS};
