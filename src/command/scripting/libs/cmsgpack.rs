//! `cmsgpack`: MessagePack `pack(...)` and `unpack(data)` as lua-cmsgpack does them:
//! integral numbers as the smallest integer type, other numbers as float32 when exact
//! else float64, tables as arrays when their keys are exactly 1..n, nesting past 16
//! levels as nil.

use mlua::{Lua, MultiValue, Table, Value};

use super::failure;
use crate::command::scripting::vm::Args;

/// Nesting level at which tables are encoded as nil.
const MAX_NESTING: usize = 16;

/// The `cmsgpack` table.
pub fn table(lua: &Lua, failed: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let on_fail = failed.clone();
    let pack = lua.create_function(move |lua, args: Args| {
        if args.is_empty() {
            let msg = "bad argument #0 to 'pack' (MessagePack pack needs input.)";
            return failure(lua, &on_fail, msg);
        }
        let mut out = Vec::new();
        for value in args.iter() {
            encode(value, 0, &mut out)?;
        }
        Ok(MultiValue::from_iter([Value::String(
            lua.create_string(out)?,
        )]))
    })?;
    for (name, kind) in [
        ("unpack", Unpack::All),
        ("unpack_one", Unpack::One),
        ("unpack_limit", Unpack::Limit),
    ] {
        let on_fail = failed.clone();
        let f = lua.create_function(move |lua, args: Args| match unpack(lua, &args, kind) {
            Ok(values) => Ok(values),
            Err(Decode::Lua(e)) => Err(e),
            Err(Decode::Msg(m)) => failure(lua, &on_fail, m),
        })?;
        t.raw_set(name, f)?;
    }
    t.raw_set("pack", pack)?;
    Ok(t)
}

/// Which unpack function: everything, one object, or up to a limit.
#[derive(Clone, Copy)]
enum Unpack {
    All,
    One,
    Limit,
}

fn int_arg(args: &Args, index: usize) -> i64 {
    match args.get(index) {
        Some(Value::Integer(n)) => *n,
        Some(Value::Number(n)) => *n as i64,
        _ => 0,
    }
}

/// `unpack(data)`, `unpack_one(data [, offset])`, `unpack_limit(data, limit [, offset])`:
/// the limited forms return the next offset (-1 at the end) before the objects.
fn unpack(lua: &Lua, args: &Args, kind: Unpack) -> Result<MultiValue, Decode> {
    let data = match args.first() {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        _ => return Err(Decode::Msg("bad argument #1 to 'unpack' (string expected)")),
    };
    let (limit, offset) = match kind {
        Unpack::All => (0, 0),
        Unpack::One => (1, int_arg(args, 1)),
        Unpack::Limit => (int_arg(args, 1), int_arg(args, 2)),
    };
    if offset < 0 || limit < 0 || offset as usize > data.len() {
        return Err(Decode::Msg(
            "Invalid request to unpack with offset or limit.",
        ));
    }
    let decode_all = limit == 0 && offset == 0;
    let limit = if decode_all {
        usize::MAX
    } else {
        limit as usize
    };
    let mut reader = Reader {
        lua,
        data: &data,
        pos: offset as usize,
    };
    let mut values = Vec::new();
    while reader.pos < data.len() && values.len() < limit {
        values.push(reader.value()?);
    }
    if !decode_all {
        let next = if reader.pos == data.len() {
            -1
        } else {
            reader.pos as i64
        };
        values.insert(0, Value::Number(next as f64));
    }
    Ok(MultiValue::from_iter(values))
}

fn encode(value: &Value, level: usize, out: &mut Vec<u8>) -> mlua::Result<()> {
    match value {
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(n) => encode_number(*n as f64, out),
        Value::Number(n) => encode_number(*n, out),
        Value::String(s) => encode_bytes(&s.as_bytes(), out),
        Value::Table(t) if level < MAX_NESTING => encode_table(t, level, out)?,
        _ => out.push(0xc0),
    }
    Ok(())
}

fn encode_number(n: f64, out: &mut Vec<u8>) {
    if n.is_finite() && (n as i64) as f64 == n {
        return encode_int(n as i64, out);
    }
    let f = n as f32;
    if f as f64 == n {
        out.push(0xca);
        out.extend_from_slice(&f.to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_int(n: i64, out: &mut Vec<u8>) {
    if n >= 0 {
        let u = n as u64;
        match u {
            0..=127 => out.push(u as u8),
            128..=0xff => out.extend_from_slice(&[0xcc, u as u8]),
            0x100..=0xffff => {
                out.push(0xcd);
                out.extend_from_slice(&(u as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(0xce);
                out.extend_from_slice(&(u as u32).to_be_bytes());
            }
            _ => {
                out.push(0xcf);
                out.extend_from_slice(&u.to_be_bytes());
            }
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -(1i64 << 31) {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_bytes(s: &[u8], out: &mut Vec<u8>) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

/// Writes a container header: the fix form below 16 elements, else 16 or 32 bits.
fn header(len: usize, fix: u8, code16: u8, out: &mut Vec<u8>) {
    if len < 16 {
        out.push(fix | len as u8);
    } else if len <= 0xffff {
        out.push(code16);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(code16 + 1);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

fn encode_table(t: &Table, level: usize, out: &mut Vec<u8>) -> mlua::Result<()> {
    let (mut count, mut max, mut array) = (0usize, 0f64, true);
    for pair in t.clone().pairs::<Value, Value>() {
        let (key, _) = pair?;
        count += 1;
        let k = match key {
            Value::Integer(k) => k as f64,
            Value::Number(k) => k,
            _ => {
                array = false;
                continue;
            }
        };
        if k <= 0.0 || k.floor() != k {
            array = false;
        }
        max = f64::max(max, k);
    }
    if array && max == count as f64 {
        header(count, 0x90, 0xdc, out);
        for i in 1..=count {
            encode(&t.raw_get::<Value>(i)?, level + 1, out)?;
        }
        return Ok(());
    }
    header(count, 0x80, 0xde, out);
    for pair in t.clone().pairs::<Value, Value>() {
        let (key, value) = pair?;
        encode(&key, level + 1, out)?;
        encode(&value, level + 1, out)?;
    }
    Ok(())
}

/// Why unpacking stopped.
enum Decode {
    Msg(&'static str),
    Lua(mlua::Error),
}

impl From<mlua::Error> for Decode {
    fn from(err: mlua::Error) -> Self {
        Decode::Lua(err)
    }
}

struct Reader<'a> {
    lua: &'a Lua,
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Decode> {
        if self.data.len() - self.pos < n {
            return Err(Decode::Msg("Missing bytes in input."));
        }
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Decode> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn int(&mut self, n: usize) -> Result<i64, Decode> {
        let u = self.uint(n)?;
        let shift = 64 - 8 * n as u32;
        Ok(((u << shift) as i64) >> shift)
    }

    fn string(&mut self, len: usize) -> Result<Value, Decode> {
        let bytes = self.take(len)?.to_vec();
        Ok(Value::String(self.lua.create_string(bytes)?))
    }

    fn value(&mut self) -> Result<Value, Decode> {
        let code = self.take(1)?[0];
        let number = |n: f64| Ok(Value::Number(n));
        match code {
            0x00..=0x7f => number(code as f64),
            0x80..=0x8f => self.map((code & 0x0f) as usize),
            0x90..=0x9f => self.array((code & 0x0f) as usize),
            0xa0..=0xbf => self.string((code & 0x1f) as usize),
            0xc0 => Ok(Value::Nil),
            0xc2 => Ok(Value::Boolean(false)),
            0xc3 => Ok(Value::Boolean(true)),
            0xc4 | 0xd9 => {
                let n = self.uint(1)? as usize;
                self.string(n)
            }
            0xc5 | 0xda => {
                let n = self.uint(2)? as usize;
                self.string(n)
            }
            0xc6 | 0xdb => {
                let n = self.uint(4)? as usize;
                self.string(n)
            }
            0xca => number(f32::from_bits(self.uint(4)? as u32) as f64),
            0xcb => number(f64::from_bits(self.uint(8)?)),
            0xcc => number(self.uint(1)? as f64),
            0xcd => number(self.uint(2)? as f64),
            0xce => number(self.uint(4)? as f64),
            0xcf => number(self.uint(8)? as f64),
            0xd0 => number(self.int(1)? as f64),
            0xd1 => number(self.int(2)? as f64),
            0xd2 => number(self.int(4)? as f64),
            0xd3 => number(self.int(8)? as f64),
            0xdc => {
                let n = self.uint(2)? as usize;
                self.array(n)
            }
            0xdd => {
                let n = self.uint(4)? as usize;
                self.array(n)
            }
            0xde => {
                let n = self.uint(2)? as usize;
                self.map(n)
            }
            0xdf => {
                let n = self.uint(4)? as usize;
                self.map(n)
            }
            0xe0..=0xff => number(code as i8 as f64),
            _ => Err(Decode::Msg("Bad data format in input.")),
        }
    }

    fn array(&mut self, len: usize) -> Result<Value, Decode> {
        let t = self.lua.create_table()?;
        for i in 1..=len {
            let v = self.value()?;
            t.raw_set(i, v)?;
        }
        Ok(Value::Table(t))
    }

    fn map(&mut self, len: usize) -> Result<Value, Decode> {
        let t = self.lua.create_table()?;
        for _ in 0..len {
            let k = self.value()?;
            let v = self.value()?;
            if !matches!(k, Value::Nil) {
                t.raw_set(k, v)?;
            }
        }
        Ok(Value::Table(t))
    }
}
