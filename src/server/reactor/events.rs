//! What commands and the cron ask of the loop ([`ServerEvent`]s): closing a client,
//! ending a blocked client's wait (CLIENT UNBLOCK, or this server becoming a replica),
//! releasing a replica's held output, following a new master, stopping.

use super::Server;
use crate::command::core::state::ServerEvent;

impl Server {
    /// [`Self::carry_out_events`] when something was asked.
    #[cold]
    pub(super) fn carry_out_events_now(&mut self) {
        for event in self.exec.take_events() {
            match event {
                ServerEvent::Shutdown => self.shutting_down = true,
                ServerEvent::KillClient(id) => self.kill_client(id),
                ServerEvent::UnblockClient { id, error } => self.unblock_client(id, error),
                ServerEvent::MasterChanged => self.master_changed(),
                ServerEvent::DisconnectBlocked => self.disconnect_blocked(),
                ServerEvent::ReleaseOutput(id) => self.release_output(id),
            }
        }
    }

    /// CLIENT KILL: closes the client now, dropping its pending replies.
    pub(super) fn kill_client(&mut self, id: u64) {
        if let Some(&slot) = self.client_keys.get(&id) {
            if let Some(client) = self.clients.get_mut(slot) {
                client.close_asap = true;
            }
            self.close_if_done(slot);
        }
    }

    /// A forked child finished writing a replica's snapshot: what waited behind it
    /// (the stream since the fork) goes out now.
    fn release_output(&mut self, id: u64) {
        let Some(&slot) = self.client_keys.get(&id) else {
            return;
        };
        if let Some(client) = self.clients.get_mut(slot) {
            client.session.output_held = false;
            self.queue_write(slot);
        }
    }

    /// Answers and closes every blocked client (this server now follows a master).
    fn disconnect_blocked(&mut self) {
        let blocked: Vec<usize> = self
            .clients
            .iter()
            .filter(|(_, client)| client.session.blocked.is_some())
            .map(|(key, _)| key)
            .collect();
        for key in blocked {
            if let Some(client) = self.clients.get_mut(key) {
                if self
                    .exec
                    .force_unblock(&mut client.session, &mut client.out)
                {
                    self.queue_write(key);
                }
            }
        }
    }

    /// CLIENT UNBLOCK: answers the client's blocking command and runs its pipeline.
    fn unblock_client(&mut self, id: u64, error: bool) {
        let Some(&slot) = self.client_keys.get(&id) else {
            return;
        };
        if let Some(client) = self.clients.get_mut(slot) {
            self.exec
                .unblock(&mut client.session, &mut client.out, error);
            self.resume(slot);
        }
    }
}
