//! Script and function flags (`#!lua flags=...`, `redis.register_function{flags=...}`),
//! numbered as Redis numbers them.

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

/// The flags a script body declares in its `#!lua flags=...` line, read leniently for
/// a command's flags before it runs (Redis's `evalExtractShebangFlags` as
/// `evalGetCommandFlags` uses it): [`script_flags::EVAL_COMPAT_MODE`] without a shebang,
/// `None` for a shebang the script could not run with (its error comes when it runs).
pub fn declared_in_shebang(body: &[u8]) -> Option<u32> {
    if !body.starts_with(b"#!") {
        return Some(script_flags::EVAL_COMPAT_MODE);
    }
    let end = body.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&body[..end]).ok()?;
    let mut parts = line.split_ascii_whitespace();
    if parts.next() != Some("#!lua") {
        return None;
    }
    let mut flags = 0;
    for part in parts {
        let list = part.strip_prefix("flags=")?;
        for name in list.split(',').filter(|name| !name.is_empty()) {
            flags |= flag_named(name)?;
        }
    }
    Some(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_flags_read_leniently() {
        assert_eq!(
            declared_in_shebang(b"return 1"),
            Some(script_flags::EVAL_COMPAT_MODE)
        );
        assert_eq!(declared_in_shebang(b"#!lua\nreturn 1"), Some(0));
        let both = script_flags::NO_WRITES | script_flags::ALLOW_OOM;
        assert_eq!(
            declared_in_shebang(b"#!lua flags=no-writes,allow-oom\n"),
            Some(both)
        );
        assert_eq!(declared_in_shebang(b"#!lua flags=bogus\n"), None);
        assert_eq!(declared_in_shebang(b"#!python\n"), None);
    }
}
