//! The public vocabulary of the RDB codec: its options, what a load reports, and its
//! errors. Kept apart from `mod.rs` so the codec's files can use it without importing
//! the module that re-exports them.

use std::fmt;

use crate::store::hash::Limits;
use crate::store::{Bstr, Value};

/// The RDB version we write and the newest we read.
pub const RDB_VERSION: u16 = 10;

/// Encoding thresholds for values built while loading (the caller fills it from its
/// configuration): collections past them are converted as Redis converts them.
#[derive(Clone, Copy, Debug)]
pub struct Encodings {
    /// `hash-max-listpack-entries` and `hash-max-listpack-value`.
    pub hash: Limits,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`.
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`.
    pub zset_max_listpack_value: usize,
    /// `list-max-listpack-size`: the node fill of lists rebuilt element by element.
    pub list_fill: i64,
    /// `list-compress-depth`: the compression depth of lists loaded.
    pub list_depth: usize,
}

impl Default for Encodings {
    /// Redis's defaults.
    fn default() -> Self {
        Encodings {
            hash: Limits {
                max_entries: 512,
                max_value: 64,
            },
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_fill: -2,
            list_depth: 0,
        }
    }
}

/// How to write (`rdbcompression`, `rdbchecksum`).
#[derive(Clone, Copy, Debug)]
pub struct SaveOptions {
    /// Compress strings over 20 bytes with LZF when it saves at least 4 bytes.
    pub compression: bool,
    /// Write a CRC-64 at the end of a file (otherwise 0, which readers do not check).
    /// DUMP payloads always carry one, as Redis's do.
    pub checksum: bool,
    /// `rdb-key-save-delay`: a pause after each key, in microseconds (see
    /// [`crate::util::delay::per_item`]); 0 in production.
    pub key_delay_us: i32,
}

impl Default for SaveOptions {
    /// Redis's defaults: both on.
    fn default() -> Self {
        SaveOptions {
            compression: true,
            checksum: true,
            key_delay_us: 0,
        }
    }
}

/// Which access metadata to write per key and how to read it back (the caller decides
/// from `maxmemory-policy`, as Redis does).
#[derive(Clone, Copy, Debug)]
pub enum AccessMeta {
    /// Neither idle time nor frequency.
    None,
    /// The idle time in seconds (`RDB_OPCODE_IDLE`), from the LRU clock.
    Lru,
    /// The LFU counter after decay (`RDB_OPCODE_FREQ`).
    Lfu {
        /// `lfu-decay-time`, in minutes.
        decay_minutes: u32,
    },
}

/// What a loaded key carries besides its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyMeta {
    /// Absolute deadline in ms. A deadline already past is passed on as is: whether
    /// to drop the key (as a master does) is the caller's decision.
    pub expire_ms: Option<i64>,
    /// Idle time in seconds, when the file recorded it.
    pub idle_secs: Option<u64>,
    /// LFU counter, when the file recorded it.
    pub freq: Option<u8>,
}

/// Receives what a file holds, in file order.
pub trait LoadSink {
    /// An auxiliary field (`redis-ver`, `ctime`, `repl-id`...); unknown ones included.
    fn aux(&mut self, _key: &[u8], _value: &[u8]) {}
    /// The key and expire counts announced for database `db`.
    fn resize_db(&mut self, _db: usize, _keys: u64, _expires: u64) {}
    /// A function library's source code (`RDB_OPCODE_FUNCTION2`). Err aborts the load.
    fn function(&mut self, code: Vec<u8>) -> Result<(), String>;
    /// One key. Err aborts the load (e.g. a database index out of range).
    fn key(&mut self, db: usize, key: Bstr, value: Value, meta: KeyMeta) -> Result<(), String>;
}

/// Why a load failed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// Input offset at which the problem was found.
    pub offset: u64,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

impl std::error::Error for LoadError {}

/// What a load went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Keys handed to the sink.
    pub keys: u64,
    /// Empty collections skipped, as Redis skips them when loading a file (an old bug
    /// could save them); a DUMP payload holding one is refused instead.
    pub empty_keys_skipped: u64,
    /// Function libraries handed to the sink.
    pub functions: u64,
    /// The file's RDB version.
    pub version: u16,
    /// Bytes read, checksum included.
    pub bytes: u64,
}

/// Why RESTORE (or FUNCTION RESTORE) refused a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreError {
    /// The footer's version is newer than ours or its checksum is wrong.
    VersionOrChecksum,
    /// The payload does not decode to a value.
    BadFormat,
}

impl RestoreError {
    /// The error reply Redis sends, without the `ERR ` prefix.
    pub fn message(self) -> &'static str {
        match self {
            RestoreError::VersionOrChecksum => "DUMP payload version or checksum are wrong",
            RestoreError::BadFormat => "Bad data format",
        }
    }
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for RestoreError {}
