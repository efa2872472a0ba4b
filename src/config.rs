//! Every tunable: defaults, redis.conf parsing, command-line overrides, and the table
//! CONFIG GET/SET read.
//!
//! Start-up follows redis-server: `BINARY [config-file] [--directive value ...]`, where
//! each `--name value...` is the directive `name value...` appended after the file's
//! lines. Each parameter is one [`Param`] entry with a getter and a setter, so the file
//! parser, the command line and CONFIG SET share one validation path.

pub mod params;
mod rewrite;

pub use rewrite::rewrite_text;

use std::fmt;

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
    const NAMES: [(&'static str, LogLevel); 4] = [
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
    /// RDB save points (accepted; persistence comes later).
    pub save: String,
    /// AOF on or off (accepted; persistence comes later).
    pub appendonly: bool,
    /// Working directory.
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
    /// Memory limit (0: none).
    pub maxmemory: u64,
    /// What to evict when over maxmemory; also decides LRU vs LFU access tracking.
    pub maxmemory_policy: EvictionPolicy,
    /// LFU counter growth: higher means slower logarithmic growth.
    pub lfu_log_factor: u32,
    /// Bytes past which a sparse HyperLogLog becomes dense (`hll-sparse-max-bytes`).
    pub hll_sparse_max_bytes: usize,
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
    /// Active expiry effort 1..10: more keys per cycle, fewer stale keys tolerated.
    pub active_expire_effort: u32,
    /// Keys sampled per eviction (for the eviction work to come).
    pub maxmemory_samples: u32,
    /// Eviction effort per command, 0..100.
    pub maxmemory_eviction_tenacity: u32,
    /// Memory all clients together may use before being evicted (0: no limit).
    pub maxmemory_clients: u64,
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

fn format_output_limits(limits: &[OutputLimit; 3]) -> String {
    let parts: Vec<String> = OUTPUT_CLASSES
        .iter()
        .zip(limits)
        .map(|(class, l)| format!("{class} {} {} {}", l.hard, l.soft, l.soft_seconds))
        .collect();
    parts.join(" ")
}

/// Parses `class hard soft seconds` groups; classes not named keep their limits.
fn parse_output_limits(
    current: &[OutputLimit; 3],
    words: &[&str],
) -> Result<[OutputLimit; 3], ConfigError> {
    if words.is_empty() || !words.len().is_multiple_of(4) {
        return err("Wrong number of arguments in buffer limit configuration.");
    }
    let mut limits = *current;
    for group in words.chunks(4) {
        let class = match group[0].to_ascii_lowercase().as_str() {
            "normal" => 0,
            "slave" | "replica" => 1,
            "pubsub" => 2,
            _ => return err("Invalid client class specified in buffer limit configuration."),
        };
        let hard = parse_memory(group[1]);
        let soft = parse_memory(group[2]);
        let seconds = group[3].parse::<u64>().ok();
        match (hard, soft, seconds) {
            (Some(hard), Some(soft), Some(soft_seconds)) => {
                limits[class] = OutputLimit {
                    hard,
                    soft,
                    soft_seconds,
                }
            }
            _ => {
                return err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
                )
            }
        }
    }
    Ok(limits)
}

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
    const NAMES: [(&'static str, EvictionPolicy); 8] = [
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
            appendonly: false,
            dir: ".".into(),
            dbfilename: "dump.rdb".into(),
            tcp_keepalive: 300,
            tcp_backlog: 511,
            protected_mode: true,
            daemonize: false,
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            lfu_log_factor: 10,
            hll_sparse_max_bytes: 3000,
            lfu_decay_time: 1,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            active_expire_effort: 1,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            maxmemory_clients: 0,
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
            stored: Default::default(),
        }
    }
}

/// Why a directive was refused; the text is Redis's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(text: &str) -> Result<T, ConfigError> {
    Err(ConfigError(text.to_string()))
}

/// One parameter: name, whether CONFIG SET may change it, getter, setter.
pub struct Param {
    /// The directive name.
    pub name: &'static str,
    /// False for parameters only settable at start-up.
    pub mutable: bool,
    /// Renders the current value as CONFIG GET does.
    pub get: fn(&Config) -> String,
    /// Parses and applies `args` (one or more words).
    pub set: fn(&mut Config, &[String]) -> Result<(), ConfigError>,
}

/// Parses one integer argument within bounds, with Redis's error texts.
fn int_arg(args: &[String], min: i64, max: i64) -> Result<i64, ConfigError> {
    let [value] = args else {
        return err("wrong number of arguments");
    };
    let n: i64 = value
        .parse()
        .map_err(|_| ConfigError("argument couldn't be parsed into an integer".into()))?;
    if n < min || n > max {
        return Err(ConfigError(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n)
}

/// Parses a memory amount like `512mb`, `1gb`, `100` (bytes).
pub fn parse_memory(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let units: [(&str, u64); 8] = [
        ("kb", 1024),
        ("mb", 1024 * 1024),
        ("gb", 1024 * 1024 * 1024),
        ("k", 1000),
        ("m", 1000 * 1000),
        ("g", 1000 * 1000 * 1000),
        ("b", 1),
        ("", 1),
    ];
    for (suffix, mult) in units {
        if let Some(digits) = lower.strip_suffix(suffix) {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            return digits.parse::<u64>().ok()?.checked_mul(mult);
        }
    }
    None
}

fn memory_arg(args: &[String], min: u64, max: u64) -> Result<u64, ConfigError> {
    let [value] = args else {
        return err("wrong number of arguments");
    };
    let n =
        parse_memory(value).ok_or_else(|| ConfigError("argument must be a memory value".into()))?;
    if n < min || n > max {
        return Err(ConfigError(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n)
}

fn bool_arg(args: &[String]) -> Result<bool, ConfigError> {
    match args {
        [value] if value.eq_ignore_ascii_case("yes") => Ok(true),
        [value] if value.eq_ignore_ascii_case("no") => Ok(false),
        [_] => err("argument must be 'yes' or 'no'"),
        _ => err("wrong number of arguments"),
    }
}

fn string_arg(args: &[String]) -> Result<String, ConfigError> {
    match args {
        [value] => Ok(value.clone()),
        _ => err("wrong number of arguments"),
    }
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_string()
}

/// A `lazyfree-lazy-*` yes/no parameter bound to one [`LazyFree`] field.
macro_rules! lazyfree_param {
    ($name:literal, $field:ident) => {
        Param {
            name: $name,
            mutable: true,
            get: |c| yes_no(c.lazyfree.$field),
            set: |c, a| {
                c.lazyfree.$field = bool_arg(a)?;
                Ok(())
            },
        }
    };
}

/// Every parameter we honour, in CONFIG GET order.
pub const PARAMS: &[Param] = &[
    Param {
        name: "port",
        mutable: false,
        get: |c| c.port.to_string(),
        set: |c, a| {
            c.port = int_arg(a, 0, 65535)? as u16;
            Ok(())
        },
    },
    Param {
        name: "bind",
        mutable: false,
        get: |c| c.bind.join(" "),
        set: |c, a| {
            if a.is_empty() || a.len() > 16 {
                return err("Too many bind addresses specified.");
            }
            c.bind = a
                .iter()
                .flat_map(|s| s.split_whitespace().map(str::to_string))
                .collect();
            Ok(())
        },
    },
    Param {
        name: "unixsocket",
        mutable: false,
        get: |c| c.unixsocket.clone().unwrap_or_default(),
        set: |c, a| {
            let path = string_arg(a)?;
            c.unixsocket = if path.is_empty() { None } else { Some(path) };
            Ok(())
        },
    },
    Param {
        name: "unixsocketperm",
        mutable: false,
        get: |c| format!("{:o}", c.unixsocketperm),
        set: |c, a| {
            let text = string_arg(a)?;
            c.unixsocketperm = u32::from_str_radix(&text, 8)
                .map_err(|_| ConfigError("argument couldn't be parsed into an integer".into()))?;
            Ok(())
        },
    },
    Param {
        name: "databases",
        mutable: false,
        get: |c| c.databases.to_string(),
        set: |c, a| {
            c.databases = int_arg(a, 1, i32::MAX as i64)? as usize;
            Ok(())
        },
    },
    Param {
        name: "hz",
        mutable: true,
        get: |c| c.hz.to_string(),
        set: |c, a| {
            c.hz = int_arg(a, 0, i32::MAX as i64)?.clamp(1, 500) as u32;
            Ok(())
        },
    },
    Param {
        name: "loglevel",
        mutable: true,
        get: |c| {
            LogLevel::NAMES
                .iter()
                .find(|(_, l)| *l == c.loglevel)
                .map(|(n, _)| n.to_string())
                .unwrap_or_default()
        },
        set: |c, a| {
            let text = string_arg(a)?;
            match LogLevel::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&text))
            {
                Some((_, level)) => {
                    c.loglevel = *level;
                    Ok(())
                }
                None => {
                    err("argument(s) must be one of the following: debug, verbose, notice, warning")
                }
            }
        },
    },
    Param {
        name: "logfile",
        mutable: false,
        get: |c| c.logfile.clone(),
        set: |c, a| {
            c.logfile = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "timeout",
        mutable: true,
        get: |c| c.timeout.to_string(),
        set: |c, a| {
            c.timeout = int_arg(a, 0, i32::MAX as i64)? as u64;
            Ok(())
        },
    },
    Param {
        name: "maxclients",
        mutable: true,
        get: |c| c.maxclients.to_string(),
        set: |c, a| {
            c.maxclients = int_arg(a, 1, u32::MAX as i64)? as usize;
            Ok(())
        },
    },
    Param {
        name: "proto-max-bulk-len",
        mutable: true,
        get: |c| c.proto_max_bulk_len.to_string(),
        set: |c, a| {
            c.proto_max_bulk_len = memory_arg(a, 1024 * 1024, i64::MAX as u64)? as i64;
            Ok(())
        },
    },
    Param {
        name: "client-query-buffer-limit",
        mutable: true,
        get: |c| c.client_query_buffer_limit.to_string(),
        set: |c, a| {
            c.client_query_buffer_limit = memory_arg(a, 1024 * 1024, i64::MAX as u64)? as usize;
            Ok(())
        },
    },
    Param {
        name: "save",
        mutable: true,
        get: |c| c.save.clone(),
        set: |c, a| {
            let words: Vec<&str> = a.iter().flat_map(|w| w.split_whitespace()).collect();
            if !valid_save(&words) {
                return err("Invalid save parameters");
            }
            c.save = words.join(" ");
            Ok(())
        },
    },
    Param {
        name: "appendonly",
        mutable: true,
        get: |c| yes_no(c.appendonly),
        set: |c, a| {
            c.appendonly = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "dir",
        mutable: true,
        get: |c| c.dir.clone(),
        set: |c, a| {
            c.dir = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "dbfilename",
        mutable: true,
        get: |c| c.dbfilename.clone(),
        set: |c, a| {
            c.dbfilename = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "tcp-keepalive",
        mutable: true,
        get: |c| c.tcp_keepalive.to_string(),
        set: |c, a| {
            c.tcp_keepalive = int_arg(a, 0, i32::MAX as i64)? as u64;
            Ok(())
        },
    },
    Param {
        name: "tcp-backlog",
        mutable: false,
        get: |c| c.tcp_backlog.to_string(),
        set: |c, a| {
            c.tcp_backlog = int_arg(a, 0, i32::MAX as i64)? as u32;
            Ok(())
        },
    },
    Param {
        name: "protected-mode",
        mutable: true,
        get: |c| yes_no(c.protected_mode),
        set: |c, a| {
            c.protected_mode = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "daemonize",
        mutable: false,
        get: |c| yes_no(c.daemonize),
        set: |c, a| {
            if bool_arg(a)? {
                return err("daemonize is not supported: run the server under a supervisor");
            }
            c.daemonize = false;
            Ok(())
        },
    },
    Param {
        name: "maxmemory",
        mutable: true,
        get: |c| c.maxmemory.to_string(),
        set: |c, a| {
            c.maxmemory = memory_arg(a, 0, i64::MAX as u64)?;
            Ok(())
        },
    },
    Param {
        name: "maxmemory-policy",
        mutable: true,
        get: |c| {
            EvictionPolicy::NAMES
                .iter()
                .find(|(_, p)| *p == c.maxmemory_policy)
                .map(|(n, _)| n.to_string())
                .unwrap_or_default()
        },
        set: |c, a| {
            let text = string_arg(a)?;
            match EvictionPolicy::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&text))
            {
                Some((_, policy)) => {
                    c.maxmemory_policy = *policy;
                    Ok(())
                }
                None => {
                    let names: Vec<&str> = EvictionPolicy::NAMES.iter().map(|(n, _)| *n).collect();
                    Err(ConfigError(format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    )))
                }
            }
        },
    },
    Param {
        name: "hll-sparse-max-bytes",
        mutable: true,
        get: |c| c.hll_sparse_max_bytes.to_string(),
        set: |c, a| {
            c.hll_sparse_max_bytes = memory_arg(a, 0, i64::MAX as u64)? as usize;
            Ok(())
        },
    },
    Param {
        name: "lfu-log-factor",
        mutable: true,
        get: |c| c.lfu_log_factor.to_string(),
        set: |c, a| {
            c.lfu_log_factor = int_arg(a, 0, i32::MAX as i64)? as u32;
            Ok(())
        },
    },
    Param {
        name: "lfu-decay-time",
        mutable: true,
        get: |c| c.lfu_decay_time.to_string(),
        set: |c, a| {
            c.lfu_decay_time = int_arg(a, 0, i32::MAX as i64)? as u32;
            Ok(())
        },
    },
    Param {
        name: "hash-max-listpack-entries",
        mutable: true,
        get: |c| c.hash_max_listpack_entries.to_string(),
        set: |c, a| {
            c.hash_max_listpack_entries = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "hash-max-listpack-value",
        mutable: true,
        get: |c| c.hash_max_listpack_value.to_string(),
        set: |c, a| {
            c.hash_max_listpack_value = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "set-max-intset-entries",
        mutable: true,
        get: |c| c.set_max_intset_entries.to_string(),
        set: |c, a| {
            c.set_max_intset_entries = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "zset-max-listpack-entries",
        mutable: true,
        get: |c| c.zset_max_listpack_entries.to_string(),
        set: |c, a| {
            c.zset_max_listpack_entries = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "zset-max-listpack-value",
        mutable: true,
        get: |c| c.zset_max_listpack_value.to_string(),
        set: |c, a| {
            c.zset_max_listpack_value = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "list-max-listpack-size",
        mutable: true,
        get: |c| c.list_max_listpack_size.to_string(),
        set: |c, a| {
            c.list_max_listpack_size = int_arg(a, i32::MIN as i64, i32::MAX as i64)?;
            Ok(())
        },
    },
    Param {
        name: "active-expire-effort",
        mutable: true,
        get: |c| c.active_expire_effort.to_string(),
        set: |c, a| {
            c.active_expire_effort = int_arg(a, 1, 10)? as u32;
            Ok(())
        },
    },
    Param {
        name: "maxmemory-samples",
        mutable: true,
        get: |c| c.maxmemory_samples.to_string(),
        set: |c, a| {
            c.maxmemory_samples = int_arg(a, 1, 64)? as u32;
            Ok(())
        },
    },
    Param {
        name: "maxmemory-eviction-tenacity",
        mutable: true,
        get: |c| c.maxmemory_eviction_tenacity.to_string(),
        set: |c, a| {
            c.maxmemory_eviction_tenacity = int_arg(a, 0, 100)? as u32;
            Ok(())
        },
    },
    Param {
        name: "maxmemory-clients",
        mutable: true,
        get: |c| c.maxmemory_clients.to_string(),
        set: |c, a| {
            c.maxmemory_clients = memory_arg(a, 0, i64::MAX as u64)?;
            Ok(())
        },
    },
    Param {
        name: "notify-keyspace-events",
        mutable: true,
        get: |c| crate::command::notify::format_flags(c.notify_keyspace_events),
        set: |c, a| {
            let text = string_arg(a)?;
            c.notify_keyspace_events =
                crate::command::notify::parse_flags(&text).ok_or_else(|| {
                    ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
                })?;
            Ok(())
        },
    },
    Param {
        name: "client-output-buffer-limit",
        mutable: true,
        get: |c| format_output_limits(&c.client_output_buffer_limit),
        set: |c, a| {
            let words: Vec<&str> = a.iter().flat_map(|w| w.split_whitespace()).collect();
            c.client_output_buffer_limit =
                parse_output_limits(&c.client_output_buffer_limit, &words)?;
            Ok(())
        },
    },
    lazyfree_param!("lazyfree-lazy-eviction", eviction),
    lazyfree_param!("lazyfree-lazy-expire", expire),
    lazyfree_param!("lazyfree-lazy-server-del", server_del),
    lazyfree_param!("lazyfree-lazy-user-del", user_del),
    lazyfree_param!("lazyfree-lazy-user-flush", user_flush),
    Param {
        name: "slowlog-log-slower-than",
        mutable: true,
        get: |c| c.slowlog_log_slower_than.to_string(),
        set: |c, a| {
            c.slowlog_log_slower_than = int_arg(a, -1, i64::MAX)?;
            Ok(())
        },
    },
    Param {
        name: "slowlog-max-len",
        mutable: true,
        get: |c| c.slowlog_max_len.to_string(),
        set: |c, a| {
            c.slowlog_max_len = int_arg(a, 0, i64::MAX)? as u64;
            Ok(())
        },
    },
    Param {
        name: "latency-monitor-threshold",
        mutable: true,
        get: |c| c.latency_monitor_threshold.to_string(),
        set: |c, a| {
            c.latency_monitor_threshold = int_arg(a, 0, i64::MAX)? as u64;
            Ok(())
        },
    },
    Param {
        name: "latency-tracking",
        mutable: true,
        get: |c| yes_no(c.latency_tracking),
        set: |c, a| {
            c.latency_tracking = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "latency-tracking-info-percentiles",
        mutable: true,
        get: |c| crate::config::params::format_percentiles(&c.latency_tracking_info_percentiles),
        set: |c, a| {
            c.latency_tracking_info_percentiles = crate::config::params::parse_percentiles(a)?;
            Ok(())
        },
    },
];

/// Old names Redis still accepts for renamed parameters: (alias, parameter).
pub const ALIASES: &[(&str, &str)] = &[
    ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
    ("hash-max-ziplist-value", "hash-max-listpack-value"),
    ("zset-max-ziplist-entries", "zset-max-listpack-entries"),
    ("zset-max-ziplist-value", "zset-max-listpack-value"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
];

/// Every name CONFIG GET can match, aliases included, with its parameter.
pub fn all_names() -> impl Iterator<Item = (&'static str, &'static Param)> {
    let direct = PARAMS
        .iter()
        .chain(crate::config::params::STORED)
        .map(|p| (p.name, p));
    let aliased = ALIASES
        .iter()
        .chain(crate::config::params::STORED_ALIASES)
        .filter_map(|(alias, name)| find_param(name).map(|p| (*alias, p)));
    direct.chain(aliased)
}

/// Parameters CONFIG SET refuses while `enable-protected-configs` is off (the default):
/// changing where files are written is a classic attack path.
const PROTECTED: &[&str] = &["dir", "dbfilename"];

impl Param {
    /// True if CONFIG SET refuses this parameter as protected.
    pub fn is_protected(&self) -> bool {
        PROTECTED.contains(&self.name)
    }
}

/// Validates a `save` value: pairs of non-negative `<seconds> <changes>`, or empty.
fn valid_save(words: &[&str]) -> bool {
    words.len().is_multiple_of(2) && words.iter().all(|w| w.parse::<u64>().is_ok())
}

/// The parameter named `name` (case-insensitive).
pub fn find_param(name: &str) -> Option<&'static Param> {
    let name = ALIASES
        .iter()
        .chain(crate::config::params::STORED_ALIASES)
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map_or(name, |(_, real)| real);
    PARAMS
        .iter()
        .chain(crate::config::params::STORED)
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

impl Config {
    /// Applies one directive (`name` and its arguments).
    pub fn apply(&mut self, name: &str, args: &[String]) -> Result<(), ConfigError> {
        let param = find_param(name)
            .ok_or_else(|| ConfigError("Bad directive or wrong number of arguments".into()))?;
        (param.set)(self, args)
    }

    /// Applies the lines of a redis.conf-style text. On error returns the 1-based line
    /// number, the line, and the reason.
    pub fn apply_text(&mut self, text: &str) -> Result<(), (usize, String, ConfigError)> {
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let words =
                crate::protocol::inline::split_args(trimmed.as_bytes()).ok_or_else(|| {
                    (
                        index + 1,
                        trimmed.to_string(),
                        ConfigError("Unbalanced quotes in configuration line".into()),
                    )
                })?;
            let words: Vec<String> = words
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            let Some((name, args)) = words.split_first() else {
                continue;
            };
            self.apply(name, args)
                .map_err(|e| (index + 1, trimmed.to_string(), e))?;
        }
        Ok(())
    }

    /// Builds the configuration from command-line arguments (after the program name):
    /// an optional config file path first, then `--name value...` directives.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut config = Config::default();
        let mut rest = args;
        if let Some(first) = args.first().filter(|a| !a.starts_with("--")) {
            let text = std::fs::read_to_string(first)
                .map_err(|e| format!("Fatal error, can't open config file '{first}': {e}"))?;
            config.config_file = Some(first.clone());
            config
                .apply_text(&text)
                .map_err(|(line, content, e)| fatal_config(line, &content, &e))?;
            rest = &args[1..];
        }
        let text = directives_text(rest);
        config
            .apply_text(&text)
            .map_err(|(line, content, e)| fatal_config(line, &content, &e))?;
        Ok(config)
    }
}

/// Turns `--port 7000 --save "" --bind a b` into redis.conf lines, as redis-server does.
fn directives_text(args: &[String]) -> String {
    let mut text = String::new();
    for arg in args {
        if let Some(name) = arg.strip_prefix("--") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(name);
        } else {
            text.push(' ');
            text.push_str(&quote(arg));
        }
    }
    text
}

/// Quotes a value so the config line splitter reads it back as one word.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message redis-server prints before exiting on a bad directive.
fn fatal_config(line: usize, content: &str, reason: &ConfigError) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\nReading the configuration file, at line {line}\n>>> '{content}'\n{reason}",
        crate::REDIS_VERSION
    )
}

#[cfg(test)]
mod tests {
    use super::rewrite::directive_line;
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line_directives() {
        let config = Config::from_args(&args(&[
            "--port",
            "0",
            "--save",
            "",
            "--bind",
            "127.0.0.1",
            "::1",
            "--hz",
            "100",
        ]))
        .unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.save, "");
        assert_eq!(config.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(config.hz, 100);
    }

    #[test]
    fn bad_directives_are_fatal() {
        let error = Config::from_args(&args(&["--port", "abc"])).unwrap_err();
        assert!(
            error.contains("argument couldn't be parsed into an integer"),
            "{error}"
        );
        let error = Config::from_args(&args(&["--nosuch", "1"])).unwrap_err();
        assert!(
            error.contains("Bad directive or wrong number of arguments"),
            "{error}"
        );
    }

    #[test]
    fn stored_parameters_apply_report_and_rewrite() {
        let mut config = Config::default();
        assert_eq!((find_param("acllog-max-len").unwrap().get)(&config), "128");
        config.apply("acllog-max-len", &["64".to_string()]).unwrap();
        config
            .apply("slave-read-only", &["no".to_string()])
            .unwrap();
        config.apply("slowlog-max-len", &["7".to_string()]).unwrap();
        assert_eq!(
            (find_param("replica-read-only").unwrap().get)(&config),
            "no"
        );
        assert!(config
            .apply("appendfsync", &["sometimes".to_string()])
            .is_err());
        let text = rewrite_text("", &config);
        assert!(text.contains("\nacllog-max-len 64\n"), "{text}");
        assert!(text.contains("\nreplica-read-only no\n"), "{text}");
        assert!(text.contains("\nslowlog-max-len 7\n"), "{text}");
        let names: Vec<&str> = all_names().map(|(name, _)| name).collect();
        let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), unique.len(), "no parameter listed twice");
    }

    #[test]
    fn rewrite_keeps_comments_and_updates_values() {
        let mut config = Config::default();
        config
            .apply_text("# my server\nport 7000\nhz 20\nhz 30\nunknown-thing yes\n")
            .unwrap_err();
        config
            .apply_text("# my server\nport 7000\nhz 20\n")
            .unwrap();
        config.hz = 50;
        config.maxmemory = 1024;
        let text = rewrite_text(
            "# my server\nport 7000\nhz 20\nhz 30\nunknown-thing yes\n",
            &config,
        );
        assert_eq!(
            text,
            "# my server\nport 7000\nhz 50\nunknown-thing yes\n# Generated by CONFIG REWRITE\nmaxmemory 1024\n"
        );
        let mut reread = Config::default();
        reread
            .apply_text("save \"\"\nbind 127.0.0.1 ::1\n")
            .unwrap();
        assert_eq!(
            directive_line(find_param("save").unwrap(), &reread),
            "save \"\""
        );
        assert_eq!(
            directive_line(find_param("bind").unwrap(), &reread),
            "bind 127.0.0.1 ::1"
        );
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("512mb"), Some(512 * 1024 * 1024));
        assert_eq!(parse_memory("1GB"), Some(1 << 30));
        assert_eq!(parse_memory("10k"), Some(10_000));
        assert_eq!(parse_memory("12"), Some(12));
        assert_eq!(parse_memory("mb"), None);
        assert_eq!(parse_memory("-1"), None);
    }
}
