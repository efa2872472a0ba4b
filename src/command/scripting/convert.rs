//! Conversions between Redis replies and Lua values, both ways, as Redis 7.0 does them.
//!
//! A command called from a script writes its reply into a scratch buffer in the
//! script's protocol (`redis.setresp`); [`reply_to_lua`] parses those bytes into Lua
//! values. A script's return value is written to the caller by [`lua_to_reply`].

use mlua::{Lua, Table, Value};

use crate::command::scripting::libs::format_g;
use crate::protocol::Reply;

/// Deepest table nesting written back to the caller; deeper levels answer the error
/// Redis gives when its Lua stack runs out.
const MAX_REPLY_DEPTH: usize = 4000;

/// Parses one complete reply (as the server writes it) into a Lua value.
pub fn reply_to_lua(lua: &Lua, bytes: &[u8]) -> mlua::Result<Value> {
    let mut parser = ReplyParser { lua, bytes, pos: 0 };
    parser.value()
}

/// An `{err=...}` table for error text `text` (its code included, no leading `-`), with
/// the mark that says the error was already counted.
pub fn error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let (code, msg) = match text.iter().position(|&b| b == b' ') {
        Some(space) => (&text[..space], &text[space + 1..]),
        None => (&b"ERR"[..], text),
    };
    let msg = trim_crlf(msg);
    let mut full = Vec::with_capacity(code.len() + 1 + msg.len());
    full.extend_from_slice(code);
    full.push(b' ');
    full.extend_from_slice(msg);
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(full)?)?;
    t.raw_set("ignore_error_stats_update", true)?;
    Ok(t)
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

/// Reads replies written by our own reply writer (always well formed).
struct ReplyParser<'a> {
    lua: &'a Lua,
    bytes: &'a [u8],
    pos: usize,
}

impl ReplyParser<'_> {
    fn line(&mut self) -> &[u8] {
        let rest = &self.bytes[self.pos..];
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

    fn string(&mut self, text: &[u8]) -> mlua::Result<Value> {
        Ok(Value::String(self.lua.create_string(text)?))
    }

    fn single(&mut self, field: &str, value: Value) -> mlua::Result<Value> {
        let t = self.lua.create_table()?;
        t.raw_set(field, value)?;
        Ok(Value::Table(t))
    }

    fn value(&mut self) -> mlua::Result<Value> {
        let Some(&kind) = self.bytes.get(self.pos) else {
            return Ok(Value::Nil);
        };
        self.pos += 1;
        match kind {
            b'+' => {
                let text = self.line().to_vec();
                let s = self.string(&text)?;
                self.single("ok", s)
            }
            b'-' => {
                let text = self.line().to_vec();
                Ok(Value::Table(error_table(self.lua, &text)?))
            }
            b':' => Ok(Value::Number(self.number() as f64)),
            b'$' => self.bulk(),
            b'*' | b'>' => self.array(),
            b'%' => self.map(),
            b'~' => self.set(),
            b'_' => {
                self.line();
                Ok(Value::Nil)
            }
            b'#' => Ok(Value::Boolean(self.line() == b"t")),
            b',' => {
                let text = self.line().to_vec();
                let d = parse_double(&text);
                self.single("double", Value::Number(d))
            }
            b'(' => {
                let text = self.line().to_vec();
                let s = self.string(&text)?;
                self.single("big_number", s)
            }
            b'=' => self.verbatim(),
            b'|' => {
                let pairs = self.number();
                for _ in 0..pairs * 2 {
                    self.value()?;
                }
                self.value()
            }
            _ => Ok(Value::Nil),
        }
    }

    fn bulk(&mut self) -> mlua::Result<Value> {
        let len = self.number();
        if len < 0 {
            return Ok(Value::Boolean(false));
        }
        let end = (self.pos + len as usize).min(self.bytes.len());
        let text = self.bytes[self.pos..end].to_vec();
        self.pos = (end + 2).min(self.bytes.len());
        self.string(&text)
    }

    fn array(&mut self) -> mlua::Result<Value> {
        let len = self.number();
        if len < 0 {
            return Ok(Value::Boolean(false));
        }
        let t = self.lua.create_table()?;
        for i in 1..=len {
            let v = self.value()?;
            t.raw_set(i, v)?;
        }
        Ok(Value::Table(t))
    }

    fn map(&mut self) -> mlua::Result<Value> {
        let len = self.number();
        let t = self.lua.create_table()?;
        for _ in 0..len {
            let k = self.value()?;
            let v = self.value()?;
            if !matches!(k, Value::Nil) {
                t.raw_set(k, v)?;
            }
        }
        self.single("map", Value::Table(t))
    }

    fn set(&mut self) -> mlua::Result<Value> {
        let len = self.number();
        let t = self.lua.create_table()?;
        for _ in 0..len {
            let k = self.value()?;
            if !matches!(k, Value::Nil) {
                t.raw_set(k, true)?;
            }
        }
        self.single("set", Value::Table(t))
    }

    fn verbatim(&mut self) -> mlua::Result<Value> {
        let len = self.number().max(0) as usize;
        let end = (self.pos + len).min(self.bytes.len());
        let body = self.bytes[self.pos..end].to_vec();
        self.pos = (end + 2).min(self.bytes.len());
        let (format, text) = if body.len() >= 4 {
            body.split_at(4)
        } else {
            (&body[..], &[][..])
        };
        let t = self.lua.create_table()?;
        t.raw_set("string", self.lua.create_string(text)?)?;
        t.raw_set(
            "format",
            self.lua.create_string(&format[..format.len().min(3)])?,
        )?;
        self.single("verbatim_string", Value::Table(t))
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

/// Writes a script's return value to the caller. `script_resp3` is the protocol the
/// script selected with `redis.setresp` (it decides how booleans are written).
pub fn lua_to_reply(value: &Value, reply: &mut Reply<'_>, script_resp3: bool) -> mlua::Result<()> {
    write_value(value, reply, script_resp3, 0)
}

fn write_value(
    value: &Value,
    reply: &mut Reply<'_>,
    resp3: bool,
    depth: usize,
) -> mlua::Result<()> {
    match value {
        Value::String(s) => reply.bulk(&s.as_bytes()),
        Value::Boolean(b) if resp3 => reply.boolean(*b),
        Value::Boolean(true) => reply.int(1),
        Value::Boolean(false) => reply.null(),
        Value::Integer(n) => reply.int(*n),
        Value::Number(n) => reply.int(truncate(*n)),
        Value::Table(t) if depth >= MAX_REPLY_DEPTH => {
            let _ = t;
            reply.error(b"ERR reached lua stack limit");
        }
        Value::Table(t) => write_table(t, reply, resp3, depth)?,
        _ => reply.null(),
    }
    Ok(())
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

fn write_table(t: &Table, reply: &mut Reply<'_>, resp3: bool, depth: usize) -> mlua::Result<()> {
    if let Value::String(err) = t.raw_get::<Value>("err")? {
        write_error(&err.as_bytes(), reply);
        return Ok(());
    }
    if let Value::String(ok) = t.raw_get::<Value>("ok")? {
        let text: Vec<u8> = ok
            .as_bytes()
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
            .collect();
        reply.simple(&text);
        return Ok(());
    }
    if let Some(n) = number_of(&t.raw_get::<Value>("double")?) {
        reply.double(n);
        return Ok(());
    }
    if let Value::String(big) = t.raw_get::<Value>("big_number")? {
        write_big_number(&big.as_bytes(), reply);
        return Ok(());
    }
    if let Value::Table(v) = t.raw_get::<Value>("verbatim_string")? {
        if let (Value::String(format), Value::String(text)) =
            (v.raw_get::<Value>("format")?, v.raw_get::<Value>("string")?)
        {
            let mut f = [0u8; 3];
            for (slot, b) in f.iter_mut().zip(format.as_bytes().iter()) {
                *slot = *b;
            }
            reply.verbatim(&f, &text.as_bytes());
            return Ok(());
        }
    }
    if let Value::Table(map) = t.raw_get::<Value>("map")? {
        return write_map(&map, reply, resp3, depth);
    }
    if let Value::Table(set) = t.raw_get::<Value>("set")? {
        return write_set(&set, reply, resp3, depth);
    }
    write_array(t, reply, resp3, depth)
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(n) => Some(*n as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
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

fn write_map(map: &Table, reply: &mut Reply<'_>, resp3: bool, depth: usize) -> mlua::Result<()> {
    let pairs: Vec<(Value, Value)> = map
        .clone()
        .pairs::<Value, Value>()
        .collect::<mlua::Result<_>>()?;
    reply.map_len(pairs.len());
    for (k, v) in &pairs {
        write_value(k, reply, resp3, depth + 1)?;
        write_value(v, reply, resp3, depth + 1)?;
    }
    Ok(())
}

fn write_set(set: &Table, reply: &mut Reply<'_>, resp3: bool, depth: usize) -> mlua::Result<()> {
    let keys: Vec<Value> = set
        .clone()
        .pairs::<Value, Value>()
        .map(|p| p.map(|(k, _)| k))
        .collect::<mlua::Result<_>>()?;
    reply.set_len(keys.len());
    for k in &keys {
        write_value(k, reply, resp3, depth + 1)?;
    }
    Ok(())
}

fn write_array(t: &Table, reply: &mut Reply<'_>, resp3: bool, depth: usize) -> mlua::Result<()> {
    let mut items = Vec::new();
    loop {
        let v: Value = t.raw_get(items.len() + 1)?;
        if matches!(v, Value::Nil) {
            break;
        }
        items.push(v);
    }
    reply.array_len(items.len());
    for v in &items {
        write_value(v, reply, resp3, depth + 1)?;
    }
    Ok(())
}

/// A Lua number as an argument of `redis.call`: `%.17g`, as Redis formats it.
pub fn number_arg(n: f64) -> Vec<u8> {
    format_g(n, 17).into_bytes()
}
