//! Fuzz target `resp_parser`: the incremental RESP request parser
//! (`rredis::protocol::RequestParser`) on arbitrary bytes.
//!
//! Two properties, both on every input:
//! 1. **Splits do not matter.** The bytes parsed in one piece and the same bytes fed in
//!    random pieces (cut points taken from the input's first bytes) give the same
//!    commands, the same empty requests and the same protocol error. Inputs stay under
//!    the 64 KB inline/header limit, past which Redis itself answers differently
//!    depending on what has arrived, so the property is exact.
//! 2. **Round trip.** Arguments derived from the input (some inflated past
//!    `BIG_ARG`, so the dedicated-buffer path runs) are encoded as a multibulk and read
//!    back the way the reactor reads: no more than `big_bulk_missing` while a big bulk
//!    is pending. They must come back byte for byte.
//!
//! Nothing may panic, and the parser must never hand out an empty command.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use rredis::error::ProtocolError;
use rredis::protocol::parser::{BIG_ARG, INLINE_MAX_SIZE};
use rredis::protocol::{ParseLimits, ParseOutcome, RequestParser};

/// What a parse run produced: each command (`None` for an empty request) and the
/// error that ended it, if any.
type Trace = (Vec<Option<Vec<Bytes>>>, Option<ProtocolError>);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let limits = ParseLimits {
        max_bulk_len: if mode & 1 == 0 { 512 * 1024 * 1024 } else { 16 },
        unauthenticated: mode & 2 != 0,
    };
    let cut_count = usize::from(mode >> 4).min(rest.len() / 2);
    let (cut_bytes, stream) = rest.split_at(cut_count * 2);
    if stream.len() < INLINE_MAX_SIZE {
        let whole = run(stream, &[stream.len()], &limits);
        let cuts = cut_points(cut_bytes, stream.len());
        assert_eq!(whole, run(stream, &cuts, &limits), "cuts {cuts:?}");
    }
    round_trip(stream, mode);
});

/// Ascending cut points (the end of each piece) from pairs of bytes.
fn cut_points(bytes: &[u8], len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = bytes
        .chunks(2)
        .map(|p| usize::from(u16::from_le_bytes([p[0], p[1]])) % (len + 1))
        .collect();
    cuts.push(len);
    cuts.sort_unstable();
    cuts
}

/// Feeds `stream` in pieces ending at `cuts`, parsing after each, as the reactor does.
fn run(stream: &[u8], cuts: &[usize], limits: &ParseLimits) -> Trace {
    let mut parser = RequestParser::new();
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    let mut start = 0;
    for &end in cuts {
        buf.extend_from_slice(&stream[start..end]);
        start = end;
        loop {
            match parser.parse(&mut buf, limits) {
                Ok(ParseOutcome::Command(args)) => {
                    assert!(!args.is_empty(), "a command with no arguments");
                    commands.push(Some(args));
                }
                Ok(ParseOutcome::Empty) => commands.push(None),
                Ok(ParseOutcome::Incomplete) => break,
                Err(err) => return (commands, Some(err)),
            }
        }
    }
    (commands, None)
}

/// Encodes arguments cut from `stream` (the first two 0xFF bytes inflated to
/// `BIG_ARG` bytes or a little more)
/// and checks they parse back unchanged through reads of varying sizes.
fn round_trip(stream: &[u8], mode: u8) {
    let mut inflations = 0;
    let args: Vec<Vec<u8>> = stream
        .split(|&b| b == b'|')
        .take(16)
        .map(|piece| {
            let mut arg = Vec::new();
            for &b in piece {
                match b {
                    0xFF if inflations < 2 => {
                        inflations += 1;
                        arg.resize(arg.len() + BIG_ARG + usize::from(mode), b'x');
                    }
                    _ => arg.push(b),
                }
            }
            arg
        })
        .collect();
    let mut wire = format!("*{}\r\n", args.len()).into_bytes();
    for arg in &args {
        wire.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        wire.extend_from_slice(arg);
        wire.extend_from_slice(b"\r\n");
    }
    let got = read_like_reactor(&wire, 1 + usize::from(mode) * 37);
    assert_eq!(got.len(), args.len());
    for (a, b) in got.iter().zip(&args) {
        assert!(a[..] == b[..], "argument changed in transit");
    }
}

/// Reads `wire` in reads of at most `step` bytes, never past a pending big bulk, and
/// returns the one command it holds.
fn read_like_reactor(wire: &[u8], step: usize) -> Vec<Bytes> {
    let mut parser = RequestParser::new();
    let mut buf = BytesMut::new();
    let mut at = 0;
    loop {
        let want = parser.big_bulk_missing(&buf).unwrap_or(step).min(step);
        let end = (at + want.max(1)).min(wire.len());
        buf.extend_from_slice(&wire[at..end]);
        at = end;
        match parser.parse(&mut buf, &ParseLimits::default()) {
            Ok(ParseOutcome::Command(args)) => return args,
            Ok(ParseOutcome::Incomplete) if at < wire.len() => {}
            other => panic!("encoded command did not parse: {other:?}"),
        }
    }
}
