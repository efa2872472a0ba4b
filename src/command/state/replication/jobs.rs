//! Full synchronizations served by a forked child: the replicas waiting for one and
//! the child writing the snapshot into their sockets
//! (`command/snapshot/sync_child.rs` runs them).

use crate::command::state::replication::replicas::Replica;
use crate::persistence::fork::ForkedChild;

/// A replica that asked for a full synchronization and waits for the next child.
#[derive(Debug)]
pub struct Waiting {
    /// Its record, attached to the stream when the child forks.
    pub replica: Replica,
    /// Its socket, which the child writes.
    pub fd: i32,
    /// It came with PSYNC: the child writes `+FULLRESYNC` first.
    pub psync: bool,
    /// It wants the snapshot only (REPLCONF rdb-only): closed once it has it.
    pub rdb_only: bool,
}

/// The child writing a snapshot to replicas, and who they are.
#[derive(Debug)]
pub struct Running {
    /// The child process.
    pub child: ForkedChild,
    /// Client ids of the replicas it writes to.
    pub replicas: Vec<u64>,
    /// Of those, the ones to close once they have the snapshot.
    pub rdb_only: Vec<u64>,
}

/// The synchronizations waiting and the one in progress.
#[derive(Debug, Default)]
pub struct SyncJobs {
    /// Replicas waiting for a child (one runs at a time, like any child).
    pub waiting: Vec<Waiting>,
    /// The child at work, if any.
    pub running: Option<Running>,
}
