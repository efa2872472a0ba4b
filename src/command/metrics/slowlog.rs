//! The slow log's data: the most recent commands that ran longer than the threshold.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::command::state::monitor::redacted;
use crate::command::state::session::Session;

/// Arguments kept per entry; past it the last kept one says how many were dropped.
const MAX_ARGS: usize = 32;

/// Bytes kept per argument; past it the argument ends with how many were dropped.
const MAX_ARG_LEN: usize = 128;

/// One slow command.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Increasing id, never reused (not even after RESET).
    pub id: u64,
    /// Unix time (s) the command finished.
    pub time: i64,
    /// How long it ran, µs.
    pub duration: u64,
    /// The trimmed command line.
    pub args: Vec<Bytes>,
    /// `ip:port` of the client.
    pub addr: String,
    /// The client's name, empty if none.
    pub name: Bytes,
}

/// The slow log: newest entry first.
#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// `arg` cut to [`MAX_ARG_LEN`] bytes with a note of what was dropped.
fn trim_arg(arg: &Bytes) -> Bytes {
    if arg.len() <= MAX_ARG_LEN {
        // A copy: an entry must not pin the (possibly huge) buffer the argument is in.
        return Bytes::copy_from_slice(arg);
    }
    let mut cut = arg[..MAX_ARG_LEN].to_vec();
    cut.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_ARG_LEN).as_bytes());
    Bytes::from(cut)
}

impl SlowLog {
    /// Adds an entry for `args`, dropping the oldest past `max_len`.
    pub fn push(
        &mut self,
        args: &[Bytes],
        duration: u64,
        time: i64,
        session: &Session,
        max_len: usize,
    ) {
        let hidden = redacted(args);
        let mut kept: Vec<Bytes> = args.iter().take(MAX_ARGS).map(trim_arg).collect();
        for at in hidden {
            if let Some(arg) = kept.get_mut(at) {
                *arg = Bytes::from_static(b"(redacted)");
            }
        }
        if args.len() > MAX_ARGS {
            let more = args.len() - MAX_ARGS + 1;
            kept[MAX_ARGS - 1] = Bytes::from(format!("... ({more} more arguments)"));
        }
        self.entries.push_front(Entry {
            id: self.next_id,
            time,
            duration,
            args: kept,
            addr: session.addr.clone(),
            name: session.name.clone().unwrap_or_default(),
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every entry (ids keep increasing).
    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Entries, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}
