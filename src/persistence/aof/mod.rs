//! The append-only file's formats: the manifest naming its files ([`manifest`]) and
//! the commands the incremental files hold ([`commands`]). The base file is an RDB
//! file ([`crate::persistence::rdb`]).

pub mod commands;
pub mod manifest;
