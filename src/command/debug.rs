//! DEBUG: the testing aids clients and test suites use — SLEEP, SET-ACTIVE-EXPIRE,
//! OBJECT, POPULATE, DIGEST, DIGEST-VALUE, CHANGE-REPL-ID, HELP.
//!
//! As in Redis 7.0 the command is refused unless `enable-debug-command` is `yes` (or
//! `local` and the client is local). Subcommands that need machinery we do not have
//! (RELOAD, LOADAOF, crash helpers...) answer as unknown subcommands.
//!
//! DIGEST is our own content digest, not Redis's: 160 bits where equal datasets give
//! equal digests whatever their encodings, an empty dataset gives forty zeros, keys
//! combine independently of order, and list elements in order.

use bytes::Bytes;

use crate::command::introspection::write_help;
use crate::command::keys::lookup_no_touch;
use crate::command::table::{acl, flags::*, CommandSpec, Docs, Group};
use crate::command::{args, random_hex, Ctx};
use crate::error::{CmdError, CmdResult};
use crate::store::value::Value;
use crate::store::Object;
use crate::util::numbers::parse_i64;

const ERR_NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// A 160-bit digest: three independently seeded 64-bit lanes, the last cut to 32 bits.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Digest([u64; 3]);

const SEEDS: [u64; 3] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
];

/// A strong 64-bit finalizer (splitmix64's).
fn finalize(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Digest {
    /// Folds `bytes` (length-prefixed, so `ab`+`c` differs from `a`+`bc`) into the digest
    /// in order.
    fn mix(&mut self, bytes: &[u8]) {
        for (lane, seed) in self.0.iter_mut().zip(SEEDS) {
            let mut h = finalize(*lane ^ seed ^ bytes.len() as u64);
            for chunk in bytes.chunks(8) {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                h = finalize(h ^ u64::from_le_bytes(word)).wrapping_add(seed);
            }
            *lane = h;
        }
    }

    /// Combines `other` without regard to order.
    fn xor(&mut self, other: Digest) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a ^= b;
        }
    }

    /// The digest of one item (a fresh digest mixed with each part).
    fn of(parts: &[&[u8]]) -> Digest {
        let mut d = Digest::default();
        for part in parts {
            d.mix(part);
        }
        d
    }

    fn hex(&self) -> String {
        format!(
            "{:016x}{:016x}{:08x}",
            self.0[0], self.0[1], self.0[2] as u32
        )
    }
}

/// The digest of a value: its type, then its content (sets, hashes and sorted sets
/// order-independently).
fn value_digest(value: &Value) -> Digest {
    use crate::store::zset::ZSetValue;
    let mut buf = [0u8; crate::util::numbers::MAX_I64_CHARS];
    let mut d = Digest::default();
    match value {
        Value::Int(n) => d.mix(n.to_string().as_bytes()),
        Value::Str(s) | Value::RawStr(s) => d.mix(s.as_slice()),
        Value::List(list) => {
            d.mix(b"list");
            for entry in list.iter() {
                d.mix(entry.as_bytes(&mut buf));
            }
        }
        Value::Hash(hash) => {
            d.mix(b"hash");
            for (field, value) in hash.iter() {
                let mut other = [0u8; crate::util::numbers::MAX_I64_CHARS];
                d.xor(Digest::of(&[
                    field.as_bytes(&mut buf),
                    value.as_bytes(&mut other),
                ]));
            }
        }
        Value::Set(set) => {
            d.mix(b"set");
            for member in set.iter() {
                d.xor(Digest::of(&[member.as_bytes(&mut buf)]));
            }
        }
        Value::ZSet(zset) => {
            d.mix(b"zset");
            let mut add = |member: &[u8], score: f64| {
                d.xor(Digest::of(&[member, &score.to_bits().to_le_bytes()]));
            };
            match zset.as_ref() {
                ZSetValue::Listpack(pairs) => pairs.iter().for_each(|(m, s)| add(m.as_slice(), *s)),
                ZSetValue::SkipList { dict, .. } => {
                    dict.iter().for_each(|(m, s)| add(m.as_slice(), *s))
                }
            }
        }
    }
    d
}

/// `DEBUG DIGEST` — a digest of every database's content (forty zeros when empty).
fn digest(ctx: &mut Ctx<'_>) -> CmdResult {
    let mut total = Digest::default();
    for (index, db) in ctx.dbs.iter().enumerate() {
        for (key, object) in db.iter() {
            let mut d = Digest::of(&[&(index as u64).to_le_bytes(), key.as_slice()]);
            d.xor(value_digest(&object.value));
            if let Some(at) = db.expire_at(key.as_slice()) {
                d.mix(&at.to_le_bytes());
            }
            total.xor(d);
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
        let digest = lookup_no_touch(db, key, now)
            .map(|object| value_digest(&object.value))
            .unwrap_or_default();
        reply.simple(digest.hex().as_bytes());
    }
    Ok(())
}

/// `DEBUG OBJECT key` — low-level facts about a key's value.
fn object(ctx: &mut Ctx<'_>, key: &[u8]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let Some(object) = lookup_no_touch(db, key, now) else {
        return Err(CmdError::raw("ERR no such key"));
    };
    let size = crate::command::memory::value_size(&object.value, usize::MAX);
    let clock = crate::store::db::access_clock(now);
    let idle = clock.wrapping_sub(object.access_clock) & 0x00ff_ffff;
    let text = format!(
        "Value at:{:p} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
        object as *const Object,
        object.value.encoding(),
        size.max(1),
        object.access_clock & 0x00ff_ffff,
        idle
    );
    reply.simple(text.as_bytes());
    Ok(())
}

/// `DEBUG POPULATE count [prefix] [size]` — creates `prefix:N` string keys holding
/// `value:N` (zero-padded or cut to `size` bytes); existing keys are left alone.
fn populate(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let positive = |arg: &[u8]| {
        parse_i64(arg)
            .filter(|n| *n >= 0)
            .ok_or_else(|| CmdError::raw("ERR value is out of range, must be positive"))
    };
    let count = positive(&args[2])?;
    let prefix = args.get(3).map_or(&b"key"[..], |p| &p[..]);
    let size = args.get(4).map(|s| positive(s)).transpose()?.unwrap_or(0) as usize;
    let now = ctx.now();
    let db = ctx.db();
    for n in 0..count {
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{n}").as_bytes());
        if db.contains(&key, now) {
            continue;
        }
        let mut value = format!("value:{n}").into_bytes();
        if size > 0 {
            value.resize(size, 0);
        }
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
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Turn the background expiry of keys off (0) or back on (1).",
    "SLEEP <seconds>",
    "    Block the server for <seconds> (decimals allowed).",
    "HELP",
    "    Print this help.",
];

/// True if `enable-debug-command` lets this client run DEBUG.
fn allowed(ctx: &Ctx<'_>) -> bool {
    let setting = ctx.server.config.stored.get("enable-debug-command");
    match setting.map(String::as_str) {
        Some("yes") => true,
        Some("local") => {
            let addr = &ctx.session.addr;
            addr.starts_with("127.")
                || addr.starts_with("::1")
                || addr.starts_with("[::1]")
                || addr.starts_with('/')
        }
        _ => false,
    }
}

/// `DEBUG subcommand [args...]`
fn debug(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if !allowed(ctx) {
        return Err(CmdError::raw(ERR_NOT_ALLOWED));
    }
    let sub = &args[1];
    let argc = args.len();
    match () {
        _ if args::is(sub, "HELP") && argc == 2 => write_help(&mut ctx.reply, HELP),
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
        _ if args::is(sub, "CHANGE-REPL-ID") && argc == 2 => {
            ctx.server.admin.replid = random_hex(&mut ctx.server.rng);
            ctx.reply.ok();
        }
        _ => {
            let text = format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                String::from_utf8_lossy(sub)
            );
            return Err(CmdError::raw(crate::error::one_line(text.into_bytes())));
        }
    }
    Ok(())
}

/// The DEBUG table entry.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec::keyed(
    "debug",
    -2,
    ADMIN | NOSCRIPT | LOADING | STALE,
    acl::DANGEROUS,
    (0, 0, 0),
    &[],
    &[],
    debug,
    Docs {
        doc_flags: &["syscmd"],
        ..Docs::new(
            Group::Server,
            "A container for debugging commands.",
            "1.0.0",
            "Depends on subcommand.",
            &[],
        )
    },
)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_do_not_depend_on_order_of_set_members() {
        let mut a = Digest::default();
        a.xor(Digest::of(&[b"x"]));
        a.xor(Digest::of(&[b"y"]));
        let mut b = Digest::default();
        b.xor(Digest::of(&[b"y"]));
        b.xor(Digest::of(&[b"x"]));
        assert!(a == b);
        assert_eq!(Digest::default().hex(), "0".repeat(40));
        assert_ne!(
            Digest::of(&[b"ab", b"c"]).hex(),
            Digest::of(&[b"a", b"bc"]).hex()
        );
    }
}
