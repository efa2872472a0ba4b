//! What every stream command shares: Redis's error texts, ID parsing, node size
//! limits from the configuration, and the reply shape of one entry.

use crate::command::core::command::Ctx;
use crate::command::core::typed::Collection;
use crate::error::{c_str, one_line, CmdError, CmdResult};
use crate::protocol::Reply;
use crate::store::stream::node::NodeEntry;
use crate::store::stream::{IdSyntax, NodeLimits, ParsedId, Stream, StreamId};
use crate::store::value::Value;
use crate::util::numbers::MAX_I64_CHARS;

/// An ID argument that does not parse.
pub const ERR_INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
/// XADD with an ID not above the stream's top.
pub const ERR_ID_TOO_SMALL: &str =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
/// XADD with `0-0`.
pub const ERR_ID_ZERO: &str = "ERR The ID specified in XADD must be greater than 0-0";
/// XADD on a stream whose last ID is the largest possible.
pub const ERR_EXHAUSTED: &str =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
/// XADD with strings bigger than a listpack.
pub const ERR_TOO_LARGE: &str = "ERR Elements are too large to be stored";
/// MAXLEN and MINID together.
pub const ERR_BOTH_STRATEGIES: &str =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
/// A negative MAXLEN.
pub const ERR_MAXLEN_NEGATIVE: &str = "ERR The MAXLEN argument must be >= 0.";
/// A negative LIMIT.
pub const ERR_LIMIT_NEGATIVE: &str = "ERR The LIMIT argument must be >= 0.";
/// LIMIT with no MAXLEN/MINID.
pub const ERR_LIMIT_NO_STRATEGY: &str =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
/// XTRIM with no MAXLEN/MINID.
pub const ERR_XTRIM_NO_STRATEGY: &str =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
/// LIMIT with an exact trim.
pub const ERR_LIMIT_NOT_APPROX: &str =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
/// An exclusive start past the largest ID.
pub const ERR_INVALID_START: &str = "ERR invalid start ID for the interval";
/// An exclusive end before the smallest ID.
pub const ERR_INVALID_END: &str = "ERR invalid end ID for the interval";

impl Collection for Stream {
    fn inside(value: &mut Value) -> Option<&mut Self> {
        match value {
            Value::Stream(stream) => Some(stream),
            _ => None,
        }
    }
}

/// The node limits from `stream-node-max-bytes` and `stream-node-max-entries`.
pub fn node_limits(ctx: &Ctx<'_>) -> NodeLimits {
    let stored = &ctx.server.config.stored;
    let get = |name: &str, default: i64| {
        stored
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(default)
    };
    NodeLimits {
        max_bytes: get("stream-node-max-bytes", 4096).max(0) as u64,
        max_entries: get("stream-node-max-entries", 100),
    }
}

/// Parses an ID argument.
///
/// # Errors
/// `ERR Invalid stream ID specified as stream command argument`.
pub fn parse_id(arg: &[u8], syntax: IdSyntax) -> CmdResult<ParsedId> {
    StreamId::parse(arg, syntax).ok_or(CmdError::raw(ERR_INVALID_ID))
}

/// Parses a strict ID (no `-`/`+`, missing sequence 0).
pub fn strict_id(arg: &[u8]) -> CmdResult<StreamId> {
    parse_id(arg, IdSyntax::STRICT).map(|p| p.id)
}

/// Parses a range bound: `(` makes it exclusive (then strict), moved inward by one.
///
/// # Errors
/// An invalid ID, or an exclusive bound with nothing beyond it.
pub fn interval_bound(arg: &[u8], missing_seq: u64, is_start: bool) -> CmdResult<StreamId> {
    if arg.len() > 1 && arg[0] == b'(' {
        let syntax = IdSyntax {
            missing_seq,
            ..IdSyntax::STRICT
        };
        let id = parse_id(&arg[1..], syntax)?.id;
        let moved = if is_start { id.next() } else { id.prev() };
        let err = if is_start {
            ERR_INVALID_START
        } else {
            ERR_INVALID_END
        };
        return moved.ok_or(CmdError::raw(err));
    }
    Ok(parse_id(arg, IdSyntax::lax(missing_seq))?.id)
}

/// A `-NOGROUP ...` (or other) error echoing client strings as C would print them.
pub fn error_with(parts: &[&[u8]]) -> CmdError {
    let mut text = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            text.extend_from_slice(c_str(part, usize::MAX));
        } else {
            text.extend_from_slice(part);
        }
    }
    CmdError::raw(one_line(text))
}

/// Writes one entry: `[id, [field, value, ...]]`.
pub fn reply_entry(reply: &mut Reply<'_>, id: StreamId, entry: &NodeEntry<'_>) {
    reply.array_len(2);
    reply.bulk(id.to_text().as_bytes());
    reply.array_len(entry.pair_count() * 2);
    let mut buf = [0u8; MAX_I64_CHARS];
    for s in entry.strings() {
        reply.bulk(s.as_bytes(&mut buf));
    }
}

/// Writes a list of entries.
pub fn reply_entries(reply: &mut Reply<'_>, entries: &[(StreamId, NodeEntry<'_>)]) {
    reply.array_len(entries.len());
    for (id, entry) in entries {
        reply_entry(reply, *id, entry);
    }
}
