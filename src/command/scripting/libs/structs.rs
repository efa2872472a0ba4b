//! `struct`: binary `pack(fmt, ...)`, `unpack(fmt, data [, pos])` and `size(fmt)` with
//! the format language of Roberto Ierusalimschy's struct library as Redis ships it:
//! `<` `>` `!n` endianness and alignment, `x` padding, `b B h H l L T i I[n]` integers,
//! `f d` floats, `s` zero-terminated and `c[n]` fixed-size strings.

use mlua::{Lua, MultiValue, Table, Value};

use super::{check_number, failure};
use crate::command::scripting::vm::Args;

/// Largest integer size `i[n]` accepts.
const MAX_INT_SIZE: usize = 32;
/// Native alignment used by `!` without a number.
const NATIVE_ALIGN: usize = 8;

/// Parsing state over a format string.
struct Format<'a> {
    text: &'a [u8],
    pos: usize,
    little: bool,
    align: usize,
}

/// One data option of a format.
#[derive(Clone, Copy)]
struct Opt {
    code: u8,
    size: usize,
}

impl<'a> Format<'a> {
    fn new(text: &'a [u8]) -> Self {
        Format {
            text,
            pos: 0,
            little: true,
            align: 1,
        }
    }

    fn number(&mut self, default: usize) -> usize {
        let start = self.pos;
        let mut n = 0usize;
        while let Some(d) = self.text.get(self.pos).filter(|c| c.is_ascii_digit()) {
            n = n.saturating_mul(10).saturating_add((d - b'0') as usize);
            self.pos += 1;
        }
        if self.pos == start {
            default
        } else {
            n
        }
    }

    /// The next data option, handling control options on the way; `None` at the end.
    fn next(&mut self) -> Result<Option<Opt>, String> {
        while let Some(&code) = self.text.get(self.pos) {
            self.pos += 1;
            let size = match code {
                b' ' => continue,
                b'>' => {
                    self.little = false;
                    continue;
                }
                b'<' => {
                    self.little = true;
                    continue;
                }
                b'!' => {
                    let a = self.number(NATIVE_ALIGN);
                    if !a.is_power_of_two() {
                        return Err("alignment must be power of 2".into());
                    }
                    self.align = a;
                    continue;
                }
                b'x' | b'b' | b'B' => 1,
                b'h' | b'H' => 2,
                b'l' | b'L' | b'T' | b'd' => 8,
                b'f' => 4,
                b'c' => self.number(1),
                b's' => 0,
                b'i' | b'I' => {
                    let n = self.number(4);
                    if n > MAX_INT_SIZE {
                        return Err(format!(
                            "integral size {n} is larger than limit of {MAX_INT_SIZE}"
                        ));
                    }
                    n
                }
                other => return Err(format!("invalid format option '{}'", other as char)),
            };
            return Ok(Some(Opt { code, size }));
        }
        Ok(None)
    }

    /// Padding needed before an option of `size` at offset `len`.
    fn padding(&self, len: usize, opt: Opt) -> usize {
        if opt.size <= 1 || opt.code == b'c' {
            return 0;
        }
        let align = opt.size.min(self.align);
        if !align.is_power_of_two() {
            return 0;
        }
        (align - (len & (align - 1))) & (align - 1)
    }
}

/// Writes the low `size` bytes of `value` (sign-extended past 8 bytes).
fn put_int(out: &mut Vec<u8>, value: u64, negative: bool, size: usize, little: bool) {
    let mut bytes: Vec<u8> = (0..size)
        .map(|i| {
            if i < 8 {
                (value >> (8 * i)) as u8
            } else if negative {
                0xff
            } else {
                0
            }
        })
        .collect();
    if !little {
        bytes.reverse();
    }
    out.extend_from_slice(&bytes);
}

fn pack(args: &[Value]) -> Result<Vec<u8>, String> {
    let fmt = string_arg(args, 0, "pack")?;
    let mut f = Format::new(&fmt);
    let mut out = Vec::new();
    let mut arg = 1;
    while let Some(opt) = f
        .next()
        .map_err(|e| format!("bad argument #1 to 'pack' ({e})"))?
    {
        out.resize(out.len() + f.padding(out.len(), opt), 0);
        match opt.code {
            b'x' => out.push(0),
            b'f' | b'd' => {
                let n = check_number(args, arg, "pack")?;
                let mut bytes = if opt.code == b'f' {
                    (n as f32).to_le_bytes().to_vec()
                } else {
                    n.to_le_bytes().to_vec()
                };
                if !f.little {
                    bytes.reverse();
                }
                out.extend_from_slice(&bytes);
                arg += 1;
            }
            b'c' | b's' => {
                let s = string_arg(args, arg, "pack")?;
                let size = if opt.code == b's' || opt.size == 0 {
                    s.len()
                } else {
                    opt.size
                };
                if s.len() < size {
                    return Err(format!(
                        "bad argument #{} to 'pack' (string too short)",
                        arg + 1
                    ));
                }
                out.extend_from_slice(&s[..size]);
                if opt.code == b's' {
                    out.push(0);
                }
                arg += 1;
            }
            _ => {
                let n = check_number(args, arg, "pack")?;
                let value = if n < 0.0 { n as i64 as u64 } else { n as u64 };
                put_int(&mut out, value, n < 0.0, opt.size, f.little);
                arg += 1;
            }
        }
    }
    Ok(out)
}

fn string_arg(args: &[Value], index: usize, name: &str) -> Result<Vec<u8>, String> {
    match args.get(index) {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(Value::Integer(n)) => Ok(n.to_string().into_bytes()),
        Some(Value::Number(n)) => Ok(super::format_g(*n, 14).into_bytes()),
        other => Err(format!(
            "bad argument #{} to '{}' (string expected, got {})",
            index + 1,
            name,
            super::type_name(other)
        )),
    }
}

fn get_int(bytes: &[u8], little: bool, signed: bool) -> f64 {
    let mut ordered = bytes.to_vec();
    if !little {
        ordered.reverse();
    }
    let mut value = 0u64;
    for (i, &b) in ordered.iter().enumerate().take(8) {
        value |= u64::from(b) << (8 * i);
    }
    let size = bytes.len().min(8);
    if signed && size > 0 && size < 8 {
        let mask = 1u64 << (size * 8 - 1);
        value = (value ^ mask).wrapping_sub(mask);
    }
    if signed {
        value as i64 as f64
    } else {
        value as f64
    }
}

fn unpack(lua: &Lua, args: &[Value]) -> Result<Result<MultiValue, String>, mlua::Error> {
    let run = || -> Result<Vec<Value>, String> {
        let fmt = string_arg(args, 0, "unpack")?;
        let data = string_arg(args, 1, "unpack")?;
        let start = match args.get(2) {
            None | Some(Value::Nil) => 1.0,
            Some(_) => check_number(args, 2, "unpack")?,
        };
        let mut pos = (start as i64 - 1).max(0) as usize;
        let mut f = Format::new(&fmt);
        let mut out: Vec<Value> = Vec::new();
        let short = || "bad argument #2 to 'unpack' (data string too short)".to_string();
        while let Some(mut opt) = f
            .next()
            .map_err(|e| format!("bad argument #1 to 'unpack' ({e})"))?
        {
            pos += f.padding(pos, opt);
            if pos + opt.size > data.len() {
                return Err(short());
            }
            match opt.code {
                b'x' => {}
                b'f' | b'd' => {
                    let mut bytes = data[pos..pos + opt.size].to_vec();
                    if !f.little {
                        bytes.reverse();
                    }
                    let n = if opt.code == b'f' {
                        f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64
                    } else {
                        let mut b8 = [0u8; 8];
                        b8.copy_from_slice(&bytes);
                        f64::from_le_bytes(b8)
                    };
                    out.push(Value::Number(n));
                }
                b'c' => {
                    if opt.size == 0 {
                        opt.size = match out.pop() {
                            Some(Value::Number(n)) => n as usize,
                            _ => return Err(
                                "bad argument #1 to 'unpack' (format 'c0' needs a previous size)"
                                    .into(),
                            ),
                        };
                        if pos + opt.size > data.len() {
                            return Err(short());
                        }
                    }
                    out.push(Value::String(lua_string(lua, &data[pos..pos + opt.size])?));
                }
                b's' => {
                    let Some(end) = data[pos..].iter().position(|&b| b == 0) else {
                        return Err("unfinished string in data".into());
                    };
                    out.push(Value::String(lua_string(lua, &data[pos..pos + end])?));
                    opt.size = end + 1;
                }
                code => {
                    let signed = code.is_ascii_lowercase();
                    out.push(Value::Number(get_int(
                        &data[pos..pos + opt.size],
                        f.little,
                        signed,
                    )));
                }
            }
            pos += opt.size;
        }
        out.push(Value::Number((pos + 1) as f64));
        Ok(out)
    };
    Ok(run().map(MultiValue::from_iter))
}

fn lua_string(lua: &Lua, bytes: &[u8]) -> Result<mlua::LuaString, String> {
    lua.create_string(bytes).map_err(|e| e.to_string())
}

fn size(args: &[Value]) -> Result<usize, String> {
    let fmt = string_arg(args, 0, "size")?;
    let mut f = Format::new(&fmt);
    let mut total = 0;
    while let Some(opt) = f
        .next()
        .map_err(|e| format!("bad argument #1 to 'size' ({e})"))?
    {
        if opt.code == b's' {
            return Err(
                "bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)".into(),
            );
        }
        if opt.code == b'c' && opt.size == 0 {
            return Err(
                "bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)".into(),
            );
        }
        total += f.padding(total, opt) + opt.size;
    }
    Ok(total)
}

/// The `struct` table.
pub fn table(lua: &Lua, failed: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let on_fail = failed.clone();
    let f = lua.create_function(move |lua, args: Args| match pack(&args) {
        Ok(bytes) => Ok(MultiValue::from_iter([Value::String(
            lua.create_string(bytes)?,
        )])),
        Err(msg) => failure(lua, &on_fail, msg),
    })?;
    t.raw_set("pack", f)?;
    let on_fail = failed.clone();
    let f = lua.create_function(move |lua, args: Args| match unpack(lua, &args)? {
        Ok(values) => Ok(values),
        Err(msg) => failure(lua, &on_fail, msg),
    })?;
    t.raw_set("unpack", f)?;
    let on_fail = failed.clone();
    let f = lua.create_function(move |lua, args: Args| match size(&args) {
        Ok(n) => Ok(MultiValue::from_iter([Value::Number(n as f64)])),
        Err(msg) => failure(lua, &on_fail, msg),
    })?;
    t.raw_set("size", f)?;
    Ok(t)
}
