//! The other clients, as a running command sees them.
//!
//! While one client's commands run, the reactor lends the executor the rest of the slab
//! through [`OtherClients`]: CLIENT LIST and CLIENT KILL read it, a busy script serves
//! them through it (`server/busy.rs`), CONFIG SET `port`/`bind` moves the listeners
//! through it. What happened meanwhile is noted in the reactor's `busy::BusyLog` for it
//! to finish.

use std::io;

use crate::command::state::directory::{
    Admission, BufferStats, BusyCommand, ClientDirectory, ClientView,
};
use crate::server::client::ClientSlab;
use crate::server::{busy, listener};

/// The clients other than the one running a command, as the command layer sees them,
/// and what a busy script may use to serve them.
pub(super) struct OtherClients<'a> {
    pub(super) clients: &'a mut ClientSlab,
    /// The loop's parts a busy script serves clients with.
    pub(super) lent: busy::Lent<'a>,
    /// Where the listeners are registered (CONFIG SET `port`/`bind` replaces them).
    pub(super) registry: &'a mio::Registry,
    /// `tcp-backlog`, for new listeners.
    pub(super) backlog: u32,
    /// The running client's input buffers as its command started.
    pub(super) caller: BufferStats,
}

impl ClientDirectory for OtherClients<'_> {
    fn others(&self) -> Vec<ClientView<'_>> {
        self.clients
            .iter()
            .map(|(_, client)| client.view())
            .collect()
    }

    fn serve_busy(&mut self, admission: &Admission, run: &mut BusyCommand<'_>) {
        // The caller is out of the slab while its command runs.
        let connected = self.clients.len() + 1;
        let mut io = busy::BusyIo::new(&mut self.lent, admission, connected);
        busy::serve(self.clients, &mut io, run);
    }

    fn caller_buffers(&self) -> BufferStats {
        self.caller
    }

    fn rebind(&mut self, binds: &[String], port: u16) -> io::Result<u16> {
        let mut rebinder = listener::Rebinder {
            registry: self.registry,
            tcp: self.lent.tcp,
            unix: self.lent.unix.as_deref_mut(),
            backlog: self.backlog,
        };
        rebinder.rebind(binds, port)
    }
}
