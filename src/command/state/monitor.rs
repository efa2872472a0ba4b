//! MONITOR clients and the lines waiting for them.

use std::fmt::Write as _;

use bytes::Bytes;

/// The monitoring clients and the lines waiting to reach them.
#[derive(Debug, Default)]
pub struct Monitors {
    clients: Vec<u64>,
    lines: Vec<Bytes>,
}

impl Monitors {
    /// True when nobody monitors (the dispatcher then formats nothing).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Ids of the monitoring clients, in the order they started.
    pub fn clients(&self) -> &[u64] {
        &self.clients
    }

    /// Starts sending lines to `client`.
    pub fn add(&mut self, client: u64) {
        if !self.clients.contains(&client) {
            self.clients.push(client);
        }
    }

    /// Stops sending lines to `client` (RESET, disconnect).
    pub fn remove(&mut self, client: u64) {
        self.clients.retain(|&id| id != client);
    }

    /// Queues the line for one command: `+<seconds>.<µs> [<db> <addr>] "arg" ...`.
    pub fn feed(&mut self, now_us: i64, db: usize, origin: &str, args: &[Bytes]) {
        let mut line = String::with_capacity(64);
        let _ = write!(
            line,
            "+{}.{:06} [{} {}]",
            now_us / 1_000_000,
            now_us % 1_000_000,
            db,
            origin
        );
        let hidden = redacted(args);
        for (index, arg) in args.iter().enumerate() {
            line.push(' ');
            if hidden.contains(&index) {
                line.push_str("\"(redacted)\"");
            } else {
                quote_into(&mut line, arg);
            }
        }
        line.push_str("\r\n");
        self.lines.push(Bytes::from(line));
    }

    /// The lines queued since the last call.
    pub fn take_lines(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.lines)
    }
}

/// The arguments to hide: the credentials of AUTH and of HELLO's AUTH option.
fn redacted(args: &[Bytes]) -> std::ops::Range<usize> {
    if args[0].eq_ignore_ascii_case(b"auth") {
        return 1..args.len();
    }
    if args[0].eq_ignore_ascii_case(b"hello") {
        let auth = args
            .iter()
            .skip(2)
            .position(|a| a.eq_ignore_ascii_case(b"auth"));
        if let Some(at) = auth.map(|i| i + 2) {
            return at + 1..(at + 3).min(args.len());
        }
    }
    0..0
}

/// Appends `bytes` in double quotes with C-style escapes, as Redis quotes arguments.
pub fn quote_into(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<Bytes> {
        items
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn lines_quote_and_escape_arguments() {
        let mut monitors = Monitors::default();
        monitors.feed(
            1_700_000_000_000_042,
            3,
            "127.0.0.1:5000",
            &[
                Bytes::from_static(b"set"),
                Bytes::from_static(b"a\"b\\\n\x01 \xff"),
            ],
        );
        let lines = monitors.take_lines();
        assert_eq!(
            &lines[0][..],
            &b"+1700000000.000042 [3 127.0.0.1:5000] \"set\" \"a\\\"b\\\\\\n\\x01 \\xff\"\r\n"[..]
        );
        assert!(monitors.take_lines().is_empty());
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(redacted(&args(&["auth", "user", "pw"])), 1..3);
        assert_eq!(
            redacted(&args(&["HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"])),
            3..5
        );
        assert_eq!(redacted(&args(&["hello", "3"])), 0..0);
        assert_eq!(redacted(&args(&["get", "auth"])), 0..0);
    }

    #[test]
    fn clients_are_added_once_and_removed() {
        let mut monitors = Monitors::default();
        monitors.add(4);
        monitors.add(4);
        monitors.add(9);
        assert_eq!(monitors.clients(), &[4, 9]);
        monitors.remove(4);
        assert_eq!(monitors.clients(), &[9]);
        assert!(!monitors.is_empty());
    }
}
