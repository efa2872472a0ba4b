//! Replication commands: which master this server follows (REPLICAOF, SLAVEOF) and
//! which role it plays (ROLE). The link itself is the reactor's
//! (`server/reactor/master_link.rs`); its state is [`crate::command::state::master_link`].

pub mod replicaof;
