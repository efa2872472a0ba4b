//! The vocabulary of the RDB format: opcodes, value type bytes, the length encoding and
//! the special string encodings, and Redis's rules for writing numbers as text.
//!
//! A length is one to nine bytes, chosen by the two top bits of the first byte:
//!
//! ```text
//! 00LLLLLL                      6-bit length
//! 01LLLLLL LLLLLLLL             14-bit length, big-endian
//! 10000000 + 4 bytes            32-bit length, big-endian
//! 10000001 + 8 bytes            64-bit length, big-endian
//! 11EEEEEE                      not a length: a string in special encoding E follows
//! ```
//!
//! A string is a length and its bytes, or a special encoding: an 8, 16 or 32-bit
//! little-endian integer standing for its decimal text, or LZF (compressed length,
//! original length, compressed bytes).

/// `RDB_OPCODE_FUNCTION2`: a function library's source code follows.
pub const OP_FUNCTION2: u8 = 245;
/// `RDB_OPCODE_FUNCTION`: the 7.0 release candidates' library format (refused).
pub const OP_FUNCTION_PRE_GA: u8 = 246;
/// `RDB_OPCODE_MODULE_AUX`: module data outside the keyspace (refused).
pub const OP_MODULE_AUX: u8 = 247;
/// `RDB_OPCODE_IDLE`: the next key's LRU idle time in seconds.
pub const OP_IDLE: u8 = 248;
/// `RDB_OPCODE_FREQ`: the next key's LFU counter, one byte.
pub const OP_FREQ: u8 = 249;
/// `RDB_OPCODE_AUX`: a name/value pair about the file.
pub const OP_AUX: u8 = 250;
/// `RDB_OPCODE_RESIZEDB`: key and expire counts of the selected database.
pub const OP_RESIZEDB: u8 = 251;
/// `RDB_OPCODE_EXPIRETIME_MS`: the next key's deadline, ms, 8 bytes little-endian.
pub const OP_EXPIRETIME_MS: u8 = 252;
/// `RDB_OPCODE_EXPIRETIME`: the next key's deadline, seconds, 4 bytes (old files).
pub const OP_EXPIRETIME: u8 = 253;
/// `RDB_OPCODE_SELECTDB`: the database the following keys belong to.
pub const OP_SELECTDB: u8 = 254;
/// `RDB_OPCODE_EOF`: the end; the checksum follows.
pub const OP_EOF: u8 = 255;

/// A string.
pub const TYPE_STRING: u8 = 0;
/// A list as a plain sequence of strings (old files).
pub const TYPE_LIST: u8 = 1;
/// A set as a sequence of strings.
pub const TYPE_SET: u8 = 2;
/// A sorted set with scores as text (old files).
pub const TYPE_ZSET: u8 = 3;
/// A hash as field/value strings.
pub const TYPE_HASH: u8 = 4;
/// A sorted set with binary double scores.
pub const TYPE_ZSET_2: u8 = 5;
/// A module value (refused).
pub const TYPE_MODULE: u8 = 6;
/// A module value with annotations (refused).
pub const TYPE_MODULE_2: u8 = 7;
/// A hash as a zipmap blob (Redis 2.x files).
pub const TYPE_HASH_ZIPMAP: u8 = 9;
/// A list as one ziplist blob.
pub const TYPE_LIST_ZIPLIST: u8 = 10;
/// A set of integers as an intset blob.
pub const TYPE_SET_INTSET: u8 = 11;
/// A sorted set as a ziplist blob.
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
/// A hash as a ziplist blob.
pub const TYPE_HASH_ZIPLIST: u8 = 13;
/// A list as ziplist nodes (Redis 3.2 to 6.2).
pub const TYPE_LIST_QUICKLIST: u8 = 14;
/// A stream without the 7.0 counters.
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
/// A hash as a listpack blob.
pub const TYPE_HASH_LISTPACK: u8 = 16;
/// A sorted set as a listpack blob.
pub const TYPE_ZSET_LISTPACK: u8 = 17;
/// A list as listpack (or plain) nodes: what 7.0 writes.
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
/// A stream with the 7.0 counters: what 7.0 writes.
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;
/// A stream whose consumers also carry an active time (Redis 7.2's RDB 11).
pub const TYPE_STREAM_LISTPACKS_3: u8 = 21;

/// Quicklist node container: one element stored as is.
pub const CONTAINER_PLAIN: u64 = 1;
/// Quicklist node container: a listpack.
pub const CONTAINER_PACKED: u64 = 2;

/// Special string encoding: 8-bit integer.
pub const ENC_INT8: u8 = 0;
/// Special string encoding: 16-bit integer.
pub const ENC_INT16: u8 = 1;
/// Special string encoding: 32-bit integer.
pub const ENC_INT32: u8 = 2;
/// Special string encoding: LZF.
pub const ENC_LZF: u8 = 3;

/// Redis tries the integer encoding only on strings of at most this many bytes
/// (`-2147483648` has 11).
pub const INT_ENCODING_MAX_LEN: usize = 11;
/// Redis tries LZF only on strings longer than this.
pub const LZF_MIN_LEN: usize = 20;

/// The length encoding of `len`: up to nine bytes, and how many are used.
pub fn encode_len(len: u64) -> ([u8; 9], usize) {
    let mut out = [0u8; 9];
    let used = if len < 1 << 6 {
        out[0] = len as u8;
        1
    } else if len < 1 << 14 {
        out[..2].copy_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
        2
    } else if let Ok(len) = u32::try_from(len) {
        out[0] = 0x80;
        out[1..5].copy_from_slice(&len.to_be_bytes());
        5
    } else {
        out[0] = 0x81;
        out[1..].copy_from_slice(&len.to_be_bytes());
        9
    };
    (out, used)
}

/// Appends the length encoding of `len`.
#[cfg(test)]
pub fn put_len(out: &mut Vec<u8>, len: u64) {
    let (bytes, used) = encode_len(len);
    out.extend_from_slice(&bytes[..used]);
}

/// The special encoding of `n` as a string (1, 3 or 5 bytes, and how many are used),
/// when it fits 32 bits.
pub fn encode_int(n: i64) -> Option<([u8; 5], usize)> {
    let mut out = [0u8; 5];
    out[0] = 0xc0;
    let used = if let Ok(v) = i8::try_from(n) {
        out[0] |= ENC_INT8;
        out[1] = v as u8;
        2
    } else if let Ok(v) = i16::try_from(n) {
        out[0] |= ENC_INT16;
        out[1..3].copy_from_slice(&v.to_le_bytes());
        3
    } else {
        let v = i32::try_from(n).ok()?;
        out[0] |= ENC_INT32;
        out[1..].copy_from_slice(&v.to_le_bytes());
        5
    };
    Some((out, used))
}

/// Redis's `double2ll`: the integer a double equals, when it is integral and within
/// ±2^62 (so the integer printing is exact).
pub fn double_as_int(d: f64) -> Option<i64> {
    const LIMIT: f64 = 4_611_686_018_427_387_904.0;
    if !(-LIMIT..=LIMIT).contains(&d) {
        return None;
    }
    let n = d as i64;
    (n as f64 == d).then_some(n)
}

/// Redis's `d2string` for a double that is not an integer in `double_as_int`'s range:
/// `nan`, `inf`, `-inf`, or `%.17g`.
pub fn double_text(d: f64, out: &mut Vec<u8>) {
    if d.is_nan() {
        out.extend_from_slice(b"nan");
    } else {
        crate::util::numbers::format_double_17g(d, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_encodings() {
        let enc = |n: u64| {
            let mut out = Vec::new();
            put_len(&mut out, n);
            out
        };
        assert_eq!(enc(0), vec![0]);
        assert_eq!(enc(63), vec![63]);
        assert_eq!(enc(64), vec![0x40, 64]);
        assert_eq!(enc(16383), vec![0x7f, 0xff]);
        assert_eq!(enc(16384), vec![0x80, 0, 0, 0x40, 0]);
        assert_eq!(enc(u64::from(u32::MAX)), vec![0x80, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(enc(1 << 32), vec![0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn integer_encodings() {
        let enc = |n: i64| encode_int(n).map(|(bytes, used)| bytes[..used].to_vec());
        assert_eq!(enc(-128), Some(vec![0xc0, 0x80]));
        assert_eq!(enc(128), Some(vec![0xc1, 0x80, 0]));
        assert_eq!(enc(-32769), Some(vec![0xc2, 0xff, 0x7f, 0xff, 0xff]));
        assert_eq!(enc(1 << 31), None);
    }

    #[test]
    fn scores_as_redis_writes_them() {
        assert_eq!(double_as_int(-0.0), Some(0));
        assert_eq!(double_as_int(4_611_686_018_427_387_904.0), Some(1 << 62));
        assert_eq!(double_as_int(9_223_372_036_854_775_807.0), None);
        assert_eq!(double_as_int(1.5), None);
        for (d, text) in [
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (f64::INFINITY, "inf"),
        ] {
            let mut out = Vec::new();
            double_text(d, &mut out);
            assert_eq!(out, text.as_bytes());
        }
    }
}
