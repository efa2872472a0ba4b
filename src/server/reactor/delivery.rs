//! Output the loop writes to clients other than the one whose command caused it:
//! pub/sub messages and keyspace notifications, MONITOR lines, the replication stream
//! for replicas, and tracking invalidations (to the tracking client or its
//! redirect target). Each is queued into its receiver's output buffer in the
//! receiver's protocol version and written before the loop sleeps.

use super::Server;
use crate::command::state::tracking::{Invalidation, Payload, INVALIDATE_CHANNEL};
use crate::protocol::Reply;

impl Server {
    /// [`Self::deliver_messages`] when something waits.
    pub(super) fn deliver_messages_now(&mut self) {
        for invalidation in self.exec.take_invalidations() {
            self.deliver_invalidation(&invalidation);
        }
        for delivery in self.exec.take_deliveries() {
            let Some(&slot) = self.client_keys.get(&delivery.client) else {
                continue;
            };
            let Some(client) = self.clients.get_mut(slot) else {
                continue;
            };
            if client.close_asap {
                continue;
            }
            delivery.write(&mut Reply::new(&mut client.out, client.session.resp));
            self.queue_write(slot);
        }
        let Some((lines, monitors)) = self.exec.take_monitor_output() else {
            return;
        };
        for id in monitors {
            let Some(&slot) = self.client_keys.get(&id) else {
                continue;
            };
            if let Some(client) = self.clients.get_mut(slot) {
                for line in &lines {
                    client.out.extend(line);
                }
                self.queue_write(slot);
            }
        }
    }

    /// Appends the stream produced since the last turn to every replica, less the
    /// bytes a replica that attached meanwhile already has.
    pub(super) fn deliver_replication_stream(&mut self) {
        let Some(batch) = self.exec.take_replication_stream() else {
            return;
        };
        let stream = batch.bytes;
        for (id, skip) in batch.readers {
            let Some(&slot) = self.client_keys.get(&id) else {
                continue;
            };
            if let (Some(client), Some(bytes)) = (self.clients.get_mut(slot), stream.get(skip..)) {
                if !bytes.is_empty() {
                    client.out.extend(bytes);
                    self.queue_write(slot);
                }
            }
        }
    }

    /// Writes one tracking invalidation: to the tracking client itself in RESP3, or to
    /// its redirect target (a RESP3 push, or a `__redis__:invalidate` pub/sub message
    /// for a subscribed RESP2 client). A redirect target that went away marks the
    /// redirection broken and, in RESP3, tells the tracking client.
    fn deliver_invalidation(&mut self, invalidation: &Invalidation) {
        let tracker_id = invalidation.client;
        let Some(redirect) = self.exec.tracking_redirect(tracker_id) else {
            return;
        };
        let Some(&tracker_slot) = self.client_keys.get(&tracker_id) else {
            return;
        };
        let Some(tracker_resp) = self.clients.get(tracker_slot).map(|c| c.session.resp) else {
            return;
        };
        let receiver_slot = if redirect == 0 {
            tracker_slot
        } else if let Some(&slot) = self.client_keys.get(&redirect) {
            slot
        } else {
            self.exec.mark_redirect_broken(tracker_id);
            if let Some(client) = self.clients.get_mut(tracker_slot) {
                if client.session.resp >= 3 && !client.close_asap {
                    let mut reply = Reply::new(&mut client.out, client.session.resp);
                    reply.push_len(2);
                    reply.bulk(b"tracking-redir-broken");
                    reply.int(redirect as i64);
                    self.queue_write(tracker_slot);
                }
            }
            return;
        };
        let Some(client) = self.clients.get_mut(receiver_slot) else {
            return;
        };
        if client.close_asap {
            return;
        }
        let resp = client.session.resp;
        let mut reply = Reply::new(&mut client.out, resp);
        if resp >= 3 {
            reply.push_len(2);
            reply.bulk(b"invalidate");
        } else if redirect != 0 && client.session.subscriptions.total() > 0 {
            reply.push_len(3);
            reply.bulk(b"message");
            reply.bulk(INVALIDATE_CHANNEL);
        } else {
            return;
        }
        match &invalidation.payload {
            Payload::Key(key) => {
                reply.array_len(1);
                reply.bulk(key);
            }
            Payload::Keys(keys) => {
                reply.array_len(keys.len());
                for key in keys {
                    reply.bulk(key);
                }
            }
            // The null is in the tracking client's protocol, whoever receives it.
            Payload::Null => Reply::new(&mut client.out, tracker_resp).null(),
        }
        self.queue_write(receiver_slot);
    }
}
