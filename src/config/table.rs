//! Every parameter we act on, in CONFIG GET order, with its aliases; the stored ones
//! (accepted, not acted on) are in `params`.

use super::model::*;
use super::param::*;

pub(super) fn format_output_limits(limits: &[OutputLimit; 3]) -> String {
    let parts: Vec<String> = OUTPUT_CLASSES
        .iter()
        .zip(limits)
        .map(|(class, l)| format!("{class} {} {} {}", l.hard, l.soft, l.soft_seconds))
        .collect();
    parts.join(" ")
}

/// Parses `class hard soft seconds` groups; classes not named keep their limits.
pub(super) fn parse_output_limits(
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
        mutable: true,
        get: |c| c.port.to_string(),
        set: |c, a| {
            c.port = int_arg(a, 0, 65535)? as u16;
            Ok(())
        },
    },
    Param {
        name: "bind",
        mutable: true,
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
        name: "appendfsync",
        mutable: true,
        get: |c| c.appendfsync.name().to_string(),
        set: |c, a| {
            c.appendfsync = match string_arg(a)?.to_ascii_lowercase().as_str() {
                "always" => AppendFsync::Always,
                "everysec" => AppendFsync::Everysec,
                "no" => AppendFsync::No,
                _ => return err("argument(s) must be one of the following: everysec, always, no"),
            };
            Ok(())
        },
    },
    Param {
        name: "appendfilename",
        mutable: false,
        get: |c| c.appendfilename.clone(),
        set: |c, a| {
            c.appendfilename = base_name_arg(a, "appendfilename")?;
            Ok(())
        },
    },
    Param {
        name: "appenddirname",
        mutable: false,
        get: |c| c.appenddirname.clone(),
        set: |c, a| {
            c.appenddirname = base_name_arg(a, "appenddirname")?;
            Ok(())
        },
    },
    Param {
        name: "auto-aof-rewrite-percentage",
        mutable: true,
        get: |c| c.auto_aof_rewrite_percentage.to_string(),
        set: |c, a| {
            c.auto_aof_rewrite_percentage = int_arg(a, 0, i32::MAX as i64)? as u64;
            Ok(())
        },
    },
    Param {
        name: "auto-aof-rewrite-min-size",
        mutable: true,
        get: |c| c.auto_aof_rewrite_min_size.to_string(),
        set: |c, a| {
            c.auto_aof_rewrite_min_size = memory_arg(a, 0, i64::MAX as u64)?;
            Ok(())
        },
    },
    Param {
        name: "aof-load-truncated",
        mutable: true,
        get: |c| yes_no(c.aof_load_truncated),
        set: |c, a| {
            c.aof_load_truncated = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "aof-use-rdb-preamble",
        mutable: true,
        get: |c| yes_no(c.aof_use_rdb_preamble),
        set: |c, a| {
            c.aof_use_rdb_preamble = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "aof-timestamp-enabled",
        mutable: true,
        get: |c| yes_no(c.aof_timestamp_enabled),
        set: |c, a| {
            c.aof_timestamp_enabled = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "aof-disable-auto-gc",
        mutable: true,
        get: |c| yes_no(c.aof_disable_auto_gc),
        set: |c, a| {
            c.aof_disable_auto_gc = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "no-appendfsync-on-rewrite",
        mutable: true,
        get: |c| yes_no(c.no_appendfsync_on_rewrite),
        set: |c, a| {
            c.no_appendfsync_on_rewrite = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "dir",
        mutable: true,
        get: |_| current_dir(),
        set: |c, a| {
            let dir = string_arg(a)?;
            std::env::set_current_dir(&dir).map_err(|e| os_error_text(&e))?;
            c.dir = dir;
            Ok(())
        },
    },
    Param {
        name: "rdbcompression",
        mutable: true,
        get: |c| yes_no(c.rdbcompression),
        set: |c, a| {
            c.rdbcompression = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "rdbchecksum",
        mutable: false,
        get: |c| yes_no(c.rdbchecksum),
        set: |c, a| {
            c.rdbchecksum = bool_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "stop-writes-on-bgsave-error",
        mutable: true,
        get: |c| yes_no(c.stop_writes_on_bgsave_error),
        set: |c, a| {
            c.stop_writes_on_bgsave_error = bool_arg(a)?;
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
        name: "requirepass",
        mutable: true,
        get: |c| c.requirepass.clone(),
        set: |c, a| {
            c.requirepass = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "aclfile",
        mutable: false,
        get: |c| c.aclfile.clone(),
        set: |c, a| {
            c.aclfile = string_arg(a)?;
            Ok(())
        },
    },
    Param {
        name: "acllog-max-len",
        mutable: true,
        get: |c| c.acllog_max_len.to_string(),
        set: |c, a| {
            c.acllog_max_len = int_arg(a, 0, i64::MAX)? as usize;
            Ok(())
        },
    },
    Param {
        name: "acl-pubsub-default",
        mutable: true,
        get: |c| {
            let word = if c.acl_pubsub_all {
                "allchannels"
            } else {
                "resetchannels"
            };
            word.to_string()
        },
        set: |c, a| {
            let kind = super::params::Kind::Enum(&["allchannels", "resetchannels"]);
            c.acl_pubsub_all = super::params::validate(&kind, a)? == "allchannels";
            Ok(())
        },
    },
    Param {
        name: "always-show-logo",
        mutable: false,
        get: |c| yes_no(c.always_show_logo),
        set: |c, a| {
            c.always_show_logo = bool_arg(a)?;
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
        name: "enable-debug-command",
        mutable: false,
        get: |c| c.enable_debug_command.name().to_string(),
        set: |c, a| {
            c.enable_debug_command = protected_access(a)?;
            Ok(())
        },
    },
    Param {
        name: "enable-protected-configs",
        mutable: false,
        get: |c| c.enable_protected_configs.name().to_string(),
        set: |c, a| {
            c.enable_protected_configs = protected_access(a)?;
            Ok(())
        },
    },
    Param {
        name: "busy-reply-threshold",
        mutable: true,
        get: |c| c.busy_reply_threshold_ms.to_string(),
        set: |c, a| {
            c.busy_reply_threshold_ms = int_arg(a, 0, i64::MAX)? as u64;
            Ok(())
        },
    },
    Param {
        name: "tracking-table-max-keys",
        mutable: true,
        get: |c| c.tracking_table_max_keys.to_string(),
        set: |c, a| {
            c.tracking_table_max_keys = int_arg(a, 0, i64::MAX)? as u64;
            Ok(())
        },
    },
    Param {
        name: "min-replicas-to-write",
        mutable: true,
        get: |c| c.min_replicas_to_write.to_string(),
        set: |c, a| {
            c.min_replicas_to_write = int_arg(a, 0, i64::from(i32::MAX))? as u32;
            Ok(())
        },
    },
    Param {
        name: "min-replicas-max-lag",
        mutable: true,
        get: |c| c.min_replicas_max_lag.to_string(),
        set: |c, a| {
            c.min_replicas_max_lag = int_arg(a, 0, i64::from(i32::MAX))? as u32;
            Ok(())
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
        name: "list-compress-depth",
        mutable: true,
        get: |c| c.list_compress_depth.to_string(),
        set: |c, a| {
            c.list_compress_depth = int_arg(a, 0, i32::MAX as i64)? as usize;
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
        name: "repl-ping-replica-period",
        mutable: true,
        get: |c| c.repl_ping_replica_period.to_string(),
        set: |c, a| {
            c.repl_ping_replica_period = int_arg(a, 1, i32::MAX.into())? as u64;
            Ok(())
        },
    },
    Param {
        name: "repl-backlog-size",
        mutable: true,
        get: |c| c.repl_backlog_size.to_string(),
        set: |c, a| {
            // Redis raises a smaller size to its minimum backlog, 16 KB.
            c.repl_backlog_size = memory_arg(a, 1, i64::MAX as u64)?.max(16 * 1024);
            Ok(())
        },
    },
    Param {
        name: "repl-backlog-ttl",
        mutable: true,
        get: |c| c.repl_backlog_ttl.to_string(),
        set: |c, a| {
            c.repl_backlog_ttl = int_arg(a, 0, i64::MAX)? as u64;
            Ok(())
        },
    },
    Param {
        name: "repl-timeout",
        mutable: true,
        get: |c| c.repl_timeout.to_string(),
        set: |c, a| {
            c.repl_timeout = int_arg(a, 1, i32::MAX.into())? as u64;
            Ok(())
        },
    },
    Param {
        name: "rdb-key-save-delay",
        mutable: true,
        get: |c| c.rdb_key_save_delay.to_string(),
        set: |c, a| {
            c.rdb_key_save_delay = int_arg(a, i32::MIN.into(), i32::MAX.into())? as i32;
            Ok(())
        },
    },
    Param {
        name: "key-load-delay",
        mutable: true,
        get: |c| c.key_load_delay.to_string(),
        set: |c, a| {
            c.key_load_delay = int_arg(a, i32::MIN.into(), i32::MAX.into())? as i32;
            Ok(())
        },
    },
    Param {
        name: "maxmemory-clients",
        mutable: true,
        get: |c| match c.maxmemory_clients {
            ClientMemoryLimit::Bytes(bytes) => bytes.to_string(),
            ClientMemoryLimit::Percent(percent) => format!("{percent}%"),
        },
        set: |c, a| {
            c.maxmemory_clients = memory_or_percent(a)?;
            Ok(())
        },
    },
    Param {
        name: "notify-keyspace-events",
        mutable: true,
        get: |c| crate::command::state::notify::format_flags(c.notify_keyspace_events),
        set: |c, a| {
            let text = string_arg(a)?;
            c.notify_keyspace_events = crate::command::state::notify::parse_flags(&text)
                .ok_or_else(|| {
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
    ("repl-ping-slave-period", "repl-ping-replica-period"),
    ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
    ("hash-max-ziplist-value", "hash-max-listpack-value"),
    ("zset-max-ziplist-entries", "zset-max-listpack-entries"),
    ("zset-max-ziplist-value", "zset-max-listpack-value"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
    ("lua-time-limit", "busy-reply-threshold"),
];

/// Every name CONFIG GET can match, aliases included, with its parameter.
pub fn all_names() -> impl Iterator<Item = (&'static str, &'static Param)> {
    let direct = PARAMS
        .iter()
        .chain(crate::config::params::STORED)
        .chain(crate::config::replica::REPLICA_PARAMS)
        .map(|p| (p.name, p));
    let aliased = ALIASES
        .iter()
        .chain(crate::config::params::STORED_ALIASES)
        .chain(crate::config::replica::REPLICA_ALIASES)
        .filter_map(|(alias, name)| find_param(name).map(|p| (*alias, p)));
    direct.chain(aliased)
}

/// A memory value or a percentage of maxmemory (`10%`), validated as Redis validates
/// `maxmemory-clients`; `0%` is the same as 0, off.
fn memory_or_percent(args: &[String]) -> Result<ClientMemoryLimit, ConfigError> {
    let [value] = args else {
        return err("wrong number of arguments");
    };
    let invalid = || ConfigError("argument must be a memory or percent value".into());
    match value.strip_suffix('%') {
        Some(number) => {
            let percent: i64 = number.parse().map_err(|_| invalid())?;
            if percent > 100 {
                return err("percentage argument must be less or equal to 100");
            }
            match u64::try_from(percent).map_err(|_| invalid())? {
                0 => Ok(ClientMemoryLimit::Bytes(0)),
                percent => Ok(ClientMemoryLimit::Percent(percent)),
            }
        }
        None => crate::config::parse_memory(value)
            .map(ClientMemoryLimit::Bytes)
            .ok_or_else(invalid),
    }
}

/// Parameters CONFIG SET refuses while `enable-protected-configs` is off (the default):
/// changing where files are written is a classic attack path.
const PROTECTED: &[&str] = &["dir", "dbfilename"];

impl Param {
    /// True if CONFIG SET refuses this parameter unless `enable-protected-configs`
    /// allows the client.
    pub fn is_protected(&self) -> bool {
        PROTECTED.contains(&self.name)
    }
}

/// Parses a `no` / `yes` / `local` value.
fn protected_access(args: &[String]) -> Result<ProtectedAccess, ConfigError> {
    let word = super::params::validate(&super::params::Kind::Enum(&["no", "yes", "local"]), args)?;
    ProtectedAccess::parse(&word)
        .ok_or_else(|| ConfigError("argument must be 'yes', 'no' or 'local'".into()))
}

/// Validates a `save` value: pairs of non-negative `<seconds> <changes>`, or empty.
/// A file or directory name that must not be a path (`appendfilename`,
/// `appenddirname`), with Redis's error.
fn base_name_arg(args: &[String], what: &str) -> Result<String, ConfigError> {
    let name = string_arg(args)?;
    if name.contains('/') {
        return Err(ConfigError(format!(
            "{what} can't be a path, just a filename"
        )));
    }
    Ok(name)
}

fn valid_save(words: &[&str]) -> bool {
    words.len().is_multiple_of(2) && words.iter().all(|w| w.parse::<u64>().is_ok())
}

/// Parameters CONFIG GET shows only when asked by their exact name, never through a
/// pattern (Redis's hidden configs: test and debugging hooks).
pub const HIDDEN: &[&str] = &[
    "rdb-key-save-delay",
    "key-load-delay",
    "watchdog-period",
    "use-exit-on-panic",
    "loading-process-events-interval-bytes",
];

/// True for a parameter a CONFIG GET pattern does not list.
pub fn is_hidden(name: &str) -> bool {
    HIDDEN.contains(&name)
}

/// The parameter named `name` (case-insensitive).
pub fn find_param(name: &str) -> Option<&'static Param> {
    let name = ALIASES
        .iter()
        .chain(crate::config::params::STORED_ALIASES)
        .chain(crate::config::replica::REPLICA_ALIASES)
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map_or(name, |(_, real)| real);
    PARAMS
        .iter()
        .chain(crate::config::params::STORED)
        .chain(crate::config::replica::REPLICA_PARAMS)
        .find(|p| p.name.eq_ignore_ascii_case(name))
}
