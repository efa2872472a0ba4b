//! Connection-level commands: the connection itself (HELLO, SELECT, RESET...), AUTH and
//! ACL, CLIENT,
//! pub/sub, transactions, client-side caching and MONITOR. Their state between commands
//! lives in `state`; these modules only handle the commands.

pub mod acl;
pub mod clients;
pub mod connection;
pub mod monitor;
pub mod pubsub;
pub mod tracking;
pub mod transactions;
