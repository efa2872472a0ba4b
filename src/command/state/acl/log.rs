//! The ACL log (ACL LOG): commands, keys and channels refused by ACL rules and failed
//! authentications, newest first, at most `acllog-max-len` entries. A refusal like
//! one of the ten newest (same reason, context, object and user, within a minute)
//! bumps that entry's count instead of adding one.

use std::collections::VecDeque;

/// Refusals within this many ms of an entry may be grouped into it.
const GROUPING_WINDOW_MS: i64 = 60_000;
/// How many of the newest entries a refusal is compared with.
const GROUPING_SCAN: usize = 10;

/// What was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A command or subcommand.
    Command,
    /// A key.
    Key,
    /// A channel.
    Channel,
    /// A username/password pair.
    Auth,
}

impl Reason {
    /// The name ACL LOG shows.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

/// Where the refused command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Sent by the client.
    TopLevel,
    /// Queued in, or run by, a transaction.
    Multi,
    /// Called by a script.
    Lua,
}

impl Context {
    /// The name ACL LOG shows.
    pub fn name(self) -> &'static str {
        match self {
            Context::TopLevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

/// One entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// How many refusals it stands for.
    pub count: u64,
    /// What was refused.
    pub reason: Reason,
    /// Where.
    pub context: Context,
    /// The command's full name, the key, the channel, or AUTH/HELLO as sent.
    pub object: Vec<u8>,
    /// The user the refusal was for.
    pub username: Vec<u8>,
    /// When it last happened (ms since the epoch).
    pub last_ms: i64,
    /// The client's CLIENT LIST line at the last refusal.
    pub client_info: String,
}

/// The entries, newest first.
#[derive(Debug, Default)]
pub struct AclLog {
    entries: VecDeque<Entry>,
}

impl AclLog {
    /// Records `entry`, grouping it with a recent similar one, and trims the log to
    /// `max_len` entries.
    pub fn add(&mut self, entry: Entry, max_len: usize) {
        let similar = self
            .entries
            .iter()
            .take(GROUPING_SCAN)
            .position(|old| similar(old, &entry));
        if let Some(at) = similar {
            if let Some(mut old) = self.entries.remove(at) {
                old.count += 1;
                old.last_ms = entry.last_ms;
                old.client_info = entry.client_info;
                self.entries.push_front(old);
            }
            return;
        }
        self.entries.push_front(entry);
        self.entries.truncate(max_len);
    }

    /// Forgets every entry (ACL LOG RESET).
    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// The entries, newest first.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// True when `new` repeats `old` closely enough to be counted in it.
fn similar(old: &Entry, new: &Entry) -> bool {
    old.reason == new.reason
        && old.context == new.context
        && (old.last_ms - new.last_ms).abs() <= GROUPING_WINDOW_MS
        && old.object == new.object
        && old.username == new.username
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(object: &str, at: i64) -> Entry {
        Entry {
            count: 1,
            reason: Reason::Key,
            context: Context::TopLevel,
            object: object.as_bytes().to_vec(),
            username: b"u".to_vec(),
            last_ms: at,
            client_info: format!("at {at}"),
        }
    }

    #[test]
    fn similar_refusals_are_grouped_and_the_log_is_trimmed() {
        let mut log = AclLog::default();
        log.add(entry("a", 0), 2);
        log.add(entry("b", 10), 2);
        log.add(entry("a", 20), 2);
        let first = log.entries().next().unwrap();
        assert_eq!((first.object.as_slice(), first.count), (b"a".as_slice(), 2));
        assert_eq!(first.client_info, "at 20");
        log.add(entry("a", 100_000), 2);
        log.add(entry("c", 100_001), 2);
        assert_eq!(log.len(), 2);
        let objects: Vec<&[u8]> = log.entries().map(|e| e.object.as_slice()).collect();
        assert_eq!(objects, [b"c".as_slice(), b"a".as_slice()]);
    }
}
