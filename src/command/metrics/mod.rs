pub mod client_peaks;
pub mod latency;
pub mod process;
pub mod slowlog;
pub mod stats;
