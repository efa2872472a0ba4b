pub mod debug;
pub mod info;
pub mod introspection;
pub mod latency;
pub mod memory;
pub mod server;
pub mod slowlog;
