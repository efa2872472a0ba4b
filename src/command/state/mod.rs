//! What the executor keeps between commands besides the databases: users and ACLs,
//! blocked clients,
//! WATCHed keys, pub/sub subscriptions, tracking tables, MONITOR clients, CLIENT PAUSE,
//! maxmemory's eviction pool and counters, snapshot and AOF bookkeeping, the write stream the AOF records, MIGRATE's cached
//! connections, the view of other clients, keyspace notifications, and each client's
//! own session. Data and its rules only: no command handlers, and nothing here imports
//! `core`, so every layer above may use it.

pub mod acl;
pub mod blocking;
pub mod directory;
pub mod eviction;
pub mod master_link;
pub mod migrate;
pub mod monitor;
pub mod notify;
pub mod pause;
pub mod persistence;
pub mod propagation;
pub mod pubsub;
pub mod replication;
pub mod session;
pub mod tracking;
pub mod watch;
