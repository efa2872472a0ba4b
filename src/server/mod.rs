//! The server layer: the mio reactor, clients and their memory, listeners and signals. It owns the
//! [`crate::command::core::executor::Executor`] and is the only layer that does socket I/O.

mod banner;
pub mod busy;
pub mod client;
pub mod client_memory;
pub mod listener;
mod others;
pub mod reactor;
pub mod signals;

pub use reactor::Server;
