//! `bit`: LuaBitOp's 32-bit operations (tobit, tohex, bnot, band, bor, bxor, lshift,
//! rshift, arshift, rol, ror, bswap). Numbers are normalised to 32 bits the way LuaBitOp
//! does: rounded to an integer, then taken modulo 2^32.

use mlua::{Lua, MultiValue, Table, Value};

use super::{check_number, failure};
use crate::command::scripting::vm::Args;

/// An operation's arguments after conversion, or the message of the bad one.
type Bits = Result<Vec<u32>, String>;

/// LuaBitOp's `barg`: the low 32 bits of the number rounded half to even.
fn to_bits(n: f64) -> u32 {
    let rounded = n.round_ties_even();
    if !rounded.is_finite() {
        return 0;
    }
    rounded.rem_euclid(4_294_967_296.0) as u64 as u32
}

/// Converts at least `min` arguments (all of them) of function `name`.
fn bits(args: &[Value], min: usize, name: &str) -> Bits {
    let count = args.len().max(min);
    (0..count)
        .map(|i| check_number(args, i, name).map(to_bits))
        .collect()
}

/// A 32-bit result as the signed number LuaBitOp returns.
fn result(b: u32) -> MultiValue {
    MultiValue::from_iter([Value::Number(b as i32 as f64)])
}

/// `bit.tohex(x [, n])`: `n` hex digits (default 8; negative for upper case).
fn tohex(args: &[Value]) -> Result<String, String> {
    let mut b = to_bits(check_number(args, 0, "tohex")?);
    let mut n = match args.get(1) {
        None => 8,
        Some(_) => to_bits(check_number(args, 1, "tohex")?) as i32,
    };
    let digits: &[u8; 16] = if n < 0 {
        n = -n;
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let n = n.min(8) as usize;
    let mut out = vec![0u8; n];
    for slot in out.iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs operation `name` over `args`.
fn apply(name: &str, args: &[Value]) -> Result<u32, String> {
    let fold = |f: fn(u32, u32) -> u32| -> Result<u32, String> {
        let v = bits(args, 1, name)?;
        Ok(v[1..].iter().fold(v[0], |acc, &x| f(acc, x)))
    };
    let shift = |f: fn(u32, u32) -> u32| -> Result<u32, String> {
        let v = bits(&args[..args.len().min(2)], 2, name)?;
        Ok(f(v[0], v[1] & 31))
    };
    match name {
        "tobit" => Ok(to_bits(check_number(args, 0, name)?)),
        "bnot" => Ok(!to_bits(check_number(args, 0, name)?)),
        "bswap" => Ok(to_bits(check_number(args, 0, name)?).swap_bytes()),
        "band" => fold(|a, b| a & b),
        "bor" => fold(|a, b| a | b),
        "bxor" => fold(|a, b| a ^ b),
        "lshift" => shift(|a, n| a << n),
        "rshift" => shift(|a, n| a >> n),
        "arshift" => shift(|a, n| ((a as i32) >> n) as u32),
        "rol" => shift(|a, n| a.rotate_left(n)),
        _ => shift(|a, n| a.rotate_right(n)),
    }
}

/// The `bit` table.
pub fn table(lua: &Lua, failed: &Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let names = [
        "tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror",
        "bswap",
    ];
    for name in names {
        let failed = failed.clone();
        let f = lua.create_function(move |lua, args: Args| match apply(name, &args) {
            Ok(b) => Ok(result(b)),
            Err(msg) => failure(lua, &failed, msg),
        })?;
        t.raw_set(name, f)?;
    }
    let failed = failed.clone();
    let f = lua.create_function(move |lua, args: Args| match tohex(&args) {
        Ok(text) => Ok(MultiValue::from_iter([Value::String(
            lua.create_string(text)?,
        )])),
        Err(msg) => failure(lua, &failed, msg),
    })?;
    t.raw_set("tohex", f)?;
    Ok(t)
}
