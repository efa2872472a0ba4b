//! INFO: server information as `field:value` lines grouped in `# Section` blocks, with
//! Redis 7.0's sections and field names in Redis's order.
//!
//! Fields report our real numbers where we have them; fields describing machinery we do
//! not have yet (persistence, replicas, Lua) report what Redis reports when that
//! machinery is idle (nothing saved, no replicas, no scripts).

use std::fmt::Write as _;

use bytes::Bytes;

use crate::command::admin::memory::MemoryFigures;
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::command::core::state::ServerState;
use crate::command::metrics::process::human_bytes;
use crate::command::metrics::process::system_memory_bytes;
use crate::command::metrics::stats::sorted;
use crate::command::state::master_link::LinkState;
use crate::config::params::format_percentile;
use crate::error::CmdResult;
use crate::store::Db;

/// Appends one INFO section's lines.
type SectionWriter = fn(&mut ServerState, &[Db], &mut String);

/// Which groups a section belongs to.
#[derive(PartialEq, Eq)]
enum Group {
    /// In `default` (and `all`, `everything`).
    Default,
    /// Only in `all` and `everything`, or by name.
    All,
}

/// INFO's sections in Redis's order.
const SECTIONS: [(&str, &str, Group, SectionWriter); 13] = [
    ("server", "Server", Group::Default, server_section),
    ("clients", "Clients", Group::Default, |s, _, out| {
        clients_section(s, out)
    }),
    ("memory", "Memory", Group::Default, memory_section),
    (
        "persistence",
        "Persistence",
        Group::Default,
        persistence_section,
    ),
    ("stats", "Stats", Group::Default, stats_section),
    (
        "replication",
        "Replication",
        Group::Default,
        replication_section,
    ),
    ("cpu", "CPU", Group::Default, cpu_section),
    ("modules", "Modules", Group::Default, |_, _, _| {}),
    (
        "commandstats",
        "Commandstats",
        Group::All,
        commandstats_section,
    ),
    (
        "errorstats",
        "Errorstats",
        Group::Default,
        errorstats_section,
    ),
    (
        "latencystats",
        "Latencystats",
        Group::All,
        latencystats_section,
    ),
    ("cluster", "Cluster", Group::Default, |_, _, out| {
        field(out, "cluster_enabled", 0)
    }),
    ("keyspace", "Keyspace", Group::Default, keyspace_section),
];

/// True if section `name` of `group` is selected by INFO's arguments `asked`.
fn selected(asked: &[Bytes], name: &str, group: &Group) -> bool {
    if asked.is_empty() {
        return *group == Group::Default;
    }
    asked.iter().any(|a| {
        args::is(a, name)
            || args::is(a, "all")
            || args::is(a, "everything")
            || (args::is(a, "default") && *group == Group::Default)
    })
}

/// `INFO [section ...]` — the selected sections (`default` without arguments; `all`
/// and `everything` select every section), always in Redis's order; unknown names select
/// nothing.
pub fn info(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    // Grown as written, not reserved up front: the memory section reports
    // `used_memory` while this text is being built, as Redis's does.
    let mut out = String::new();
    for (name, title, group, write) in SECTIONS {
        if !selected(&args[1..], name, &group) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {title}\r\n");
        write(ctx.server, ctx.dbs, &mut out);
    }
    ctx.reply.verbatim(b"txt", out.as_bytes());
    Ok(())
}

/// Appends one `name:value` line.
fn field(out: &mut String, name: &str, value: impl std::fmt::Display) {
    let _ = write!(out, "{name}:{value}\r\n");
}

fn server_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    let uptime = (server.now_ms - server.started_ms).max(0) / 1000;
    let executable = std::env::args_os()
        .next()
        .map(|arg0| absolute_path(&arg0.to_string_lossy()))
        .unwrap_or_default();
    let config_file = server
        .config
        .config_file
        .as_deref()
        .map(absolute_path)
        .unwrap_or_default();
    field(out, "redis_version", crate::REDIS_VERSION);
    field(out, "rredis_version", crate::RREDIS_VERSION);
    field(out, "redis_git_sha1", "00000000");
    field(out, "redis_git_dirty", 0);
    field(out, "redis_build_id", "0");
    field(out, "redis_mode", "standalone");
    field(out, "os", os_name());
    field(out, "arch_bits", usize::BITS);
    field(out, "monotonic_clock", "POSIX clock_gettime");
    field(out, "multiplexing_api", "epoll");
    field(out, "atomicvar_api", "c11-builtin");
    field(out, "gcc_version", "0.0.0");
    field(out, "process_id", std::process::id());
    field(out, "process_supervised", "no");
    field(out, "run_id", &server.run_id);
    field(out, "tcp_port", server.bound_port);
    field(out, "server_time_usec", server.now_us);
    field(out, "uptime_in_seconds", uptime);
    field(out, "uptime_in_days", uptime / 86400);
    field(out, "hz", server.config.hz);
    field(out, "configured_hz", server.config.hz);
    field(
        out,
        "lru_clock",
        crate::store::db::access_clock(server.now_ms),
    );
    field(out, "executable", executable);
    field(out, "config_file", config_file);
    field(out, "io_threads_active", 0);
}

/// `Linux 6.1.0 x86_64`, as Redis prints uname's sysname, release and machine.
fn os_name() -> String {
    // SAFETY: `uname` fills the zeroed struct; its fields are NUL-terminated strings.
    unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) != 0 {
            return std::env::consts::OS.to_string();
        }
        let text = |field: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(field.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        format!(
            "{} {} {}",
            text(&name.sysname),
            text(&name.release),
            text(&name.machine)
        )
    }
}

/// `path` made absolute against the working directory (as Redis shows argv[0] and the
/// config file), without resolving symlinks.
fn absolute_path(path: &str) -> String {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string())
}

/// The clients section (connected, blocked and tracking clients, limits).
fn clients_section(server: &ServerState, out: &mut String) {
    field(out, "connected_clients", server.connected_clients);
    field(out, "cluster_connections", 0);
    field(out, "maxclients", server.config.maxclients);
    field(
        out,
        "client_recent_max_input_buffer",
        server.client_peaks.input(),
    );
    field(
        out,
        "client_recent_max_output_buffer",
        server.client_peaks.output(),
    );
    // Clients CLIENT PAUSE holds back are blocked clients too, as in Redis.
    let blocked = server.blocking.blocked_clients + server.pause.held();
    field(out, "blocked_clients", blocked);
    field(out, "tracking_clients", server.tracking.clients.len());
    field(
        out,
        "clients_in_timeout_table",
        server.blocking.timed_waits(),
    );
}

/// `a / b` as Redis prints ratios (`%.2f`), 0 when `b` is 0.
fn ratio(a: u64, b: u64) -> String {
    format!("{:.2}", if b == 0 { 0.0 } else { a as f64 / b as f64 })
}

fn memory_section(server: &mut ServerState, dbs: &[Db], out: &mut String) {
    let m = MemoryFigures::measure(server, dbs);
    let total = system_memory_bytes();
    let maxmemory = server.config.maxmemory;
    let policy = crate::config::find_param("maxmemory-policy")
        .map(|p| (p.get)(&server.config))
        .unwrap_or_default();
    let sizes = [
        ("used_memory", m.used),
        ("used_memory_rss", m.rss),
        ("used_memory_peak", m.peak),
    ];
    for (name, value) in sizes {
        field(out, name, value);
        field(out, &format!("{name}_human"), human_bytes(value));
    }
    field(
        out,
        "used_memory_peak_perc",
        format!("{:.2}%", m.used as f64 * 100.0 / m.peak.max(1) as f64),
    );
    field(out, "used_memory_overhead", m.overhead);
    field(out, "used_memory_startup", m.startup);
    field(out, "used_memory_dataset", m.dataset());
    field(
        out,
        "used_memory_dataset_perc",
        format!("{:.2}%", m.dataset_percentage()),
    );
    field(out, "allocator_allocated", m.used);
    field(out, "allocator_active", m.active);
    field(out, "allocator_resident", m.rss);
    field(out, "total_system_memory", total);
    field(out, "total_system_memory_human", human_bytes(total));
    for (name, value) in server.scripting.memory_info() {
        field(out, name, value);
    }
    field(out, "maxmemory", maxmemory);
    field(out, "maxmemory_human", human_bytes(maxmemory));
    field(out, "maxmemory_policy", policy);
    field(out, "allocator_frag_ratio", ratio(m.active, m.used));
    field(out, "allocator_frag_bytes", m.active as i64 - m.used as i64);
    field(out, "allocator_rss_ratio", ratio(m.rss, m.active));
    field(out, "allocator_rss_bytes", m.rss as i64 - m.active as i64);
    field(out, "rss_overhead_ratio", "1.00");
    field(out, "rss_overhead_bytes", 0);
    field(out, "mem_fragmentation_ratio", ratio(m.rss, m.used));
    field(out, "mem_fragmentation_bytes", m.rss as i64 - m.used as i64);
    field(
        out,
        "mem_not_counted_for_evict",
        crate::command::core::evict::not_counted_for_evict(server),
    );
    let backlog = server.replication.backlog().map_or(0, |b| b.memory());
    field(out, "mem_replication_backlog", backlog);
    field(out, "mem_total_replication_buffers", backlog);
    for name in ["mem_clients_slaves", "mem_cluster_links", "mem_aof_buffer"] {
        field(out, name, 0);
    }
    field(out, "mem_clients_normal", server.client_peaks.memory());
    field(out, "mem_allocator", "libc");
    field(out, "active_defrag_running", 0);
    field(
        out,
        "lazyfree_pending_objects",
        server.background.pending_objects(),
    );
    field(out, "lazyfreed_objects", server.background.freed_objects());
}

fn persistence_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    let zeros = [
        "loading",
        "async_loading",
        "current_cow_peak",
        "current_cow_size",
        "current_cow_size_age",
    ];
    for name in zeros {
        field(out, name, 0);
    }
    field(out, "current_fork_perc", "0.00");
    field(out, "current_save_keys_processed", 0);
    field(out, "current_save_keys_total", 0);
    let rdb = &server.rdb;
    field(out, "rdb_changes_since_last_save", server.dirty);
    field(out, "rdb_bgsave_in_progress", u8::from(rdb.in_progress()));
    field(out, "rdb_last_save_time", rdb.lastsave);
    field(out, "rdb_last_bgsave_status", ok_err(rdb.last_save_ok));
    field(out, "rdb_last_bgsave_time_sec", rdb.last_bgsave_secs);
    let current = rdb
        .bgsave
        .as_ref()
        .map_or(-1, |b| server.now_ms / 1000 - b.started_secs);
    field(out, "rdb_current_bgsave_time_sec", current);
    field(out, "rdb_saves", rdb.saves);
    field(out, "rdb_last_cow_size", rdb.last_cow_bytes);
    field(out, "rdb_last_load_keys_expired", rdb.loaded_expired);
    field(out, "rdb_last_load_keys_loaded", rdb.loaded_keys);
    let aof = &server.aof;
    field(out, "aof_enabled", u8::from(aof.on || aof.waiting_rewrite));
    field(
        out,
        "aof_rewrite_in_progress",
        u8::from(aof.rewrite.is_some()),
    );
    field(
        out,
        "aof_rewrite_scheduled",
        u8::from(aof.rewrite_scheduled),
    );
    field(out, "aof_last_rewrite_time_sec", aof.last_rewrite_secs);
    let current = aof
        .rewrite
        .as_ref()
        .map_or(-1, |r| server.now_ms / 1000 - r.started_secs);
    field(out, "aof_current_rewrite_time_sec", current);
    field(
        out,
        "aof_last_bgrewrite_status",
        ok_err(aof.last_rewrite_ok),
    );
    field(out, "aof_rewrites", aof.rewrites);
    field(
        out,
        "aof_rewrites_consecutive_failures",
        aof.consecutive_failures,
    );
    field(out, "aof_last_write_status", ok_err(aof.last_write_ok));
    field(out, "aof_last_cow_size", aof.last_cow_bytes);
    field(out, "module_fork_in_progress", 0);
    field(out, "module_fork_last_cow_size", 0);
    if aof.on {
        field(out, "aof_current_size", aof.current_size);
        field(out, "aof_base_size", aof.base_size);
        field(out, "aof_pending_rewrite", u8::from(aof.rewrite_scheduled));
        field(out, "aof_buffer_length", aof.buffer.len());
        let pending = u8::from(aof.fsync_running.load(std::sync::atomic::Ordering::Relaxed));
        field(out, "aof_pending_bio_fsync", pending);
        field(out, "aof_delayed_fsync", aof.delayed_fsyncs);
    }
}

/// Redis's status words for the last save or rewrite.
fn ok_err(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "err"
    }
}

fn stats_section(server: &mut ServerState, dbs: &[Db], out: &mut String) {
    let (expired, hits, misses) = dbs.iter().fold((0, 0, 0), |(e, h, m), db| {
        (
            e + db.stats.expired_keys,
            h + db.stats.hits,
            m + db.stats.misses,
        )
    });
    let (channels, patterns, shard_channels) = server.pubsub.counts();
    let stats = &server.stats;
    let admin = &server.admin;
    field(
        out,
        "total_connections_received",
        stats.connections_received,
    );
    // Redis counts a command once it has run, so INFO does not count itself.
    field(
        out,
        "total_commands_processed",
        stats.commands_processed.saturating_sub(1),
    );
    field(
        out,
        "instantaneous_ops_per_sec",
        admin.ops.per_second() as u64,
    );
    field(out, "total_net_input_bytes", stats.net_input_bytes);
    field(out, "total_net_output_bytes", stats.net_output_bytes);
    field(out, "total_net_repl_input_bytes", 0);
    field(out, "total_net_repl_output_bytes", 0);
    field(
        out,
        "instantaneous_input_kbps",
        format!("{:.2}", admin.input.per_second() / 1024.0),
    );
    field(
        out,
        "instantaneous_output_kbps",
        format!("{:.2}", admin.output.per_second() / 1024.0),
    );
    field(out, "instantaneous_input_repl_kbps", "0.00");
    field(out, "instantaneous_output_repl_kbps", "0.00");
    field(out, "rejected_connections", stats.rejected_connections);
    let sync = server.replication.stats;
    field(out, "sync_full", sync.full);
    field(out, "sync_partial_ok", sync.partial_ok);
    field(out, "sync_partial_err", sync.partial_err);
    field(out, "expired_keys", expired);
    field(out, "expired_stale_perc", "0.00");
    field(
        out,
        "expired_time_cap_reached_count",
        admin.expire_time_cap_reached,
    );
    field(
        out,
        "expire_cycle_cpu_milliseconds",
        admin.expire_cycle_us / 1000,
    );
    let eviction = &server.eviction;
    field(out, "evicted_keys", eviction.evicted_keys);
    field(out, "evicted_clients", stats.evicted_clients);
    field(
        out,
        "total_eviction_exceeded_time",
        eviction.total_exceeded_ms(),
    );
    field(
        out,
        "current_eviction_exceeded_time",
        eviction.current_exceeded_ms(),
    );
    field(out, "keyspace_hits", hits);
    field(out, "keyspace_misses", misses);
    field(out, "pubsub_channels", channels);
    field(out, "pubsub_patterns", patterns);
    field(out, "pubsubshard_channels", shard_channels);
    field(out, "latest_fork_usec", server.rdb.latest_fork_usec);
    field(out, "total_forks", server.rdb.total_forks);
    field(
        out,
        "migrate_cached_sockets",
        server.migrate.by_target.len(),
    );
    let idle = [
        "slave_expires_tracked_keys",
        "active_defrag_hits",
        "active_defrag_misses",
        "active_defrag_key_hits",
        "active_defrag_key_misses",
        "total_active_defrag_time",
        "current_active_defrag_time",
    ];
    for name in idle {
        field(out, name, 0);
    }
    let (keys, items, prefixes) = server.tracking.totals();
    field(out, "tracking_total_keys", keys);
    field(out, "tracking_total_items", items);
    field(out, "tracking_total_prefixes", prefixes);
    field(out, "unexpected_error_replies", 0);
    field(out, "total_error_replies", stats.error_replies);
    field(out, "dump_payload_sanitizations", 0);
    field(out, "total_reads_processed", stats.reads_processed);
    field(out, "total_writes_processed", stats.writes_processed);
    let idle = [
        "io_threaded_reads_processed",
        "io_threaded_writes_processed",
    ];
    for name in idle {
        field(out, name, 0);
    }
    field(out, "reply_buffer_shrinks", stats.reply_buffer_shrinks);
    field(out, "reply_buffer_expands", stats.reply_buffer_expands);
}

fn replication_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    let config = &server.config;
    field(
        out,
        "role",
        if server.is_replica() {
            "slave"
        } else {
            "master"
        },
    );
    replica_link_fields(server, out);
    let feed = &server.replication;
    field(out, "connected_slaves", feed.replicas().len());
    if config.min_replicas_to_write > 0 && config.min_replicas_max_lag > 0 {
        field(out, "min_slaves_good_slaves", server.good_replicas());
    }
    let now_secs = server.now_ms / 1000;
    for (n, replica) in feed.replicas().iter().enumerate() {
        let lag = now_secs - replica.ack_secs;
        let line = format!(
            "ip={},port={},state=online,offset={},lag={lag}",
            replica.ip, replica.conf.listening_port, replica.ack_offset
        );
        field(out, &format!("slave{n}"), line);
    }
    field(out, "master_failover_state", "no-failover");
    field(out, "master_replid", feed.replid());
    field(out, "master_replid2", feed.replid2());
    field(out, "master_repl_offset", feed.offset());
    field(out, "second_repl_offset", feed.second_offset());
    let backlog = feed.backlog();
    field(out, "repl_backlog_active", u8::from(backlog.is_some()));
    field(out, "repl_backlog_size", config.repl_backlog_size);
    let first = backlog.map_or(0, |b| b.first_offset());
    field(out, "repl_backlog_first_byte_offset", first);
    field(
        out,
        "repl_backlog_histlen",
        backlog.map_or(0, |b| b.histlen()),
    );
}

/// A replica's fields of INFO replication: the master, the link, the transfer.
fn replica_link_fields(server: &ServerState, out: &mut String) {
    let Some(link) = server.master.as_ref() else {
        return;
    };
    let now_secs = server.now_ms / 1000;
    field(out, "master_host", &link.host);
    field(out, "master_port", link.port);
    field(
        out,
        "master_link_status",
        if link.is_up() { "up" } else { "down" },
    );
    let last_io = match link.client {
        Some(_) => now_secs - link.last_io_ms / 1000,
        None => -1,
    };
    field(out, "master_last_io_seconds_ago", last_io);
    let transfer = link.transfer.filter(|_| link.state == LinkState::Transfer);
    field(out, "master_sync_in_progress", u8::from(transfer.is_some()));
    let applied = if link.client.is_some() || link.can_continue {
        link.applied
    } else {
        1
    };
    field(out, "slave_read_repl_offset", applied);
    field(out, "slave_repl_offset", applied);
    if let Some(transfer) = transfer {
        let read = transfer.read as i64;
        let perc = if transfer.total > 0 {
            read as f64 / transfer.total as f64 * 100.0
        } else {
            0.0
        };
        field(out, "master_sync_total_bytes", transfer.total);
        field(out, "master_sync_read_bytes", read);
        field(out, "master_sync_left_bytes", transfer.total - read);
        field(out, "master_sync_perc", format!("{perc:.2}"));
        field(
            out,
            "master_sync_last_io_seconds_ago",
            now_secs - link.last_io_ms / 1000,
        );
    }
    if !link.is_up() {
        let down = match link.down_since_ms {
            0 => -1,
            since => now_secs - since / 1000,
        };
        field(out, "master_link_down_since_seconds", down);
    }
    let settings = &server.config.replica;
    field(out, "slave_priority", settings.priority);
    field(out, "slave_read_only", u8::from(settings.read_only));
    field(out, "replica_announced", u8::from(settings.announced));
}

fn cpu_section(_server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    let (self_sys, self_user) = cpu_times(libc::RUSAGE_SELF);
    let (child_sys, child_user) = cpu_times(libc::RUSAGE_CHILDREN);
    field(out, "used_cpu_sys", self_sys);
    field(out, "used_cpu_user", self_user);
    field(out, "used_cpu_sys_children", child_sys);
    field(out, "used_cpu_user_children", child_user);
    #[cfg(target_os = "linux")]
    {
        // INFO runs on the event loop's thread, the main thread of the server.
        let (main_sys, main_user) = cpu_times(libc::RUSAGE_THREAD);
        field(out, "used_cpu_sys_main_thread", main_sys);
        field(out, "used_cpu_user_main_thread", main_user);
    }
}

/// System and user CPU time as Redis prints them (`seconds.micros`).
fn cpu_times(who: libc::c_int) -> (String, String) {
    // SAFETY: getrusage fills the zeroed struct.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let fmt = |tv: libc::timeval| format!("{}.{:06}", tv.tv_sec, tv.tv_usec);
    (fmt(usage.ru_stime), fmt(usage.ru_utime))
}

fn commandstats_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    for stat in sorted(&server.admin) {
        if stat.calls == 0 && stat.failed == 0 && stat.rejected == 0 {
            continue;
        }
        let per_call = if stat.calls == 0 {
            0.0
        } else {
            stat.usec as f64 / stat.calls as f64
        };
        let _ = write!(
            out,
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            stat.name, stat.calls, stat.usec, stat.rejected, stat.failed
        );
    }
}

fn errorstats_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    for (code, count) in &server.admin.errors {
        let _ = write!(out, "errorstat_{code}:count={count}\r\n");
    }
}

fn latencystats_section(server: &mut ServerState, _dbs: &[Db], out: &mut String) {
    let percentiles = &server.config.latency_tracking_info_percentiles;
    for stat in sorted(&server.admin) {
        let Some(histogram) = stat.histogram.as_ref().filter(|h| h.total > 0) else {
            continue;
        };
        let values: Vec<String> = percentiles
            .iter()
            .map(|p| {
                let ns = histogram.percentile(*p);
                format!("p{}={:.3}", format_percentile(*p), ns as f64 / 1000.0)
            })
            .collect();
        let _ = write!(
            out,
            "latency_percentiles_usec_{}:{}\r\n",
            stat.name,
            values.join(",")
        );
    }
}

fn keyspace_section(_server: &mut ServerState, dbs: &[Db], out: &mut String) {
    for (index, db) in dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        let line = format!(
            "keys={},expires={},avg_ttl={}",
            db.len(),
            db.expires_len(),
            db.avg_ttl
        );
        field(out, &format!("db{index}"), line);
    }
}
