//! The link to the master while this server is a replica, from the connection to the
//! moment the master's stream starts: a non-blocking connect, the handshake (PING,
//! AUTH, REPLCONF, PSYNC), and the snapshot of a full resynchronization, written to a
//! temporary file as it arrives, renamed to the RDB file and loaded, as Redis does
//! with `repl-diskless-load disabled`. The connection then becomes a client of the
//! slab flagged as the master: its commands run through the executor like anyone's,
//! unanswered, and the applied offset follows them.
//!
//! A broken link goes back to `Connect` and is retried at once, then once a second by
//! the cron, like Redis's `replicationCron`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::ToSocketAddrs;
use std::path::PathBuf;

use mio::net::TcpStream;
use mio::{Interest, Token};

use super::{Server, MAX_LISTENERS};
use crate::command::core::executor::Executor;
use crate::command::state::master_link::LinkState;
use crate::command::state::session::ReplyMode;
use crate::server::client::{Client, Stream};
use crate::server::listener::LISTENER_BASE;

/// Token of the connection to the master before it joins the slab.
pub(super) const MASTER_TOKEN: Token = Token(LISTENER_BASE - MAX_LISTENERS);

/// Bytes of snapshot read per loop turn, so that a fast master does not hold the loop.
const TRANSFER_BUDGET: usize = 8 * 1024 * 1024;

/// Length of the end mark of a snapshot sent without a size (`$EOF:<mark>`).
const EOF_MARK_LEN: usize = 40;

/// A reply the handshake waits for, in the order the requests went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Pong,
    Auth,
    Replconf,
}

/// How the end of the snapshot is found.
enum Body {
    /// The master announced the size; this many bytes are still to come.
    Sized(u64),
    /// The snapshot ends with `mark`; the last bytes received are held back in
    /// `tail` until it is known whether they are the mark.
    UntilMark { mark: Vec<u8>, tail: Vec<u8> },
}

/// The snapshot being received.
struct Payload {
    replid: String,
    offset: i64,
    file: File,
    path: PathBuf,
    body: Body,
}

/// Where the handshake stands.
enum Phase {
    Connecting,
    Replies(VecDeque<Expect>),
    Psync,
    PayloadHeader { replid: String, offset: i64 },
    Payload(Payload),
}

/// What the handshake needs next.
#[derive(Debug)]
enum Next {
    /// More input, or a writable socket.
    Wait,
    /// Read again on the next turn: the transfer budget ran out.
    Again,
    /// Give up this attempt; the cron tries again.
    Fail(String),
    /// The stream starts: `leftover` is its first bytes; `ack` when the master waits
    /// for an ACK before it sends more (a snapshot that ended with a mark).
    Established {
        leftover: Vec<u8>,
        ack: bool,
        /// A partial resynchronization: the stream goes on where it stopped.
        continued: bool,
    },
}

/// The connection to the master before it becomes a client.
pub(super) struct Handshake {
    stream: TcpStream,
    phase: Phase,
    input: Vec<u8>,
    output: Vec<u8>,
    /// The transfer stopped at its budget: read again on the next turn.
    pub(super) again: bool,
}

impl Drop for Payload {
    /// A transfer that did not complete leaves no temporary file behind (after a
    /// complete one the file was renamed and this finds nothing).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A command as RESP, for the handshake's requests.
fn encode(words: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for word in words {
        out.extend_from_slice(format!("${}\r\n{word}\r\n", word.len()).as_bytes());
    }
    out
}

/// Cuts one line (without its `\r\n` or `\n`) off the front of `input`.
fn take_line(input: &mut Vec<u8>) -> Option<String> {
    let end = input.iter().position(|&b| b == b'\n')?;
    let mut line: Vec<u8> = input.drain(..=end).collect();
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

impl Handshake {
    /// Starts a non-blocking connection to `host:port`.
    fn connect(host: &str, port: u16) -> io::Result<Handshake> {
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other("no address for the master"))?;
        let stream = TcpStream::connect(addr)?;
        Ok(Handshake {
            stream,
            phase: Phase::Connecting,
            input: Vec::new(),
            output: Vec::new(),
            again: false,
        })
    }

    /// Moves the handshake on after a socket event (or a turn with input left).
    fn advance(&mut self, exec: &mut Executor) -> Next {
        if matches!(self.phase, Phase::Connecting) {
            match self.connected(exec) {
                Next::Wait => {}
                other => return other,
            }
        }
        if let Err(e) = self.flush() {
            return Next::Fail(format!("Error writing to the MASTER: {e}"));
        }
        let mut read = match self.fill(exec) {
            Ok(read) => read,
            Err(e) => return Next::Fail(e),
        };
        let next = match read.next.take() {
            Some(next) => next,
            None => self.process(exec),
        };
        if let Err(e) = self.flush() {
            return Next::Fail(format!("Error writing to the MASTER: {e}"));
        }
        match next {
            Next::Wait if read.budget_spent => Next::Again,
            Next::Wait if read.closed => Next::Fail("the MASTER closed the connection".into()),
            other => other,
        }
    }

    /// The connect finished (or failed): send PING.
    fn connected(&mut self, exec: &mut Executor) -> Next {
        match self.stream.take_error() {
            Ok(None) => {}
            Ok(Some(e)) | Err(e) => {
                return Next::Fail(format!("Error condition on socket for SYNC: {e}"))
            }
        }
        match self.stream.peer_addr() {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return Next::Wait,
            Err(e) => return Next::Fail(format!("Error condition on socket for SYNC: {e}")),
        }
        log::info!("Non blocking connect for SYNC fired the event.");
        let _ = self.stream.set_nodelay(true);
        exec.set_master_link_state(LinkState::Handshake);
        self.output.extend(encode(&["PING"]));
        self.phase = Phase::Replies(VecDeque::from([Expect::Pong]));
        Next::Wait
    }

    /// Writes what is queued; the rest waits for WRITABLE.
    fn flush(&mut self) -> io::Result<()> {
        while !self.output.is_empty() {
            match self.stream.write(&self.output) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => {
                    self.output.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads what the socket has, up to the transfer budget.
    fn fill(&mut self, exec: &mut Executor) -> Result<ReadOutcome, String> {
        let mut outcome = ReadOutcome::default();
        if matches!(self.phase, Phase::Connecting) {
            return Ok(outcome);
        }
        let mut chunk = [0u8; 64 * 1024];
        let mut total = 0;
        loop {
            if total >= TRANSFER_BUDGET {
                outcome.budget_spent = true;
                break;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    outcome.closed = true;
                    break;
                }
                Ok(n) => {
                    total += n;
                    self.input.extend_from_slice(&chunk[..n]);
                    exec.note_master_io();
                    if matches!(self.phase, Phase::Payload(_)) {
                        // Written out as it comes: the snapshot never sits in memory.
                        match self.process(exec) {
                            Next::Wait => {}
                            next => {
                                outcome.next = Some(next);
                                break;
                            }
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("Error reading from the MASTER: {e}")),
            }
        }
        Ok(outcome)
    }

    /// Consumes the input the current phase can use.
    fn process(&mut self, exec: &mut Executor) -> Next {
        loop {
            let next = match &mut self.phase {
                Phase::Connecting => return Next::Wait,
                Phase::Replies(_) => self.on_reply(exec),
                Phase::Psync => self.on_psync(exec),
                Phase::PayloadHeader { .. } => self.on_payload_header(exec),
                Phase::Payload(_) => self.on_payload(exec),
            };
            match next {
                Some(Next::Wait) => continue,
                Some(other) => return other,
                None => return Next::Wait,
            }
        }
    }

    /// One reply to PING, AUTH or REPLCONF. `None`: no complete line yet.
    fn on_reply(&mut self, exec: &mut Executor) -> Option<Next> {
        let line = take_line(&mut self.input)?;
        let Phase::Replies(expected) = &mut self.phase else {
            return None;
        };
        let kind = expected.pop_front()?;
        let error = line.starts_with('-');
        match kind {
            Expect::Pong => {
                let tolerated = ["-NOAUTH", "-NOPERM", "-ERR operation not permitted"];
                if error && !tolerated.iter().any(|p| line.starts_with(p)) {
                    return Some(Next::Fail(format!(
                        "Error reply to PING from master: '{line}'"
                    )));
                }
                log::info!("Master replied to PING, replication can continue...");
                self.introduce(exec);
            }
            Expect::Auth if error => {
                return Some(Next::Fail(format!("Unable to AUTH to MASTER: {line}")));
            }
            Expect::Replconf if error => {
                log::info!("(Non critical) Master does not understand REPLCONF: {line}");
            }
            _ => {}
        }
        let done = matches!(&self.phase, Phase::Replies(left) if left.is_empty());
        if done {
            let intro = exec.master_introduction();
            log::info!(
                "Trying a partial resynchronization (request {}:{}).",
                intro.psync[0],
                intro.psync[1]
            );
            self.output
                .extend(encode(&["PSYNC", &intro.psync[0], &intro.psync[1]]));
            self.phase = Phase::Psync;
        }
        Some(Next::Wait)
    }

    /// AUTH, REPLCONF listening-port, REPLCONF ip-address, REPLCONF capa: sent
    /// together, their replies read in order.
    fn introduce(&mut self, exec: &Executor) {
        let intro = exec.master_introduction();
        let mut expected = VecDeque::new();
        if let Some(auth) = &intro.auth {
            let words: Vec<&str> = auth.iter().map(String::as_str).collect();
            self.output.extend(encode(&words));
            expected.push_back(Expect::Auth);
        }
        let port = intro.listening_port.to_string();
        self.output
            .extend(encode(&["REPLCONF", "listening-port", &port]));
        expected.push_back(Expect::Replconf);
        if let Some(ip) = &intro.announce_ip {
            self.output.extend(encode(&["REPLCONF", "ip-address", ip]));
            expected.push_back(Expect::Replconf);
        }
        self.output
            .extend(encode(&["REPLCONF", "capa", "eof", "capa", "psync2"]));
        expected.push_back(Expect::Replconf);
        self.phase = Phase::Replies(expected);
    }

    /// PSYNC's answer: a full resynchronization, a continuation, or a refusal.
    fn on_psync(&mut self, exec: &mut Executor) -> Option<Next> {
        let line = take_line(&mut self.input)?;
        if line.is_empty() {
            return Some(Next::Wait);
        }
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut words = rest.split_whitespace();
            let replid = words.next().unwrap_or_default().to_string();
            let offset = words.next().and_then(|w| w.parse().ok()).unwrap_or(-1);
            log::info!("Full resync from master: {replid}:{offset}");
            self.phase = Phase::PayloadHeader { replid, offset };
            return Some(Next::Wait);
        }
        if let Some(rest) = line.strip_prefix("+CONTINUE") {
            log::info!("Successful partial resynchronization with master.");
            let new_id = rest.split_whitespace().next();
            exec.continue_with_master(new_id);
            let leftover = std::mem::take(&mut self.input);
            return Some(Next::Established {
                leftover,
                ack: false,
                continued: true,
            });
        }
        if line.starts_with("-NOMASTERLINK") || line.starts_with("-LOADING") {
            return Some(Next::Fail(format!(
                "Master is currently unable to PSYNC but should be in the future: {line}"
            )));
        }
        Some(Next::Fail(format!(
            "Unexpected reply to PSYNC from master: {line}"
        )))
    }

    /// The `$<size>` or `$EOF:<mark>` line before the snapshot (newlines before it
    /// are the master's keepalives while it prepares the snapshot).
    fn on_payload_header(&mut self, exec: &mut Executor) -> Option<Next> {
        let line = take_line(&mut self.input)?;
        if line.is_empty() {
            return Some(Next::Wait);
        }
        let Phase::PayloadHeader { replid, offset } = &mut self.phase else {
            return None;
        };
        if line.starts_with('-') {
            return Some(Next::Fail(format!(
                "MASTER aborted replication with an error: {line}"
            )));
        }
        let Some(header) = line.strip_prefix('$') else {
            return Some(Next::Fail(format!(
                "Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?"
            )));
        };
        let (body, total) = match header.strip_prefix("EOF:") {
            Some(mark) if mark.len() == EOF_MARK_LEN => {
                log::info!(
                    "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"
                );
                let body = Body::UntilMark {
                    mark: mark.as_bytes().to_vec(),
                    tail: Vec::new(),
                };
                (body, -1)
            }
            Some(_) => return Some(Next::Fail(format!("Bad EOF mark from MASTER: '{line}'"))),
            None => match header.parse::<u64>() {
                Ok(size) => {
                    log::info!(
                        "MASTER <-> REPLICA sync: receiving {size} bytes from master to disk"
                    );
                    (Body::Sized(size), i64::try_from(size).unwrap_or(i64::MAX))
                }
                Err(_) => {
                    return Some(Next::Fail(format!(
                        "Bad payload size from MASTER: '{line}'"
                    )))
                }
            },
        };
        let now = exec.now_ms() / 1000;
        let path = PathBuf::from(format!("temp-{now}.{}.rdb", std::process::id()));
        let file = match File::create(&path) {
            Ok(file) => file,
            Err(e) => {
                return Some(Next::Fail(format!(
                    "Opening the temp file needed for MASTER <-> REPLICA synchronization: {e}"
                )))
            }
        };
        let (replid, offset) = (std::mem::take(replid), *offset);
        exec.begin_master_transfer(total);
        self.phase = Phase::Payload(Payload {
            replid,
            offset,
            file,
            path,
            body,
        });
        Some(Next::Wait)
    }

    /// Snapshot bytes: to the file; at the end, load it.
    fn on_payload(&mut self, exec: &mut Executor) -> Option<Next> {
        let Phase::Payload(payload) = &mut self.phase else {
            return None;
        };
        if self.input.is_empty() && !matches!(payload.body, Body::Sized(0)) {
            return None;
        }
        let (written, finished) = match &mut payload.body {
            Body::Sized(left) => {
                let n = self
                    .input
                    .len()
                    .min(usize::try_from(*left).unwrap_or(usize::MAX));
                let chunk: Vec<u8> = self.input.drain(..n).collect();
                *left -= n as u64;
                (write_all(&mut payload.file, &chunk).map(|()| n), *left == 0)
            }
            Body::UntilMark { mark, tail } => {
                tail.append(&mut self.input);
                let keep = tail.len().min(EOF_MARK_LEN);
                let flushed: Vec<u8> = tail.drain(..tail.len() - keep).collect();
                let finished = tail == mark;
                (
                    write_all(&mut payload.file, &flushed).map(|()| flushed.len()),
                    finished,
                )
            }
        };
        match written {
            Ok(n) => exec.master_transfer_read(n as u64),
            Err(e) => return Some(Next::Fail(e)),
        }
        if !finished {
            return None;
        }
        Some(self.finish_payload(exec))
    }

    /// The snapshot is complete: make it the RDB file and load it.
    fn finish_payload(&mut self, exec: &mut Executor) -> Next {
        let phase = std::mem::replace(&mut self.phase, Phase::Psync);
        let Phase::Payload(payload) = phase else {
            return Next::Fail("no snapshot in progress".into());
        };
        let ack = matches!(payload.body, Body::UntilMark { .. });
        if let Err(e) = payload.file.sync_all() {
            return Next::Fail(format!("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {e}"));
        }
        let target = exec.rdb_file_path();
        if let Err(e) = std::fs::rename(&payload.path, &target) {
            return Next::Fail(format!("Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {e}", target.display()));
        }
        if let Err(e) = exec.load_master_snapshot(&target, &payload.replid, payload.offset) {
            return Next::Fail(format!("Failed trying to load the MASTER synchronization DB from disk, check server logs. ({e})"));
        }
        let leftover = std::mem::take(&mut self.input);
        Next::Established {
            leftover,
            ack,
            continued: false,
        }
    }
}

fn write_all(file: &mut File, bytes: &[u8]) -> Result<(), String> {
    file.write_all(bytes).map_err(|e| {
        format!("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {e}")
    })
}

/// What one round of reads found.
#[derive(Debug, Default)]
struct ReadOutcome {
    budget_spent: bool,
    closed: bool,
    /// Where the snapshot's end, met while reading, leads.
    next: Option<Next>,
}

impl Server {
    /// Connects to the master when the link waits in `Connect`.
    pub(super) fn connect_master(&mut self) {
        let Some((host, port)) = self.exec.master_to_connect() else {
            return;
        };
        let mut handshake = match Handshake::connect(&host, port) {
            Ok(handshake) => handshake,
            Err(e) => {
                log::warn!("Unable to connect to MASTER: {e}");
                return;
            }
        };
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .poll
            .registry()
            .register(&mut handshake.stream, MASTER_TOKEN, interest)
        {
            log::warn!("Unable to connect to MASTER: {e}");
            return;
        }
        self.exec.set_master_link_state(LinkState::Connecting);
        log::info!("MASTER <-> REPLICA sync started");
        self.handshake = Some(handshake);
    }

    /// REPLICAOF changed the master (or ended following one): drop the old link and
    /// connect to the new master, if any.
    pub(super) fn master_changed(&mut self) {
        self.drop_handshake();
        if let Some(id) = self.current_master_client.take() {
            self.kill_client(id);
        }
        self.connect_master();
    }

    /// Forgets the connection in handshake, if any.
    fn drop_handshake(&mut self) {
        if let Some(mut handshake) = self.handshake.take() {
            let _ = self.poll.registry().deregister(&mut handshake.stream);
        }
    }

    /// An event on the master's connection while in handshake (or a turn with more
    /// snapshot to read).
    pub(super) fn master_link_event(&mut self) {
        let Some(handshake) = self.handshake.as_mut() else {
            return;
        };
        handshake.again = false;
        match handshake.advance(&mut self.exec) {
            Next::Wait => {}
            Next::Again => handshake.again = true,
            Next::Fail(reason) => {
                log::warn!("{reason}");
                self.drop_handshake();
                self.exec.master_link_lost();
            }
            Next::Established {
                leftover,
                ack,
                continued,
            } => self.start_master_client(leftover, ack, continued),
        }
    }

    /// Turns the connection into the master's client and runs the stream's first
    /// bytes. A `continued` stream starts in the database the last one had selected;
    /// after a full resynchronization the master's stream selects its own.
    fn start_master_client(&mut self, leftover: Vec<u8>, ack: bool, continued: bool) {
        let Some(mut handshake) = self.handshake.take() else {
            return;
        };
        let _ = self.poll.registry().deregister(&mut handshake.stream);
        let peer = handshake
            .stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let local = handshake
            .stream
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let Handshake { stream, .. } = handshake;
        let stream = Stream::Tcp(stream);
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut client = Client::accepted(stream, peer, local, id, self.exec.now_ms());
        client.session.master = true;
        client.session.authenticated = true;
        client.session.no_evict = true;
        client.session.reply_mode = ReplyMode::Off;
        client.session.db = if continued { self.master_db } else { 0 };
        client.query.extend_from_slice(&leftover);
        let Some(key) = self.insert_client(client) else {
            self.exec.master_link_lost();
            return;
        };
        self.exec.master_connected(id);
        self.current_master_client = Some(id);
        log::info!("MASTER <-> REPLICA sync: Finished with success");
        if ack {
            if let Some(ack) = self.exec.master_ack() {
                self.queue_raw(key, &ack);
            }
        }
        self.process_input(key);
    }

    /// Appends `bytes` to the output of the client in slot `key`.
    fn queue_raw(&mut self, key: usize, bytes: &[u8]) {
        if let Some(client) = self.clients.get_mut(key) {
            client.out.extend(bytes);
        }
        self.queue_write(key);
    }

    /// The master's client closed: the link is down; connect again at once.
    pub(super) fn master_client_closed(&mut self) {
        self.current_master_client = None;
        self.exec.master_link_lost();
        log::info!("Connection with master lost.");
        self.connect_master();
    }

    /// The replica's share of the cron, once a second: connect when the link is
    /// down, give up a silent master, and tell the master how far we are.
    pub(super) fn master_link_cron(&mut self) {
        let Some(state) = self.exec.master_link_state() else {
            return;
        };
        let silent = self
            .exec
            .master_silence_ms()
            .is_some_and(|(silence, timeout)| silence > timeout);
        match state {
            LinkState::Connect => self.connect_master(),
            LinkState::Connecting | LinkState::Handshake | LinkState::Transfer if silent => {
                log::warn!("Timeout connecting to the MASTER...");
                self.drop_handshake();
                self.exec.master_link_lost();
            }
            LinkState::Connected if silent => {
                log::warn!("MASTER timeout: no data nor PING received...");
                if let Some(id) = self.current_master_client {
                    self.kill_client(id);
                }
            }
            LinkState::Connected => self.send_master_ack(),
            _ => {}
        }
    }

    /// REPLCONF ACK with the applied offset.
    fn send_master_ack(&mut self) {
        let (Some(id), Some(ack)) = (self.current_master_client, self.exec.master_ack()) else {
            return;
        };
        if let Some(&key) = self.client_keys.get(&id) {
            self.queue_raw(key, &ack);
        }
    }

    /// After one of the master's commands: answer a GETACK, and move the applied
    /// offset past the command.
    pub(super) fn after_master_command(
        exec: &mut Executor,
        client: &mut Client,
        args: &[bytes::Bytes],
    ) {
        if let Some(ack) = exec.take_master_ack() {
            client.out.extend(&ack);
        }
        exec.master_applied(args);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::state::master_link::ack_command;

    #[test]
    fn lines_are_cut_with_or_without_carriage_returns() {
        let mut input = b"+PONG\r\n\n+FULLRESYNC abc 5\r\n$12".to_vec();
        assert_eq!(take_line(&mut input).as_deref(), Some("+PONG"));
        assert_eq!(take_line(&mut input).as_deref(), Some(""));
        assert_eq!(take_line(&mut input).as_deref(), Some("+FULLRESYNC abc 5"));
        assert_eq!(take_line(&mut input), None);
        assert_eq!(input, b"$12");
    }

    #[test]
    fn requests_are_encoded_as_resp() {
        assert_eq!(
            encode(&["PSYNC", "?", "-1"]),
            b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n"
        );
        assert_eq!(
            ack_command(7),
            b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n7\r\n"
        );
    }
}
