//! The CLIENT command family, by concern: naming and identifying the caller's
//! connection (`identity`: ID, SETNAME, GETNAME, SETINFO), showing connections as
//! CLIENT LIST lines (`list`: INFO, LIST; `core::client_info` formats one), acting on other
//! connections (`control`: KILL, UNBLOCK, PAUSE, UNPAUSE), the caller's modes (`modes`:
//! REPLY, NO-EVICT, NO-TOUCH), and the container's table (`table`). TRACKING, CACHING,
//! TRACKINGINFO and GETREDIR live in `conn::tracking`.
//!
//! This file only declares the modules: the handler modules import nothing from it, and
//! the registry names `table::COMMANDS` directly.

mod control;
pub mod identity;
mod list;
mod modes;
pub mod table;
