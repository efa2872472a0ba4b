//! Per-client state that commands may read and change.
//!
//! The server's client owns its `Session`; the command layer defines it, so commands never
//! reach into the reactor (docs/ARCHITECTURE.md, "The outbox").

use bytes::Bytes;

use crate::command::state::acl::UserId;
use crate::command::state::blocking::Blocked;
use crate::command::state::pubsub::Subscriptions;
use crate::command::state::replication::replicas::ReplicaConf;

/// What a command may know and change about its own client.
#[derive(Debug, Clone)]
pub struct Session {
    /// Unique, increasing client id (CLIENT ID).
    pub id: u64,
    /// Selected database index.
    pub db: usize,
    /// Protocol version: 2 or 3.
    pub resp: u8,
    /// CLIENT SETNAME name, if any.
    pub name: Option<Bytes>,
    /// The user the client acts as (AUTH, HELLO AUTH); `default` at first.
    pub user: UserId,
    /// The client authenticated, or connected while `default` needed no password:
    /// Redis's `c->authenticated`.
    pub authenticated: bool,
    /// Peer address as `ip:port` (or the socket path for unix clients).
    pub addr: String,
    /// Local address as `ip:port`.
    pub local_addr: String,
    /// Set by QUIT and protocol errors: close once the pending replies are written.
    pub close_after_reply: bool,
    /// When the client connected (ms since the epoch).
    pub created_ms: i64,
    /// Name of the last command run (CLIENT LIST `cmd=`): the container's name for a
    /// subcommand, with the subcommand in `last_subcommand`.
    pub last_command: &'static str,
    /// The subcommand of the last command run, if it was one.
    pub last_subcommand: Option<&'static str>,
    /// The address of the command spec `last_command` and `last_subcommand` were
    /// noted for (0: none): a client repeating a command skips noting its names again.
    pub last_spec: usize,
    /// Last time the client sent something (ms since the epoch): CLIENT LIST `idle=`
    /// and the idle `timeout`.
    pub last_interaction_ms: i64,
    /// The socket's file descriptor (CLIENT LIST `fd=`).
    pub fd: i32,
    /// Connected over the unix socket (flag `U`).
    pub unix_socket: bool,
    /// What happens to this client's replies (CLIENT REPLY).
    pub reply_mode: ReplyMode,
    /// CLIENT NO-EVICT: never chosen by client eviction (flag `e`).
    pub no_evict: bool,
    /// CLIENT NO-TOUCH: commands other than TOUCH leave keys' access time alone (flag `T`).
    pub no_touch: bool,
    /// In MONITOR mode: receives every command the server runs (flag `O`).
    pub monitor: bool,
    /// Reads the replication stream after SYNC or PSYNC (flag `S`); its replies are
    /// dropped.
    pub replica: bool,
    /// This connection carries the stream of the master this server replicates:
    /// its commands are obeyed, never refused, and not answered.
    pub master: bool,
    /// What the client announced with REPLCONF (listening port, capabilities).
    pub replconf: ReplicaConf,
    /// Bytes of a full synchronization's snapshot still in the output buffer: not
    /// counted against the replica output limit, as Redis sends the snapshot from
    /// outside the buffer. The reactor counts them down as they are written.
    pub snapshot_unsent: usize,
    /// A forked child writes this replica's snapshot into its socket: the loop
    /// writes nothing to it until the child is done.
    pub output_held: bool,
    /// The replication offset right after this client's last command: what WAIT
    /// waits for replicas to acknowledge (Redis's `c->woff`).
    pub woff: u64,
    /// CLIENT SETINFO LIB-NAME / LIB-VER, as the client library reported them.
    pub lib_name: Option<Bytes>,
    /// See `lib_name`.
    pub lib_ver: Option<Bytes>,
    /// A command held back by CLIENT PAUSE, run again when the pause ends; the
    /// pipeline waits behind it.
    pub postponed: Option<Vec<Bytes>>,
    /// The command this client is blocked in, if any: its pipeline waits behind it.
    pub blocked: Option<Blocked>,
    /// µs spent in the runs of a blocking command that blocked; added to its
    /// commandstats time once it completes or times out, as Redis counts it.
    pub blocked_us: u64,
    /// While the reactor serves this blocked client: the key that became ready.
    pub serving_key: Option<Bytes>,
    /// Commands queued since MULTI, if a transaction is open.
    pub multi: Option<Vec<Vec<Bytes>>>,
    /// Bytes of the arguments queued since MULTI (CLIENT LIST `multi-mem`), kept as
    /// commands are queued so client memory is counted without walking the queue;
    /// meaningful only while `multi` is open.
    pub multi_argv_len: usize,
    /// A command was refused while queueing: EXEC will abort.
    pub multi_failed: bool,
    /// True while EXEC runs the queue (blocking commands must not block).
    pub in_exec: bool,
    /// Commands come from a script (`redis.call`): XREAD/XREADGROUP refuse BLOCK.
    pub in_script: bool,
    /// Keys this client WATCHes, as (db, key).
    pub watched: Vec<(usize, Bytes)>,
    /// Channels, patterns and shard channels this client is subscribed to.
    pub subscriptions: Subscriptions,
    /// CLIENT TRACKING is on (flag `t`); the options live in `ServerState::tracking`.
    pub tracking: bool,
    /// CLIENT CACHING was given for the next command (OPTIN/OPTOUT modes).
    pub tracking_caching: bool,
}

impl Session {
    /// True for a connection from this machine (loopback or unix socket): the clients
    /// `enable-debug-command local` and `enable-protected-configs local` allow.
    pub fn is_local(&self) -> bool {
        self.unix_socket
            || self.addr.starts_with("127.")
            || self.addr.starts_with("::1")
            || self.addr.starts_with("[::1]")
    }

    /// A fresh session for client `id`, in database 0, speaking RESP2.
    pub fn new(id: u64, addr: String, local_addr: String, now_ms: i64) -> Self {
        Session {
            id,
            db: 0,
            resp: 2,
            name: None,
            user: UserId::DEFAULT,
            authenticated: false,
            addr,
            local_addr,
            close_after_reply: false,
            created_ms: now_ms,
            last_command: "NULL",
            last_subcommand: None,
            last_spec: 0,
            last_interaction_ms: now_ms,
            fd: -1,
            unix_socket: false,
            reply_mode: ReplyMode::On,
            no_evict: false,
            no_touch: false,
            monitor: false,
            replica: false,
            master: false,
            replconf: ReplicaConf::default(),
            snapshot_unsent: 0,
            output_held: false,
            woff: 0,
            lib_name: None,
            lib_ver: None,
            postponed: None,
            blocked: None,
            blocked_us: 0,
            serving_key: None,
            multi: None,
            multi_argv_len: 0,
            multi_failed: false,
            in_exec: false,
            in_script: false,
            watched: Vec::new(),
            subscriptions: Subscriptions::default(),
            tracking: false,
            tracking_caching: false,
        }
    }
}

/// CLIENT REPLY: whether replies reach the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    /// Replies are sent (the default).
    On,
    /// Every reply is dropped until CLIENT REPLY ON.
    Off,
    /// The next command's reply is dropped (set by CLIENT REPLY SKIP).
    SkipNext,
    /// This command's reply is dropped; the mode then returns to `On`.
    Skip,
}

impl ReplyMode {
    /// True when the current command's reply is dropped.
    pub fn suppresses(self) -> bool {
        matches!(self, ReplyMode::Off | ReplyMode::Skip)
    }

    /// The mode for the next command once the current one has run.
    pub fn after_command(self) -> ReplyMode {
        match self {
            ReplyMode::Skip => ReplyMode::On,
            ReplyMode::SkipNext => ReplyMode::Skip,
            other => other,
        }
    }
}
