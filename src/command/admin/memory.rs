//! MEMORY: USAGE (our own per-key estimate from our encodings), STATS, DOCTOR,
//! MALLOC-STATS, PURGE, HELP. The process figures come from `metrics::process`.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Arg, ArgType, Group, KeySpec};
use crate::command::core::state::ServerState;
use crate::command::metrics::process::{allocator_active, heap_bytes, human_bytes, resident_bytes};
use crate::command::types::keys::lookup_no_touch;
use crate::error::{CmdError, CmdResult};
use crate::store::listpack::Entry;
use crate::store::value::Value;
use crate::store::Db;

/// Elements MEMORY USAGE samples in a collection without SAMPLES.
const DEFAULT_SAMPLES: usize = 5;

/// Bytes of one key's bookkeeping: the dict node, the object header and the key's
/// length prefix.
const KEY_OVERHEAD: usize = 24 + 16 + 8;

/// Bytes of one hash-table field: its node (two 16-byte strings and a link, a 48-byte
/// chunk) and a bucket pointer.
const HASH_TABLE_ENTRY: usize = 48 + 8;

/// Bytes of one set-table member: its node (a 16-byte string and a link, a 32-byte
/// chunk) and a bucket pointer.
const SET_TABLE_ENTRY: usize = 32 + 8;

/// Heap bytes of a table's string of `len` bytes: none when it fits its handle, else
/// its bytes and the allocator's header.
fn spilled(len: usize) -> usize {
    if len > crate::store::mstr::INLINE_CAP {
        len + 8
    } else {
        0
    }
}

/// Bytes of a heap string's header (length, capacity).
const STR_HEADER: usize = 16;

/// Memory figures shared by INFO memory and MEMORY STATS.
pub struct MemoryFigures {
    /// Heap in use.
    pub used: u64,
    /// Highest `used` seen.
    pub peak: u64,
    /// Heap in use when the server started.
    pub startup: u64,
    /// Client buffers (query and output) at the cron's last pass.
    pub clients: u64,
    /// The AOF buffer not yet written.
    pub aof_buffer: u64,
    /// Cached scripts (bodies and names).
    pub scripts: u64,
    /// Everything that is not data: start-up memory, client buffers, the AOF buffer,
    /// the script cache and every database's tables (Redis's `used_memory_overhead`).
    pub overhead: u64,
    /// Resident set size.
    pub rss: u64,
    /// What the allocator holds from the system: the resident size (see `measure`).
    pub active: u64,
}

impl MemoryFigures {
    /// Measures now, updating the server's peak.
    pub fn measure(server: &mut ServerState, dbs: &[Db]) -> Self {
        let rss = resident_bytes();
        let used = heap_bytes();
        let clients = server.client_peaks.memory() as u64;
        let aof_buffer = if server.aof.on {
            server.aof.buffer.capacity() as u64
        } else {
            0
        };
        let scripts = server.scripting.scripts_memory() as u64;
        let admin = &mut server.admin;
        admin.peak_memory = admin.peak_memory.max(used);
        let tables = dbs.iter().map(|db| db.overhead() as u64).sum::<u64>();
        let overhead = admin.startup_memory + clients + aof_buffer + scripts + tables;
        MemoryFigures {
            used,
            peak: admin.peak_memory,
            startup: admin.startup_memory,
            clients,
            aof_buffer,
            scripts,
            overhead: overhead.min(used),
            rss,
            // glibc can only say what it took from the system by walking every free
            // chunk under the arena lock (`mallinfo2`): after a big UNLINK that held
            // the loop for up to 420 ms per INFO. The resident size stands in for it
            // here; MEMORY MALLOC-STATS still asks glibc, on demand.
            active: rss.max(used),
        }
    }

    /// Memory holding data: used minus overhead.
    pub fn dataset(&self) -> u64 {
        self.used - self.overhead
    }

    /// `dataset` as a percentage of what was allocated since start-up.
    pub fn dataset_percentage(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup).max(1);
        self.dataset() as f64 * 100.0 / net as f64
    }
}

/// Bytes of an entry of a compact encoding: its bytes plus a length header and
/// back-length byte.
fn entry_size(entry: &Entry<'_>) -> usize {
    entry.byte_len() + 2
}

/// Average of `sizes` (at most `samples` of them) times `len`.
fn scaled(sizes: impl Iterator<Item = usize>, samples: usize, len: usize) -> usize {
    let (mut total, mut seen) = (0usize, 0usize);
    for size in sizes.take(samples) {
        total += size;
        seen += 1;
    }
    total.checked_div(seen).map_or(0, |average| average * len)
}

/// Our estimate of the bytes `value` occupies, sampling at most `samples` elements of a
/// collection.
pub fn value_size(value: &Value, samples: usize) -> usize {
    use crate::store::hash::HashValue;
    use crate::store::set::SetValue;
    match value {
        Value::Int(_) => 0,
        Value::Str(s) | Value::RawStr(s) => STR_HEADER + s.len(),
        // Counted exactly, node by node: a node's entries may be compressed or
        // share a prefix, so the elements' own sizes would not say what it holds.
        Value::List(list) => list.byte_size(),
        Value::Hash(hash) => match hash.as_ref() {
            HashValue::Listpack(_) => {
                let pairs = hash.iter().map(|(f, v)| entry_size(&f) + entry_size(&v));
                16 + scaled(pairs, samples, hash.len())
            }
            HashValue::Table(_) => {
                let pairs = hash
                    .iter()
                    .map(|(f, v)| HASH_TABLE_ENTRY + spilled(f.byte_len()) + spilled(v.byte_len()));
                64 + scaled(pairs, samples, hash.len())
            }
        },
        Value::Set(set) => match set.as_ref() {
            SetValue::Intset(_) => 16 + 8 * set.len(),
            SetValue::Table(_) => {
                let mut buf = [0u8; crate::util::numbers::MAX_I64_CHARS];
                let members = set
                    .iter()
                    .map(|m| SET_TABLE_ENTRY + spilled(m.as_bytes(&mut buf).len()));
                64 + scaled(members, samples, set.len())
            }
        },
        // The sorted-set store keeps its own exact accounting (one arena and index for
        // big sets, one buffer for small ones), so no sampling is needed.
        Value::ZSet(zset) => 16 + zset.heap_size(),
        Value::Stream(stream) => 64 + stream.heap_size(),
    }
}

/// `MEMORY USAGE key [SAMPLES count]` — our estimate of the bytes the key and its value
/// take; nil when the key does not exist. `SAMPLES 0` measures every element.
fn memory_usage(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let samples = match args {
        [_, _, _] => DEFAULT_SAMPLES,
        [_, _, _, opt, count] if args::is(opt, "SAMPLES") => match args::int(count)? {
            n if n < 0 => return Err(CmdError::Syntax),
            0 => usize::MAX,
            n => n as usize,
        },
        _ => return Err(CmdError::Syntax),
    };
    let now = ctx.now();
    let key = &args[2];
    let (db, reply) = ctx.db_and_reply();
    match lookup_no_touch(db, key, now) {
        Some(object) => {
            let size = KEY_OVERHEAD + key.len() + value_size(&object.value, samples);
            reply.int(size as i64);
        }
        None => reply.null(),
    }
    Ok(())
}

/// `MEMORY STATS` — the memory figures as a map, in Redis's field order.
fn memory_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let m = MemoryFigures::measure(ctx.server, ctx.dbs);
    let keys: usize = ctx.dbs.iter().map(Db::len).sum();
    let used_dbs: Vec<(usize, &Db)> = ctx
        .dbs
        .iter()
        .enumerate()
        .filter(|(_, db)| !db.is_empty())
        .collect();
    let ratio = |a: u64, b: u64| a as f64 / b.max(1) as f64;
    let backlog = ctx
        .server
        .replication
        .backlog()
        .map_or(0, |b| b.memory() as u64);
    let reply = &mut ctx.reply;
    reply.map_len(27 + used_dbs.len());
    for (name, value) in [
        ("peak.allocated", m.peak),
        ("total.allocated", m.used),
        ("startup.allocated", m.startup),
        ("replication.backlog", backlog),
        ("clients.slaves", 0),
        ("clients.normal", m.clients),
        ("cluster.links", 0),
        ("aof.buffer", m.aof_buffer),
        ("lua.caches", m.scripts),
        ("functions.caches", 0),
    ] {
        reply.bulk(name.as_bytes());
        reply.int(value as i64);
    }
    for (index, db) in used_dbs {
        reply.bulk(format!("db.{index}").as_bytes());
        reply.map_len(3);
        reply.bulk(b"overhead.hashtable.main");
        reply.int(db.keys_overhead() as i64);
        reply.bulk(b"overhead.hashtable.expires");
        reply.int(db.expires_overhead() as i64);
        reply.bulk(b"overhead.hashtable.slot-to-keys");
        reply.int(0);
    }
    let per_key = if keys == 0 {
        0
    } else {
        (m.used - m.startup.min(m.used)) / keys as u64
    };
    let ints = [
        ("overhead.total", m.overhead),
        ("keys.count", keys as u64),
        ("keys.bytes-per-key", per_key),
        ("dataset.bytes", m.dataset()),
    ];
    for (name, value) in ints {
        reply.bulk(name.as_bytes());
        reply.int(value as i64);
    }
    reply.bulk(b"dataset.percentage");
    reply.double(m.dataset_percentage());
    reply.bulk(b"peak.percentage");
    reply.double(ratio(m.used * 100, m.peak));
    for (name, value) in [
        ("allocator.allocated", m.used),
        ("allocator.active", m.active),
        ("allocator.resident", m.rss),
    ] {
        reply.bulk(name.as_bytes());
        reply.int(value as i64);
    }
    let pairs = [
        (
            "allocator-fragmentation",
            ratio(m.active, m.used),
            m.active as i64 - m.used as i64,
        ),
        (
            "allocator-rss",
            ratio(m.rss, m.active),
            m.rss as i64 - m.active as i64,
        ),
        ("rss-overhead", 1.0, 0),
    ];
    for (name, r, bytes) in pairs {
        reply.bulk(format!("{name}.ratio").as_bytes());
        reply.double(r);
        reply.bulk(format!("{name}.bytes").as_bytes());
        reply.int(bytes);
    }
    reply.bulk(b"fragmentation");
    reply.double(ratio(m.rss, m.used));
    reply.bulk(b"fragmentation.bytes");
    reply.int(m.rss as i64 - m.used as i64);
    Ok(())
}

/// Below this much heap the doctor has nothing meaningful to say.
const DOCTOR_MIN_BYTES: u64 = 5 << 20;

/// `MEMORY DOCTOR` — a plain-language note on memory problems found.
fn memory_doctor(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let m = MemoryFigures::measure(ctx.server, ctx.dbs);
    let mut notes = Vec::new();
    if m.used < DOCTOR_MIN_BYTES {
        notes.push("The dataset is too small for a useful memory report; fill it with some data and ask again.".to_string());
    } else {
        if m.peak > m.used.saturating_mul(3) / 2 {
            notes.push(format!("Peak memory ({}) is well above current usage ({}): the RSS may stay high after the peak.", human_bytes(m.peak), human_bytes(m.used)));
        }
        if m.rss > m.used.saturating_mul(14) / 10 {
            notes.push(format!(
                "High fragmentation: RSS is {:.2} times the memory in use.",
                m.rss as f64 / m.used as f64
            ));
        }
        if notes.is_empty() {
            notes.push("No memory problems detected.".to_string());
        }
    }
    ctx.reply.verbatim(b"txt", notes.join("\n").as_bytes());
    Ok(())
}

/// `MEMORY MALLOC-STATS` — the allocator's own statistics (glibc's `malloc_info` XML
/// where available).
fn memory_malloc_stats(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    let text = format!(
        "Stats not supported for the current allocator (libc): heap in use {} bytes, taken from the system {} bytes, resident {} bytes\n",
        heap_bytes(),
        allocator_active(),
        resident_bytes()
    );
    ctx.reply.verbatim(b"txt", text.as_bytes());
    Ok(())
}

/// `MEMORY PURGE` — asks the allocator to return free memory to the system.
fn memory_purge(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe {
        libc::malloc_trim(0);
    }
    ctx.reply.ok();
    Ok(())
}

/// The MEMORY container's table entry.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::container("memory", -2, 0)
        .subcommands(SUBCOMMANDS)
        .docs(Group::Server.doc("A container for memory diagnostics commands.", "4.0.0", "Depends on subcommand.")),
];

/// MEMORY's subcommands.
#[rustfmt::skip]
const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("purge", 2, 0, memory_purge)
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
        .docs(Group::Server.doc("Returns free memory to the system.", "4.0.0", ALLOC)),
    CommandSpec::new("malloc-stats", 2, 0, memory_malloc_stats)
        .tips(SPECIAL)
        .docs(Group::Server.doc("Reports the allocator's statistics.", "4.0.0", ALLOC)),
    CommandSpec::new("doctor", 2, 0, memory_doctor)
        .tips(SPECIAL)
        .docs(Group::Server.doc("Reports memory problems.", "4.0.0", "O(1)")),
    CommandSpec::new("help", 2, LOADING | STALE, |ctx, _| help::reply(ctx, HELP))
        .docs(Group::Server.doc("Lists the MEMORY subcommands.", "4.0.0", "O(1)")),
    CommandSpec::new("usage", -3, READONLY, memory_usage)
        .acl(acl::READ)
        .keys(2, 2, 1, &[KeySpec::range(&["RO"], 2, 0, 1)])
        .docs(Group::Server.doc("Estimates the memory a key and its value take.", "4.0.0", "O(N) where N is the number of samples.")
            .args(USAGE_ARGS)),
    CommandSpec::new("stats", 2, 0, memory_stats)
        .tips(SPECIAL)
        .docs(Group::Server.doc("Reports memory usage figures.", "4.0.0", "O(1)")),
];

const SPECIAL: &[&str] = &[
    "nondeterministic_output",
    "request_policy:all_shards",
    "response_policy:special",
];
const ALLOC: &str = "Depends on how much memory is allocated, could be slow";
const USAGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("count", ArgType::Integer)
        .with_token("SAMPLES")
        .optional(),
];

/// Lines of MEMORY HELP.
const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a report of memory problems found.",
    "MALLOC-STATS",
    "    Return the memory allocator's own statistics.",
    "PURGE",
    "    Ask the allocator to give free memory back to the system.",
    "STATS",
    "    Return the server's memory usage figures.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return the bytes <key> and its value take. Collections are estimated from",
    "    <count> sampled elements (default: 5, 0 measures them all).",
    "HELP",
    "    Print this help.",
];
