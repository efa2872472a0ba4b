//! Whole RDB files: the magic and version, auxiliary fields, function libraries, each
//! database (SELECTDB, RESIZEDB, then its keys with their expiry and access metadata),
//! the EOF opcode and the CRC-64 of everything before it.

use std::io::{self, Read, Write};

use crate::store::db::{access_clock, lfu_counter};
use crate::store::{Bstr, Db, Object};

use super::api::{
    AccessMeta, Encodings, KeyMeta, LoadError, LoadSink, LoadStats, SaveOptions, RDB_VERSION,
};
use super::format::*;
use super::load::read_value;
use super::read::{corrupt, Corrupt, Input, Result};
use super::save::{type_byte, write_value};
use super::write::Output;

/// Writes a whole RDB file: `REDIS0010`, the aux fields given (in order), the function
/// libraries, then for each non-empty database SELECTDB, RESIZEDB and its keys
/// (EXPIRETIME_MS, IDLE or FREQ per `access`, type, key, value), EOF and the checksum
/// (0 when `opts.checksum` is off). Keys whose deadline has passed are written too, as
/// Redis writes them. Returns the number of keys written.
pub fn write_rdb<W: Write>(
    out: W,
    dbs: &[Db],
    functions: &[&[u8]],
    aux: &[(&str, Vec<u8>)],
    opts: SaveOptions,
    access: AccessMeta,
    now_ms: i64,
) -> io::Result<u64> {
    let mut out = Output::new(out, opts.checksum, opts.compression);
    out.bytes(format!("REDIS{RDB_VERSION:04}").as_bytes())?;
    for (name, value) in aux {
        out.byte(OP_AUX)?;
        out.string(name.as_bytes())?;
        out.string(value)?;
    }
    for code in functions {
        out.byte(OP_FUNCTION2)?;
        out.string(code)?;
    }
    let mut keys = 0;
    for (index, db) in dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()) {
        out.byte(OP_SELECTDB)?;
        out.length(index as u64)?;
        out.byte(OP_RESIZEDB)?;
        out.length(db.len() as u64)?;
        out.length(db.expires_len() as u64)?;
        let has_expires = db.expires_len() > 0;
        for (key, obj) in db.iter() {
            let expire = if has_expires {
                db.expire_at(key.as_slice())
            } else {
                None
            };
            write_key(&mut out, expire, key, obj, access, now_ms)?;
            keys += 1;
            crate::util::delay::per_item(opts.key_delay_us, keys);
        }
    }
    out.byte(OP_EOF)?;
    let crc = out.checksum()?;
    out.bytes(&crc.to_le_bytes())?;
    out.finish()?;
    Ok(keys)
}

/// One key with its metadata, as `rdbSaveKeyValuePair` writes it.
fn write_key<W: Write>(
    out: &mut Output<W>,
    expire: Option<i64>,
    key: &Bstr,
    obj: &Object,
    access: AccessMeta,
    now_ms: i64,
) -> io::Result<()> {
    if let Some(when) = expire {
        out.byte(OP_EXPIRETIME_MS)?;
        out.millis(when)?;
    }
    match access {
        AccessMeta::None => {}
        AccessMeta::Lru => {
            out.byte(OP_IDLE)?;
            out.length(u64::from(
                access_clock(now_ms).wrapping_sub(obj.access_clock),
            ))?;
        }
        AccessMeta::Lfu { decay_minutes } => {
            out.byte(OP_FREQ)?;
            out.byte(lfu_counter(obj.access_clock, decay_minutes, now_ms).min(255) as u8)?;
        }
    }
    out.byte(type_byte(&obj.value))?;
    out.string(key.as_slice())?;
    write_value(out, &obj.value)
}

/// Reads a whole RDB stream: checks the magic, a version from 1 to 10 and (from
/// version 5, unless it is 0) the checksum, handing everything to `sink` in file
/// order. Reads `input` as a stream, a buffer at a time.
///
/// # Errors
/// The first problem found, with the input offset where it was found: a malformed or
/// truncated file, a checksum mismatch, module data, or an error the sink returned.
pub fn load_rdb<R: Read>(
    input: R,
    enc: &Encodings,
    sink: &mut dyn LoadSink,
) -> std::result::Result<LoadStats, LoadError> {
    let mut inp = Input::new(input, None);
    let mut stats = LoadStats::default();
    match load_body(&mut inp, enc, sink, &mut stats) {
        Ok(()) => {
            stats.bytes = inp.offset();
            Ok(stats)
        }
        Err(Corrupt(message)) => Err(LoadError {
            offset: inp.offset(),
            message: message.into_owned(),
        }),
    }
}

/// The version in a file's first nine bytes (`REDIS` and four digits).
fn read_magic<R: Read>(inp: &mut Input<R>) -> Result<u16> {
    let magic: [u8; 9] = inp.array()?;
    if &magic[..5] != b"REDIS" || !magic[5..].iter().all(u8::is_ascii_digit) {
        return corrupt("not an RDB file (wrong signature)");
    }
    let version = magic[5..]
        .iter()
        .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
    if !(1..=RDB_VERSION).contains(&version) {
        return corrupt(format!("can't handle RDB format version {version}"));
    }
    Ok(version)
}

/// Everything after the magic.
fn load_body<R: Read>(
    inp: &mut Input<R>,
    enc: &Encodings,
    sink: &mut dyn LoadSink,
    stats: &mut LoadStats,
) -> Result<()> {
    stats.version = read_magic(inp)?;
    let mut db = 0usize;
    let mut meta = KeyMeta::default();
    loop {
        match inp.u8()? {
            OP_EXPIRETIME_MS => meta.expire_ms = Some(inp.millis()?),
            OP_EXPIRETIME => {
                meta.expire_ms = Some(i64::from(i32::from_le_bytes(inp.array()?)) * 1000)
            }
            OP_FREQ => meta.freq = Some(inp.u8()?),
            OP_IDLE => meta.idle_secs = Some(inp.length()?),
            OP_EOF => break,
            OP_SELECTDB => db = inp.count()?,
            OP_RESIZEDB => {
                let (keys, expires) = (inp.length()?, inp.length()?);
                sink.resize_db(db, keys, expires);
            }
            OP_AUX => {
                let name = inp.string_vec()?;
                let value = inp.string_vec()?;
                sink.aux(&name, &value);
            }
            OP_MODULE_AUX => return corrupt("module auxiliary data is not supported"),
            op @ (OP_FUNCTION2 | OP_FUNCTION_PRE_GA) => {
                let code = read_function(inp, op)?;
                sink.function(code).or_else(corrupt)?;
                stats.functions += 1;
            }
            kind => {
                load_key(inp, kind, (db, meta), enc, sink, stats)?;
                meta = KeyMeta::default();
            }
        }
    }
    if stats.version >= 5 {
        verify_checksum(inp)?;
    }
    Ok(())
}

/// One key of type `kind` with what preceded it (database and metadata), handed to
/// the sink; an empty collection is counted and skipped, as Redis skips it.
fn load_key<R: Read>(
    inp: &mut Input<R>,
    kind: u8,
    (db, meta): (usize, KeyMeta),
    enc: &Encodings,
    sink: &mut dyn LoadSink,
    stats: &mut LoadStats,
) -> Result<()> {
    let key = inp.string()?.with_bytes(Bstr::from_slice);
    match read_value(inp, kind, enc)? {
        Some(value) => {
            sink.key(db, key, value, meta).or_else(corrupt)?;
            stats.keys += 1;
        }
        None => stats.empty_keys_skipped += 1,
    }
    Ok(())
}

/// Reads the checksum after EOF and compares it with the input's (0: not computed).
fn verify_checksum<R: Read>(inp: &mut Input<R>) -> Result<()> {
    let expected = inp.checksum();
    let stored = u64::from_le_bytes(inp.array()?);
    if stored != 0 && stored != expected {
        // Redis's words for it ("RDB CRC error"), which tools watching the log know.
        return corrupt(format!(
            "Wrong RDB checksum expected: ({expected:x}) got ({stored:x}): RDB CRC error"
        ));
    }
    Ok(())
}

/// A function library after its opcode: FUNCTION2 is the code; the 7.0 release
/// candidates' FUNCTION is name, engine, optional description and body, turned into
/// code with a `#!<engine> name=<name>` header as Redis turns it.
pub fn read_function<R: Read>(inp: &mut Input<R>, op: u8) -> Result<Vec<u8>> {
    if op == OP_FUNCTION2 {
        return inp.string_vec();
    }
    let name = inp.string_vec()?;
    let engine = inp.string_vec()?;
    if inp.length()? != 0 {
        inp.string()?;
    }
    let body = inp.string_vec()?;
    let mut code = b"#!".to_vec();
    code.extend_from_slice(&engine);
    code.extend_from_slice(b" name=");
    code.extend_from_slice(&name);
    code.push(b'\n');
    code.extend_from_slice(&body);
    Ok(code)
}
