//! The libraries Redis loads into its Lua VM besides Lua's own: `cjson`, `cmsgpack`,
//! `bit` and `struct`, written in Rust against their documented behaviour.
//!
//! Each function returns its results, or the `failed` marker and a message, which the
//! Lua wrapper in `prelude.lua` raises as an error at the caller's position.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod structs;

use mlua::{IntoLua, Lua, MultiValue, Table, Value};

/// The results of a failed call: the marker, then the message.
pub fn failure(lua: &Lua, failed: &Table, msg: impl AsRef<[u8]>) -> mlua::Result<MultiValue> {
    let text = lua.create_string(msg)?;
    Ok(MultiValue::from_iter([
        Value::Table(failed.clone()),
        Value::String(text),
    ]))
}

/// Lua's name for a value's type, as error messages print it.
pub fn type_name(value: Option<&Value>) -> &'static str {
    match value {
        None => "no value",
        Some(Value::Nil) => "nil",
        Some(Value::Boolean(_)) => "boolean",
        Some(Value::Integer(_) | Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Table(_)) => "table",
        Some(Value::Function(_)) => "function",
        Some(Value::Thread(_)) => "thread",
        Some(Value::LightUserData(_)) | Some(Value::UserData(_)) => "userdata",
        Some(_) => "userdata",
    }
}

/// `luaL_checknumber`: the number at `index` (numeric strings convert), or the
/// "bad argument" message naming function `name`.
pub fn check_number(args: &[Value], index: usize, name: &str) -> Result<f64, String> {
    let value = args.get(index);
    let number = match value {
        Some(Value::Integer(n)) => Some(*n as f64),
        Some(Value::Number(n)) => Some(*n),
        Some(Value::String(s)) => parse_lua_number(&s.as_bytes()),
        _ => None,
    };
    number.ok_or_else(|| {
        format!(
            "bad argument #{} to '{}' (number expected, got {})",
            index + 1,
            name,
            type_name(value)
        )
    })
}

/// Lua 5.1's string-to-number conversion (`lua_str2number`: decimal or hex, spaces around).
pub fn parse_lua_number(text: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(text).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let n = u64::from_str_radix(hex, 16).ok()? as f64;
        return Some(if neg { -n } else { n });
    }
    if text.contains(|c: char| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E')) {
        let lower = text.to_ascii_lowercase();
        if !(lower.contains("inf") || lower.contains("nan")) {
            return None;
        }
    }
    text.parse::<f64>().ok()
}

/// Converts results into Lua values.
pub fn values<T: IntoLua>(lua: &Lua, items: Vec<T>) -> mlua::Result<MultiValue> {
    items
        .into_iter()
        .map(|item| item.into_lua(lua))
        .collect::<mlua::Result<MultiValue>>()
}

/// C's `%.<precision>g` (Lua's `tostring` of a number is `%.14g`).
pub fn format_g(n: f64, precision: usize) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if n == 0.0 {
        return if n.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, n);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let mantissa = strip_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let decimals = (p as i32 - 1 - exp).max(0) as usize;
    strip_fraction_zeros(&format!("{n:.decimals$}")).to_string()
}

/// Drops trailing zeros of a fraction, and its point if nothing is left after it.
fn strip_fraction_zeros(text: &str) -> &str {
    if !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.')
}
