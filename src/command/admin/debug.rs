//! DEBUG: the testing aids clients and test suites use — SLEEP, SET-ACTIVE-EXPIRE,
//! OBJECT, POPULATE, DIGEST, DIGEST-VALUE, CHANGE-REPL-ID, RELOAD, LOADAOF, PROTOCOL,
//! SET-DISABLE-DENY-SCRIPTS, QUICKLIST-PACKED-THRESHOLD, REPLYBUFFER, PAUSE-CRON, HELP.
//!
//! As in Redis 7.0 the command is refused unless `enable-debug-command` is `yes` (or
//! `local` and the client is local). Subcommands that need machinery we do not have
//! (crash helpers...) answer as unknown subcommands.
//!
//! DIGEST follows Redis's scheme (SHA-1 based, keys and set-like members combined
//! independently of order, list elements in order), so equal datasets give the digest
//! Redis gives, whatever their encodings; an empty dataset gives forty zeros.

use bytes::Bytes;

use crate::command::snapshot::rdb as snapshot;
use crate::command::snapshot::{aof, aof_load};

use crate::command::admin::debug_protocol;
use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::help;
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, Group};
use crate::command::core::state::random_hex;
use crate::command::types::keys::lookup_no_touch;
use crate::error::{CmdError, CmdResult};
use crate::persistence::rdb::redis_listpack_len;
use crate::protocol::sizing;
use crate::store::quicklist::{set_packed_threshold, QuickList};
use crate::store::stream::StreamId;
use crate::store::value::Value;
use crate::store::Object;
use crate::util::numbers::{
    format_double_17g, i64_to_bytes, parse_i64, parse_memtoull, MAX_I64_CHARS,
};
use crate::util::sha1::Sha1;

/// A 20-byte digest, combined the way Redis's DEBUG DIGEST combines them: `xor` folds
/// in the SHA-1 of some bytes (order-independent), `mix` does the same and then
/// replaces the digest with its own SHA-1 (order-dependent).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Digest([u8; 20]);

impl Digest {
    /// XORs in the SHA-1 of `bytes`.
    fn xor(&mut self, bytes: &[u8]) {
        for (d, h) in self.0.iter_mut().zip(Sha1::digest(bytes)) {
            *d ^= h;
        }
    }

    /// XORs in the SHA-1 of `bytes`, then hashes the result.
    fn mix(&mut self, bytes: &[u8]) {
        self.xor(bytes);
        self.0 = Sha1::digest(&self.0);
    }

    /// The digest of one element made of `parts`, mixed in order from zero.
    fn of(parts: &[&[u8]]) -> Digest {
        let mut d = Digest::default();
        for part in parts {
            d.mix(part);
        }
        d
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Redis's type codes, which the digest mixes in first.
fn type_code(value: &Value) -> u32 {
    match value {
        Value::Int(_) | Value::Str(_) | Value::RawStr(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// Folds a key's value (and whether it has a TTL) into `d`: its type, then its content
/// (list elements in order; set members, hash pairs and sorted-set pairs in any order,
/// so equal content gives equal digests whatever the encoding).
fn object_digest(d: &mut Digest, value: &Value, has_ttl: bool) {
    let mut buf = [0u8; MAX_I64_CHARS];
    let mut other = [0u8; MAX_I64_CHARS];
    d.mix(&type_code(value).to_be_bytes());
    match value {
        Value::Int(n) => d.mix(i64_to_bytes(*n, &mut buf)),
        Value::Str(s) | Value::RawStr(s) => d.mix(s.as_slice()),
        Value::List(list) => {
            let mut element = Vec::new();
            list.for_each(|e| {
                element.clear();
                e.append_to(&mut element);
                d.mix(&element);
            });
        }
        Value::Set(set) => set.iter().for_each(|m| d.xor(m.as_bytes(&mut buf))),
        Value::Hash(hash) => {
            for (field, value) in hash.iter() {
                let pair = Digest::of(&[field.as_bytes(&mut buf), value.as_bytes(&mut other)]);
                d.xor(&pair.0);
            }
        }
        Value::ZSet(zset) => {
            let mut add = |member: &[u8], score: f64| {
                let mut text = Vec::with_capacity(24);
                format_double_17g(score, &mut text);
                d.xor(&Digest::of(&[member, &text]).0);
            };
            zset.for_range(0, usize::MAX, false, &mut add);
        }
        Value::Stream(stream) => {
            let all = stream.range(StreamId::MIN, StreamId::MAX, false, 0);
            for (id, entry) in all {
                // Redis writes the ID as `ms.seq` here, not as `ms-seq`.
                d.mix(format!("{}.{}", id.ms, id.seq).as_bytes());
                let mut buf = [0u8; crate::util::numbers::MAX_I64_CHARS];
                entry.strings().for_each(|s| d.mix(s.as_bytes(&mut buf)));
            }
        }
    }
    if has_ttl {
        d.xor(b"!!expire!!");
    }
}

/// `DEBUG DIGEST` — a digest of every database's content (forty zeros when empty).
fn digest(ctx: &mut Ctx<'_>) -> CmdResult {
    let mut total = Digest::default();
    for (index, db) in ctx.dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        total.mix(&(index as u32).to_be_bytes());
        for (key, object) in db.iter() {
            let mut d = Digest::of(&[key.as_slice()]);
            let has_ttl = db.expire_at(key.as_slice()).is_some();
            object_digest(&mut d, &object.value, has_ttl);
            total.xor(&d.0);
        }
    }
    ctx.reply.simple(total.hex().as_bytes());
    Ok(())
}

/// `DEBUG DIGEST-VALUE key ...` — the digest of each key's value (zeros if missing).
fn digest_value(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    reply.array_len(keys.len());
    for key in keys {
        let mut d = Digest::default();
        if lookup_no_touch(db, key, now).is_some() {
            let has_ttl = db.expire_at(key).is_some();
            if let Some(object) = lookup_no_touch(db, key, now) {
                object_digest(&mut d, &object.value, has_ttl);
            }
        }
        reply.simple(d.hex().as_bytes());
    }
    Ok(())
}

/// `DEBUG OBJECT key` — low-level facts about a key's value.
fn object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(object) = db.stored(key) else {
        return Err(CmdError::raw("ERR no such key"));
    };
    let size = crate::command::admin::memory::value_size(&object.value, usize::MAX);
    let clock = crate::store::db::access_clock(now);
    let idle = clock.wrapping_sub(object.access_clock) & 0x00ff_ffff;
    let mut text = format!(
        "Value at:{:p} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
        object as *const Object,
        object.value.encoding(),
        size.max(1),
        object.access_clock & 0x00ff_ffff,
        idle
    );
    if let Value::List(list) = &object.value {
        text.push_str(&quicklist_facts(list));
    }
    reply.simple(text.as_bytes());
    Ok(())
}

/// What DEBUG OBJECT adds for a list, as Redis 7.0 words it: node count, elements per
/// node, the fill, whether compression is configured, and the nodes' total size in
/// Redis's encoding (listpack bytes of packed nodes, the element of plain ones).
/// The compression flag is the list's own depth, fixed when it was created, as in
/// Redis; the size counts compressed nodes at their uncompressed size.
fn quicklist_facts(list: &QuickList) -> String {
    let size: usize = list
        .nodes()
        .map(|node| match node.is_plain() {
            true => node.entries().iter().map(|e| e.byte_len()).sum(),
            false => redis_listpack_len(&node.entries()),
        })
        .sum();
    format!(
        " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
        list.node_count(),
        list.len() as f64 / list.node_count() as f64,
        list.fill(),
        u8::from(list.depth() != 0),
        size
    )
}

/// `DEBUG POPULATE count [prefix] [size]` — creates `prefix:N` string keys holding
/// `value:N` (zero-padded or cut to `size` bytes); existing keys are left alone.
///
/// Where Redis would abort (a value larger than any string may be, or more keys than
/// memory holds), this stops with an error instead: `size` is held to
/// proto-max-bulk-len, and the keys stop coming before memory reaches what the machine
/// (or the address-space limit) allows.
fn populate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let positive = |arg: &[u8]| {
        parse_i64(arg)
            .filter(|n| *n >= 0)
            .ok_or_else(|| CmdError::raw("ERR value is out of range, must be positive"))
    };
    let count = positive(&args[2])?;
    let prefix = args.get(3).map_or(&b"key"[..], |p| &p[..]);
    let size = args.get(4).map(|s| positive(s)).transpose()?.unwrap_or(0);
    if size > ctx.server.config.proto_max_bulk_len {
        return Err(CmdError::raw(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    let size = size as usize;
    // Not maxmemory: like Redis, DEBUG POPULATE fills past it (eviction follows).
    let ceiling = crate::command::metrics::process::memory_ceiling();
    let now = ctx.now();
    let db = ctx.db();
    for n in 0..count {
        let room = (size as u64).max(64) * 1024;
        if n % 1024 == 0 && crate::util::alloc::used_memory().saturating_add(room) > ceiling {
            ctx.server.dirty += n as u64;
            return Err(CmdError::raw(format!(
                "ERR DEBUG POPULATE stopped after {n} keys: out of memory"
            )));
        }
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{n}").as_bytes());
        if db.contains(&key, now) {
            continue;
        }
        let label = format!("value:{n}").into_bytes();
        let value = if size == 0 {
            label
        } else {
            // Zeroed by the allocator, then the label (cut to size) in front.
            let mut value = vec![0; size];
            let shown = size.min(label.len());
            value[..shown].copy_from_slice(&label[..shown]);
            value
        };
        db.set(&key, Value::string_from_vec(value), false, now);
    }
    ctx.server.dirty += count as u64;
    ctx.reply.ok();
    Ok(())
}

/// Lines of DEBUG HELP.
const HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANGE-REPL-ID",
    "    Give the server a new replication id.",
    "DIGEST",
    "    Return a hex digest of the whole dataset (equal data, equal digest).",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Return a hex digest of the value of each <key>.",
    "OBJECT <key>",
    "    Return low-level facts about the value of <key>.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named <prefix>:<n> (default prefix 'key'), holding",
    "    'value:<n>' padded or cut to <size> bytes. Existing keys are kept.",
    "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
    "    Save the RDB file, empty the dataset and load the file back. MERGE: keys in",
    "    the file replace existing ones. NOFLUSH: keep the dataset (a key in both is an",
    "    error unless MERGE). NOSAVE: load the file as it is on disk.",
    "LOADAOF",
    "    Write the AOF buffer, empty the dataset and load the append-only file back.",
    "PAUSE-CRON <0|1>",
    "    Stop (1) or restart (0) the server's periodic work.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Store list elements of <size> or more (a memory value such as 1b, 5kb or 1gb)",
    "    alone in plain nodes instead of packed ones; up to 4gb, 0 restores the default",
    "    (1gb).",
    "PROTOCOL <type>",
    "    Reply with a sample of one RESP type: string, integer, double, bignum, null,",
    "    array, set, map, attrib, push, verbatim, true or false.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|milliseconds>",
    "    How often a client's reply buffer peak restarts (default 5000 ms); the",
    "    buffer is sized by that peak.",
    "REPLYBUFFER RESIZING <0|1>",
    "    Turn the sizing of client reply buffers off (0) or back on (1).",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Turn the background expiry of keys off (0) or back on (1).",
    "SET-DISABLE-DENY-SCRIPTS <0|1>",
    "    Let scripts call commands that are normally refused to them (1), or not (0).",
    "SLEEP <seconds>",
    "    Block the server for <seconds> (decimals allowed).",
    "HELP",
    "    Print this help.",
];

/// `DEBUG subcommand [args...]`
fn debug(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let sub = &args[1];
    let argc = args.len();
    match () {
        _ if args::is(sub, "HELP") && argc == 2 => return help::reply(ctx, HELP),
        _ if args::is(sub, "SLEEP") && argc == 3 => {
            let seconds = std::str::from_utf8(&args[2])
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            if seconds.is_finite() && seconds > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(seconds.min(3600.0)));
            }
            ctx.reply.ok();
        }
        _ if args::is(sub, "SET-ACTIVE-EXPIRE") && argc == 3 => {
            ctx.server.admin.active_expire = parse_i64(&args[2]).unwrap_or(0) != 0;
            ctx.reply.ok();
        }
        _ if args::is(sub, "OBJECT") && argc == 3 => return object(ctx, &args[2]),
        _ if args::is(sub, "POPULATE") && (3..=5).contains(&argc) => return populate(ctx, args),
        _ if args::is(sub, "DIGEST") && argc == 2 => return digest(ctx),
        _ if args::is(sub, "DIGEST-VALUE") && argc >= 2 => return digest_value(ctx, &args[2..]),
        _ if args::is(sub, "RELOAD") => return reload(ctx, &args[2..]),
        _ if args::is(sub, "LOADAOF") && argc == 2 => return load_aof(ctx),
        _ if args::is(sub, "PROTOCOL") && argc == 3 => return debug_protocol::reply(ctx, &args[2]),
        _ if args::is(sub, "REPLYBUFFER") && argc == 4 => return reply_buffer(ctx, args),
        _ if args::is(sub, "PAUSE-CRON") && argc == 3 => {
            ctx.server.admin.cron_paused = parse_i64(&args[2]).unwrap_or(0) != 0;
            ctx.reply.ok();
        }
        _ if args::is(sub, "SET-DISABLE-DENY-SCRIPTS") && argc == 3 => {
            ctx.server.admin.scripts_may_run_noscript = parse_i64(&args[2]).unwrap_or(0) != 0;
            ctx.reply.ok();
        }
        _ if args::is(sub, "QUICKLIST-PACKED-THRESHOLD") && argc == 3 => {
            return packed_threshold(ctx, &args[2]);
        }
        _ if args::is(sub, "CHANGE-REPL-ID") && argc == 2 => {
            let replid = random_hex(&mut ctx.server.rng);
            ctx.server.replication.set_replid(replid);
            let none = crate::command::state::replication::NO_REPLID.to_string();
            ctx.server.replication.set_replid2(none, -1);
            ctx.reply.ok();
        }
        _ => return Err(unknown_subcommand(sub)),
    }
    Ok(())
}

/// The error for a subcommand DEBUG does not have (or with the wrong arguments).
fn unknown_subcommand(sub: &[u8]) -> CmdError {
    let text = format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
        String::from_utf8_lossy(sub)
    );
    CmdError::raw(crate::error::one_line(text.into_bytes()))
}

/// `DEBUG REPLYBUFFER PEAK-RESET-TIME <ms|NEVER|RESET>` and `DEBUG REPLYBUFFER
/// RESIZING <0|1>`: how the cron sizes client reply buffers ([`sizing`]). As in Redis,
/// RESIZING takes any text as a number (`atoi`: not a number is 0).
fn reply_buffer(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let policy = &mut ctx.server.admin.reply_buffer;
    let (what, value) = (&args[2], &args[3]);
    if args::is(what, "PEAK-RESET-TIME") {
        policy.peak_reset_ms = if args::is(value, "NEVER") {
            -1
        } else if args::is(value, "RESET") {
            sizing::DEFAULT_PEAK_RESET_MS
        } else {
            args::int(value)?
        };
    } else if args::is(what, "RESIZING") {
        policy.resizing = atoi(value) != 0;
    } else {
        return Err(unknown_subcommand(&args[1]));
    }
    ctx.reply.ok();
    Ok(())
}

/// C's `atoi`: optional blanks and sign, then the digits up to the first non-digit;
/// 0 when there are none.
fn atoi(text: &[u8]) -> i64 {
    let text = text.trim_ascii_start();
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |n, &d| {
            n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'))
        });
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// `DEBUG QUICKLIST-PACKED-THRESHOLD size` — the size from which a list element gets
/// a plain node of its own (`store::quicklist`), read as Redis reads it (`1b`, `5kb`;
/// 0 restores the default of 1 GB).
fn packed_threshold(ctx: &mut Ctx<'_>, size: &[u8]) -> CmdResult {
    match parse_memtoull(size) {
        Some(bytes) if set_packed_threshold(bytes) => {
            ctx.reply.ok();
            Ok(())
        }
        _ => Err(CmdError::raw(
            "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
        )),
    }
}

/// `DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]` — saves, empties and loads the RDB file
/// back: proof that everything survives the round trip.
fn reload(ctx: &mut Ctx<'_>, options: &[Bytes]) -> CmdResult {
    let mut how = snapshot::Reload {
        save: true,
        flush: true,
        merge: false,
    };
    for option in options {
        match option {
            o if args::is(o, "MERGE") => how.merge = true,
            o if args::is(o, "NOFLUSH") => how.flush = false,
            o if args::is(o, "NOSAVE") => how.save = false,
            _ => {
                return Err(CmdError::raw(
                    "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
                ))
            }
        }
    }
    snapshot::reload(ctx.dbs, ctx.server, how).map_err(CmdError::raw)?;
    ctx.reply.ok();
    Ok(())
}

/// `DEBUG LOADAOF` — writes what is buffered, empties the dataset and replays the
/// append-only file: proof that the AOF alone rebuilds everything.
fn load_aof(ctx: &mut Ctx<'_>) -> CmdResult {
    if ctx.server.aof.on {
        aof::flush(ctx.server);
    }
    snapshot::empty_all(ctx.dbs, ctx.server);
    // The manifest on disk is taken as it is (as Redis re-reads it): its files, and
    // the sequence numbers the next files continue from.
    let manifest = match aof_load::read_manifest(ctx.server) {
        Ok(manifest) => manifest,
        Err(error) => {
            log::warn!("{error}");
            return Err(CmdError::raw("ERR Error loading the AOF file"));
        }
    };
    ctx.server.aof.manifest = manifest.clone();
    aof::delete_history(ctx.server);
    if let Err(error) = aof_load::load(ctx.dbs, ctx.server, ctx.table, &manifest) {
        log::warn!("{error}");
        return Err(CmdError::raw("ERR Error loading the AOF file"));
    }
    ctx.server.dirty = 0;
    log::warn!("Append Only File loaded by DEBUG LOADAOF");
    ctx.reply.ok();
    Ok(())
}

/// The DEBUG table entry: one command that parses its subcommands itself, as Redis's
/// DEBUG does, so they have no entries of their own.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, debug)
        .acl(acl::DANGEROUS)
        .docs(Group::Server.doc("A container for debugging commands.", "1.0.0", "Depends on subcommand.")
            .doc_flags(&["syscmd"])),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_is_order_free_and_mix_is_not() {
        let mut a = Digest::default();
        a.xor(b"x");
        a.xor(b"y");
        let mut b = Digest::default();
        b.xor(b"y");
        b.xor(b"x");
        assert!(a == b);
        assert_eq!(Digest::default().hex(), "0".repeat(40));
        assert_ne!(
            Digest::of(&[b"x", b"y"]).hex(),
            Digest::of(&[b"y", b"x"]).hex()
        );
    }
}
