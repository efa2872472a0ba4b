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

use crate::command::state::directory::{Admission, BusyCommand};
use crate::protocol::{ParseLimits, ParseOutcome};
use crate::server::client::{Client, ClientSlab};
use crate::server::{listener, signals};

/// Most bytes read from one client per call (a busy script is not a bulk loader).
const READ_CAP: usize = 64 * 1024;
/// Most bytes written to one client per call; the rest waits for the loop.
const WRITE_CAP: usize = 1024 * 1024;
/// Most connections accepted per call.
const ACCEPT_CAP: usize = 64;

/// The loop's parts the reactor lends every command, for a busy script to serve
/// clients with: only references, so lending them costs next to nothing.
pub struct Lent<'a> {
    /// The TCP listeners.
    pub tcp: &'a mut Vec<TcpListener>,
    /// The unix listener and its path.
    pub unix: Option<&'a mut (UnixListener, String)>,
    /// The signal pipe.
    pub signals: &'a mut mio::unix::pipe::Receiver,
    /// The id the next accepted client gets.
    pub next_id: &'a mut u64,
    /// What happened meanwhile, for the reactor to finish.
    pub log: &'a mut BusyLog,
}

/// What a busy script serves clients with: the lent parts, and the settings as the
/// script found them when it started serving.
pub struct BusyIo<'l, 'a> {
    /// The loop's parts.
    pub lent: &'l mut Lent<'a>,
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
}

impl<'l, 'a> BusyIo<'l, 'a> {
    /// The lent parts with the settings of `admission`, for `connected` clients.
    pub fn new(lent: &'l mut Lent<'a>, admission: &Admission, connected: usize) -> Self {
        BusyIo {
            lent,
            limits: ParseLimits {
                max_bulk_len: admission.max_bulk_len,
                unauthenticated: false,
            },
            authenticated: admission.authenticated,
            protected: admission.protected,
            maxclients: admission.maxclients,
            connected,
            keepalive: admission.keepalive,
            now_ms: admission.now_ms,
        }
    }
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
pub fn serve(clients: &mut ClientSlab, io: &mut BusyIo<'_, '_>, run: &mut BusyCommand<'_>) {
    io.lent.log.touched = true;
    if signals::drain(io.lent.signals) {
        io.lent.log.signalled = true;
    }
    accept_new(io);
    for (key, client) in clients.iter_mut() {
        if serve_client(client, io, run) && !io.lent.log.served.contains(&key) {
            io.lent.log.served.push(key);
        }
    }
    let mut newcomers = std::mem::take(&mut io.lent.log.newcomers);
    for client in &mut newcomers {
        serve_client(client, io, run);
    }
    io.lent.log.newcomers = newcomers;
}

/// Accepts pending connections (bounded), as the reactor would.
fn accept_new(io: &mut BusyIo<'_, '_>) {
    for _ in 0..ACCEPT_CAP {
        let accepted = (0..io.lent.tcp.len() + 1).find_map(|index| {
            listener::accept_one(io.lent.tcp, io.lent.unix.as_deref(), index, io.keepalive)
        });
        let Some((mut stream, peer, local)) = accepted else {
            return;
        };
        if io.connected + io.lent.log.newcomers.len() >= io.maxclients {
            listener::refuse(&mut stream, &peer);
            io.lent.log.rejected += 1;
            continue;
        }
        if io.protected && !listener::from_loopback(&stream) {
            listener::deny_protected(&mut stream);
            io.lent.log.rejected += 1;
            continue;
        }
        let mut client = Client::accepted(stream, peer, local, *io.lent.next_id, io.now_ms);
        client.session.authenticated = io.authenticated;
        *io.lent.next_id += 1;
        io.lent.log.newcomers.push(client);
    }
}

/// Reads and runs one client's commands and writes its replies; false if it could not
/// be served now (closing, blocked, held by CLIENT PAUSE).
fn serve_client(client: &mut Client, io: &mut BusyIo<'_, '_>, run: &mut BusyCommand<'_>) -> bool {
    if !client.ready_for_command() || !client.accepts_input() {
        return false;
    }
    io.lent.log.read += read_available(client);
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
        Ok(n) => io.lent.log.written += n,
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
