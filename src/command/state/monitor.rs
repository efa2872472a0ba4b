//! MONITOR clients and the lines waiting for them.

use std::fmt::Write as _;

use bytes::Bytes;

use crate::protocol::inline::quote_into;

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

    /// True when lines wait for the monitors.
    pub fn has_lines(&self) -> bool {
        !self.lines.is_empty()
    }

    /// The lines queued since the last call.
    pub fn take_lines(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.lines)
    }
}

/// Parameters whose values are secrets (Redis's `SENSITIVE_CONFIG`).
const SENSITIVE_CONFIGS: &[&[u8]] = &[
    b"requirepass",
    b"masterauth",
    b"tls-key-file-pass",
    b"tls-client-key-file-pass",
];

/// The positions of the arguments Redis hides from MONITOR and the slow log as
/// `(redacted)`: the credentials of AUTH, of HELLO's AUTH option and of MIGRATE's
/// AUTH/AUTH2 options, every rule of ACL SETUSER, and the values CONFIG SET gives to
/// the parameters that hold secrets.
pub fn redacted(args: &[Bytes]) -> Vec<usize> {
    let name = &args[0];
    if name.eq_ignore_ascii_case(b"config")
        && args.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"set"))
    {
        return (2..args.len().saturating_sub(1))
            .step_by(2)
            .filter(|&at| {
                SENSITIVE_CONFIGS
                    .iter()
                    .any(|s| args[at].eq_ignore_ascii_case(s))
            })
            .map(|at| at + 1)
            .collect();
    }
    if name.eq_ignore_ascii_case(b"auth") {
        // AUTH refuses more than two arguments before it hides anything.
        return if args.len() <= 3 {
            (1..args.len()).collect()
        } else {
            Vec::new()
        };
    }
    if name.eq_ignore_ascii_case(b"acl")
        && args
            .get(1)
            .is_some_and(|a| a.eq_ignore_ascii_case(b"setuser"))
    {
        return (2..args.len()).collect();
    }
    let (start, options): (usize, &[(&[u8], usize)]) = if name.eq_ignore_ascii_case(b"hello") {
        (2, &[(b"auth", 2)])
    } else if name.eq_ignore_ascii_case(b"migrate") {
        (6, &[(b"auth", 1), (b"auth2", 2)])
    } else {
        return Vec::new();
    };
    let mut hidden = Vec::new();
    let mut at = start;
    while at < args.len() {
        let secret = options
            .iter()
            .find(|(option, _)| args[at].eq_ignore_ascii_case(option));
        match secret {
            Some(&(_, count)) if at + count < args.len() => {
                hidden.extend(at + 1..=at + count);
                at += count + 1;
            }
            _ => at += 1,
        }
    }
    hidden
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
        assert_eq!(redacted(&args(&["auth", "user", "pw"])), [1, 2]);
        let config = args(&[
            "config",
            "set",
            "hz",
            "5",
            "REQUIREPASS",
            "pw",
            "masterauth",
        ]);
        assert_eq!(redacted(&config), [5]);
        assert_eq!(
            redacted(&args(&["HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"])),
            [3, 4]
        );
        assert_eq!(redacted(&args(&["hello", "3"])), Vec::<usize>::new());
        assert_eq!(redacted(&args(&["get", "auth"])), Vec::<usize>::new());
        assert_eq!(redacted(&args(&["acl", "setuser", "u", ">p"])), [2, 3]);
        let migrate = [
            "migrate", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a",
        ];
        assert_eq!(redacted(&args(&migrate)), [7, 8]);
        let migrate = ["migrate", "h", "1", "k", "0", "5", "COPY", "AUTH", "p"];
        assert_eq!(redacted(&args(&migrate)), [8]);
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
