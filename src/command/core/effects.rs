//! What the databases logged during a command, turned into its effects on others:
//! WATCH invalidations, tracking invalidations, keyspace notifications, and clients
//! blocked on keys that now have data, and DELs in the append-only file's stream.

use bytes::Bytes;

use crate::command::core::state::ServerState;
use crate::command::state::notify;
use crate::store::db::KeyEvent;
use crate::store::Db;

/// Turns what the databases logged during a command into its effects: keys deleted by
/// expiry become WATCH invalidations and `expired` notifications; lists and sorted sets
/// created by any command wake clients blocked on them. Logging stays on only while
/// someone cares (a watcher, `expired` notifications, a blocked client).
///
/// Runs after every command and every notification, so the usual case (nothing logged,
/// nobody listening) is a few comparisons inlined into the caller.
#[inline]
pub fn after_expiry(dbs: &mut [Db], server: &mut ServerState) {
    let flags = server.config.notify_keyspace_events;
    let want_expired = !server.watches.is_empty()
        || flags & notify::EXPIRED != 0
        || server.tracking.is_active()
        || server.propagation.enabled;
    let want_ready = server.blocking.blocked_clients > 0;
    let want_key_events = flags & (notify::NEW | notify::KEY_MISS) != 0;
    if want_expired || want_ready || want_key_events || server.expiry_logging {
        apply_logs(dbs, server, want_expired, want_ready, want_key_events);
    }
}

/// [`after_expiry`] when something was or may be logged.
fn apply_logs(
    dbs: &mut [Db],
    server: &mut ServerState,
    want_expired: bool,
    want_ready: bool,
    want_key_events: bool,
) {
    let flags = server.config.notify_keyspace_events;
    for (index, db) in dbs.iter_mut().enumerate() {
        for key in db.expired_log.drain(..) {
            if server.propagation.enabled {
                let del: &'static [u8] = if server.config.lazyfree.expire {
                    b"UNLINK"
                } else {
                    b"DEL"
                };
                server
                    .propagation
                    .push_now(index, vec![Bytes::from_static(del), key.to_bytes()]);
            }
            server.watches.touch(index, key.as_slice(), false);
            if server.tracking.is_active() {
                server.tracking.invalidate(key.as_slice());
            }
            notify::fire(
                &mut server.keyspace_events,
                flags,
                notify::EXPIRED,
                "expired",
                index,
                key.as_slice(),
            );
        }
        for (event, key) in db.key_event_log.drain(..) {
            let (class, name) = match event {
                KeyEvent::New => (notify::NEW, "new"),
                KeyEvent::Miss => (notify::KEY_MISS, "keymiss"),
            };
            notify::fire(
                &mut server.keyspace_events,
                flags,
                class,
                name,
                index,
                key.as_slice(),
            );
        }
        for key in db.ready_log.drain(..) {
            server.blocking.signal_ready(index, key.as_slice());
        }
        db.log_expired = want_expired;
        db.log_ready = want_ready;
        db.log_key_events = want_key_events;
    }
    server.expiry_logging = want_expired || want_ready || want_key_events;
}
