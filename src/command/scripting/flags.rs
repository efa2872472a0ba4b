//! Script and function flags (`#!lua flags=...`, `redis.register_function{flags=...}`),
//! numbered as Redis numbers them, and the command flags they give the command that
//! runs the script.

use crate::command::core::spec::flags;
use crate::error::CmdError;

/// Shebang flags of a script (`#!lua flags=...`), as Redis numbers them.
pub mod script_flags {
    /// `no-writes`
    pub const NO_WRITES: u32 = 1 << 0;
    /// `allow-oom`
    pub const ALLOW_OOM: u32 = 1 << 1;
    /// `allow-stale`
    pub const ALLOW_STALE: u32 = 1 << 2;
    /// `no-cluster`
    pub const NO_CLUSTER: u32 = 1 << 3;
    /// No shebang: the script runs as before Redis 7.0.
    pub const EVAL_COMPAT_MODE: u32 = 1 << 4;
    /// `allow-cross-slot-keys`
    pub const ALLOW_CROSS_SLOT: u32 = 1 << 5;

    /// Flag names as shebangs and FUNCTION LIST spell them.
    pub const NAMES: [(&str, u32); 5] = [
        ("no-writes", NO_WRITES),
        ("allow-oom", ALLOW_OOM),
        ("allow-stale", ALLOW_STALE),
        ("no-cluster", NO_CLUSTER),
        ("allow-cross-slot-keys", ALLOW_CROSS_SLOT),
    ];
}

/// The bit of shebang flag `name`.
pub fn flag_named(name: &str) -> Option<u32> {
    script_flags::NAMES
        .iter()
        .find(|(flag, _)| *flag == name)
        .map(|(_, bit)| *bit)
}

/// Reads a `#!lua flags=...` first line. Returns the flags and the shebang's length
/// (the body is compiled from there, keeping the newline so line numbers hold).
pub fn shebang_flags(body: &[u8]) -> Result<(u32, usize), CmdError> {
    if !body.starts_with(b"#!") {
        return Ok((script_flags::EVAL_COMPAT_MODE, 0));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err(CmdError::raw("ERR Invalid script shebang"));
    };
    let line = String::from_utf8_lossy(&body[..end]).into_owned();
    let mut parts = line.split_ascii_whitespace();
    let engine = parts.next().unwrap_or("");
    if engine != "#!lua" {
        return Err(CmdError::raw(format!(
            "ERR Unexpected engine in script shebang: {engine}"
        )));
    }
    let mut flags = 0;
    for part in parts {
        let Some(list) = part.strip_prefix("flags=") else {
            return Err(CmdError::raw(format!(
                "ERR Unknown lua shebang option: {part}"
            )));
        };
        for name in list.split(',').filter(|name| !name.is_empty()) {
            flags |= flag_named(name).ok_or_else(|| {
                CmdError::raw(format!("ERR Unexpected flag in script shebang: {name}"))
            })?;
        }
    }
    Ok((flags, end))
}

/// The flags a command running a script with `script` flags runs with, as Redis's
/// `scriptFlagsToCmdFlags`: the script's declaration replaces the command's write,
/// deny-oom, stale and may-replicate flags (`no-writes` implies `allow-oom`).
pub fn command_flags(command: u32, script: u32) -> u32 {
    let mut out = command & !(flags::STALE | flags::DENYOOM | flags::WRITE | flags::MAY_REPLICATE);
    if script & (script_flags::ALLOW_OOM | script_flags::NO_WRITES) == 0 {
        out |= flags::DENYOOM;
    }
    if script & script_flags::NO_WRITES == 0 {
        out |= flags::WRITE;
    }
    if script & script_flags::ALLOW_STALE != 0 {
        out |= flags::STALE;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_flags_parse_and_map_to_command_flags() {
        assert_eq!(
            shebang_flags(b"return 1").ok(),
            Some((script_flags::EVAL_COMPAT_MODE, 0))
        );
        assert_eq!(shebang_flags(b"#!lua\nreturn 1").ok(), Some((0, 5)));
        let both = script_flags::NO_WRITES | script_flags::ALLOW_OOM;
        let (declared, _) = shebang_flags(b"#!lua flags=no-writes,allow-oom\n").unwrap();
        assert_eq!(declared, both);
        assert!(shebang_flags(b"#!lua flags=bogus\n").is_err());
        assert!(shebang_flags(b"#!python\n").is_err());
        assert_eq!(
            command_flags(flags::WRITE, 0) & flags::DENYOOM,
            flags::DENYOOM
        );
        assert_eq!(command_flags(flags::WRITE, script_flags::NO_WRITES), 0);
        assert_eq!(command_flags(0, script_flags::ALLOW_OOM), flags::WRITE);
    }
}
