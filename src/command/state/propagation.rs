//! What the commands just run changed, as commands: the stream the append-only file
//! records (Redis's `also_propagate`). Replaying it must rebuild the same dataset, so
//! a command whose effect depends on the clock or on chance is recorded as its effect
//! (EXPIRE as PEXPIREAT, SPOP as SREM, a script as the writes it made), keys that
//! expire become DELs, and a command that made several changes is wrapped in
//! MULTI/EXEC so it replays atomically.
//!
//! Nothing is recorded while [`Propagation::enabled`] is false, so the cost without
//! an append-only file is one branch per command.

use bytes::Bytes;

/// One command to record, in the database it ran in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The database index.
    pub db: usize,
    /// The command and its arguments.
    pub args: Vec<Bytes>,
}

/// How the command that is running will be recorded.
#[derive(Debug, Default)]
pub enum Own {
    /// As it was sent, if it changed the dataset.
    #[default]
    AsSent,
    /// As this command instead (EXPIRE → PEXPIREAT, BLPOP → LPOP...).
    Replaced(Vec<Bytes>),
    /// Not at all: its effects were recorded one by one (SPOP with a count, scripts).
    Prevented,
}

/// The ops recorded and not yet written, and the running command's own record.
#[derive(Debug, Default)]
pub struct Propagation {
    /// Whether anything consumes the stream (the append-only file is on).
    pub enabled: bool,
    /// Ops in execution order, waiting for the writer.
    pub ops: Vec<Op>,
    /// How the innermost running command is recorded.
    pub own: Own,
    /// The running write command is recorded even if it changed nothing (FLUSHALL and
    /// FLUSHDB of empty databases, which Redis always propagates).
    pub forced: bool,
    /// How many of `ops` are already in the replication stream: it takes each
    /// top-level command's ops as soon as the command ends (so that the offset WAIT
    /// waits for is known), the append-only file all of them before the loop sleeps.
    pub replicated: usize,
    /// Where the running top-level command's ops begin: ops recorded "now" (keys that
    /// expired meanwhile) go in before them, outside any MULTI/EXEC that wraps them.
    group_start: usize,
}

/// The MULTI that opens an atomic group of ops.
pub fn multi() -> Vec<Bytes> {
    vec![Bytes::from_static(b"MULTI")]
}

/// The EXEC that closes it.
pub fn exec() -> Vec<Bytes> {
    vec![Bytes::from_static(b"EXEC")]
}

impl Op {
    /// True for the ops only replicas take (PUBLISH and SPUBLISH, which Redis
    /// propagates to replicas alone): the append-only file skips them.
    pub fn replicas_only(&self) -> bool {
        let name = &self.args[0];
        name.eq_ignore_ascii_case(b"publish") || name.eq_ignore_ascii_case(b"spublish")
    }
}

impl Propagation {
    /// Records `args` in database `db`.
    pub fn push(&mut self, db: usize, args: Vec<Bytes>) {
        self.ops.push(Op { db, args });
    }

    /// Records `args` ahead of the running command's own ops, as Redis propagates
    /// the deletion of a key found expired at once (`propagateNow`): never inside the
    /// MULTI/EXEC that may wrap the command.
    pub fn push_now(&mut self, db: usize, args: Vec<Bytes>) {
        let at = self.group_start.min(self.ops.len());
        self.ops.insert(at, Op { db, args });
        self.group_start = at + 1;
    }

    /// The ops not yet in the replication stream, now marked as in it.
    pub fn unreplicated(&mut self) -> &[Op] {
        let from = self.replicated.min(self.ops.len());
        self.replicated = self.ops.len();
        &self.ops[from..]
    }

    /// Takes every op (for the append-only file), the replication stream having had
    /// its part.
    pub fn take_ops(&mut self) -> Vec<Op> {
        self.replicated = 0;
        std::mem::take(&mut self.ops)
    }

    /// A top-level command starts: what it records from here on is one group.
    pub fn begin(&mut self) {
        self.group_start = self.ops.len();
    }

    /// Wraps the group of the command that just ran in MULTI/EXEC when it holds more
    /// than one op, so that it replays atomically.
    pub fn seal(&mut self) {
        let start = self.group_start.min(self.ops.len());
        if self.ops.len() - start > 1 {
            let db = self.ops[start].db;
            self.ops.insert(start, Op { db, args: multi() });
            let last = self.ops[self.ops.len() - 1].db;
            self.push(last, exec());
        }
        self.group_start = self.ops.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_goes_to_replicas_only() {
        let op = |name: &'static [u8]| Op {
            db: 0,
            args: vec![Bytes::from_static(name)],
        };
        assert!(op(b"PUBLISH").replicas_only() && op(b"spublish").replicas_only());
        assert!(!op(b"SET").replicas_only());
    }

    #[test]
    fn only_groups_of_several_ops_are_wrapped() {
        let mut p = Propagation::default();
        p.begin();
        p.push(0, vec![Bytes::from_static(b"SET")]);
        p.seal();
        assert_eq!(p.ops.len(), 1);
        p.begin();
        p.push(0, vec![Bytes::from_static(b"DEL")]);
        p.push_now(0, vec![Bytes::from_static(b"UNLINK")]);
        p.push(2, vec![Bytes::from_static(b"SET")]);
        p.push_now(0, vec![Bytes::from_static(b"UNLINK")]);
        p.seal();
        let names: Vec<&[u8]> = p.ops.iter().map(|op| op.args[0].as_ref()).collect();
        assert_eq!(
            names,
            [
                &b"SET"[..],
                b"UNLINK",
                b"UNLINK",
                b"MULTI",
                b"DEL",
                b"SET",
                b"EXEC"
            ]
        );
        assert_eq!((p.ops[3].db, p.ops[6].db), (0, 2));
    }
}
