//! What the server counts and logs about itself: INFO counters, commandstats and
//! errorstats, the slow log, the latency monitor, client buffer peaks and process memory.
//! Plain data with its own rules; `core::accounting` feeds it after every command.

pub mod client_peaks;
pub mod latency;
pub mod process;
pub mod slowlog;
pub mod stats;
