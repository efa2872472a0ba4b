//! Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
//!
//! Bitmaps are string values read as arrays of bits, bit 0 being the most significant
//! bit of the first byte. Reads see an integer-encoded value as its decimal text; every
//! write leaves a "raw" string behind, as Redis's `dbUnshareStringValue` does, and grows
//! the string with zero bytes up to the highest bit addressed ([`edit_bitmap`]). Offsets
//! are bounded by proto-max-bulk-len, so no command allocates more than Redis would.
//!
//! Redis 7.0 details kept on purpose: BITCOUNT and BITPOS look the key up before
//! parsing their range (a missing key answers 0 or -1 whatever follows), SETBIT and
//! BITFIELD count a change only when a bit or the length actually changed, and BITOP
//! deletes its destination when every source is empty.

use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::{CommandSpec, Ctx};
use crate::command::core::spec::flags::*;
use crate::command::core::spec::{acl, key1, Arg, ArgType, Group, KeySpec};
use crate::command::state::notify;
use crate::error::{c_str, CmdError, CmdResult};
use crate::protocol::reply::{format_i64, itoa_buf};
use crate::protocol::Reply;
use crate::store::bstr::Bstr;
use crate::store::db::Db;
use crate::store::value::Value;
use crate::util::numbers::parse_i64;

/// A bit offset that is not an integer, negative, or beyond proto-max-bulk-len.
const ERR_BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
/// SETBIT with a value other than 0 or 1.
const ERR_BIT_VALUE: &str = "ERR bit is not an integer or out of range";
/// BITPOS with a bit other than 0 or 1.
const ERR_BITPOS_BIT: &str = "ERR The bit argument must be 1 or 0.";
/// BITOP NOT with several sources.
const ERR_BITOP_NOT: &str = "ERR BITOP NOT must be called with a single source key.";
/// BITFIELD with a malformed type.
const ERR_BITFIELD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
/// BITFIELD OVERFLOW with an unknown mode.
const ERR_OVERFLOW_TYPE: &str = "ERR Invalid OVERFLOW type specified";
/// BITFIELD_RO with SET or INCRBY.
const ERR_BITFIELD_RO: &str = "ERR BITFIELD_RO only supports the GET subcommand";
/// A bitmap that could not be allocated (only with a raised proto-max-bulk-len).
const ERR_NO_MEMORY: &str = "ERR bitmap too large: out of memory";

/// Largest bitmap allocated without a fallible reservation: the default 512MB limit plus
/// one 64-bit BITFIELD field.
const EAGER_ZERO_LIMIT: usize = 512 * 1024 * 1024 + 16;

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Runs `f` on a string value's bytes (integers as their decimal text).
///
/// # Errors
/// `WRONGTYPE` when the value is not a string.
fn with_bitmap<R>(value: &Value, f: impl FnOnce(&[u8]) -> R) -> CmdResult<R> {
    match value {
        Value::Int(n) => {
            let mut digits = itoa_buf();
            Ok(f(format_i64(*n, &mut digits)))
        }
        Value::Str(s) | Value::RawStr(s) => Ok(f(s.as_slice())),
        _ => Err(CmdError::WrongType),
    }
}

/// Takes a string value apart into an owned buffer (free for heap strings).
fn into_vec(value: Value) -> Vec<u8> {
    match value {
        Value::Str(Bstr::Heap(boxed)) | Value::RawStr(Bstr::Heap(boxed)) => boxed.into_vec(),
        Value::Str(Bstr::Shared(shared)) | Value::RawStr(Bstr::Shared(shared)) => {
            Vec::from(*shared)
        }
        other => with_bitmap(&other, <[u8]>::to_vec).unwrap_or_default(),
    }
}

/// Matches an option the way Redis's `strcasecmp` does: on the bytes before any NUL.
fn opt_is(arg: &[u8], option: &str) -> bool {
    args::is(c_str(arg, usize::MAX), option)
}

/// Parses a bit offset as Redis's `getBitOffsetFromArgument`: with `unit` (BITFIELD's
/// type width), `#N` means the N-th field of that width (multiplied as Redis does,
/// wrapping on overflow). The offset's byte must lie below proto-max-bulk-len.
///
/// # Errors
/// `ERR bit offset is not an integer or out of range`.
fn bit_offset(ctx: &Ctx<'_>, arg: &[u8], unit: Option<u32>) -> CmdResult<u64> {
    let (digits, scale) = match (arg.first(), unit) {
        (Some(b'#'), Some(bits)) => (&arg[1..], i64::from(bits)),
        _ => (arg, 1),
    };
    let offset = parse_i64(digits)
        .ok_or_else(|| CmdError::raw(ERR_BIT_OFFSET))?
        .wrapping_mul(scale);
    if offset < 0 || (offset >> 3) >= ctx.server.config.proto_max_bulk_len {
        return Err(CmdError::raw(ERR_BIT_OFFSET));
    }
    Ok(offset as u64)
}

/// Redis's `lookupStringForBitCommand`: runs `edit` on the string at `key`, created or
/// zero-padded so that bit `max_bit` exists, and stores it back as a "raw" string.
/// `edit` also learns whether the string was created or grew.
///
/// # Errors
/// `WRONGTYPE` when the key holds another type.
fn edit_bitmap<R>(
    db: &mut Db,
    key: &[u8],
    max_bit: u64,
    now: i64,
    edit: impl FnOnce(&mut [u8], bool) -> R,
) -> CmdResult<R> {
    // Bounded by proto-max-bulk-len (checked by `bit_offset`) plus one 64-bit field.
    let need = usize::try_from(max_bit >> 3).map_err(|_| CmdError::raw(ERR_NO_MEMORY))? + 1;
    if let Some(slot) = db.lookup_write(key, now) {
        if !slot.is_string() {
            return Err(CmdError::WrongType);
        }
        let mut buf = into_vec(std::mem::replace(slot, Value::Int(0)));
        let grew = buf.len() < need;
        let grown = if grew {
            zero_extend(&mut buf, need)
        } else {
            Ok(())
        };
        let result = grown.map(|()| edit(&mut buf, grew));
        *slot = Value::RawStr(Bstr::from_vec(buf));
        return result;
    }
    let mut buf = Vec::new();
    zero_extend(&mut buf, need)?;
    let result = edit(&mut buf, true);
    db.insert_new(key, Value::RawStr(Bstr::from_vec(buf)), now);
    Ok(result)
}

/// Pads `buf` with zero bytes up to `len`. Up to the default 512MB limit the memory
/// comes from a zeroed (lazily committed) allocation; beyond it, only reachable with a
/// raised proto-max-bulk-len, the allocation may fail with an error instead of aborting.
fn zero_extend(buf: &mut Vec<u8>, len: usize) -> CmdResult {
    if buf.is_empty() && len <= EAGER_ZERO_LIMIT {
        *buf = vec![0; len];
        return Ok(());
    }
    let more = len.saturating_sub(buf.len());
    buf.try_reserve_exact(more)
        .map_err(|_| CmdError::raw(ERR_NO_MEMORY))?;
    buf.resize(len, 0);
    Ok(())
}

/// Byte `index` of a bitmap, 0 past its end.
fn byte_at(bytes: &[u8], index: u64) -> u8 {
    usize::try_from(index)
        .ok()
        .and_then(|i| bytes.get(i).copied())
        .unwrap_or(0)
}

/// The mask of bits `from..=to` (0 = most significant) within one byte.
fn byte_mask(from: u64, to: u64) -> u8 {
    let high = 0xffu8 >> (from & 7);
    let low = 0xffu8 << (7 - (to & 7));
    high & low
}

/// The inclusive bit range a BITCOUNT/BITPOS `start end` selects in a string of `len`
/// bytes (indexes in bytes, or in bits with `BIT`; negative ones count from the end),
/// or `None` when it is empty.
fn bit_range(len: usize, start: i64, end: i64, in_bits: bool) -> Option<(u64, u64)> {
    let total = if in_bits { len as i64 * 8 } else { len as i64 };
    let resolve = |index: i64| {
        if index < 0 {
            (total + index).max(0)
        } else {
            index
        }
    };
    let (start, end) = (resolve(start), resolve(end).min(total - 1));
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(if in_bits {
        (start, end)
    } else {
        (start * 8, end * 8 + 7)
    })
}

/// Number of set bits in bits `from..=to` of `bytes` (all within the string).
fn count_bits(bytes: &[u8], from: u64, to: u64) -> u64 {
    let (first, last) = (from >> 3, to >> 3);
    if first == last {
        return u64::from((byte_at(bytes, first) & byte_mask(from, to)).count_ones());
    }
    let edges = (byte_at(bytes, first) & byte_mask(from, 7)).count_ones()
        + (byte_at(bytes, last) & byte_mask(0, to)).count_ones();
    let middle = bytes.get(first as usize + 1..last as usize).unwrap_or(&[]);
    u64::from(edges) + popcount(middle)
}

/// Number of set bits in `bytes`, eight bytes at a time.
fn popcount(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut total: u64 = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        total += u64::from(u64::from_ne_bytes(word).count_ones());
    }
    total
        + chunks
            .remainder()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum::<u64>()
}

/// Position of the first bit equal to `bit` in bits `from..=to` of `bytes`.
fn find_bit(bytes: &[u8], from: u64, to: u64, bit: bool) -> Option<u64> {
    let flip = if bit { 0 } else { 0xff };
    let hit = |index: u64, mask: u8| {
        let found = (byte_at(bytes, index) ^ flip) & mask;
        (found != 0).then(|| index * 8 + u64::from(found.leading_zeros()))
    };
    let (first, last) = (from >> 3, to >> 3);
    if first == last {
        return hit(first, byte_mask(from, to));
    }
    if let Some(pos) = hit(first, byte_mask(from, 7)) {
        return Some(pos);
    }
    let middle = bytes.get(first as usize + 1..last as usize).unwrap_or(&[]);
    if let Some(skip) = middle.iter().position(|&b| b != flip) {
        return hit(first + 1 + skip as u64, 0xff);
    }
    hit(last, byte_mask(0, to))
}

// ---------------------------------------------------------------------------------------
// SETBIT / GETBIT
// ---------------------------------------------------------------------------------------

/// `SETBIT key offset value`
///
/// # Returns
/// The bit's previous value. The string is created or zero-padded as needed; a write
/// that changes neither a bit nor the length is not counted as a change.
fn setbit(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let offset = bit_offset(ctx, &args[2], None)?;
    let on = match args::int(&args[3]) {
        Ok(v @ (0 | 1)) => v == 1,
        _ => return Err(CmdError::raw(ERR_BIT_VALUE)),
    };
    let now = ctx.now();
    let (was, changed) = edit_bitmap(ctx.db(), key, offset, now, |buf, grew| {
        let mask = 0x80u8 >> (offset & 7);
        let Some(byte) = usize::try_from(offset >> 3)
            .ok()
            .and_then(|i| buf.get_mut(i))
        else {
            return (false, false);
        };
        let was = *byte & mask != 0;
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        (was, grew || was != on)
    })?;
    if changed {
        ctx.notify(notify::STRING, "setbit", key);
        ctx.server.dirty += 1;
    }
    ctx.reply.int(i64::from(was));
    Ok(())
}

/// `GETBIT key offset` — the bit at `offset`, 0 past the end or for a missing key.
fn getbit(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &args[2], None)?;
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let bit = match db.lookup_read(&args[1], now) {
        None => 0,
        Some(value) => with_bitmap(value, |bytes| {
            byte_at(bytes, offset >> 3) & (0x80 >> (offset & 7))
        })?,
    };
    reply.int(i64::from(bit != 0));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITCOUNT / BITPOS
// ---------------------------------------------------------------------------------------

/// Parses an optional `BYTE|BIT` unit; true for `BIT`.
fn index_unit(arg: Option<&Bytes>) -> CmdResult<bool> {
    match arg {
        None => Ok(false),
        Some(unit) if opt_is(unit, "bit") => Ok(true),
        Some(unit) if opt_is(unit, "byte") => Ok(false),
        Some(_) => Err(CmdError::Syntax),
    }
}

/// BITCOUNT's count over `bytes` given the arguments after the key.
fn bitcount_of(bytes: &[u8], range: &[Bytes]) -> CmdResult<u64> {
    if range.is_empty() {
        return Ok(popcount(bytes));
    }
    if range.len() > 3 || range.len() == 1 {
        return Err(CmdError::Syntax);
    }
    let start = args::int(&range[0])?;
    let end = args::int(&range[1])?;
    if start < 0 && end < 0 && start > end {
        return Ok(0);
    }
    let in_bits = index_unit(range.get(2))?;
    Ok(match bit_range(bytes.len(), start, end, in_bits) {
        Some((from, to)) => count_bits(bytes, from, to),
        None => 0,
    })
}

/// `BITCOUNT key [start end [BYTE|BIT]]`
///
/// # Returns
/// The number of set bits in the string or in the range; 0 for a missing key (before
/// the range is even parsed, as in Redis 7.0).
fn bitcount(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let count = match db.lookup_read(&args[1], now) {
        None => 0,
        Some(value) => with_bitmap(value, |bytes| bitcount_of(bytes, &args[2..]))??,
    };
    reply.int(count as i64);
    Ok(())
}

/// BITPOS's answer over `bytes` given the arguments after the bit.
fn bitpos_of(bytes: &[u8], bit: bool, range: &[Bytes]) -> CmdResult<i64> {
    if range.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let start = match range.first() {
        Some(arg) => args::int(arg)?,
        None => 0,
    };
    let in_bits = index_unit(range.get(2))?;
    let end_given = range.len() >= 2;
    let end = match range.get(1) {
        Some(arg) => args::int(arg)?,
        None => -1,
    };
    let Some((from, to)) = bit_range(bytes.len(), start, end, in_bits) else {
        return Ok(-1);
    };
    Ok(match find_bit(bytes, from, to, bit) {
        Some(pos) => pos as i64,
        // Looking for a clear bit with no explicit end: the string is taken as
        // zero-padded on the right, so the answer is the first bit past the range.
        None if !bit && !end_given => to as i64 + 1,
        None => -1,
    })
}

/// `BITPOS key bit [start [end [BYTE|BIT]]]`
///
/// # Returns
/// The position of the first bit equal to `bit` in the string or range; -1 when there
/// is none (but see [`bitpos_of`] for clear bits); for a missing key 0 when looking for
/// a clear bit, -1 for a set one.
fn bitpos(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let bit = match args::int(&args[2])? {
        0 => false,
        1 => true,
        _ => return Err(CmdError::raw(ERR_BITPOS_BIT)),
    };
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let pos = match db.lookup_read(&args[1], now) {
        None if bit => -1,
        None => 0,
        Some(value) => with_bitmap(value, |bytes| bitpos_of(bytes, bit, &args[3..]))??,
    };
    reply.int(pos);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------------------

/// A BITOP operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

impl BitOp {
    /// Parses the operation name (case-insensitive, as a C string).
    fn parse(arg: &[u8]) -> CmdResult<BitOp> {
        [
            ("and", BitOp::And),
            ("or", BitOp::Or),
            ("xor", BitOp::Xor),
            ("not", BitOp::Not),
        ]
        .into_iter()
        .find(|(name, _)| opt_is(arg, name))
        .map(|(_, op)| op)
        .ok_or(CmdError::Syntax)
    }

    /// Folds source `src` into the result `acc` (sources shorter than the result count
    /// as zero-padded); `first` says whether `src` is the first source.
    fn fold(self, acc: &mut Vec<u8>, src: &[u8], first: bool) {
        if first {
            acc.clear();
            acc.extend_from_slice(src);
            if self == BitOp::Not {
                acc.iter_mut().for_each(|b| *b = !*b);
            }
            return;
        }
        if acc.len() < src.len() {
            acc.resize(src.len(), 0);
        }
        let (head, tail) = acc.split_at_mut(src.len());
        match self {
            BitOp::And => {
                head.iter_mut().zip(src).for_each(|(a, b)| *a &= b);
                tail.fill(0);
            }
            BitOp::Or => head.iter_mut().zip(src).for_each(|(a, b)| *a |= b),
            BitOp::Xor => head.iter_mut().zip(src).for_each(|(a, b)| *a ^= b),
            BitOp::Not => {}
        }
    }
}

/// `BITOP AND|OR|XOR|NOT destkey key [key ...]`
///
/// # Returns
/// The length of the result, stored at `destkey` as a "raw" string (dropping any TTL);
/// an empty result deletes `destkey` instead. Missing sources count as empty strings.
fn bitop(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let op = BitOp::parse(&args[1])?;
    if op == BitOp::Not && args.len() != 4 {
        return Err(CmdError::raw(ERR_BITOP_NOT));
    }
    let (dest, now) = (&args[2], ctx.now());
    let db = ctx.db();
    let mut result = Vec::new();
    for (i, key) in args[3..].iter().enumerate() {
        match db.lookup_read(key, now) {
            Some(value) => with_bitmap(value, |src| op.fold(&mut result, src, i == 0))?,
            None => op.fold(&mut result, &[], i == 0),
        }
    }
    let len = result.len();
    if len > 0 {
        db.set(dest, Value::RawStr(Bstr::from_vec(result)), false, now);
        ctx.notify(notify::STRING, "set", dest);
        ctx.server.dirty += 1;
    } else if db.remove(dest, now).is_some() {
        ctx.notify(notify::GENERIC, "del", dest);
        ctx.server.dirty += 1;
    }
    ctx.reply.int(len as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO
// ---------------------------------------------------------------------------------------

/// What BITFIELD does when a SET or INCRBY does not fit the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Keep the low bits (two's complement wrap-around).
    Wrap,
    /// Clamp to the field's minimum or maximum.
    Sat,
    /// Write nothing and answer null.
    Fail,
}

/// One BITFIELD operation's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldOpKind {
    Get,
    Set,
    IncrBy,
}

/// One parsed BITFIELD operation.
#[derive(Debug, Clone, Copy)]
struct FieldOp {
    kind: FieldOpKind,
    /// `i` (true) or `u` type.
    signed: bool,
    /// Field width: 1..=64 signed, 1..=63 unsigned.
    bits: u32,
    /// First bit of the field.
    offset: u64,
    /// SET's value or INCRBY's increment.
    value: i64,
    overflow: Overflow,
}

impl FieldOp {
    /// Interprets the low `bits` bits of `raw` as the field's (signed or unsigned) value.
    fn decode(&self, raw: u64) -> i128 {
        let shift = 64 - self.bits;
        if self.signed {
            i128::from(((raw << shift) as i64) >> shift)
        } else {
            i128::from((raw << shift) >> shift)
        }
    }

    /// Reads the field (missing bytes are zero).
    fn read(&self, bytes: &[u8]) -> i128 {
        let raw = (0..u64::from(self.bits)).fold(0u64, |acc, i| {
            let bit = self.offset + i;
            (acc << 1) | u64::from((byte_at(bytes, bit >> 3) >> (7 - (bit & 7))) & 1)
        });
        self.decode(raw)
    }

    /// Writes the low `bits` bits of `value` into the field.
    fn write(&self, bytes: &mut [u8], value: i128) {
        let raw = value as u64;
        for i in 0..u64::from(self.bits) {
            let bit = self.offset + i;
            let mask = 0x80u8 >> (bit & 7);
            let Some(byte) = usize::try_from(bit >> 3)
                .ok()
                .and_then(|b| bytes.get_mut(b))
            else {
                return;
            };
            if (raw >> (u64::from(self.bits) - 1 - i)) & 1 == 1 {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
    }

    /// The field's largest value.
    fn max(&self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }

    /// The field's smallest value.
    fn min(&self) -> i128 {
        if self.signed {
            -self.max() - 1
        } else {
            0
        }
    }

    /// The new value of a SET (`value`, 0) or INCRBY (`old`, increment) under the
    /// overflow mode; `None` when FAIL refuses it.
    fn settle(&self, value: i128, incr: i64) -> Option<i128> {
        let exceeded = if self.signed {
            signed_overflow(value as i64, incr, self.bits)
        } else {
            unsigned_overflow(value as u64, incr, self.bits)
        };
        let sum = (value as u64).wrapping_add(incr as u64);
        match (exceeded, self.overflow) {
            (None, _) | (Some(_), Overflow::Wrap) => Some(self.decode(sum)),
            (Some(_), Overflow::Fail) => None,
            (Some(Exceeded::Above), Overflow::Sat) => Some(self.max()),
            (Some(Exceeded::Below), Overflow::Sat) => Some(self.min()),
        }
    }

    /// Runs a SET or INCRBY on `bytes`: the reply value (`None` for a refused write)
    /// and whether the field changed.
    fn apply(&self, bytes: &mut [u8]) -> (Option<i128>, bool) {
        let old = self.read(bytes);
        let settled = match self.kind {
            FieldOpKind::IncrBy => self.settle(old, self.value),
            _ if self.signed => self.settle(i128::from(self.value), 0),
            // An unsigned field's SET value is taken as a u64: negatives overflow.
            _ => self.settle(i128::from(self.value as u64), 0),
        };
        let Some(new) = settled else {
            return (None, false);
        };
        self.write(bytes, new);
        let reply = if self.kind == FieldOpKind::IncrBy {
            new
        } else {
            old
        };
        (Some(reply), new != old)
    }
}

/// Which way a BITFIELD value left its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exceeded {
    Above,
    Below,
}

/// Whether `value + incr` leaves a signed field of `bits` bits, with Redis's exact
/// checks: its margins are computed with wrap-around and consulted even when `value`
/// itself is out of range, which makes `SET i4 0 -9223372036854775808` overflow
/// *upwards* (SAT stores 7).
fn signed_overflow(value: i64, incr: i64, bits: u32) -> Option<Exceeded> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let narrow = bits != 64;
    if value > max || (narrow && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Some(Exceeded::Above)
    } else if value < min
        || (narrow && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        Some(Exceeded::Below)
    } else {
        None
    }
}

/// Whether `value + incr` leaves an unsigned field of `bits` (at most 63) bits, with
/// Redis's checks (margins as wrapped 64-bit integers).
fn unsigned_overflow(value: u64, incr: i64, bits: u32) -> Option<Exceeded> {
    let max = (1u64 << bits) - 1;
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    if value > max || (incr > 0 && incr > max_incr) {
        Some(Exceeded::Above)
    } else if incr < 0 && incr < min_incr {
        Some(Exceeded::Below)
    } else {
        None
    }
}

/// Parses a BITFIELD type such as `i16` or `u8` (as a C string, like Redis).
///
/// # Errors
/// `ERR Invalid bitfield type...` for anything but `i1`..`i64` and `u1`..`u63`.
fn field_type(arg: &[u8]) -> CmdResult<(bool, u32)> {
    let text = c_str(arg, usize::MAX);
    let err = || CmdError::raw(ERR_BITFIELD_TYPE);
    let signed = match text.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(err()),
    };
    let bits = parse_i64(&text[1..]).ok_or_else(err)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(err());
    }
    Ok((signed, bits as u32))
}

/// Parses an OVERFLOW mode.
fn overflow_mode(arg: &[u8]) -> CmdResult<Overflow> {
    [
        ("wrap", Overflow::Wrap),
        ("sat", Overflow::Sat),
        ("fail", Overflow::Fail),
    ]
    .into_iter()
    .find(|(name, _)| opt_is(arg, name))
    .map(|(_, mode)| mode)
    .ok_or_else(|| CmdError::raw(ERR_OVERFLOW_TYPE))
}

/// Parses BITFIELD's operations (everything after the key), in Redis's order of checks.
fn parse_field_ops(ctx: &Ctx<'_>, args: &[Bytes]) -> CmdResult<Vec<FieldOp>> {
    let (mut ops, mut overflow, mut j) = (Vec::new(), Overflow::Wrap, 0);
    while j < args.len() {
        let (sub, left) = (&args[j], args.len() - j - 1);
        let kind = if opt_is(sub, "get") && left >= 2 {
            FieldOpKind::Get
        } else if opt_is(sub, "set") && left >= 3 {
            FieldOpKind::Set
        } else if opt_is(sub, "incrby") && left >= 3 {
            FieldOpKind::IncrBy
        } else if opt_is(sub, "overflow") && left >= 1 {
            overflow = overflow_mode(&args[j + 1])?;
            j += 2;
            continue;
        } else {
            return Err(CmdError::Syntax);
        };
        let (signed, bits) = field_type(&args[j + 1])?;
        let offset = bit_offset(ctx, &args[j + 2], Some(bits))?;
        let value = if kind == FieldOpKind::Get {
            0
        } else {
            args::int(&args[j + 3])?
        };
        ops.push(FieldOp {
            kind,
            signed,
            bits,
            offset,
            value,
            overflow,
        });
        j += if kind == FieldOpKind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

/// Runs every operation on the (possibly grown) bitmap, replying to each; returns the
/// number of changes (every write counts when the string was created or grew).
fn run_field_ops(reply: &mut Reply<'_>, ops: &[FieldOp], bytes: &mut [u8], grew: bool) -> u64 {
    reply.array_len(ops.len());
    let mut changes = 0;
    for op in ops {
        if op.kind == FieldOpKind::Get {
            reply.int(op.read(bytes) as i64);
            continue;
        }
        match op.apply(bytes) {
            (Some(value), changed) => {
                reply.int(value as i64);
                changes += u64::from(changed || grew);
            }
            (None, _) => reply.null(),
        }
    }
    changes
}

/// Replies to GET-only operations, reading the key without creating it.
fn read_fields(ctx: &mut Ctx<'_>, key: &[u8], ops: &[FieldOp]) -> CmdResult {
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    match db.lookup_read(key, now) {
        Some(value) => with_bitmap(value, |bytes| reply_gets(reply, ops, bytes))?,
        None => reply_gets(reply, ops, &[]),
    };
    Ok(())
}

/// Replies to operations that are all GETs.
fn reply_gets(reply: &mut Reply<'_>, ops: &[FieldOp], bytes: &[u8]) {
    reply.array_len(ops.len());
    for op in ops {
        reply.int(op.read(bytes) as i64);
    }
}

/// The worker behind BITFIELD and BITFIELD_RO (`read_only`: GET alone is allowed).
fn bitfield_generic(ctx: &mut Ctx<'_>, args: &[Bytes], read_only: bool) -> CmdResult {
    let key = &args[1];
    let ops = parse_field_ops(ctx, &args[2..])?;
    let writes = ops.iter().filter(|op| op.kind != FieldOpKind::Get);
    let Some(max_bit) = writes.map(|op| op.offset + u64::from(op.bits) - 1).max() else {
        return read_fields(ctx, key, &ops);
    };
    if read_only {
        return Err(CmdError::raw(ERR_BITFIELD_RO));
    }
    let now = ctx.now();
    let (db, reply) = ctx.db_and_reply();
    let changes = edit_bitmap(db, key, max_bit, now, |bytes, grew| {
        run_field_ops(reply, &ops, bytes, grew)
    })?;
    if changes > 0 {
        ctx.notify(notify::STRING, "setbit", key);
        ctx.server.dirty += changes;
    }
    Ok(())
}

/// `BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value |
/// [OVERFLOW WRAP|SAT|FAIL] INCRBY type offset increment ...]`
///
/// # Returns
/// One reply per GET/SET/INCRBY: the field's value, its old value (SET), its new value
/// (INCRBY), or null when OVERFLOW FAIL refused the write.
fn bitfield(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, args, false)
}

/// `BITFIELD_RO key [GET type offset ...]` — BITFIELD restricted to GET.
fn bitfield_ro(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, args, true)
}

/// The bitmap family's table: one entry per command, with the flags, key specs, ACL
/// categories and argument structure Redis 7.0 reports (docs text in our own words).
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("setbit", 4, WRITE | DENYOOM, setbit)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, key1::RW_ACCESS_UPDATE)
        .docs(Group::Bitmap.doc("Sets or clears one bit of a key's string value.", "2.2.0", "O(1)")
            .args(SETBIT_ARGS)),
    CommandSpec::new("getbit", 3, READONLY | FAST, getbit)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Bitmap.doc("Returns one bit of a key's string value.", "2.2.0", "O(1)")
            .args(GETBIT_ARGS)),
    CommandSpec::new("bitcount", -2, READONLY, bitcount)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Bitmap.doc("Counts the set bits of a key's string value.", "2.6.0", "O(N)")
            .history(&[("7.0.0", "Gained the `BYTE|BIT` option.")]).args(BITCOUNT_ARGS)),
    CommandSpec::new("bitpos", -3, READONLY, bitpos)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Bitmap.doc("Finds the first set or clear bit of a key's string value.",
            "2.8.7", "O(N)")
            .history(&[("7.0.0", "Gained the `BYTE|BIT` option.")]).args(BITPOS_ARGS)),
    CommandSpec::new("bitop", -4, WRITE | DENYOOM, bitop)
        .acl(acl::BITMAP)
        .keys(2, -1, 1, BITOP_KEYS)
        .docs(Group::Bitmap.doc("Combines string values bit by bit (AND, OR, XOR, NOT) into a key.",
            "2.6.0", "O(N)").args(BITOP_ARGS)),
    CommandSpec::new("bitfield", -2, WRITE | DENYOOM, bitfield)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, BITFIELD_KEYS)
        .docs(Group::Bitmap.doc("Reads, writes and increments integer fields of any width within a string.",
            "3.2.0", "O(1) for each subcommand specified").args(BITFIELD_ARGS)),
    CommandSpec::new("bitfield_ro", -2, READONLY | FAST, bitfield_ro)
        .acl(acl::BITMAP)
        .keys(1, 1, 1, key1::RO_ACCESS)
        .docs(Group::Bitmap.doc("Reads integer fields of any width within a string (read-only BITFIELD).",
            "6.0.0", "O(1) for each subcommand specified").args(BITFIELD_RO_ARGS)),
];

/// BITOP's destination, then its source keys.
const BITOP_KEYS: &[KeySpec] = &[
    KeySpec::range(&["OW", "update"], 2, 0, 1),
    KeySpec::range(&["RO", "access"], 3, -1, 1),
];
/// BITFIELD's spec; Redis notes that the command both reads and modifies the key.
const BITFIELD_KEYS: &[KeySpec] = &[KeySpec::range(
    &["RW", "access", "update", "variable_flags"],
    1,
    0,
    1,
)];

/// BITCOUNT and BITPOS's unit of `start`/`end`.
const UNIT: Arg = Arg::one_of(
    "index_unit",
    &[Arg::token("byte", "BYTE"), Arg::token("bit", "BIT")],
)
.since("7.0.0")
.optional();

const SETBIT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("offset", ArgType::Integer),
    Arg::new("value", ArgType::Integer),
];
const GETBIT_ARGS: &[Arg] = &[Arg::key("key", 0), Arg::new("offset", ArgType::Integer)];
const BITCOUNT_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block(
        "index",
        &[
            Arg::new("start", ArgType::Integer),
            Arg::new("end", ArgType::Integer),
            UNIT,
        ],
    )
    .optional(),
];
const BITPOS_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("bit", ArgType::Integer),
    Arg::block(
        "index",
        &[
            Arg::new("start", ArgType::Integer),
            Arg::block("end_index", &[Arg::new("end", ArgType::Integer), UNIT]).optional(),
        ],
    )
    .optional(),
];
const BITOP_ARGS: &[Arg] = &[
    Arg::new("operation", ArgType::String),
    Arg::key("destkey", 0),
    Arg::key("key", 1).multiple(),
];
const ENCODING_OFFSET: &[Arg] = &[
    Arg::new("encoding", ArgType::String),
    Arg::new("offset", ArgType::Integer),
];
const OVERFLOW_ARG: Arg = Arg::one_of(
    "wrap_sat_fail",
    &[
        Arg::token("wrap", "WRAP"),
        Arg::token("sat", "SAT"),
        Arg::token("fail", "FAIL"),
    ],
)
.with_token("OVERFLOW")
.optional();
const WRITE_OPERATION: Arg = Arg::one_of(
    "write_operation",
    &[
        Arg::block(
            "encoding_offset_value",
            &[
                Arg::new("encoding", ArgType::String),
                Arg::new("offset", ArgType::Integer),
                Arg::new("value", ArgType::Integer),
            ],
        )
        .with_token("SET"),
        Arg::block(
            "encoding_offset_increment",
            &[
                Arg::new("encoding", ArgType::String),
                Arg::new("offset", ArgType::Integer),
                Arg::new("increment", ArgType::Integer),
            ],
        )
        .with_token("INCRBY"),
    ],
);
const BITFIELD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::one_of(
        "operation",
        &[
            Arg::block("encoding_offset", ENCODING_OFFSET).with_token("GET"),
            Arg::block("write", &[OVERFLOW_ARG, WRITE_OPERATION]),
        ],
    )
    .optional()
    .multiple(),
];
const BITFIELD_RO_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::block("encoding_offset", ENCODING_OFFSET)
        .with_token("GET")
        .optional()
        .multiple()
        .multiple_token(),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_masks() {
        assert_eq!(byte_mask(0, 7), 0xff);
        assert_eq!(byte_mask(3, 7), 0x1f);
        assert_eq!(byte_mask(0, 2), 0xe0);
        assert_eq!(byte_mask(9, 10), 0x60);
        assert_eq!(bit_range(6, 0, -1, false), Some((0, 47)));
        assert_eq!(bit_range(6, 5, 30, true), Some((5, 30)));
        assert_eq!(bit_range(6, -1, -5, false), None);
        assert_eq!(bit_range(0, 0, -1, false), None);
        assert_eq!(bit_range(6, i64::MIN, i64::MAX, true), Some((0, 47)));
    }

    #[test]
    fn counting_and_searching() {
        let s = b"foobar";
        assert_eq!(popcount(s), 26);
        assert_eq!(count_bits(s, 5, 30), 17);
        assert_eq!(find_bit(&[0xff, 0xf0, 0x00], 0, 23, false), Some(12));
        assert_eq!(find_bit(&[0x00, 0x00, 0x01], 0, 23, true), Some(23));
        assert_eq!(find_bit(&[0x00, 0x00, 0x01], 0, 22, true), None);
        assert_eq!(find_bit(&[0xff], 3, 5, false), None);
    }

    #[test]
    fn field_overflow() {
        let op = |signed, bits, overflow| FieldOp {
            kind: FieldOpKind::IncrBy,
            signed,
            bits,
            offset: 0,
            value: 0,
            overflow,
        };
        assert_eq!(op(false, 8, Overflow::Wrap).settle(250, 11), Some(5));
        assert_eq!(op(false, 8, Overflow::Wrap).settle(0, -1), Some(255));
        assert_eq!(op(true, 8, Overflow::Wrap).settle(127, 1), Some(-128));
        assert_eq!(
            op(true, 64, Overflow::Wrap).settle(i128::from(i64::MAX), 1),
            Some(i128::from(i64::MIN))
        );
        assert_eq!(op(true, 4, Overflow::Sat).settle(-100, 0), Some(-8));
        assert_eq!(
            op(true, 4, Overflow::Sat).settle(i128::from(i64::MIN), 0),
            Some(7)
        );
        assert_eq!(
            op(true, 4, Overflow::Wrap).settle(i128::from(i64::MIN), 0),
            Some(0)
        );
        assert_eq!(op(false, 4, Overflow::Fail).settle(15, 1), None);
        assert_eq!(
            op(false, 4, Overflow::Sat).settle(u64::MAX.into(), 0),
            Some(15)
        );
        assert_eq!(op(true, 1, Overflow::Wrap).settle(0, 1), Some(-1));
    }

    #[test]
    fn field_read_write() {
        let op = FieldOp {
            kind: FieldOpKind::Set,
            signed: false,
            bits: 12,
            offset: 4,
            value: 0,
            overflow: Overflow::Wrap,
        };
        let mut buf = [0u8; 3];
        op.write(&mut buf, 0xabc);
        assert_eq!(buf, [0x0a, 0xbc, 0x00]);
        assert_eq!(op.read(&buf), 0xabc);
        assert_eq!(FieldOp { signed: true, ..op }.read(&buf), 0xabc - 0x1000);
        assert_eq!(op.read(&buf[..1]), 0xa00);
    }
}
