//! Parameters Redis 7.0 has that we accept and report but do not act on yet
//! (replication, cluster, TLS, persistence tuning, defragmentation...), so that
//! `CONFIG GET *` lists every name Redis lists and tools that read or set them work.
//!
//! Each is validated as Redis validates it and its value kept in `Config::stored`.
//! Parameters whose effect a client would rely on for safety (passwords, replication
//! sources) refuse any value but their default instead of pretending to apply it.

use super::model::Config;
use super::param::{bool_arg, err, int_arg, memory_arg, string_arg, yes_no, ConfigError, Param};

/// How a stored parameter's value is checked and normalized.
pub enum Kind {
    /// `yes` / `no`.
    Bool,
    /// An integer within bounds.
    Int(i64, i64),
    /// A memory amount (`1mb`...) within bounds, reported in bytes.
    Mem(u64, u64),
    /// One of the words.
    Enum(&'static [&'static str]),
    /// Any number of the words (at least one).
    Flags(&'static [&'static str]),
    /// Any text.
    Str,
    /// Only the default value is accepted: we do not implement it and pretending to
    /// would mislead (e.g. a password nobody checks).
    DefaultOnly(&'static str),
    /// Three integers (oom-score-adj-values).
    Triple,
}

/// Checks `args` against `kind`; returns the value as CONFIG GET shows it.
pub fn validate(kind: &Kind, args: &[String]) -> Result<String, ConfigError> {
    match kind {
        Kind::Bool => bool_arg(args).map(yes_no),
        Kind::Int(min, max) => int_arg(args, *min, *max).map(|n| n.to_string()),
        Kind::Mem(min, max) => memory_arg(args, *min, *max).map(|n| n.to_string()),
        Kind::Enum(words) => {
            let value = string_arg(args)?.to_ascii_lowercase();
            if words.contains(&value.as_str()) {
                Ok(value)
            } else {
                Err(one_of(words))
            }
        }
        Kind::Flags(words) => {
            let value = string_arg(args)?.to_ascii_lowercase();
            let parts: Vec<&str> = value.split_whitespace().collect();
            if parts.is_empty() || parts.iter().any(|p| !words.contains(p)) {
                return Err(one_of(words));
            }
            Ok(parts.join(" "))
        }
        Kind::Str => string_arg(args),
        Kind::DefaultOnly(default) => {
            let value = string_arg(args)?;
            if value == *default {
                Ok(value)
            } else {
                err("this parameter is not supported by this server yet")
            }
        }
        Kind::Triple => {
            let value = string_arg(args)?;
            let parts: Vec<&str> = value.split_whitespace().collect();
            if parts.len() != 3 {
                return err("wrong number of arguments");
            }
            if parts.iter().any(|p| {
                p.parse::<i64>()
                    .map_or(true, |n| !(-2000..=2000).contains(&n))
            }) {
                return err("Invalid oom-score-adj-values value");
            }
            Ok(parts.join(" "))
        }
    }
}

fn one_of(words: &[&str]) -> ConfigError {
    ConfigError(format!(
        "argument(s) must be one of the following: {}",
        words.join(", ")
    ))
}

/// Parses `latency-tracking-info-percentiles`: numbers in 0..=100 separated by spaces
/// (an empty value reports none).
pub fn parse_percentiles(args: &[String]) -> Result<Vec<f64>, ConfigError> {
    let text = args.join(" ");
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let value: f64 = word
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                ConfigError("Invalid latency-tracking-info-percentiles parameters".into())
            })?;
        if !(0.0..=100.0).contains(&value) {
            return err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
            );
        }
        out.push(value);
    }
    Ok(out)
}

/// A percentile as Redis prints it: `%f` with trailing zeros (and dot) removed.
pub fn format_percentile(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The percentiles list as CONFIG GET shows it.
pub fn format_percentiles(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format_percentile(*v))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Value of stored parameter `name`, or `default` if never set.
fn stored_value(config: &Config, name: &str, default: &str) -> String {
    config
        .stored
        .get(name)
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

/// One stored parameter: `name`, its default, its [`Kind`], and whether CONFIG SET may
/// change it (start-up only otherwise).
macro_rules! stored {
    ($name:literal, $default:literal, $kind:expr) => {
        stored!($name, $default, $kind, true)
    };
    ($name:literal, $default:literal, $kind:expr, $mutable:expr) => {
        Param {
            name: $name,
            mutable: $mutable,
            get: |c| stored_value(c, $name, $default),
            set: |c, a| {
                let value = validate(&$kind, a)?;
                c.stored.insert($name, value);
                Ok(())
            },
        }
    };
}

use Kind::*;

const MAX: i64 = i64::MAX;
const IMAX: i64 = i32::MAX as i64;
const MEM: Kind = Mem(0, i64::MAX as u64);
const YES_NO_LOCAL: &[&str] = &["no", "yes", "local"];
const SHUTDOWN: &[&str] = &["default", "save", "nosave", "now", "force"];
const FACILITIES: &[&str] = &[
    "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// Every stored parameter, in Redis's own alphabetical-ish grouping.
pub const STORED: &[Param] = &[
    stored!("active-defrag-cycle-max", "25", Int(1, 99)),
    stored!("active-defrag-cycle-min", "1", Int(1, 99)),
    stored!("active-defrag-ignore-bytes", "104857600", MEM),
    stored!("active-defrag-max-scan-fields", "1000", Int(1, MAX)),
    stored!("active-defrag-threshold-lower", "10", Int(0, 1000)),
    stored!("active-defrag-threshold-upper", "100", Int(0, 1000)),
    stored!("activedefrag", "no", DefaultOnly("no")),
    stored!("activerehashing", "yes", Bool),
    stored!("aof-rewrite-incremental-fsync", "yes", Bool),
    stored!("aof_rewrite_cpulist", "", Str, false),
    stored!("bgsave_cpulist", "", Str, false),
    stored!("bind-source-addr", "", Str),
    stored!("bio_cpulist", "", Str, false),
    stored!("cluster-allow-pubsubshard-when-down", "yes", Bool),
    stored!("cluster-allow-reads-when-down", "no", Bool),
    stored!("cluster-allow-replica-migration", "yes", Bool),
    stored!("cluster-announce-bus-port", "0", Int(0, 65535)),
    stored!("cluster-announce-hostname", "", Str),
    stored!("cluster-announce-ip", "", Str),
    stored!("cluster-announce-port", "0", Int(0, 65535)),
    stored!("cluster-announce-tls-port", "0", Int(0, 65535)),
    stored!("cluster-config-file", "nodes.conf", Str, false),
    stored!("cluster-enabled", "no", Bool, false),
    stored!("cluster-link-sendbuf-limit", "0", MEM),
    stored!("cluster-migration-barrier", "1", Int(0, IMAX)),
    stored!("cluster-node-timeout", "15000", Int(0, MAX)),
    stored!("cluster-port", "0", Int(0, 65535), false),
    stored!(
        "cluster-preferred-endpoint-type",
        "ip",
        Enum(&["ip", "hostname", "unknown-endpoint"])
    ),
    stored!("cluster-replica-no-failover", "no", Bool),
    stored!("cluster-replica-validity-factor", "10", Int(0, IMAX)),
    stored!("cluster-require-full-coverage", "yes", Bool),
    stored!("crash-log-enabled", "yes", Bool),
    stored!("crash-memcheck-enabled", "yes", Bool),
    stored!("disable-thp", "yes", Bool),
    stored!("dynamic-hz", "yes", Bool),
    stored!("enable-module-command", "no", Enum(YES_NO_LOCAL), false),
    stored!("ignore-warnings", "", Str),
    stored!("io-threads", "1", Int(1, 128), false),
    stored!("io-threads-do-reads", "no", Bool, false),
    stored!("jemalloc-bg-thread", "yes", Bool),
    stored!(
        "loading-process-events-interval-bytes",
        "2097152",
        DefaultOnly("2097152")
    ),
    stored!(
        "oom-score-adj",
        "no",
        Enum(&["no", "yes", "relative", "absolute"])
    ),
    stored!("oom-score-adj-values", "0 200 800", Triple),
    stored!("pidfile", "", Str, false),
    stored!(
        "proc-title-template",
        "{title} {listen-addr} {server-mode}",
        Str
    ),
    stored!(
        "propagation-error-behavior",
        "ignore",
        Enum(&["ignore", "panic", "panic-on-replicas"])
    ),
    stored!("rdb-del-sync-files", "no", Bool),
    stored!("rdb-save-incremental-fsync", "yes", Bool),
    stored!("repl-disable-tcp-nodelay", "no", Bool),
    stored!(
        "repl-diskless-load",
        "disabled",
        Enum(&["disabled", "on-empty-db", "swapdb"])
    ),
    stored!("repl-diskless-sync", "yes", Bool),
    stored!("repl-diskless-sync-delay", "5", Int(0, IMAX)),
    stored!("repl-diskless-sync-max-replicas", "0", Int(0, IMAX)),
    stored!("replica-ignore-disk-write-errors", "no", Bool),
    stored!("replica-lazy-flush", "no", Bool),
    stored!("use-exit-on-panic", "no", DefaultOnly("no")),
    stored!("watchdog-period", "0", DefaultOnly("0")),
    stored!(
        "sanitize-dump-payload",
        "no",
        Enum(&["no", "yes", "clients"])
    ),
    stored!("server_cpulist", "", Str, false),
    stored!("set-proc-title", "yes", Bool, false),
    stored!("shutdown-on-sigint", "default", Flags(SHUTDOWN)),
    stored!("shutdown-on-sigterm", "default", Flags(SHUTDOWN)),
    stored!("shutdown-timeout", "10", Int(0, IMAX)),
    stored!("socket-mark-id", "0", Int(0, MAX)),
    stored!("stream-node-max-bytes", "4096", MEM),
    stored!("stream-node-max-entries", "100", Int(0, MAX)),
    stored!(
        "supervised",
        "no",
        Enum(&["upstart", "systemd", "auto", "no"]),
        false
    ),
    stored!("syslog-enabled", "no", Bool, false),
    stored!("syslog-facility", "local0", Enum(FACILITIES), false),
    stored!("syslog-ident", "redis", Str, false),
    stored!("tls-auth-clients", "yes", Enum(&["no", "yes", "optional"])),
    stored!("tls-ca-cert-dir", "", Str),
    stored!("tls-ca-cert-file", "", Str),
    stored!("tls-cert-file", "", Str),
    stored!("tls-ciphers", "", Str),
    stored!("tls-ciphersuites", "", Str),
    stored!("tls-client-cert-file", "", Str),
    stored!("tls-client-key-file", "", Str),
    stored!("tls-client-key-file-pass", "", Str),
    stored!("tls-cluster", "no", Bool),
    stored!("tls-dh-params-file", "", Str),
    stored!("tls-key-file", "", Str),
    stored!("tls-key-file-pass", "", Str),
    stored!("tls-port", "0", DefaultOnly("0")),
    stored!("tls-prefer-server-ciphers", "no", Bool),
    stored!("tls-protocols", "", Str),
    stored!("tls-replication", "no", Bool),
    stored!("tls-session-cache-size", "20480", Int(0, IMAX)),
    stored!("tls-session-cache-timeout", "300", Int(0, IMAX)),
    stored!("tls-session-caching", "yes", Bool),
];

/// Old names of stored parameters: (alias, parameter).
pub const STORED_ALIASES: &[(&str, &str)] = &[
    ("cluster-slave-no-failover", "cluster-replica-no-failover"),
    (
        "cluster-slave-validity-factor",
        "cluster-replica-validity-factor",
    ),
    ("min-slaves-max-lag", "min-replicas-max-lag"),
    ("min-slaves-to-write", "min-replicas-to-write"),
    ("slave-lazy-flush", "replica-lazy-flush"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: &str) -> Vec<String> {
        vec![value.to_string()]
    }

    #[test]
    fn stored_values_are_validated_and_normalized() {
        assert_eq!(validate(&MEM, &args("2mb")).unwrap(), "2097152");
        assert_eq!(validate(&Bool, &args("YES")).unwrap(), "yes");
        assert_eq!(
            validate(&Flags(SHUTDOWN), &args("save now")).unwrap(),
            "save now"
        );
        let bad = validate(&Enum(&["everysec", "always", "no"]), &args("x")).unwrap_err();
        assert_eq!(
            bad.0,
            "argument(s) must be one of the following: everysec, always, no"
        );
        assert!(validate(&DefaultOnly(""), &args("secret")).is_err());
    }

    #[test]
    fn percentiles_parse_and_print_like_redis() {
        let parsed = parse_percentiles(&args("50 99 99.9")).unwrap();
        assert_eq!(format_percentiles(&parsed), "50 99 99.9");
        assert!(parse_percentiles(&args("50 abc")).is_err());
        assert!(parse_percentiles(&args("101")).is_err());
        assert_eq!(parse_percentiles(&args("")).unwrap(), Vec::<f64>::new());
    }
}
