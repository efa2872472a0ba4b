pub mod blocking;
pub mod directory;
pub mod monitor;
pub mod notify;
pub mod pause;
pub mod pubsub;
pub mod tracking;
pub mod watch;
