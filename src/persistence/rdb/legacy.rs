//! The two other blob formats RDB carries: the intset (sets of integers, still written
//! by Redis 7.0) and the zipmap (hashes in Redis 2.x files, read only).
//!
//! ```text
//! intset: <width: u32 LE, 2|4|8> <count: u32 LE> <members: count × width bytes LE, ascending>
//! zipmap: <count: 1 byte, 254+ = unknown> (<len><field><len><free: 1 byte><value><free bytes>)... <0xFF>
//!         len = 1 byte below 254, or 254 + u32 LE
//! ```

use crate::store::intset::IntSet;

use super::read::{corrupt, Result};

/// The intset blob of `set`.
pub fn intset_blob(set: &IntSet) -> Vec<u8> {
    let raw = set.raw_members();
    let mut out = Vec::with_capacity(8 + raw.len());
    out.extend_from_slice(&(set.width() as u32).to_le_bytes());
    out.extend_from_slice(&(set.len() as u32).to_le_bytes());
    out.extend_from_slice(raw);
    out
}

/// Decodes an intset blob, checked as `intsetValidateIntegrity` does deeply: a known
/// width, a size that matches the count, at least one member, strictly ascending.
pub fn read_intset(blob: &[u8]) -> Result<IntSet> {
    if blob.len() < 8 {
        return corrupt("intset too short");
    }
    let width = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    let count = u32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]]) as usize;
    let body = &blob[8..];
    if count == 0 || count.checked_mul(width) != Some(body.len()) {
        return corrupt("intset size is wrong");
    }
    IntSet::from_raw_members(width, body.to_vec())
        .map_or_else(|| corrupt("intset is malformed"), Ok)
}

/// Reads a zipmap blob: its (field, value) pairs, checked like
/// `zipmapValidateIntegrity` (deep): every length inside the blob, a terminator, at
/// least one pair, a count that matches when it is known.
pub fn read_zipmap(blob: &[u8]) -> Result<Vec<(&[u8], &[u8])>> {
    let Some((&declared, mut rest)) = blob.split_first() else {
        return corrupt("zipmap too short");
    };
    let mut pairs = Vec::new();
    loop {
        match rest.first() {
            Some(0xff) if rest.len() == 1 => break,
            None | Some(0xff) => return corrupt("zipmap is malformed"),
            Some(_) => {}
        }
        let field = take_string(&mut rest, false)?;
        let value = take_string(&mut rest, true)?;
        pairs.push((field, value));
    }
    if pairs.is_empty() || (declared < 254 && usize::from(declared) != pairs.len()) {
        return corrupt("zipmap count is wrong");
    }
    Ok(pairs)
}

/// Takes one length-prefixed string off `rest`; a value also has its free-space byte
/// and that many unused bytes after it.
fn take_string<'a>(rest: &mut &'a [u8], is_value: bool) -> Result<&'a [u8]> {
    let (len, head) = match **rest {
        [b, ..] if b < 254 => (usize::from(b), 1),
        [254, a, b, c, d, ..] => (u32::from_le_bytes([a, b, c, d]) as usize, 5),
        _ => return corrupt("zipmap length is malformed"),
    };
    let free = if is_value {
        usize::from(
            *rest
                .get(head)
                .map_or_else(|| corrupt("zipmap cut short"), Ok)?,
        )
    } else {
        0
    };
    let start = head + usize::from(is_value);
    let Some(s) = rest.get(start..start + len) else {
        return corrupt("zipmap cut short");
    };
    let Some(after) = rest.get(start + len + free..) else {
        return corrupt("zipmap cut short");
    };
    *rest = after;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_blobs() {
        let set: IntSet = [5, -3, 70000].into_iter().collect();
        let blob = intset_blob(&set);
        assert_eq!(&blob[..8], &[4, 0, 0, 0, 3, 0, 0, 0]);
        assert_eq!(read_intset(&blob), Ok(set));
        for cut in 0..blob.len() {
            assert!(read_intset(&blob[..cut]).is_err());
        }
        let unsorted = [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0];
        assert!(read_intset(&unsorted).is_err());
        let empty = [2, 0, 0, 0, 0, 0, 0, 0];
        assert!(read_intset(&empty).is_err());
        let bad_width = [3, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3];
        assert!(read_intset(&bad_width).is_err());
        let huge_count = [8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8];
        assert!(read_intset(&huge_count).is_err());
    }

    #[test]
    fn zipmap_blobs() {
        let mut blob = vec![2, 3];
        blob.extend_from_slice(b"foo");
        blob.extend_from_slice(&[3, 0]);
        blob.extend_from_slice(b"bar");
        blob.push(5);
        blob.extend_from_slice(b"hello");
        blob.extend_from_slice(&[254, 5, 0, 0, 0, 2]);
        blob.extend_from_slice(b"world");
        blob.extend_from_slice(b"..");
        blob.push(0xff);
        let pairs = read_zipmap(&blob).expect("valid");
        assert_eq!(
            pairs,
            vec![(&b"foo"[..], &b"bar"[..]), (b"hello", b"world")]
        );
        for cut in 0..blob.len() {
            assert!(read_zipmap(&blob[..cut]).is_err());
        }
        let mut wrong_count = blob.clone();
        wrong_count[0] = 3;
        assert!(read_zipmap(&wrong_count).is_err());
        assert!(read_zipmap(&[0, 0xff]).is_err());
    }
}
