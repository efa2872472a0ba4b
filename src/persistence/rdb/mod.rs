//! RDB, Redis's snapshot format, in version 10 (what Redis 7.0 writes): whole files for
//! SAVE/BGSAVE and startup, DUMP/RESTORE payloads, FUNCTION DUMP/RESTORE payloads.
//!
//! We write exactly what Redis 7.0 writes — same type per encoding, same string
//! encodings (integers, LZF), same blob layouts — so a DUMP payload is Redis's byte for
//! byte and Redis loads our files. We read everything Redis 7.0 reads, back to version
//! 1: ziplists, zipmaps, quicklists of ziplists, streams without the 7.0 counters.
//!
//! | file            | what it holds                                                   |
//! |-----------------|-----------------------------------------------------------------|
//! | `api.rs`        | the public types: options, the load sink, stats and errors      |
//! | `format.rs`     | opcodes, type bytes, the length and string encodings            |
//! | `write.rs`      | the buffered, checksummed output and its primitives             |
//! | `read.rs`       | the streaming, checksummed, distrustful input and its primitives |
//! | `listpack.rs`   | Redis's listpack byte format (ours in memory differs)           |
//! | `ziplist.rs`    | Redis's ziplist format (read only)                              |
//! | `legacy.rs`     | intset blobs, zipmaps (read only)                               |
//! | `save.rs`       | a value → its type byte and payload                             |
//! | `load.rs`       | a type byte and payload → a value, re-encoded for our limits    |
//! | `stream.rs`     | streams, both ways                                              |
//! | `file.rs`       | whole files                                                     |
//! | `dump.rs`       | DUMP and FUNCTION DUMP payloads                                 |
//!
//! This layer depends on `store` and `util` only; the caller turns configuration into
//! [`Encodings`] and [`SaveOptions`], and receives what a file holds through a
//! [`LoadSink`].

mod api;
mod dump;
mod file;
mod format;
mod legacy;
mod listpack;
mod load;
mod read;
mod save;
mod stream;
mod write;
mod ziplist;

#[cfg(test)]
mod tests;

pub use api::{
    AccessMeta, Encodings, KeyMeta, LoadError, LoadSink, LoadStats, RestoreError, SaveOptions,
    RDB_VERSION,
};
pub use dump::{
    dump_functions, dump_payload, restore_functions, restore_functions_detailed, restore_payload,
};
pub use file::{load_rdb, write_rdb};
pub use listpack::redis_listpack_len;
