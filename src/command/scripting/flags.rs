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
