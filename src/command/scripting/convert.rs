//! Conversions between Redis replies and Lua values, both ways, as Redis 7.0 does them,
//! on the raw Lua stack (see `host.rs` for the rules the unsafe code follows).
//!
//! A command called from a script writes its reply into a scratch buffer in the
//! script's protocol (`redis.setresp`); [`push_reply`] parses those bytes into Lua
//! values. A script's return value is written to the caller by [`write_result`].
//!
//! The pushing side may raise a Lua memory error and keeps nothing that needs dropping.
//! The reading side never raises: it pushes only field names the VM keeps interned
//! ([`FIELD_NAMES`], so pushing them allocates nothing), reads numbers as numbers (never
//! converting them to strings in place) and checks the stack before growing it.

use std::ffi::c_int;

use mlua::ffi::{self, lua_State};

use crate::command::scripting::libs::format_g;
use crate::protocol::Reply;

/// Deepest table nesting written back to the caller; deeper levels answer the error
/// Redis gives when its Lua stack runs out.
const MAX_REPLY_DEPTH: usize = 4000;

/// Every field name read from or written into result tables: the VM anchors them so
/// they stay interned.
pub const FIELD_NAMES: [&str; 12] = [
    "err",
    "ok",
    "double",
    "big_number",
    "verbatim_string",
    "map",
    "set",
    "format",
    "string",
    "ignore_error_stats_update",
    "source",
    "line",
];

/// Pushes a string.
unsafe fn push(state: *mut lua_State, bytes: &[u8]) {
    ffi::lua_pushlstring_(state, bytes.as_ptr().cast(), bytes.len());
}

/// Sets `t[name] = <top>` for the table just below the top, popping the value.
unsafe fn set_field(state: *mut lua_State, name: &str) {
    push(state, name.as_bytes());
    ffi::lua_insert(state, -2);
    ffi::lua_rawset(state, -3);
}

/// Pushes an `{err=...}` table for error text `text` (its code included, no leading
/// `-`; a text without a space gets the `ERR` code), with the mark that says the error
/// was already counted when `counted` is true.
///
/// # Safety
/// May raise a memory error.
pub unsafe fn push_error(state: *mut lua_State, text: &[u8], counted: bool) {
    let (code, msg) = match text.iter().position(|&b| b == b' ') {
        Some(space) => (&text[..space], &text[space + 1..]),
        None => (&b"ERR"[..], text),
    };
    ffi::lua_createtable(state, 0, 2);
    push(state, code);
    push(state, b" ");
    push(state, trim_crlf(msg));
    ffi::lua_concat(state, 3);
    set_field(state, "err");
    if counted {
        ffi::lua_pushboolean(state, 1);
        set_field(state, "ignore_error_stats_update");
    }
}

/// `text` without CR and LF at either end.
fn trim_crlf(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(start, |p| p + 1);
    &text[start..end.max(start)]
}

/// Pushes the Lua value of one complete reply (as our writer writes it).
///
/// # Safety
/// May raise a memory error or a stack overflow error.
pub unsafe fn push_reply(state: *mut lua_State, bytes: &[u8]) {
    ReplyParser { bytes, pos: 0 }.value(state);
}

/// Reads replies written by our own reply writer (always well formed).
struct ReplyParser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> ReplyParser<'a> {
    fn line(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(rest.len());
        self.pos += (end + 2).min(rest.len());
        &rest[..end]
    }

    fn number(&mut self) -> i64 {
        let line = self.line();
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Pushes `{field = <top>}` in place of the value on top.
    unsafe fn wrap(state: *mut lua_State, field: &str) {
        ffi::lua_createtable(state, 0, 1);
        ffi::lua_insert(state, -2);
        set_field(state, field);
    }

    unsafe fn value(&mut self, state: *mut lua_State) {
        ffi::luaL_checkstack(state, 4, c"reply too deep".as_ptr());
        let Some(&kind) = self.bytes.get(self.pos) else {
            return ffi::lua_pushnil(state);
        };
        self.pos += 1;
        match kind {
            b'+' => {
                push(state, self.line());
                Self::wrap(state, "ok");
            }
            b'-' => push_error(state, self.line(), true),
            b':' => ffi::lua_pushnumber(state, self.number() as f64),
            b'$' => self.bulk(state),
            b'*' | b'>' => self.array(state),
            b'%' => self.map(state),
            b'~' => self.set(state),
            b'_' => {
                self.line();
                ffi::lua_pushnil(state);
            }
            b'#' => ffi::lua_pushboolean(state, c_int::from(self.line() == b"t")),
            b',' => {
                ffi::lua_pushnumber(state, parse_double(self.line()));
                Self::wrap(state, "double");
            }
            b'(' => {
                push(state, self.line());
                Self::wrap(state, "big_number");
            }
            b'=' => self.verbatim(state),
            b'|' => {
                for _ in 0..self.number().max(0) * 2 {
                    self.value(state);
                    ffi::lua_pop(state, 1);
                }
                self.value(state);
            }
            _ => ffi::lua_pushnil(state),
        }
    }

    unsafe fn bulk(&mut self, state: *mut lua_State) {
        let len = self.number();
        if len < 0 {
            return ffi::lua_pushboolean(state, 0);
        }
        let end = (self.pos + len as usize).min(self.bytes.len());
        push(state, &self.bytes[self.pos..end]);
        self.pos = (end + 2).min(self.bytes.len());
    }

    unsafe fn array(&mut self, state: *mut lua_State) {
        let len = self.number();
        if len < 0 {
            return ffi::lua_pushboolean(state, 0);
        }
        ffi::lua_createtable(state, len.min(1 << 20) as c_int, 0);
        for i in 1..=len {
            self.value(state);
            ffi::lua_rawseti_(state, -2, i as c_int);
        }
    }

    unsafe fn map(&mut self, state: *mut lua_State) {
        let len = self.number();
        ffi::lua_createtable(state, 0, len.clamp(0, 1 << 20) as c_int);
        for _ in 0..len {
            self.value(state);
            self.value(state);
            if ffi::lua_type(state, -2) == ffi::LUA_TNIL {
                ffi::lua_pop(state, 2);
            } else {
                ffi::lua_rawset(state, -3);
            }
        }
        Self::wrap(state, "map");
    }

    unsafe fn set(&mut self, state: *mut lua_State) {
        let len = self.number();
        ffi::lua_createtable(state, 0, len.clamp(0, 1 << 20) as c_int);
        for _ in 0..len {
            self.value(state);
            if ffi::lua_type(state, -1) == ffi::LUA_TNIL {
                ffi::lua_pop(state, 1);
            } else {
                ffi::lua_pushboolean(state, 1);
                ffi::lua_rawset(state, -3);
            }
        }
        Self::wrap(state, "set");
    }

    unsafe fn verbatim(&mut self, state: *mut lua_State) {
        let len = self.number().max(0) as usize;
        let end = (self.pos + len).min(self.bytes.len());
        let body = &self.bytes[self.pos..end];
        self.pos = (end + 2).min(self.bytes.len());
        let (format, text) = if body.len() >= 4 {
            body.split_at(4)
        } else {
            (body, &[][..])
        };
        ffi::lua_createtable(state, 0, 2);
        push(state, text);
        set_field(state, "string");
        push(state, &format[..format.len().min(3)]);
        set_field(state, "format");
        Self::wrap(state, "verbatim_string");
    }
}

/// A RESP3 double's text as a number (`inf`, `-inf` and `nan` included).
fn parse_double(text: &[u8]) -> f64 {
    match text {
        b"inf" => f64::INFINITY,
        b"-inf" => f64::NEG_INFINITY,
        b"nan" | b"-nan" => f64::NAN,
        _ => std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0),
    }
}

/// The string at stack index `idx` (which must be a string), borrowed from Lua.
unsafe fn string_at<'s>(state: *mut lua_State, idx: c_int) -> &'s [u8] {
    let mut len = 0usize;
    let ptr = ffi::lua_tolstring(state, idx, &mut len);
    if ptr.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(ptr.cast(), len)
}

/// Pushes `t[name]` (raw) for the table at absolute index `t`; returns its type.
unsafe fn get_field(state: *mut lua_State, t: c_int, name: &str) -> c_int {
    push(state, name.as_bytes());
    ffi::lua_rawget_(state, t);
    ffi::lua_type(state, -1)
}

/// Field `name` of the table at absolute index `t` as text: a string, or a number
/// written as Lua would (`%.14g`). Never raises.
///
/// # Safety
/// `t` is a valid absolute index.
pub unsafe fn field_text(state: *mut lua_State, t: c_int, name: &str) -> Option<Vec<u8>> {
    let text = match get_field(state, t, name) {
        ffi::LUA_TSTRING => Some(string_at(state, -1).to_vec()),
        ffi::LUA_TNUMBER => Some(number_text(ffi::lua_tonumber(state, -1)).into_bytes()),
        _ => None,
    };
    ffi::lua_pop(state, 1);
    text
}

/// True if field `name` of the table at absolute index `t` is `true`.
///
/// # Safety
/// `t` is a valid absolute index.
pub unsafe fn field_is_true(state: *mut lua_State, t: c_int, name: &str) -> bool {
    let is_true =
        get_field(state, t, name) == ffi::LUA_TBOOLEAN && ffi::lua_toboolean(state, -1) != 0;
    ffi::lua_pop(state, 1);
    is_true
}

/// A number as Lua prints it: integers plainly, others with `%.14g`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).to_string()
    } else {
        format_g(n, 14)
    }
}

/// Writes the value at absolute index `idx` (a script's return value) to the caller.
/// `resp3` is the protocol the script selected with `redis.setresp` (it decides how
/// booleans are written). Never raises.
///
/// # Safety
/// `idx` is a valid absolute index.
pub unsafe fn write_result(state: *mut lua_State, idx: c_int, reply: &mut Reply<'_>, resp3: bool) {
    write_value(state, idx, reply, resp3, 0);
}

unsafe fn write_value(
    state: *mut lua_State,
    idx: c_int,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
) {
    match ffi::lua_type(state, idx) {
        ffi::LUA_TSTRING => reply.bulk(string_at(state, idx)),
        ffi::LUA_TBOOLEAN => {
            let b = ffi::lua_toboolean(state, idx) != 0;
            match (resp3, b) {
                (true, b) => reply.boolean(b),
                (false, true) => reply.int(1),
                (false, false) => reply.null(),
            }
        }
        ffi::LUA_TNUMBER => reply.int(truncate(ffi::lua_tonumber(state, idx))),
        ffi::LUA_TTABLE if depth >= MAX_REPLY_DEPTH || ffi::lua_checkstack(state, 4) == 0 => {
            reply.error(b"ERR reached lua stack limit")
        }
        ffi::LUA_TTABLE => write_table(state, idx, reply, resp3, depth),
        _ => reply.null(),
    }
}

/// C's `(long long)` cast of a double as x86-64 does it (out of range: the minimum).
fn truncate(n: f64) -> i64 {
    const RANGE: std::ops::Range<f64> = -9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0;
    if !RANGE.contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// A table: an error, a status, a RESP3 type in its one-field form, or an array.
unsafe fn write_table(
    state: *mut lua_State,
    t: c_int,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
) {
    let top = ffi::lua_gettop(state);
    write_table_as(state, t, top, reply, resp3, depth);
    ffi::lua_settop(state, top);
}

/// Checks the fields Redis checks, in its order, and writes the first that matches;
/// each check pops what the one before pushed.
unsafe fn write_table_as(
    state: *mut lua_State,
    t: c_int,
    top: c_int,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
) {
    if get_field(state, t, "err") == ffi::LUA_TSTRING {
        return write_error(string_at(state, -1), reply);
    }
    ffi::lua_settop(state, top);
    if get_field(state, t, "ok") == ffi::LUA_TSTRING {
        let text: Vec<u8> = string_at(state, -1)
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
            .collect();
        return reply.simple(&text);
    }
    ffi::lua_settop(state, top);
    if get_field(state, t, "double") == ffi::LUA_TNUMBER {
        return reply.double(ffi::lua_tonumber(state, -1));
    }
    ffi::lua_settop(state, top);
    if get_field(state, t, "big_number") == ffi::LUA_TSTRING {
        return write_big_number(string_at(state, -1), reply);
    }
    ffi::lua_settop(state, top);
    if verbatim(state, t, reply) {
        return;
    }
    for (field, map) in [("map", true), ("set", false)] {
        ffi::lua_settop(state, top);
        if get_field(state, t, field) == ffi::LUA_TTABLE {
            return write_pairs(state, top + 1, reply, resp3, depth, map);
        }
    }
    ffi::lua_settop(state, top);
    write_array(state, t, reply, resp3, depth);
}

/// A `{verbatim_string={format=..., string=...}}` table; false if `t` is not one.
unsafe fn verbatim(state: *mut lua_State, t: c_int, reply: &mut Reply<'_>) -> bool {
    if get_field(state, t, "verbatim_string") != ffi::LUA_TTABLE {
        return false;
    }
    let v = ffi::lua_gettop(state);
    if get_field(state, v, "format") != ffi::LUA_TSTRING
        || get_field(state, v, "string") != ffi::LUA_TSTRING
    {
        return false;
    }
    let mut f = [0u8; 3];
    for (slot, b) in f.iter_mut().zip(string_at(state, -2).iter()) {
        *slot = *b;
    }
    reply.verbatim(&f, string_at(state, -1));
    true
}

/// An `{err=...}` table's reply: its text is the whole error, code included.
fn write_error(text: &[u8], reply: &mut Reply<'_>) {
    let mut line: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    while line.last() == Some(&b' ') && text.ends_with(b"\n") {
        line.pop();
    }
    reply.error(&line);
}

fn write_big_number(text: &[u8], reply: &mut Reply<'_>) {
    let clean: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    if reply.is_resp3() {
        let mut line = b"(".to_vec();
        line.extend_from_slice(&clean);
        line.extend_from_slice(b"\r\n");
        reply.raw(&line);
    } else {
        reply.bulk(&clean);
    }
}

/// The pairs of the table at absolute index `t`: a map (keys and values) or a set
/// (keys), in `next` order.
unsafe fn write_pairs(
    state: *mut lua_State,
    t: c_int,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
    map: bool,
) {
    let mut count = 0;
    ffi::lua_pushnil(state);
    while ffi::lua_next(state, t) != 0 {
        count += 1;
        ffi::lua_pop(state, 1);
    }
    if map {
        reply.map_len(count);
    } else {
        reply.set_len(count);
    }
    ffi::lua_pushnil(state);
    while ffi::lua_next(state, t) != 0 {
        let top = ffi::lua_gettop(state);
        write_value(state, top - 1, reply, resp3, depth + 1);
        if map {
            write_value(state, top, reply, resp3, depth + 1);
        }
        ffi::lua_pop(state, 1);
    }
}

/// An array: `t[1]`, `t[2]`... up to the first nil.
unsafe fn write_array(
    state: *mut lua_State,
    t: c_int,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
) {
    let mut len = 0;
    loop {
        ffi::lua_rawgeti_(state, t, len + 1);
        let end = ffi::lua_type(state, -1) == ffi::LUA_TNIL;
        ffi::lua_pop(state, 1);
        if end {
            break;
        }
        len += 1;
    }
    reply.array_len(len as usize);
    for i in 1..=len {
        ffi::lua_rawgeti_(state, t, i);
        write_value(state, ffi::lua_gettop(state), reply, resp3, depth + 1);
        ffi::lua_pop(state, 1);
    }
}

/// A Lua number as an argument of `redis.call`: `%.17g`, as Redis formats it.
pub fn number_arg(n: f64) -> Vec<u8> {
    format_g(n, 17).into_bytes()
}
