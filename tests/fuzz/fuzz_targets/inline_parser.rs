//! Fuzz target `inline_parser`: inline commands (`rredis::protocol::inline::split_args`,
//! Redis's `sdssplitargs`) and the request parser's inline path.
//!
//! Properties:
//! 1. `split_args` never panics; whatever it accepts, quoted back (double quotes,
//!    `\xHH` for every byte that is not plain) and split again, gives the same
//!    arguments.
//! 2. The request parser, given the line with `\r\n` (when the line holds no LF or NUL
//!    and does not start with `*`), answers exactly what `split_args` answers: the
//!    arguments, an empty request, or the unbalanced-quotes error.
//! 3. Arbitrary arguments (the input cut at `|`), quoted, split back to themselves.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rredis::error::ProtocolError;
use rredis::protocol::inline::split_args;
use rredis::protocol::{ParseLimits, ParseOutcome, RequestParser};

fuzz_target!(|data: &[u8]| {
    if let Some(args) = split_args(data) {
        let again = split_args(&quote_all(args.iter().map(|a| &a[..])));
        assert_eq!(again.as_ref(), Some(&args), "quoting changed the arguments");
    }
    if !data.contains(&b'\n') && !data.contains(&0) && data.first() != Some(&b'*') {
        through_parser(data);
    }
    let pieces: Vec<&[u8]> = data.split(|&b| b == b'|').collect();
    let split = split_args(&quote_all(pieces.iter().copied()));
    let split: Option<Vec<&[u8]>> = split.as_ref().map(|v| v.iter().map(|a| &a[..]).collect());
    assert_eq!(split, Some(pieces), "quoted arguments did not split back");
});

/// Sends `line\r\n` through the request parser and compares with `split_args`.
fn through_parser(line: &[u8]) {
    let mut buf = BytesMut::from(line);
    buf.extend_from_slice(b"\r\n");
    let got = RequestParser::new().parse(&mut buf, &ParseLimits::default());
    let expected = match split_args(line) {
        None => Err(ProtocolError::UnbalancedQuotes),
        Some(args) if args.is_empty() => Ok(ParseOutcome::Empty),
        Some(args) => Ok(ParseOutcome::Command(args)),
    };
    assert_eq!(got, expected);
    if got.is_ok() {
        assert!(buf.is_empty(), "the line was not consumed whole");
    }
}

/// Each argument in double quotes, separated by a space; bytes other than
/// alphanumerics become `\xHH`.
fn quote_all<'a>(args: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut line = Vec::new();
    for arg in args {
        line.extend_from_slice(b"\"");
        for &b in arg {
            if b.is_ascii_alphanumeric() {
                line.push(b);
            } else {
                line.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
        }
        line.extend_from_slice(b"\" ");
    }
    line
}
