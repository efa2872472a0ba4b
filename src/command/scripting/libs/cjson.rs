//! `cjson`: JSON encode and decode with lua-cjson 2.1's behaviour as Redis ships it:
//! numbers printed with `%.14g`, `/` escaped, empty tables as `{}`, sparse arrays refused,
//! nesting limited to 1000, JSON null as `cjson.null` (a NULL light userdata).

use mlua::{Lua, MultiValue, Table, Value};

use super::format_g;
use super::{failure, type_name};
use crate::command::scripting::vm::Args;

/// Deepest nesting encode and decode accept by default.
const MAX_DEPTH: usize = 1000;

/// lua-cjson's settings (`cjson.encode_max_depth(...)` and friends), kept per VM.
#[derive(Clone, Copy)]
struct Settings {
    encode_max_depth: usize,
    decode_max_depth: usize,
    /// NaN and infinities are encoded (as `nan`/`inf`) instead of refused.
    encode_invalid_numbers: bool,
    encode_sparse_convert: bool,
    encode_sparse_ratio: usize,
    encode_sparse_safe: usize,
    precision: usize,
    keep_buffer: bool,
}

const DEFAULT_SETTINGS: Settings = Settings {
    encode_max_depth: MAX_DEPTH,
    decode_max_depth: MAX_DEPTH,
    encode_invalid_numbers: false,
    encode_sparse_convert: false,
    encode_sparse_ratio: SPARSE_RATIO,
    encode_sparse_safe: SPARSE_SAFE,
    precision: 14,
    keep_buffer: true,
};

type Shared = std::rc::Rc<std::cell::Cell<Settings>>;

/// A setting's new value from argument `index` when given (numbers and booleans).
fn arg_usize(args: &Args, index: usize) -> Option<usize> {
    match args.get(index) {
        Some(Value::Integer(n)) if *n > 0 => Some(*n as usize),
        Some(Value::Number(n)) if *n >= 1.0 => Some(*n as usize),
        _ => None,
    }
}

fn arg_bool(args: &Args, index: usize) -> Option<bool> {
    match args.get(index) {
        Some(Value::Boolean(b)) => Some(*b),
        Some(Value::String(s)) if &s.as_bytes()[..] == b"on" => Some(true),
        Some(Value::String(s)) if &s.as_bytes()[..] == b"off" => Some(false),
        _ => None,
    }
}

/// Registers the setting functions: each takes optional new values and returns the
/// values in force.
fn register_settings(lua: &Lua, t: &Table, shared: &Shared) -> mlua::Result<()> {
    type Apply = fn(&mut Settings, &Args) -> Vec<Value>;
    let entries: [(&str, Apply); 7] = [
        ("encode_max_depth", |s, a| {
            s.encode_max_depth = arg_usize(a, 0).unwrap_or(s.encode_max_depth);
            vec![Value::Number(s.encode_max_depth as f64)]
        }),
        ("decode_max_depth", |s, a| {
            s.decode_max_depth = arg_usize(a, 0).unwrap_or(s.decode_max_depth);
            vec![Value::Number(s.decode_max_depth as f64)]
        }),
        ("encode_invalid_numbers", |s, a| {
            s.encode_invalid_numbers = arg_bool(a, 0).unwrap_or(s.encode_invalid_numbers);
            vec![Value::Boolean(s.encode_invalid_numbers)]
        }),
        ("decode_invalid_numbers", |_, _| vec![Value::Boolean(true)]),
        ("encode_sparse_array", |s, a| {
            s.encode_sparse_convert = arg_bool(a, 0).unwrap_or(s.encode_sparse_convert);
            s.encode_sparse_ratio = arg_usize(a, 1).unwrap_or(s.encode_sparse_ratio);
            s.encode_sparse_safe = arg_usize(a, 2).unwrap_or(s.encode_sparse_safe);
            vec![
                Value::Boolean(s.encode_sparse_convert),
                Value::Number(s.encode_sparse_ratio as f64),
                Value::Number(s.encode_sparse_safe as f64),
            ]
        }),
        ("encode_number_precision", |s, a| {
            s.precision = arg_usize(a, 0).map_or(s.precision, |p| p.min(14));
            vec![Value::Number(s.precision as f64)]
        }),
        ("encode_keep_buffer", |s, a| {
            s.keep_buffer = arg_bool(a, 0).unwrap_or(s.keep_buffer);
            vec![Value::Boolean(s.keep_buffer)]
        }),
    ];
    for (name, apply) in entries {
        let shared = shared.clone();
        let f = lua.create_function(move |_, args: Args| {
            let mut settings = shared.get();
            let out = apply(&mut settings, &args);
            shared.set(settings);
            Ok(MultiValue::from_iter(out))
        })?;
        t.raw_set(name, f)?;
    }
    Ok(())
}
/// A table is an array only while its largest index is at most this many times its
/// element count (or at most `SPARSE_SAFE`).
const SPARSE_RATIO: usize = 2;
/// Arrays up to this index are never considered excessively sparse.
const SPARSE_SAFE: usize = 10;

/// The `cjson` table; `null` is the value JSON null decodes to.
pub fn table(lua: &Lua, failed: &Table, null: Value) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let shared: Shared = std::rc::Rc::new(std::cell::Cell::new(DEFAULT_SETTINGS));
    register_settings(lua, &t, &shared)?;
    let on_fail = failed.clone();
    let settings = shared.clone();
    let encode = lua.create_function(move |lua, args: Args| {
        if args.len() != 1 {
            return failure(
                lua,
                &on_fail,
                "bad argument #1 to 'encode' (expected 1 argument)",
            );
        }
        let mut out = Vec::new();
        match encode_value(&args[0], 0, &settings.get(), &mut out) {
            Ok(()) => Ok(MultiValue::from_iter([Value::String(
                lua.create_string(out)?,
            )])),
            Err(msg) => failure(lua, &on_fail, msg),
        }
    })?;
    let on_fail = failed.clone();
    let null_value = null.clone();
    let decode = lua.create_function(move |lua, args: Args| {
        let text = match args.first() {
            Some(Value::String(s)) if args.len() == 1 => s.as_bytes().to_vec(),
            _ => {
                return failure(
                    lua,
                    &on_fail,
                    "bad argument #1 to 'decode' (expected 1 argument)",
                )
            }
        };
        let max_depth = shared.get().decode_max_depth;
        let mut parser = Parser {
            lua,
            text: &text,
            pos: 0,
            null: null_value.clone(),
            max_depth,
        };
        match parser.document() {
            Ok(value) => Ok(MultiValue::from_iter([value])),
            Err(Failure::Lua(err)) => Err(err),
            Err(Failure::Msg(msg)) => failure(lua, &on_fail, msg),
        }
    })?;
    t.raw_set("encode", encode)?;
    t.raw_set("decode", decode)?;
    t.raw_set("null", null)?;
    Ok(t)
}

/// Appends the JSON text of `value`.
fn encode_value(
    value: &Value,
    depth: usize,
    s: &Settings,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    match value {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(n) => encode_number(*n as f64, s, out)?,
        Value::Number(n) => encode_number(*n, s, out)?,
        Value::String(s) => encode_string(&s.as_bytes(), out),
        Value::Table(t) => encode_table(t, depth + 1, s, out)?,
        other => {
            return Err(format!(
                "Cannot serialise {}: type not supported",
                type_name(Some(other))
            ))
        }
    }
    Ok(())
}

fn encode_number(n: f64, s: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    if !n.is_finite() && !s.encode_invalid_numbers {
        return Err("Cannot serialise number: must not be NaN or Inf".into());
    }
    out.extend_from_slice(format_g(n, s.precision).as_bytes());
    Ok(())
}

fn encode_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

/// The array length of `t` when every key is a positive integer (and the array is not
/// excessively sparse), `None` for an object.
fn array_length(t: &Table, s: &Settings) -> Result<Option<usize>, String> {
    let (mut max, mut items) = (0usize, 0usize);
    for pair in t.clone().pairs::<Value, Value>() {
        let (key, _) = pair.map_err(|e| e.to_string())?;
        let k = match key {
            Value::Integer(k) => k as f64,
            Value::Number(k) => k,
            _ => return Ok(None),
        };
        if k < 1.0 || k.floor() != k {
            return Ok(None);
        }
        max = max.max(k as usize);
        items += 1;
    }
    if max > s.encode_sparse_safe && max > items * s.encode_sparse_ratio {
        if s.encode_sparse_convert {
            return Ok(None);
        }
        return Err("Cannot serialise table: excessively sparse array".into());
    }
    Ok(Some(max))
}

fn encode_table(t: &Table, depth: usize, s: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    if depth > s.encode_max_depth {
        return Err(format!("Cannot serialise, excessive nesting ({depth})"));
    }
    match array_length(t, s)? {
        Some(len) if len > 0 => {
            out.push(b'[');
            for i in 1..=len {
                if i > 1 {
                    out.push(b',');
                }
                let v: Value = t.raw_get(i).map_err(|e| e.to_string())?;
                encode_value(&v, depth, s, out)?;
            }
            out.push(b']');
        }
        _ => encode_object(t, depth, s, out)?,
    }
    Ok(())
}

fn encode_object(t: &Table, depth: usize, s: &Settings, out: &mut Vec<u8>) -> Result<(), String> {
    out.push(b'{');
    let mut first = true;
    for pair in t.clone().pairs::<Value, Value>() {
        let (key, value) = pair.map_err(|e| e.to_string())?;
        if !first {
            out.push(b',');
        }
        first = false;
        match key {
            Value::String(k) => encode_string(&k.as_bytes(), out),
            Value::Integer(n) => encode_string(format_g(n as f64, s.precision).as_bytes(), out),
            Value::Number(n) => encode_string(format_g(n, s.precision).as_bytes(), out),
            _ => return Err("Cannot serialise table: table key must be a number or string".into()),
        }
        out.push(b':');
        encode_value(&value, depth, s, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// Why decoding stopped: bad JSON (a message) or a Lua failure (out of memory).
enum Failure {
    Msg(String),
    Lua(mlua::Error),
}

impl From<mlua::Error> for Failure {
    fn from(err: mlua::Error) -> Self {
        Failure::Lua(err)
    }
}

/// A recursive-descent JSON reader producing Lua values.
struct Parser<'a> {
    lua: &'a Lua,
    text: &'a [u8],
    pos: usize,
    null: Value,
    max_depth: usize,
}

impl Parser<'_> {
    /// The whole text: one value and nothing after it.
    fn document(&mut self) -> Result<Value, Failure> {
        if self.text.len() >= 2 && (self.text[0] == 0 || self.text[1] == 0) {
            return Err(Failure::Msg(
                "JSON parser does not support UTF-16 or UTF-32".into(),
            ));
        }
        let value = self.value(0)?;
        self.skip_space();
        if self.pos < self.text.len() {
            return Err(self.expected("the end"));
        }
        Ok(value)
    }

    fn skip_space(&mut self) {
        while self.pos < self.text.len()
            && matches!(self.text[self.pos], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 1;
        }
    }

    /// What lua-cjson calls the token found at the current position.
    fn found(&self) -> &'static str {
        match self.text.get(self.pos) {
            None => "T_END",
            Some(b'{') => "T_OBJ_BEGIN",
            Some(b'}') => "T_OBJ_END",
            Some(b'[') => "T_ARR_BEGIN",
            Some(b']') => "T_ARR_END",
            Some(b'"') => "T_STRING",
            Some(b':') => "T_COLON",
            Some(b',') => "T_COMMA",
            Some(b'-' | b'0'..=b'9') => "T_NUMBER",
            Some(b't' | b'f') => "T_BOOLEAN",
            Some(b'n') => "T_NULL",
            Some(_) => "invalid token",
        }
    }

    fn expected(&self, what: &str) -> Failure {
        Failure::Msg(format!(
            "Expected {} but found {} at character {}",
            what,
            self.found(),
            self.pos + 1
        ))
    }

    fn value(&mut self, depth: usize) -> Result<Value, Failure> {
        self.skip_space();
        match self.text.get(self.pos) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Value::String(self.lua.create_string(self.string()?)?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) if self.literal(b"true") => Ok(Value::Boolean(true)),
            Some(_) if self.literal(b"false") => Ok(Value::Boolean(false)),
            Some(_) if self.literal(b"null") => Ok(self.null.clone()),
            _ => Err(self.expected("value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            return true;
        }
        false
    }

    fn nested(&self, depth: usize) -> Result<(), Failure> {
        if depth > self.max_depth {
            return Err(Failure::Msg(format!(
                "Found too many nested data structures ({}) at character {}",
                depth,
                self.pos + 1
            )));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Value, Failure> {
        self.nested(depth)?;
        self.pos += 1;
        let t = self.lua.create_table()?;
        self.skip_space();
        if self.text.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::Table(t));
        }
        let mut i = 1;
        loop {
            let v = self.value(depth)?;
            t.raw_set(i, v)?;
            i += 1;
            self.skip_space();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Table(t));
                }
                _ => return Err(self.expected("comma or array end")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Failure> {
        self.nested(depth)?;
        self.pos += 1;
        let t = self.lua.create_table()?;
        self.skip_space();
        if self.text.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Table(t));
        }
        loop {
            self.skip_space();
            if self.text.get(self.pos) != Some(&b'"') {
                return Err(self.expected("object key string"));
            }
            let key = self.string()?;
            self.skip_space();
            if self.text.get(self.pos) != Some(&b':') {
                return Err(self.expected("colon"));
            }
            self.pos += 1;
            let v = self.value(depth)?;
            t.raw_set(self.lua.create_string(key)?, v)?;
            self.skip_space();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Table(t));
                }
                _ => return Err(self.expected("comma or object end")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, Failure> {
        let start = self.pos;
        while self.pos < self.text.len()
            && matches!(
                self.text[self.pos],
                b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
            )
        {
            self.pos += 1;
        }
        let token = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        match token.parse::<f64>() {
            Ok(n) => Ok(Value::Number(n)),
            Err(_) => {
                self.pos = start;
                Err(Failure::Msg(format!(
                    "Expected value but found invalid number at character {}",
                    start + 1
                )))
            }
        }
    }

    /// A string token (the position is at its opening quote).
    fn string(&mut self) -> Result<Vec<u8>, Failure> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.text.get(self.pos) else {
                self.pos = start;
                return Err(Failure::Msg(format!(
                    "Expected value but found unexpected end of string at character {}",
                    start + 1
                )));
            };
            self.pos += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => self.escape(start, &mut out)?,
                _ => out.push(c),
            }
        }
    }

    fn escape(&mut self, start: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
        let c = self.text.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode(start, out),
            _ => return Err(self.bad_escape(start)),
        };
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        let value = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.pos += 4;
        Some(value)
    }

    fn unicode(&mut self, start: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
        let mut code = self.hex4().ok_or_else(|| self.bad_escape(start))?;
        if (0xd800..0xdc00).contains(&code) {
            if !self.text[self.pos..].starts_with(b"\\u") {
                return Err(self.bad_escape(start));
            }
            self.pos += 2;
            let low = self.hex4().ok_or_else(|| self.bad_escape(start))?;
            if !(0xdc00..0xe000).contains(&low) {
                return Err(self.bad_escape(start));
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        } else if (0xdc00..0xe000).contains(&code) {
            return Err(self.bad_escape(start));
        }
        let ch = char::from_u32(code).ok_or_else(|| self.bad_escape(start))?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn bad_escape(&self, start: usize) -> Failure {
        Failure::Msg(format!(
            "Expected value but found invalid escape code at character {}",
            start + 1
        ))
    }
}
