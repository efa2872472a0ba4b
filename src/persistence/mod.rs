//! Persistence: the RDB snapshot format and the codecs it is built on.
//!
//! | module    | what it holds                                                        |
//! |-----------|----------------------------------------------------------------------|
//! | [`rdb`]   | RDB files, DUMP/RESTORE and FUNCTION DUMP/RESTORE payloads            |
//! | [`crc64`] | the CRC-64 that checksums files and payloads                          |
//! | [`lzf`]   | LZF compression of strings, byte for byte Redis's                     |
//!
//! This layer sits beside `store` (docs/ARCHITECTURE.md, "Layers") and imports only
//! `store` and `util`: the caller turns configuration into options, supplies the
//! databases and function code, and decides what to do with what a file holds. Files,
//! sockets and background saving are the caller's.

pub mod crc64;
pub mod lzf;
pub mod rdb;
