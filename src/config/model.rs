//! The live configuration: every parameter the server acts on, as typed fields.

/// Who may use a protected feature (`enable-debug-command`, `enable-protected-configs`):
/// nobody, everybody, or only clients on a local connection (loopback or unix socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedAccess {
    /// Refused to every client.
    No,
    /// Allowed to every client.
    Yes,
    /// Allowed to local connections only.
    Local,
}

impl ProtectedAccess {
    /// The value as redis.conf writes it.
    pub fn name(self) -> &'static str {
        match self {
            ProtectedAccess::No => "no",
            ProtectedAccess::Yes => "yes",
            ProtectedAccess::Local => "local",
        }
    }

    /// Parses a (lower-case) redis.conf value.
    pub fn parse(word: &str) -> Option<ProtectedAccess> {
        match word {
            "no" => Some(ProtectedAccess::No),
            "yes" => Some(ProtectedAccess::Yes),
            "local" => Some(ProtectedAccess::Local),
            _ => None,
        }
    }

    /// True when a client (local or not) may use the feature.
    pub fn allows(self, local_client: bool) -> bool {
        match self {
            ProtectedAccess::No => false,
            ProtectedAccess::Yes => true,
            ProtectedAccess::Local => local_client,
        }
    }
}

/// Log verbosity, as redis.conf names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Much, but readable.
    Verbose,
    /// Moderately verbose (the default).
    Notice,
    /// Only important messages.
    Warning,
}

impl LogLevel {
    pub(super) const NAMES: [(&'static str, LogLevel); 4] = [
        ("debug", LogLevel::Debug),
        ("verbose", LogLevel::Verbose),
        ("notice", LogLevel::Notice),
        ("warning", LogLevel::Warning),
    ];

    /// The `log` crate filter that matches this level.
    pub fn filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Verbose => log::LevelFilter::Info,
            LogLevel::Notice => log::LevelFilter::Info,
            LogLevel::Warning => log::LevelFilter::Warn,
        }
    }
}

/// The live configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port; 0 picks an ephemeral port (logged at start-up).
    pub port: u16,
    /// Addresses to listen on (IPv4 and IPv6).
    pub bind: Vec<String>,
    /// A unix socket path to listen on as well, if any.
    pub unixsocket: Option<String>,
    /// Permissions of the unix socket (octal).
    pub unixsocketperm: u32,
    /// Number of databases.
    pub databases: usize,
    /// Cron frequency.
    pub hz: u32,
    /// Log verbosity.
    pub loglevel: LogLevel,
    /// Log file; empty means standard output.
    pub logfile: String,
    /// Close clients idle this many seconds (0: never).
    pub timeout: u64,
    /// Most simultaneous clients.
    pub maxclients: usize,
    /// Longest single bulk argument.
    pub proto_max_bulk_len: i64,
    /// Largest query buffer a client may accumulate.
    pub client_query_buffer_limit: usize,
    /// RDB save points as `CONFIG GET save` shows them: pairs of seconds and changes
    /// ("" for none); see [`Config::save_points`].
    pub save: String,
    /// A `save` line was read from the configuration (file or command line): the
    /// first replaces the default points, later ones add to them, as in Redis.
    pub save_lines_read: bool,
    /// `rdbcompression`: LZF-compress long strings in RDB files and DUMP payloads.
    pub rdbcompression: bool,
    /// `rdbchecksum`: end RDB files with a CRC-64 (0 when off, and then not verified).
    pub rdbchecksum: bool,
    /// `stop-writes-on-bgsave-error`: refuse writes (-MISCONF) while the last background
    /// save failed and save points exist.
    pub stop_writes_on_bgsave_error: bool,
    /// `appendonly`: keep the append-only file (turning it on at run time rewrites
    /// the AOF first, as Redis does).
    pub appendonly: bool,
    /// `appendfsync`: when the AOF is fsynced.
    pub appendfsync: AppendFsync,
    /// `appendfilename`: the prefix of the AOF files' names.
    pub appendfilename: String,
    /// `appenddirname`: the directory (inside `dir`) holding the AOF files.
    pub appenddirname: String,
    /// `auto-aof-rewrite-percentage`: rewrite when the AOF grew this much past its
    /// size after the last rewrite (0: never automatically).
    pub auto_aof_rewrite_percentage: u64,
    /// `auto-aof-rewrite-min-size`: no automatic rewrite below this size.
    pub auto_aof_rewrite_min_size: u64,
    /// `aof-load-truncated`: load an AOF whose last command was cut short, truncating it.
    pub aof_load_truncated: bool,
    /// `aof-use-rdb-preamble`: rewrite the base as an RDB file rather than commands.
    pub aof_use_rdb_preamble: bool,
    /// `aof-timestamp-enabled`: annotate the AOF with `#TS:` lines each second.
    pub aof_timestamp_enabled: bool,
    /// `aof-disable-auto-gc`: keep the files a rewrite made obsolete.
    pub aof_disable_auto_gc: bool,
    /// `no-appendfsync-on-rewrite`: skip fsyncs while a child process runs.
    pub no_appendfsync_on_rewrite: bool,
    /// Working directory: the process `chdir`s there, as Redis does, so RDB and AOF
    /// files are relative to it.
    pub dir: String,
    /// RDB file name.
    pub dbfilename: String,
    /// TCP keepalive interval in seconds.
    pub tcp_keepalive: u64,
    /// Listen backlog.
    pub tcp_backlog: u32,
    /// Protected mode.
    pub protected_mode: bool,
    /// Daemonize (only `no` is supported).
    pub daemonize: bool,
    /// `always-show-logo`: print the start-up banner (port and pid) even when the
    /// log does not go to a terminal.
    pub always_show_logo: bool,
    /// Memory limit (0: none).
    pub maxmemory: u64,
    /// What to evict when over maxmemory; also decides LRU vs LFU access tracking.
    pub maxmemory_policy: EvictionPolicy,
    /// LFU counter growth: higher means slower logarithmic growth.
    pub lfu_log_factor: u32,
    /// Bytes past which a sparse HyperLogLog becomes dense (`hll-sparse-max-bytes`).
    pub hll_sparse_max_bytes: usize,
    /// `enable-debug-command`: who may run DEBUG.
    pub enable_debug_command: ProtectedAccess,
    /// `enable-protected-configs`: who may CONFIG SET `dir` and `dbfilename`.
    pub enable_protected_configs: ProtectedAccess,
    /// `busy-reply-threshold` (alias `lua-time-limit`): ms a script may run before other
    /// clients are answered -BUSY and SCRIPT KILL / FUNCTION KILL become possible.
    pub busy_reply_threshold_ms: u64,
    /// `tracking-table-max-keys`: keys the client-side caching table may hold (0: no
    /// limit); past it, the oldest are invalidated.
    pub tracking_table_max_keys: u64,
    /// `min-replicas-to-write`: writes are refused (-NOREPLICAS) unless this many
    /// replicas lag at most `min-replicas-max-lag` seconds (0: no minimum).
    pub min_replicas_to_write: u32,
    /// `min-replicas-max-lag`: seconds (0 turns the minimum off).
    pub min_replicas_max_lag: u32,
    /// Following a master: `replicaof`, `masterauth`, `replica-read-only`...
    pub replica: ReplicaSettings,
    /// Minutes for the LFU counter to decay by one.
    pub lfu_decay_time: u32,
    /// Hashes up to this many fields use the compact listpack encoding.
    pub hash_max_listpack_entries: usize,
    /// Hashes whose fields and values are at most this long use listpack.
    pub hash_max_listpack_value: usize,
    /// Sets of integers up to this size use the intset encoding.
    pub set_max_intset_entries: usize,
    /// Sorted sets up to this many members use listpack.
    pub zset_max_listpack_entries: usize,
    /// Sorted sets whose members are at most this long use listpack.
    pub zset_max_listpack_value: usize,
    /// Quicklist node size: negative -1..-5 = 4..64 KB per node, positive = entries.
    pub list_max_listpack_size: i64,
    /// `list-compress-depth`: list nodes more than this many from either end are kept
    /// LZF-compressed (0: none are).
    pub list_compress_depth: usize,
    /// Active expiry effort 1..10: more keys per cycle, fewer stale keys tolerated.
    pub active_expire_effort: u32,
    /// Keys sampled per eviction (for the eviction work to come).
    pub maxmemory_samples: u32,
    /// Eviction effort per command, 0..100.
    pub maxmemory_eviction_tenacity: u32,
    /// Memory all clients together may use before the largest are evicted: bytes or a
    /// percentage of `maxmemory` (see [`Config::client_eviction_limit`]).
    pub maxmemory_clients: ClientMemoryLimit,
    /// Microseconds to pause after each key a snapshot writes (a hidden test hook:
    /// negative values pause one microsecond once per that many keys).
    pub rdb_key_save_delay: i32,
    /// Seconds between the PINGs the replication stream carries.
    pub repl_ping_replica_period: u64,
    /// `repl-backlog-size`: bytes of stream kept for replicas that reconnect (at least
    /// 16 KB, as Redis raises it).
    pub repl_backlog_size: u64,
    /// `repl-backlog-ttl`: seconds without replicas after which the backlog is freed
    /// (0: never).
    pub repl_backlog_ttl: u64,
    /// `repl-timeout`: seconds of silence after which a replica is disconnected.
    pub repl_timeout: u64,
    /// The same pause after each key loaded from a snapshot.
    pub key_load_delay: i32,
    /// Free values on a background thread for these deletions (clients see no difference).
    pub lazyfree: LazyFree,
    /// Output buffer limits per client class: normal, replica, pubsub.
    pub client_output_buffer_limit: [OutputLimit; 3],
    /// Keyspace notification classes (`notify-keyspace-events`, see `command::notify`).
    pub notify_keyspace_events: u32,
    /// Path of the config file read at start-up, if any.
    pub config_file: Option<String>,
    /// Commands slower than this many µs enter the slow log (negative: none, 0: all).
    pub slowlog_log_slower_than: i64,
    /// Entries the slow log keeps.
    pub slowlog_max_len: u64,
    /// Spikes of at least this many ms are recorded by the latency monitor (0: off).
    pub latency_monitor_threshold: u64,
    /// Per-command latency histograms on or off.
    pub latency_tracking: bool,
    /// The percentiles INFO latencystats reports.
    pub latency_tracking_info_percentiles: Vec<f64>,
    /// `requirepass`: the `default` user's only password (empty: `nopass`). Set at
    /// start and on every change, as Redis's old-style password.
    pub requirepass: String,
    /// `aclfile`: the file ACL LOAD and ACL SAVE use, and users load from at start
    /// (empty: none; users then come from `user` lines).
    pub aclfile: String,
    /// `acllog-max-len`: most entries the ACL log keeps.
    pub acllog_max_len: usize,
    /// `acl-pubsub-default allchannels`: new users and selectors start with every
    /// channel (`resetchannels`, the default: with none).
    pub acl_pubsub_all: bool,
    /// The config file's `user` lines, each the user's name then its rules; loaded
    /// when the server starts.
    pub users: Vec<Vec<String>>,
    /// The config file's `rename-command` lines: (command, new name; empty removes
    /// the command).
    pub renamed_commands: Vec<(String, String)>,
    /// Values of the parameters we accept and report but do not act on yet, by name
    /// (see `config_params`); a parameter absent here has its default value.
    pub stored: std::collections::BTreeMap<&'static str, String>,
}

/// One class's output buffer limit: past `hard` bytes, or past `soft` bytes for
/// `soft_seconds` in a row, the client is disconnected (0 disables a limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimit {
    /// Bytes that disconnect at once.
    pub hard: u64,
    /// Bytes that disconnect when exceeded for `soft_seconds`.
    pub soft: u64,
    /// Seconds the soft limit may be exceeded.
    pub soft_seconds: u64,
}

/// Client classes of `client-output-buffer-limit`, in CONFIG GET order.
pub const OUTPUT_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// The `lazyfree-lazy-*` switches: which deletions free their values in the background.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LazyFree {
    /// lazyfree-lazy-eviction
    pub eviction: bool,
    /// lazyfree-lazy-expire
    pub expire: bool,
    /// lazyfree-lazy-server-del
    pub server_del: bool,
    /// lazyfree-lazy-user-del: DEL behaves as UNLINK.
    pub user_del: bool,
    /// lazyfree-lazy-user-flush: FLUSHALL/FLUSHDB without a mode behave as ASYNC.
    pub user_flush: bool,
}

/// `maxmemory-clients` as written: a byte count (0: off) or a percentage of
/// `maxmemory`, which CONFIG GET prints back with its `%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMemoryLimit {
    /// A fixed number of bytes; 0 turns client eviction off.
    Bytes(u64),
    /// Percent (1..=100) of `maxmemory`; off while `maxmemory` is 0.
    Percent(u64),
}

/// The smallest client-eviction limit acted on, whatever is configured: below it a
/// mistaken setting could evict the very connection needed to fix it (Redis uses the
/// same floor, 128 KB).
pub const MIN_CLIENT_EVICTION_LIMIT: u64 = 128 * 1024;

/// `appendfsync`: when the append-only file reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendFsync {
    /// After every write, before replies go out.
    Always,
    /// Once a second, on the background thread.
    Everysec,
    /// When the kernel decides.
    No,
}

impl AppendFsync {
    /// The config word.
    pub fn name(self) -> &'static str {
        match self {
            AppendFsync::Always => "always",
            AppendFsync::Everysec => "everysec",
            AppendFsync::No => "no",
        }
    }
}

/// `maxmemory-policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionPolicy {
    /// volatile-lru
    VolatileLru,
    /// volatile-lfu
    VolatileLfu,
    /// volatile-random
    VolatileRandom,
    /// volatile-ttl
    VolatileTtl,
    /// allkeys-lru
    AllkeysLru,
    /// allkeys-lfu
    AllkeysLfu,
    /// allkeys-random
    AllkeysRandom,
    /// noeviction
    NoEviction,
}

impl EvictionPolicy {
    /// Names in Redis's order (used in its error text too).
    pub(super) const NAMES: [(&'static str, EvictionPolicy); 8] = [
        ("volatile-lru", EvictionPolicy::VolatileLru),
        ("volatile-lfu", EvictionPolicy::VolatileLfu),
        ("volatile-random", EvictionPolicy::VolatileRandom),
        ("volatile-ttl", EvictionPolicy::VolatileTtl),
        ("allkeys-lru", EvictionPolicy::AllkeysLru),
        ("allkeys-lfu", EvictionPolicy::AllkeysLfu),
        ("allkeys-random", EvictionPolicy::AllkeysRandom),
        ("noeviction", EvictionPolicy::NoEviction),
    ];

    /// True for the LFU policies: objects carry an access-frequency counter instead of an
    /// access time.
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLfu | EvictionPolicy::AllkeysLfu
        )
    }

    /// True for the LRU and LFU policies, under which integers are never shared objects.
    pub fn tracks_access(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLru
                | EvictionPolicy::VolatileLfu
                | EvictionPolicy::AllkeysLru
                | EvictionPolicy::AllkeysLfu
        )
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["*".into(), "-::*".into()],
            unixsocket: None,
            unixsocketperm: 0,
            databases: 16,
            hz: 10,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            timeout: 0,
            maxclients: 10000,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            save: "3600 1 300 100 60 10000".into(),
            save_lines_read: false,
            appendonly: false,
            appendfsync: AppendFsync::Everysec,
            appendfilename: "appendonly.aof".into(),
            appenddirname: "appendonlydir".into(),
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 << 20,
            aof_load_truncated: true,
            aof_use_rdb_preamble: true,
            aof_timestamp_enabled: false,
            aof_disable_auto_gc: false,
            no_appendfsync_on_rewrite: false,
            dir: ".".into(),
            rdbcompression: true,
            rdbchecksum: true,
            stop_writes_on_bgsave_error: true,
            dbfilename: "dump.rdb".into(),
            tcp_keepalive: 300,
            tcp_backlog: 511,
            protected_mode: true,
            daemonize: false,
            always_show_logo: false,
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            lfu_log_factor: 10,
            hll_sparse_max_bytes: 3000,
            enable_debug_command: ProtectedAccess::No,
            enable_protected_configs: ProtectedAccess::No,
            tracking_table_max_keys: 1_000_000,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            replica: Default::default(),
            busy_reply_threshold_ms: 5000,
            lfu_decay_time: 1,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            active_expire_effort: 1,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            maxmemory_clients: ClientMemoryLimit::Bytes(0),
            rdb_key_save_delay: 0,
            repl_ping_replica_period: 10,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            repl_timeout: 60,
            key_load_delay: 0,
            lazyfree: LazyFree::default(),
            notify_keyspace_events: 0,
            client_output_buffer_limit: [
                OutputLimit {
                    hard: 0,
                    soft: 0,
                    soft_seconds: 0,
                },
                OutputLimit {
                    hard: 256 << 20,
                    soft: 64 << 20,
                    soft_seconds: 60,
                },
                OutputLimit {
                    hard: 32 << 20,
                    soft: 8 << 20,
                    soft_seconds: 60,
                },
            ],
            config_file: None,
            slowlog_log_slower_than: 10_000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            latency_tracking: true,
            latency_tracking_info_percentiles: vec![50.0, 99.0, 99.9],
            requirepass: String::new(),
            aclfile: String::new(),
            acllog_max_len: 128,
            acl_pubsub_all: false,
            users: Vec::new(),
            renamed_commands: Vec::new(),
            stored: Default::default(),
        }
    }
}

impl Config {
    /// The save points as (seconds, changes) pairs: a background save starts when at
    /// least `changes` writes happened and `seconds` passed since the last save.
    pub fn save_points(&self) -> Vec<(u64, u64)> {
        let numbers: Vec<u64> = self
            .save
            .split_whitespace()
            .filter_map(|word| word.parse().ok())
            .collect();
        numbers
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect()
    }

    /// The memory all clients together may use before client eviction starts, in
    /// bytes, or 0 when client eviction is off (`maxmemory-clients 0`, or a percentage
    /// while `maxmemory` is 0). Never below [`MIN_CLIENT_EVICTION_LIMIT`] when on.
    pub fn client_eviction_limit(&self) -> u64 {
        let limit = match self.maxmemory_clients {
            ClientMemoryLimit::Bytes(0) => return 0,
            ClientMemoryLimit::Bytes(bytes) => bytes,
            ClientMemoryLimit::Percent(_) if self.maxmemory == 0 => return 0,
            ClientMemoryLimit::Percent(percent) => {
                (self.maxmemory as f64 * percent as f64 / 100.0) as u64
            }
        };
        limit.max(MIN_CLIENT_EVICTION_LIMIT)
    }
}

/// A master to follow: host and port, as `replicaof <host> <port>` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterAddr {
    /// Host name or address, as given (resolved at each connection attempt).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

/// What a replica does and how it talks to its master.
#[derive(Debug, Clone)]
pub struct ReplicaSettings {
    /// `replicaof`: the master to follow from start-up (`None`: a master itself).
    pub replicaof: Option<MasterAddr>,
    /// `masterauth`: the password sent to the master (AUTH) before replicating.
    pub masterauth: String,
    /// `masteruser`: the ACL user for AUTH (empty: the two-argument AUTH).
    pub masteruser: String,
    /// `replica-read-only`: clients other than the master may not write.
    pub read_only: bool,
    /// `replica-serve-stale-data`: answer reads while the link is down.
    pub serve_stale_data: bool,
    /// `replica-ignore-maxmemory`: never evict; the master's DELs keep the size.
    pub ignore_maxmemory: bool,
    /// `replica-announce-ip`: the address sent with REPLCONF ip-address.
    pub announce_ip: String,
    /// `replica-announce-port`: the port sent with REPLCONF listening-port (0: ours).
    pub announce_port: u16,
    /// `replica-priority`: reported in INFO for failover tools.
    pub priority: i64,
    /// `replica-announced`: reported in INFO for failover tools.
    pub announced: bool,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            replicaof: None,
            masterauth: String::new(),
            masteruser: String::new(),
            read_only: true,
            serve_stale_data: true,
            ignore_maxmemory: true,
            announce_ip: String::new(),
            announce_port: 0,
            priority: 100,
            announced: true,
        }
    }
}
