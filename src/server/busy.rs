//! Serving the other clients while a script runs past `busy-reply-threshold` (Redis's
//! `processEventsWhileBlocked`).
//!
//! The executor is inside one client's command, so the reactor cannot run its loop.
//! Instead the running script calls [`serve`] (through `ClientDirectory::serve_busy`)
//! every so often: it accepts new connections, reads what the other clients sent, runs
//! each complete command through the script's own executor parts (the dispatcher
//! answers `-BUSY` to all but the `allow-busy` commands: SCRIPT KILL, FUNCTION KILL,
//! MULTI, DISCARD, WATCH, QUIT...), and writes the replies at once. It also notes a
//! shutdown signal: Redis logs it at once and stops once the script is over.
//!
//! Nothing is registered or removed meanwhile: clients accepted here wait in
//! [`BusyIo::newcomers`] and the reactor adds them to its slab once the script is done,
//! with the clients served here, whose leftover input then runs in turn.

use std::io::{self, Read};

use mio::net::{TcpListener, UnixListener};

use crate::command::state::directory::BusyCommand;
use crate::protocol::{ParseLimits, ParseOutcome};
use crate::server::client::{Client, ClientSlab};
use crate::server::{listener, signals};

/// Most bytes read from one client per call (a busy script is not a bulk loader).
const READ_CAP: usize = 64 * 1024;
/// Most bytes written to one client per call; the rest waits for the loop.
const WRITE_CAP: usize = 1024 * 1024;
/// Most connections accepted per call.
const ACCEPT_CAP: usize = 64;

/// What the reactor lends a busy script to serve clients with, and what it finds.
pub struct BusyIo<'a> {
    /// The TCP listeners.
    pub tcp: &'a mut Vec<TcpListener>,
    /// The unix listener and its path.
    pub unix: Option<&'a mut (UnixListener, String)>,
    /// The signal pipe.
    pub signals: &'a mut mio::unix::pipe::Receiver,
    /// Limits for parsing requests (an unauthenticated client's are set per client).
    pub limits: ParseLimits,
    /// New clients start authenticated (`default` needs no password).
    pub authenticated: bool,
    /// Protected mode turns away clients that are not local.
    pub protected: bool,
    /// `maxclients`, and how many clients are connected (the caller included).
    pub maxclients: usize,
    /// Clients connected before the script, the one running it included.
    pub connected: usize,
    /// `tcp-keepalive` for accepted TCP connections.
    pub keepalive: u64,
    /// The cached time, for new sessions.
    pub now_ms: i64,
    /// The id the next accepted client gets.
    pub next_id: &'a mut u64,
    /// What happened meanwhile, for the reactor to finish.
    pub log: &'a mut BusyLog,
}

/// What serving clients during a busy script left for the reactor to finish. The
/// reactor owns one and lends it to every command; it stays empty unless a busy script
/// served someone, so the usual command pays one check for it.
#[derive(Default)]
pub struct BusyLog {
    /// Clients accepted meanwhile, for the reactor to add.
    pub newcomers: Vec<Client>,
    /// Connections refused by `maxclients`.
    pub rejected: u64,
    /// Slab keys of the clients served.
    pub served: Vec<usize>,
    /// Bytes read and written meanwhile.
    pub read: usize,
    /// See [`Self::read`].
    pub written: usize,
    /// A shutdown signal arrived.
    pub signalled: bool,
    /// Anything at all was noted since the reactor last emptied the log.
    pub touched: bool,
}

/// Accepts new clients, reads every ready client's commands, has `run` execute each
/// one, and writes the replies.
pub fn serve(clients: &mut ClientSlab, io: &mut BusyIo<'_>, run: &mut BusyCommand<'_>) {
    io.log.touched = true;
    if signals::drain(io.signals) {
        io.log.signalled = true;
    }
    accept_new(io);
    for (key, client) in clients.iter_mut() {
        if serve_client(client, io, run) && !io.log.served.contains(&key) {
            io.log.served.push(key);
        }
    }
    let mut newcomers = std::mem::take(&mut io.log.newcomers);
    for client in &mut newcomers {
        serve_client(client, io, run);
    }
    io.log.newcomers = newcomers;
}

/// Accepts pending connections (bounded), as the reactor would.
fn accept_new(io: &mut BusyIo<'_>) {
    for _ in 0..ACCEPT_CAP {
        let accepted = (0..io.tcp.len() + 1).find_map(|index| {
            listener::accept_one(io.tcp, io.unix.as_deref(), index, io.keepalive)
        });
        let Some((mut stream, peer, local)) = accepted else {
            return;
        };
        if io.connected + io.log.newcomers.len() >= io.maxclients {
            listener::refuse(&mut stream, &peer);
            io.log.rejected += 1;
            continue;
        }
        if io.protected && !listener::from_loopback(&stream) {
            listener::deny_protected(&mut stream);
            io.log.rejected += 1;
            continue;
        }
        let mut client = Client::accepted(stream, peer, local, *io.next_id, io.now_ms);
        client.session.authenticated = io.authenticated;
        *io.next_id += 1;
        io.log.newcomers.push(client);
    }
}

/// Reads and runs one client's commands and writes its replies; false if it could not
/// be served now (closing, blocked, held by CLIENT PAUSE).
fn serve_client(client: &mut Client, io: &mut BusyIo<'_>, run: &mut BusyCommand<'_>) -> bool {
    if !client.ready_for_command() || !client.accepts_input() {
        return false;
    }
    io.log.read += read_available(client);
    while client.ready_for_command() {
        io.limits.unauthenticated = !client.session.authenticated && !io.authenticated;
        match client.parser.parse(&mut client.query, &io.limits) {
            Ok(ParseOutcome::Command(args)) => {
                run(&mut client.session, &args, &mut client.out);
                client.parser.recycle(args);
            }
            Ok(ParseOutcome::Empty) => {}
            Ok(ParseOutcome::Incomplete) => break,
            Err(err) => {
                client.reject_protocol(&err);
                break;
            }
        }
    }
    match client.out.write_to(&mut client.stream, WRITE_CAP) {
        Ok(n) => io.log.written += n,
        Err(_) => client.close_asap = true,
    }
    true
}

/// Reads what the socket has, up to [`READ_CAP`]; notes a peer that closed.
fn read_available(client: &mut Client) -> usize {
    let mut chunk = [0u8; 4096];
    let mut total = 0;
    while total < READ_CAP {
        match client.stream.read(&mut chunk) {
            Ok(0) => {
                client.peer_closed = true;
                break;
            }
            Ok(n) => {
                client.query.extend_from_slice(&chunk[..n]);
                total += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(_) => {
                client.close_asap = true;
                break;
            }
        }
    }
    total
}
