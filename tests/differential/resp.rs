//! RESP helpers for the differential harness: encode a command as a multibulk,
//! find the extent of exactly one RESP2/RESP3 reply in a buffer, split an
//! aggregate reply into its raw elements, and escape bytes for humans.

/// Encodes `args` as a RESP multibulk (`*N\r\n$len\r\narg\r\n...`).
pub fn encode_command(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Result of looking for one reply at the start of a buffer.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// A whole reply occupies the first `n` bytes.
    Complete(usize),
    /// More bytes are needed.
    Incomplete,
    /// The bytes are not RESP; the text says why.
    Invalid(String),
}

/// Returns how many bytes of `buf` one complete reply occupies.
pub fn reply_len(buf: &[u8]) -> Parsed {
    match parse_at(buf, 0) {
        Ok(Some(end)) => Parsed::Complete(end),
        Ok(None) => Parsed::Incomplete,
        Err(e) => Parsed::Invalid(e),
    }
}

/// Ok(None) means incomplete; Ok(Some(end)) is the index just past the reply at `pos`.
type Step = Result<Option<usize>, String>;

/// A reply's header: type byte, the line after it, and the index after its CRLF.
type Header<'a> = (u8, &'a [u8], usize);

/// Reads the header line at `pos`; Ok(None) if the line is not complete yet.
fn header(buf: &[u8], pos: usize) -> Result<Option<Header<'_>>, String> {
    let Some(&kind) = buf.get(pos) else {
        return Ok(None);
    };
    let rest = &buf[pos + 1..];
    match rest.windows(2).position(|w| w == b"\r\n") {
        Some(i) => Ok(Some((kind, &rest[..i], pos + 1 + i + 2))),
        None => Ok(None),
    }
}

fn parse_len(line: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad length {:?}", escape(line)))
}

fn parse_at(buf: &[u8], pos: usize) -> Step {
    let Some((kind, line, after)) = header(buf, pos)? else {
        return Ok(None);
    };
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(Some(after)),
        b'$' | b'!' | b'=' => bulk_end(buf, after, parse_len(line)?),
        b'*' | b'~' | b'>' => elements_end(buf, after, parse_len(line)?),
        b'%' => elements_end(buf, after, parse_len(line)?.saturating_mul(2)),
        b'|' => match elements_end(buf, after, parse_len(line)?.saturating_mul(2))? {
            Some(end) => parse_at(buf, end), // an attribute precedes the real reply
            None => Ok(None),
        },
        other => Err(format!("unknown reply type byte {:?}", escape(&[other]))),
    }
}

fn bulk_end(buf: &[u8], start: usize, len: i64) -> Step {
    if len < 0 {
        return Ok(Some(start)); // $-1 null bulk
    }
    let end = start + len as usize + 2;
    if buf.len() < end {
        return Ok(None);
    }
    if &buf[end - 2..end] != b"\r\n" {
        return Err("bulk not terminated by CRLF".into());
    }
    Ok(Some(end))
}

fn elements_end(buf: &[u8], mut pos: usize, count: i64) -> Step {
    for _ in 0..count.max(0) {
        match parse_at(buf, pos)? {
            Some(end) => pos = end,
            None => return Ok(None),
        }
    }
    Ok(Some(pos))
}

/// Splits one complete aggregate reply into (header line incl. CRLF, raw elements).
/// Map replies yield 2n elements. Returns None for non-aggregates and null arrays.
pub fn split_aggregate(reply: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let (kind, line, mut pos) = header(reply, 0).ok()??;
    let n = parse_len(line).ok()?;
    let count = match kind {
        b'*' | b'~' | b'>' if n >= 0 => n,
        b'%' => n * 2,
        _ => return None,
    };
    let mut elems = Vec::new();
    for _ in 0..count {
        let end = parse_at(reply, pos).ok()??;
        elems.push(&reply[pos..end]);
        pos = end;
    }
    Some((&reply[..header(reply, 0).ok()??.2], elems))
}

/// Returns the payload of a bulk string reply (`$n\r\n...\r\n`), if it is one.
pub fn bulk_payload(reply: &[u8]) -> Option<&[u8]> {
    let (kind, _, after) = header(reply, 0).ok()??;
    (kind == b'$' && reply.len() >= after + 2).then(|| &reply[after..reply.len() - 2])
}

/// Returns the value of an integer reply (`:n\r\n`), if it is one.
pub fn int_value(reply: &[u8]) -> Option<i64> {
    let (kind, line, _) = header(reply, 0).ok()??;
    if kind == b':' {
        parse_len(line).ok()
    } else {
        None
    }
}

/// Escapes bytes like redis-cli does: printable ASCII as is, the rest as `\n`, `\xNN`...
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Formats a command as a corpus line (each argument double-quoted when needed).
pub fn format_command(args: &[Vec<u8>]) -> String {
    let quote = |a: &Vec<u8>| {
        let plain = !a.is_empty()
            && a.iter()
                .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
        if plain {
            escape(a)
        } else {
            format!("\"{}\"", escape(a))
        }
    };
    args.iter().map(quote).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lengths() {
        assert_eq!(reply_len(b"+OK\r\n"), Parsed::Complete(5));
        assert_eq!(reply_len(b"$3\r\nfoo\r\n+"), Parsed::Complete(9));
        assert_eq!(reply_len(b"$3\r\nfo"), Parsed::Incomplete);
        assert_eq!(reply_len(b"*2\r\n:1\r\n$-1\r\n"), Parsed::Complete(13));
        assert_eq!(reply_len(b"%1\r\n+a\r\n"), Parsed::Incomplete);
        assert_eq!(reply_len(b"|1\r\n+a\r\n+b\r\n:1\r\n"), Parsed::Complete(16));
        assert!(matches!(reply_len(b"?x\r\n"), Parsed::Invalid(_)));
    }
}
