pub mod clients;
pub mod connection;
pub mod monitor;
pub mod pubsub;
pub mod tracking;
pub mod transactions;
