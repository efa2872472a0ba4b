//! Persistence: the RDB snapshot format, the append-only file's formats, and the
//! file and process mechanics both are written with.
//!
//! | module          | what it holds                                                   |
//! |-----------------|-----------------------------------------------------------------|
//! | [`rdb`]         | RDB files, DUMP/RESTORE and FUNCTION DUMP/RESTORE payloads       |
//! | [`aof`]         | the AOF manifest and the command stream of its files             |
//! | [`crc64`]       | the CRC-64 that checksums files and payloads                     |
//! | [`lzf`]         | LZF compression of strings, byte for byte Redis's                |
//! | [`fork`]        | the forked child that writes a snapshot while the loop serves    |
//! | [`atomic_file`] | replacing a file so a crash leaves the old or the new one whole  |
//!
//! This layer sits beside `store` (docs/ARCHITECTURE.md, "Layers") and imports only
//! `store` and `util`: the caller turns configuration into options, supplies the
//! databases and function code, and decides what to do with what a file holds, and
//! when.

pub mod aof;
pub mod atomic_file;
pub mod crc64;
pub mod fanout;
pub mod fork;
pub mod rdb;
