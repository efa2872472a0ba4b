//! This server as a replica: the master it follows, where the link to it stands, and
//! how much of the master's stream it has applied. The reactor owns the socket and
//! moves the link through its states (`server/reactor/master_link.rs`); commands read this
//! state (INFO replication, ROLE, the READONLY and MASTERDOWN refusals) and REPLICAOF
//! changes it.

use bytes::Bytes;

/// Where the link to the master stands (Redis's `repl_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected; the cron tries again.
    Connect,
    /// A non-blocking connect is in flight.
    Connecting,
    /// Connected: PING, AUTH, REPLCONF and PSYNC are being exchanged.
    Handshake,
    /// Receiving the master's snapshot.
    Transfer,
    /// Following the master's stream.
    Connected,
}

impl LinkState {
    /// The word ROLE reports for this state.
    pub fn role_word(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::Handshake => "handshake",
            LinkState::Transfer => "sync",
            LinkState::Connected => "connected",
        }
    }
}

/// Progress of a snapshot transfer, for INFO's `master_sync_*` fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Payload size announced by the master (`-1` for an EOF-delimited one).
    pub total: i64,
    /// Payload bytes received so far.
    pub read: u64,
}

/// The master this server follows and the state of the link to it.
#[derive(Debug, Clone)]
pub struct MasterLink {
    /// The master's host as REPLICAOF named it.
    pub host: String,
    /// The master's port.
    pub port: u16,
    /// Where the link stands.
    pub state: LinkState,
    /// Client id of the connection the master's stream arrives on, once connected.
    pub client: Option<u64>,
    /// Stream offset applied: the master's offset of the last byte executed.
    pub applied: i64,
    /// When the master last sent anything (ms).
    pub last_io_ms: i64,
    /// When the link went down (ms; 0 when it never came up).
    pub down_since_ms: i64,
    /// The snapshot transfer in progress.
    pub transfer: Option<Transfer>,
    /// A REPLCONF GETACK arrived: the reactor answers with the applied offset.
    pub ack_requested: bool,
    /// Whether a PSYNC may name our history (replid and offset) instead of `? -1`.
    pub can_continue: bool,
}

impl MasterLink {
    /// A link about to connect to `host:port`.
    pub fn new(host: String, port: u16, now_ms: i64, can_continue: bool) -> Self {
        MasterLink {
            host,
            port,
            state: LinkState::Connect,
            client: None,
            applied: 0,
            last_io_ms: now_ms,
            down_since_ms: 0,
            transfer: None,
            ack_requested: false,
            can_continue,
        }
    }

    /// True while the master's stream is being applied.
    pub fn is_up(&self) -> bool {
        self.state == LinkState::Connected
    }

    /// True for the handshake states ROLE calls `handshake`.
    pub fn in_handshake(&self) -> bool {
        self.state == LinkState::Handshake
    }

    /// The link broke (or a connection attempt failed): back to `Connect`.
    pub fn lost(&mut self, now_ms: i64) {
        if self.state == LinkState::Connected {
            self.down_since_ms = now_ms;
        }
        self.state = LinkState::Connect;
        self.client = None;
        self.transfer = None;
        self.ack_requested = false;
    }
}

/// Bytes a command takes in the replication stream, as the master encoded it
/// (`*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument): the applied offset
/// advances by this much per command.
pub fn stream_len(args: &[Bytes]) -> i64 {
    fn digits(mut n: usize) -> usize {
        let mut count = 1;
        while n >= 10 {
            n /= 10;
            count += 1;
        }
        count
    }
    let header = 3 + digits(args.len());
    let body: usize = args.iter().map(|a| 5 + digits(a.len()) + a.len()).sum();
    (header + body) as i64
}

/// The REPLCONF ACK a replica sends its master: `REPLCONF ACK <offset>`.
pub fn ack_command(offset: i64) -> Vec<u8> {
    let offset = offset.to_string();
    format!(
        "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n${}\r\n{offset}\r\n",
        offset.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_len_counts_the_encoded_command() {
        let args = [Bytes::from_static(b"SET"), Bytes::from_static(b"key")];
        assert_eq!(
            stream_len(&args),
            b"*2\r\n$3\r\nSET\r\n$3\r\nkey\r\n".len() as i64
        );
        let long = Bytes::from(vec![b'x'; 1234]);
        assert_eq!(stream_len(&[long]), (4 + 7 + 1234 + 2) as i64);
    }

    #[test]
    fn the_ack_names_the_offset() {
        assert_eq!(
            ack_command(1234),
            b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$4\r\n1234\r\n"
        );
    }

    #[test]
    fn a_lost_link_remembers_when_it_went_down() {
        let mut link = MasterLink::new("h".into(), 1, 0, false);
        link.lost(5);
        assert_eq!(link.down_since_ms, 0);
        link.state = LinkState::Connected;
        link.client = Some(3);
        link.lost(9);
        assert_eq!(
            (link.state, link.client, link.down_since_ms),
            (LinkState::Connect, None, 9)
        );
    }
}
