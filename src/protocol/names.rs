//! Command names as static bytes.
//!
//! Every argument the parser cuts out of a query buffer is a `Bytes` sharing that
//! buffer, and making or dropping one is an atomic reference-count update. The first
//! argument of almost every request is a command name the server knows, spelled in
//! lower or upper case, so for it the parser hands out a `Bytes` over the same bytes
//! held in a static table instead: equal contents, no reference count at all.
//!
//! The table holds whatever names the command table registers, each also in upper
//! case. It is filled once per process and lives as long as it (a few KB).

use std::collections::HashSet;
use std::sync::OnceLock;

use bytes::Bytes;

/// The registered names, lower and upper case.
static NAMES: OnceLock<HashSet<&'static [u8]>> = OnceLock::new();

/// Registers the command names (as the command table spells them), unless a table
/// registered already: the names are the same for every table a process builds.
pub fn register(names: impl IntoIterator<Item = &'static str>) {
    NAMES.get_or_init(|| {
        let mut set = HashSet::new();
        for name in names {
            set.insert(name.as_bytes());
            let upper = name.to_ascii_uppercase().into_bytes().into_boxed_slice();
            set.insert(&*Box::leak(upper));
        }
        set
    });
}

/// `name`'s bytes from the static table, if it spells a registered name exactly.
pub fn lookup(name: &[u8]) -> Option<Bytes> {
    NAMES
        .get()?
        .get(name)
        .map(|&known| Bytes::from_static(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_names_come_back_static_in_either_case_only() {
        register(["get", "set"]);
        let upper = lookup(b"GET").expect("upper case");
        assert_eq!(&upper[..], b"GET");
        assert_eq!(lookup(b"set").as_deref(), Some(&b"set"[..]));
        assert_eq!(lookup(b"Get"), None, "mixed case is not interned");
        assert_eq!(lookup(b"nosuch"), None);
    }
}
