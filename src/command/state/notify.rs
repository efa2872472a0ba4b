//! Keyspace notifications: the event classes of `notify-keyspace-events` and the queue
//! of events commands fire.
//!
//! Handlers call [`crate::command::Ctx::notify`] exactly where Redis fires an event (same
//! class, same event name). When the configured flags select the event, it is queued as
//! data; the reactor publishes queued events to `__keyspace@<db>__:<key>` and
//! `__keyevent@<db>__:<event>` once the command is done.

use bytes::Bytes;

/// `K`: publish to `__keyspace@<db>__:<key>` channels.
pub const KEYSPACE: u32 = 1 << 0;
/// `E`: publish to `__keyevent@<db>__:<event>` channels.
pub const KEYEVENT: u32 = 1 << 1;
/// `g`: generic commands (DEL, EXPIRE, RENAME...).
pub const GENERIC: u32 = 1 << 2;
/// `$`: string commands.
pub const STRING: u32 = 1 << 3;
/// `l`: list commands.
pub const LIST: u32 = 1 << 4;
/// `s`: set commands.
pub const SET: u32 = 1 << 5;
/// `h`: hash commands.
pub const HASH: u32 = 1 << 6;
/// `z`: sorted set commands.
pub const ZSET: u32 = 1 << 7;
/// `x`: keys expired.
pub const EXPIRED: u32 = 1 << 8;
/// `e`: keys evicted.
pub const EVICTED: u32 = 1 << 9;
/// `t`: stream commands.
pub const STREAM: u32 = 1 << 10;
/// `m`: key misses (not part of `A`).
pub const KEY_MISS: u32 = 1 << 11;
/// `d`: module events.
pub const MODULE: u32 = 1 << 13;
/// `n`: new keys (not part of `A`).
pub const NEW: u32 = 1 << 14;
/// `A`: alias for `g$lshzxetd`.
pub const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Parses a `notify-keyspace-events` value; `None` on an unknown character.
pub fn parse_flags(text: &str) -> Option<u32> {
    let mut flags = 0;
    for c in text.chars() {
        flags |= match c {
            'A' => ALL,
            'g' => GENERIC,
            '$' => STRING,
            'l' => LIST,
            's' => SET,
            'h' => HASH,
            'z' => ZSET,
            'x' => EXPIRED,
            'e' => EVICTED,
            'K' => KEYSPACE,
            'E' => KEYEVENT,
            't' => STREAM,
            'm' => KEY_MISS,
            'd' => MODULE,
            'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Renders flags the way CONFIG GET shows them (Redis's canonical order; as in Redis,
/// `n` is only shown when the classes are not all selected).
pub fn format_flags(flags: u32) -> String {
    let mut text = String::new();
    if flags & ALL == ALL {
        text.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & bit != 0 {
                text.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            text.push(c);
        }
    }
    text
}

/// One fired event, waiting to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyspaceEvent {
    /// Database of the key.
    pub db: usize,
    /// Event name (`set`, `lpush`, `expired`...).
    pub event: &'static str,
    /// The key.
    pub key: Bytes,
    /// Whether to publish on the keyspace channel, the keyevent channel, or both.
    pub channels: u32,
}

/// Queues `event` if `flags` select its class and at least one channel kind.
#[inline]
pub fn fire(
    queue: &mut Vec<KeyspaceEvent>,
    flags: u32,
    class: u32,
    event: &'static str,
    db: usize,
    key: &[u8],
) {
    if flags & class == 0 || flags & (KEYSPACE | KEYEVENT) == 0 {
        return;
    }
    queue_event(queue, flags, event, db, key);
}

/// The queueing half of [`fire`], out of line: most servers never notify.
#[cold]
fn queue_event(
    queue: &mut Vec<KeyspaceEvent>,
    flags: u32,
    event: &'static str,
    db: usize,
    key: &[u8],
) {
    queue.push(KeyspaceEvent {
        db,
        event,
        key: Bytes::copy_from_slice(key),
        channels: flags & (KEYSPACE | KEYEVENT),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_like_redis() {
        assert_eq!(parse_flags("KEA").map(format_flags).as_deref(), Some("AKE"));
        assert_eq!(parse_flags("Kl$").map(format_flags).as_deref(), Some("$lK"));
        assert_eq!(parse_flags("").map(format_flags).as_deref(), Some(""));
        assert_eq!(parse_flags("Kmn").map(format_flags).as_deref(), Some("nKm"));
        assert_eq!(parse_flags("Kq"), None);
    }

    #[test]
    fn events_need_a_class_and_a_channel_kind() {
        let mut queue = Vec::new();
        fire(&mut queue, LIST, LIST, "lpush", 0, b"k");
        fire(&mut queue, KEYSPACE | STRING, LIST, "lpush", 0, b"k");
        assert!(queue.is_empty());
        fire(&mut queue, KEYSPACE | LIST, LIST, "lpush", 3, b"k");
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].db, 3);
    }
}
