//! HyperLogLog commands: PFADD PFCOUNT PFMERGE.
//!
//! Sketches are plain string values holding Redis's exact bytes (see
//! [`crate::store::hll`]), so GET, DUMP-free copies and estimates equal Redis's. A
//! command that touches a sketch leaves it "raw"-encoded, as Redis's unsharing does.
//! PFDEBUG GETREG/DECODE/ENCODING/TODENSE and PFSELFTEST are the internal debugging
//! commands (PFSELFTEST runs this implementation's own checks).

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group, KeySpec};
use crate::command::state::notify;
use crate::error::{c_str, one_line, CmdError, CmdResult};
use crate::store::hll::{self, Corrupt};
use crate::store::{Bstr, Value};

/// A string that is not a sketch.
const ERR_NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// PFDEBUG on a missing key.
const ERR_NO_KEY: &str = "ERR The specified key does not exist";
/// PFDEBUG DECODE on a dense sketch.
const ERR_NOT_SPARSE: &str = "ERR HLL encoding is not sparse";
/// A sketch whose registers do not decode.
const ERR_INVALID_HLL: &str = "INVALIDOBJ Corrupted HLL object detected";

fn corrupt(_: Corrupt) -> CmdError {
    CmdError::raw(ERR_INVALID_HLL)
}

/// The sketch bytes `value` holds, after Redis's header check.
///
/// # Errors
/// `WRONGTYPE` for other types (the usual text) and for strings that are no sketch.
fn hll_bytes(value: &Value) -> CmdResult<&[u8]> {
    match value {
        Value::Str(s) | Value::RawStr(s) if hll::is_valid(s.as_slice()) => Ok(s.as_slice()),
        Value::Int(_) | Value::Str(_) | Value::RawStr(_) => Err(CmdError::raw(ERR_NOT_HLL)),
        _ => Err(CmdError::WrongType),
    }
}

/// Runs `edit` on the (already validated) sketch in `value` and stores the result back
/// as a "raw" string. A heap-allocated sketch is edited without a copy.
fn edit_hll<R>(value: &mut Value, edit: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut bytes = match std::mem::replace(value, Value::Int(0)) {
        Value::Str(Bstr::Heap(boxed)) | Value::RawStr(Bstr::Heap(boxed)) => boxed.into_vec(),
        Value::Str(s) | Value::RawStr(s) => s.as_slice().to_vec(),
        // Callers validate first; never reached, but stay panic-free if it were.
        _ => hll::new_sparse(),
    };
    let result = edit(&mut bytes);
    *value = Value::RawStr(Bstr::from_vec(bytes));
    result
}

/// Gives a string value the "raw" encoding without touching its bytes (Redis unshares
/// the object before reading a sketch it may write).
fn make_raw(value: &mut Value) {
    if let Value::Str(s) = value {
        let bytes = std::mem::take(s);
        *value = Value::RawStr(bytes);
    }
}

/// `PFADD key [element ...]`
///
/// # Returns
/// 1 if the key was created or some register changed, else 0.
fn pfadd(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (key, elements) = (&args[1], &args[2..]);
    let now = ctx.now();
    let sparse_max = ctx.server.config.hll_sparse_max_bytes;
    let add_all = |hll: &mut Vec<u8>| -> Result<u64, Corrupt> {
        let mut changed = 0;
        for element in elements {
            changed += u64::from(hll::add(hll, element, sparse_max)?);
        }
        if changed > 0 {
            hll::invalidate(hll);
        }
        Ok(changed)
    };
    let db = ctx.db();
    let updated = match db.lookup_write(key, now) {
        Some(value) => {
            hll_bytes(value)?;
            edit_hll(value, add_all).map_err(corrupt)?
        }
        None => {
            let mut hll = hll::new_sparse();
            let result = add_all(&mut hll);
            hll::invalidate(&mut hll);
            db.insert_new(key, Value::RawStr(Bstr::from_vec(hll)), now);
            result.map_err(corrupt)? + 1
        }
    };
    if updated > 0 {
        ctx.notify(notify::STRING, "pfadd", key);
        ctx.server.dirty += updated;
    }
    ctx.reply.int(i64::from(updated > 0));
    Ok(())
}

/// `PFCOUNT key [key ...]`
///
/// # Returns
/// The estimated cardinality. One key: its cached value, computed and cached (a write)
/// when stale. Several keys: the estimate of their union, nothing cached.
fn pfcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    if args.len() > 2 {
        let max = merge_sources(ctx, &args[1..])?.0;
        ctx.reply.int(hll::count_raw(&max) as i64);
        return Ok(());
    }
    let now = ctx.now();
    let Some(value) = ctx.db().lookup_read(&args[1], now) else {
        ctx.reply.int(0);
        return Ok(());
    };
    let bytes = hll_bytes(value)?;
    let (card, computed) = match hll::cached(bytes) {
        Some(card) => (card, false),
        None => (hll::count(bytes).map_err(corrupt)?, true),
    };
    if computed {
        edit_hll(value, |hll| hll::set_cached(hll, card));
        ctx.server.dirty += 1;
    } else {
        make_raw(value);
    }
    ctx.reply.int(card as i64);
    Ok(())
}

/// Folds the sketches at `keys` (missing keys count as empty) into one byte per
/// register; also says whether any of them was dense.
fn merge_sources(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> CmdResult<(Vec<u8>, bool)> {
    let now = ctx.now();
    let mut max = vec![0u8; hll::REGISTERS];
    let mut any_dense = false;
    let db = ctx.db();
    for key in keys {
        let Some(value) = db.lookup_read(key, now) else {
            continue;
        };
        let bytes = hll_bytes(value)?;
        any_dense |= bytes[4] == hll::DENSE;
        hll::merge_into(&mut max, bytes).map_err(corrupt)?;
    }
    Ok((max, any_dense))
}

/// `PFMERGE destkey [sourcekey ...]`
///
/// Merges the sources and the destination itself into the destination (created when
/// missing); the result is dense when any input was dense. Fires `pfadd`.
fn pfmerge(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let (max, any_dense) = merge_sources(ctx, &args[1..])?;
    let now = ctx.now();
    let sparse_max = ctx.server.config.hll_sparse_max_bytes;
    let db = ctx.db();
    if db.lookup_write(key, now).is_none() {
        db.insert_new(key, Value::RawStr(Bstr::from_vec(hll::new_sparse())), now);
    }
    let Some(value) = db.lookup_write(key, now) else {
        return Err(CmdError::raw(ERR_INVALID_HLL));
    };
    edit_hll(value, |hll| -> Result<(), Corrupt> {
        if any_dense {
            hll::to_dense(hll)?;
        }
        for (index, &count) in max.iter().enumerate() {
            if count > 0 {
                // The destination decoded above, so it cannot be corrupt here.
                let _ = hll::set_register(hll, index, count, sparse_max);
            }
        }
        hll::invalidate(hll);
        Ok(())
    })
    .map_err(corrupt)?;
    ctx.notify(notify::STRING, "pfadd", key);
    ctx.server.dirty += 1;
    ctx.reply.ok();
    Ok(())
}

/// What a PFDEBUG subcommand found, replied once the key is no longer borrowed.
enum Debug {
    Registers(Vec<u8>),
    Decoded(String),
    Encoding(&'static str),
    Converted(bool),
}

/// `PFDEBUG <GETREG|DECODE|ENCODING|TODENSE> key`
///
/// # Returns
/// GETREG: the 16384 registers (a sparse sketch is converted to dense first); DECODE:
/// the sparse opcodes as text; ENCODING: `dense` or `sparse`; TODENSE: 1 if converted.
fn pfdebug(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let (sub, key) = (&args[1], &args[2]);
    let now = ctx.now();
    let Some(value) = ctx.db().lookup_write(key, now) else {
        return Err(CmdError::raw(ERR_NO_KEY));
    };
    let sparse = hll_bytes(value)?[4] == hll::SPARSE;
    let convert = args::is(sub, "GETREG") || args::is(sub, "TODENSE");
    // Every subcommand leaves the string "raw", as Redis's unsharing does.
    edit_hll(
        value,
        |hll| if convert { hll::to_dense(hll) } else { Ok(()) },
    )
    .map_err(corrupt)?;
    let Some(Value::RawStr(bytes)) = ctx.db().lookup_write(key, now).map(|v| &*v) else {
        return Err(CmdError::raw(ERR_INVALID_HLL));
    };
    let bytes = bytes.as_slice();
    let outcome = if args::is(sub, "GETREG") {
        Debug::Registers(hll::dense_registers(bytes))
    } else if args::is(sub, "DECODE") {
        if !sparse {
            return Err(CmdError::raw(ERR_NOT_SPARSE));
        }
        Debug::Decoded(hll::decode_sparse(bytes))
    } else if args::is(sub, "ENCODING") {
        Debug::Encoding(if sparse { "sparse" } else { "dense" })
    } else if args::is(sub, "TODENSE") {
        Debug::Converted(sparse)
    } else {
        let mut text = b"ERR Unknown PFDEBUG subcommand '".to_vec();
        text.extend_from_slice(c_str(sub, usize::MAX));
        text.push(b'\'');
        return Err(CmdError::raw(one_line(text)));
    };
    if convert && sparse {
        ctx.server.dirty += 1;
    }
    reply_debug(ctx, outcome);
    Ok(())
}

fn reply_debug(ctx: &mut Ctx<'_>, outcome: Debug) {
    match outcome {
        Debug::Registers(regs) => {
            ctx.reply.array_len(regs.len());
            regs.iter().for_each(|&r| ctx.reply.int(i64::from(r)));
        }
        Debug::Decoded(text) => ctx.reply.bulk(text.as_bytes()),
        Debug::Encoding(name) => ctx.reply.simple(name.as_bytes()),
        Debug::Converted(done) => ctx.reply.int(i64::from(done)),
    }
}

/// `PFSELFTEST` — runs the sketch implementation's self checks; `+OK` when they pass.
fn pfselftest(ctx: &mut Ctx<'_>, _args: &[Bytes]) -> CmdResult {
    hll::self_test().map_err(CmdError::raw)?;
    ctx.reply.ok();
    Ok(())
}

/// The HyperLogLog family's table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("pfadd", -2, WRITE | DENYOOM | FAST, pfadd)
        .acl(acl::HYPERLOGLOG)
        .keys(1, 1, 1, key1::RW_INSERT)
        .docs(Group::HyperLogLog.doc("Adds elements to a HyperLogLog sketch, creating it when missing.",
            "2.8.9", "O(1) to add every element.").args(PFADD_ARGS)),
    CommandSpec::new("pfcount", -2, READONLY | MAY_REPLICATE, pfcount)
        .acl(acl::HYPERLOGLOG)
        .keys(1, -1, 1, &[KeySpec::range(&["RW", "access"], 1, -1, 1)])
        .docs(Group::HyperLogLog.doc("Estimates how many distinct elements the HyperLogLog sketches at the keys have seen.",
            "2.8.9",
            "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.")
            .args(&[Arg::key("key", 0).multiple()])),
    CommandSpec::new("pfmerge", -2, WRITE | DENYOOM, pfmerge)
        .acl(acl::HYPERLOGLOG)
        .keys(1, -1, 1, PFMERGE_KEYS)
        .docs(Group::HyperLogLog.doc("Merges HyperLogLog sketches into a destination sketch.",
            "2.8.9", "O(N) to merge N HyperLogLogs, but with high constant times.")
            .args(PFMERGE_ARGS)),
    CommandSpec::new("pfdebug", 3, WRITE | DENYOOM | ADMIN, pfdebug)
        .acl(acl::HYPERLOGLOG)
        .keys(2, 2, 1, &[KeySpec::range(&["RW", "access"], 2, 0, 1)])
        .docs(Group::HyperLogLog.doc("Inspects the internals of a HyperLogLog sketch (debugging).",
            "2.8.9", "N/A").doc_flags(&["syscmd"]).args(PFDEBUG_ARGS)),
    CommandSpec::new("pfselftest", 1, ADMIN, pfselftest)
        .acl(acl::HYPERLOGLOG)
        .docs(Group::HyperLogLog.doc("Checks the HyperLogLog implementation (debugging).",
            "2.8.9", "N/A").doc_flags(&["syscmd"])),
];

const PFADD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("element", ArgType::String).optional().multiple(),
];

const PFMERGE_KEYS: &[KeySpec] = &[
    KeySpec::range(&["RW", "access", "insert"], 1, 0, 1),
    KeySpec::range(&["RO", "access"], 2, -1, 1),
];

const PFMERGE_ARGS: &[Arg] = &[Arg::key("destkey", 0), Arg::key("sourcekey", 1).multiple()];

const PFDEBUG_ARGS: &[Arg] = &[Arg::new("subcommand", ArgType::String), Arg::key("key", 0)];
