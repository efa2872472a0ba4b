//! One configuration parameter ([`Param`]: a getter and a setter over [`Config`]) and
//! the value parsers every parameter shares, so that redis.conf, the command line and
//! CONFIG SET validate the same way.

use std::fmt;

use super::model::Config;

/// Why a directive was refused; the text is Redis's.
#[derive(Debug, Clone, PartialEq, Eq)]

pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(super) fn err<T>(text: &str) -> Result<T, ConfigError> {
    Err(ConfigError(text.to_string()))
}

/// One parameter: name, whether CONFIG SET may change it, getter, setter.
pub struct Param {
    /// The directive name.
    pub name: &'static str,
    /// False for parameters only settable at start-up.
    pub mutable: bool,
    /// Renders the current value as CONFIG GET does.
    pub get: fn(&Config) -> String,
    /// Parses and applies `args` (one or more words).
    pub set: fn(&mut Config, &[String]) -> Result<(), ConfigError>,
}

/// Parses one integer argument within bounds, with Redis's error texts.
pub(super) fn int_arg(args: &[String], min: i64, max: i64) -> Result<i64, ConfigError> {
    let [value] = args else {
        return err("wrong number of arguments");
    };
    let n: i64 = value
        .parse()
        .map_err(|_| ConfigError("argument couldn't be parsed into an integer".into()))?;
    if n < min || n > max {
        return Err(ConfigError(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n)
}

/// Parses a memory amount like `512mb`, `1gb`, `100` (bytes).
pub fn parse_memory(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let units: [(&str, u64); 8] = [
        ("kb", 1024),
        ("mb", 1024 * 1024),
        ("gb", 1024 * 1024 * 1024),
        ("k", 1000),
        ("m", 1000 * 1000),
        ("g", 1000 * 1000 * 1000),
        ("b", 1),
        ("", 1),
    ];
    for (suffix, mult) in units {
        if let Some(digits) = lower.strip_suffix(suffix) {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            return digits.parse::<u64>().ok()?.checked_mul(mult);
        }
    }
    None
}

pub(super) fn memory_arg(args: &[String], min: u64, max: u64) -> Result<u64, ConfigError> {
    let [value] = args else {
        return err("wrong number of arguments");
    };
    let n =
        parse_memory(value).ok_or_else(|| ConfigError("argument must be a memory value".into()))?;
    if n < min || n > max {
        return Err(ConfigError(format!(
            "argument must be between {min} and {max} inclusive"
        )));
    }
    Ok(n)
}

pub(super) fn bool_arg(args: &[String]) -> Result<bool, ConfigError> {
    match args {
        [value] if value.eq_ignore_ascii_case("yes") => Ok(true),
        [value] if value.eq_ignore_ascii_case("no") => Ok(false),
        [_] => err("argument must be 'yes' or 'no'"),
        _ => err("wrong number of arguments"),
    }
}

pub(super) fn string_arg(args: &[String]) -> Result<String, ConfigError> {
    match args {
        [value] => Ok(value.clone()),
        _ => err("wrong number of arguments"),
    }
}

pub(super) fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_string()
}

/// An OS error as `strerror` words it ("No such file or directory"), the way Redis
/// quotes it in CONFIG SET failures.
pub(super) fn os_error_text(error: &std::io::Error) -> ConfigError {
    let text = error.to_string();
    let words = text.split(" (os error").next().unwrap_or(&text);
    ConfigError(words.to_string())
}

/// The process's working directory, absolute, as CONFIG GET dir reports it.
pub(super) fn current_dir() -> String {
    std::env::current_dir()
        .map(|dir| dir.display().to_string())
        .unwrap_or_default()
}
