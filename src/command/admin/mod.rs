//! Server administration: the commands an operator uses to look at and steer the
//! server (configuration, INFO, COMMAND introspection, the slow log, latency, memory,
//! whole databases, the process, DEBUG, and the cluster commands a server without
//! cluster support answers), each concern in its own module.

pub mod cluster;
pub mod config;
pub mod databases;
pub mod debug;
pub mod debug_protocol;
pub mod info;
pub mod introspection;
pub mod latency;
pub mod memory;
pub mod process;
pub mod slowlog;
