//! Serving the other clients while a script runs past `busy-reply-threshold`.
//!
//! The executor is inside one client's command, so the reactor cannot run its loop.
//! Instead the running script calls [`serve`] (through `ClientDirectory::serve_busy`)
//! every so often: it reads what idle clients sent, hands each complete command to the
//! scripting layer, which answers `-BUSY` or carries out SCRIPT KILL / FUNCTION KILL /
//! SHUTDOWN NOSAVE, and writes that answer at once. Bytes of incomplete commands are
//! kept in a [`Stash`] and given back to their clients when the script is over.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read, Write};

use bytes::{Buf, Bytes, BytesMut};
use slab::Slab;

use crate::protocol::{ParseLimits, ParseOutcome, RequestParser};
use crate::server::client::{Client, Stream};

/// Most bytes read from one client per call (a busy script is not a bulk loader).
const READ_CAP: usize = 64 * 1024;

/// Bytes read from clients while a script was busy and not yet consumed, by slab key.
#[derive(Default)]
pub struct Stash(RefCell<HashMap<usize, BytesMut>>);

impl Stash {
    /// The stashed bytes, to append to each client's query buffer.
    pub fn take(self) -> HashMap<usize, BytesMut> {
        self.0.into_inner()
    }
}

/// True when a client can be served out of turn: nothing buffered or half parsed, no
/// reply pending (so ours goes out in order), not blocked, paused or closing.
fn idle(client: &Client) -> bool {
    client.query.is_empty()
        && !client.parser.in_progress()
        && client.out.is_empty()
        && client.ready_for_command()
        && client.accepts_input()
}

/// Reads what the socket has, up to [`READ_CAP`].
fn read_available(stream: &Stream, into: &mut BytesMut) {
    let mut chunk = [0u8; 4096];
    while into.len() < READ_CAP {
        let result = match stream {
            Stream::Tcp(s) => (&*s).read(&mut chunk),
            Stream::Unix(s) => (&*s).read(&mut chunk),
        };
        match result {
            Ok(0) => break,
            Ok(n) => into.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
}

/// Writes a short reply to an idle client's socket.
fn write_reply(stream: &Stream, reply: &[u8]) {
    let _ = match stream {
        Stream::Tcp(s) => (&*s).write_all(reply),
        Stream::Unix(s) => (&*s).write_all(reply),
    };
}

/// Reads idle clients' commands and writes the replies `answer` gives for them.
pub fn serve(clients: &Slab<Client>, stash: &Stash, answer: &mut dyn FnMut(&[Bytes]) -> Vec<u8>) {
    let mut stash = stash.0.borrow_mut();
    for (key, client) in clients.iter() {
        if !idle(client) {
            continue;
        }
        let pending = stash.entry(key).or_default();
        read_available(&client.stream, pending);
        loop {
            // A fresh parser over a copy: only complete commands are consumed, so the
            // rest can be handed back to the client's own parser untouched.
            let mut probe = pending.clone();
            let outcome = RequestParser::new().parse(&mut probe, &ParseLimits::default());
            let used = pending.len() - probe.len();
            match outcome {
                Ok(ParseOutcome::Command(args)) => {
                    pending.advance(used);
                    write_reply(&client.stream, &answer(&args));
                }
                Ok(ParseOutcome::Empty) => pending.advance(used),
                _ => break,
            }
        }
    }
    stash.retain(|_, bytes| !bytes.is_empty());
}
