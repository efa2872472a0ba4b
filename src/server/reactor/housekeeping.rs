//! The loop's periodic work on its clients (Redis's `clientsCron`): closing idle
//! clients, trimming query buffers they no longer use, sizing reply buffers by use,
//! and sampling buffer sizes and memory for INFO; plus the call into the executor's
//! own cron and the replica's once-a-second duties.

use super::Server;
use crate::util::clock::monotonic_us;

impl Server {
    /// The periodic work, `hz` times a second: the executor's cron, the replica's
    /// once-a-second duties, and the clients' buffers, idle time and memory.
    pub(super) fn cron(&mut self) {
        self.serve_postponed();
        let hz = self.exec.config().hz.max(1);
        self.next_cron_us = monotonic_us() + 1_000_000 / u64::from(hz);
        if self.exec.cron_paused() {
            return;
        }
        self.exec.cron();
        if self.exec.now_ms() >= self.next_replication_cron_ms {
            self.next_replication_cron_ms = self.exec.now_ms() + 1000;
            self.master_link_cron();
        }
        self.serve_ready_keys();
        self.carry_out_events();
        self.close_idle_clients();
        self.sample_client_buffers();
        self.trim_query_buffers();
        self.resize_reply_buffers();
    }

    /// Sizes every client's reply buffer by its recent use ([`crate::protocol::sizing`]).
    fn resize_reply_buffers(&mut self) {
        let policy = self.exec.reply_buffer_policy();
        let now = self.exec.now_ms();
        for (_, client) in self.clients.iter_mut() {
            let resize = client.out.resize(policy, now);
            self.exec.count_reply_buffer_resize(resize);
        }
    }

    /// Gives back query-buffer space clients no longer use, as Redis's cron does: when
    /// more than 4 KB is free and the client is idle for 2 seconds, or the buffer is
    /// over 32 KB and more than twice what it holds. A big bulk still arriving keeps
    /// the buffer made for it.
    fn trim_query_buffers(&mut self) {
        const SLACK: usize = 4 * 1024;
        const RESIZE_THRESHOLD: usize = 32 * 1024;
        let now = self.exec.now_ms();
        for (_, client) in self.clients.iter_mut() {
            let (held, capacity) = (client.query.len(), client.query.capacity());
            if capacity - held <= SLACK || client.parser.big_bulk_missing(&client.query).is_some() {
                continue;
            }
            let idle = now - client.session.last_interaction_ms > 2000;
            if idle || (capacity > RESIZE_THRESHOLD && capacity / 2 > held) {
                client.query = bytes::BytesMut::from(&client.query[..]);
            }
        }
    }

    /// Notes the largest query and output buffers for INFO's clients section, and
    /// counts every client's memory for INFO's memory section.
    fn sample_client_buffers(&mut self) {
        let sizes = self
            .clients
            .iter()
            .map(|(_, client)| (client.query.capacity(), client.out.pending()));
        self.exec.sample_client_buffers(sizes);
        self.memory.recount_all(&mut self.clients, &self.exec);
        self.exec.set_clients_memory(self.memory.total());
    }

    /// Closes clients idle longer than `timeout` seconds (when set).
    fn close_idle_clients(&mut self) {
        let timeout = self.exec.config().timeout;
        if timeout == 0 {
            return;
        }
        let limit_ms = i64::try_from(timeout.saturating_mul(1000)).unwrap_or(i64::MAX);
        let now = self.exec.now_ms();
        // Blocked clients have their own timeouts; subscribers and monitors only
        // listen; replicas are timed out by `repl-timeout`.
        let idle: Vec<usize> = self
            .clients
            .iter()
            .filter(|(_, c)| {
                let session = &c.session;
                now - session.last_interaction_ms > limit_ms
                    && session.blocked.is_none()
                    && session.subscriptions.total() == 0
                    && !session.monitor
                    && !session.master
                    && !session.replica
            })
            .map(|(k, _)| k)
            .collect();
        for key in idle {
            if let Some(client) = self.clients.get_mut(key) {
                log::debug!("Closing idle client {}", client.session.addr);
                client.close_asap = true;
            }
            self.close_if_done(key);
        }
    }
}
