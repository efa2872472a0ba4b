//! LCS: the longest common subsequence of two strings, with its LEN, IDX,
//! MINMATCHLEN and WITHMATCHLEN options.

use bytes::Bytes;

use super::shared::{opt_is, string_bytes};
use crate::command::core::args;
use crate::command::core::command::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::protocol::Reply;

/// LCS on a key that holds another type.
const ERR_LCS_NOT_STRINGS: &str = "ERR The specified keys must contain string values";
/// LCS with both LEN and IDX.
const ERR_LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
/// LCS on strings whose length does not fit its 32-bit table entries.
const ERR_LCS_TOO_LONG: &str = "ERR String too long for LCS";
/// LCS whose table would be larger than proto-max-bulk-len.
const ERR_LCS_TABLE_LIMIT: &str =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
/// LCS whose table could not be allocated.
const ERR_LCS_ALLOC: &str = "ERR Insufficient memory, failed allocating transient memory for LCS";

/// LCS options.
#[derive(Debug, Default, Clone, Copy)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: u64,
}

/// Parses LCS options.
///
/// # Errors
/// `ERR syntax error`, a non-integer MINMATCHLEN, or both LEN and IDX.
fn parse_lcs_options(opts: &[Bytes]) -> CmdResult<LcsOptions> {
    let mut o = LcsOptions::default();
    let mut i = 0;
    while i < opts.len() {
        let opt = &opts[i][..];
        if opt_is(opt, "IDX") {
            o.idx = true;
        } else if opt_is(opt, "LEN") {
            o.len = true;
        } else if opt_is(opt, "WITHMATCHLEN") {
            o.with_match_len = true;
        } else if opt_is(opt, "MINMATCHLEN") && i + 1 < opts.len() {
            o.min_match_len = args::int(&opts[i + 1])?.max(0) as u64;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if o.idx && o.len {
        return Err(CmdError::raw(ERR_LCS_LEN_AND_IDX));
    }
    Ok(o)
}

/// The dynamic-programming table: `table[i * (b.len() + 1) + j]` is the LCS length of
/// `a[..i]` and `b[..j]`.
///
/// # Errors
/// Redis's LCS memory errors when the table would exceed proto-max-bulk-len or cannot
/// be allocated.
fn lcs_table(a: &[u8], b: &[u8], limit: i64) -> CmdResult<Vec<u32>> {
    if a.len() as u64 >= u64::from(u32::MAX - 1) || b.len() as u64 >= u64::from(u32::MAX - 1) {
        return Err(CmdError::raw(ERR_LCS_TOO_LONG));
    }
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    let bytes = cells.checked_mul(4).ok_or(CmdError::raw(ERR_LCS_ALLOC))?;
    if bytes > u64::try_from(limit).unwrap_or(0) {
        return Err(CmdError::raw(ERR_LCS_TABLE_LIMIT));
    }
    let cells = usize::try_from(cells).map_err(|_| CmdError::raw(ERR_LCS_ALLOC))?;
    let mut table: Vec<u32> = Vec::new();
    table
        .try_reserve_exact(cells)
        .map_err(|_| CmdError::raw(ERR_LCS_ALLOC))?;
    table.resize(cells, 0);
    let width = b.len() + 1;
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    Ok(table)
}

/// One matching range: positions in `a`, positions in `b` (inclusive), its length.
type LcsMatch = ((u32, u32), (u32, u32), u32);

/// Walks the table back from the end, collecting the common subsequence and the
/// matching ranges from last to first, as Redis reports them.
fn lcs_walk(a: &[u8], b: &[u8], table: &[u32], min_len: u64) -> (Vec<u8>, Vec<LcsMatch>) {
    let width = b.len() + 1;
    let total = table[a.len() * width + b.len()] as usize;
    let mut text = vec![0u8; total];
    let mut matches = Vec::new();
    let (mut i, mut j, mut idx) = (a.len(), b.len(), total);
    // The range being extended backwards: (a_start, a_end, b_start, b_end).
    let mut range: Option<(usize, usize, usize, usize)> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            text[idx - 1] = a[i - 1];
            range = match range {
                None => Some((i - 1, i - 1, j - 1, j - 1)),
                Some((sa, ea, sb, eb)) if sa == i && sb == j => Some((sa - 1, ea, sb - 1, eb)),
                Some(r) => {
                    emit = true;
                    Some(r)
                }
            };
            if range.is_some_and(|(sa, _, sb, _)| sa == 0 || sb == 0) {
                emit = true;
            }
            (idx, i, j) = (idx - 1, i - 1, j - 1);
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = range.is_some();
        }
        if let (true, Some((sa, ea, sb, eb))) = (emit, range) {
            let len = (ea - sa + 1) as u64;
            if len >= min_len {
                matches.push(((sa as u32, ea as u32), (sb as u32, eb as u32), len as u32));
            }
            range = None;
        }
    }
    (text, matches)
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
///
/// # Returns
/// The longest common subsequence; with LEN its length; with IDX a map of `matches`
/// (ranges in both strings, last first, optionally with their lengths) and `len`.
/// Missing keys count as empty strings.
pub(super) fn lcs(ctx: &mut Ctx<'_>, args: &[Bytes]) -> CmdResult {
    let now = ctx.now();
    let db = ctx.db();
    let not_strings = || CmdError::raw(ERR_LCS_NOT_STRINGS);
    let a = db
        .lookup_read(&args[1], now)
        .map(|v| string_bytes(v).map_err(|_| not_strings()))
        .transpose();
    let b = db
        .lookup_read(&args[2], now)
        .map(|v| string_bytes(v).map_err(|_| not_strings()))
        .transpose();
    let (a, b) = (a?.unwrap_or_default(), b?.unwrap_or_default());
    let opts = parse_lcs_options(&args[3..])?;
    let table = lcs_table(&a, &b, ctx.server.config.proto_max_bulk_len)?;
    if opts.len {
        ctx.reply.int(i64::from(table[table.len() - 1]));
        return Ok(());
    }
    let (text, matches) = lcs_walk(&a, &b, &table, opts.min_match_len);
    if !opts.idx {
        ctx.reply.bulk(&text);
        return Ok(());
    }
    reply_lcs_matches(&mut ctx.reply, &matches, opts.with_match_len, text.len());
    Ok(())
}

/// LCS IDX's reply: a map of `matches` (each `[[a_from, a_to], [b_from, b_to]]`, plus
/// the match length with WITHMATCHLEN) and `len`.
fn reply_lcs_matches(reply: &mut Reply<'_>, matches: &[LcsMatch], with_len: bool, total: usize) {
    reply.map_len(2);
    reply.bulk(b"matches");
    reply.array_len(matches.len());
    for &((a_from, a_to), (b_from, b_to), len) in matches {
        reply.array_len(2 + usize::from(with_len));
        for (from, to) in [(a_from, a_to), (b_from, b_to)] {
            reply.array_len(2);
            reply.int(i64::from(from));
            reply.int(i64::from(to));
        }
        if with_len {
            reply.int(i64::from(len));
        }
    }
    reply.bulk(b"len");
    reply.int(total as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_walk_reports_ranges_last_first() {
        let (a, b) = (b"ohmytext", b"mynewtext");
        let table = lcs_table(a, b, 1 << 20).unwrap_or_default();
        let (text, matches) = lcs_walk(a, b, &table, 0);
        assert_eq!(text, b"mytext");
        assert_eq!(matches, vec![((4, 7), (5, 8), 4), ((2, 3), (0, 1), 2)]);
    }
}
