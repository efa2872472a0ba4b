//! Command names as static bytes.
//!
//! Every argument the parser cuts out of a query buffer is a `Bytes` sharing that
//! buffer, and making or dropping one is an atomic reference-count update. The first
//! argument of almost every request is a command name the server knows, spelled in
//! lower or upper case, so for it the parser hands out a `Bytes` over the same bytes
//! held in a static table instead: equal contents, no reference count at all.
//!
//! The table holds whatever names the command table registers, each also in upper
//! case, laid end to end in one block filled once per process and kept as long as it
//! (a few KB). Because the block is one range of memory, a name can be recognised as
//! one of these static copies by its address alone ([`is_static`]): the command table
//! remembers the last name it resolved by address, which a static copy makes safe.

use std::collections::HashSet;
use std::sync::OnceLock;

use bytes::Bytes;

/// The registered names, lower and upper case, and the block holding them all.
struct Names {
    set: HashSet<&'static [u8]>,
    block: &'static [u8],
}

static NAMES: OnceLock<Names> = OnceLock::new();

/// Registers the command names (as the command table spells them), unless a table
/// registered already: the names are the same for every table a process builds.
pub fn register(names: impl IntoIterator<Item = &'static str>) {
    NAMES.get_or_init(|| {
        let names: Vec<&str> = names.into_iter().collect();
        let mut block = Vec::new();
        let mut spans = Vec::with_capacity(2 * names.len());
        for name in names {
            for spelling in [name.to_string(), name.to_ascii_uppercase()] {
                spans.push((block.len(), spelling.len()));
                block.extend_from_slice(spelling.as_bytes());
            }
        }
        let block: &'static [u8] = Box::leak(block.into_boxed_slice());
        let set = spans
            .into_iter()
            .map(|(start, len)| &block[start..start + len])
            .collect();
        Names { set, block }
    });
}

/// `name`'s bytes from the static table, if it spells a registered name exactly. Kept
/// out of line: the parser asks only when a client's name differs from its last one.
#[inline(never)]
pub fn lookup(name: &[u8]) -> Option<Bytes> {
    NAMES
        .get()?
        .set
        .get(name)
        .map(|&known| Bytes::from_static(known))
}

/// True when `name` lies in the static table's block: bytes [`lookup`] handed out,
/// which never change and are never freed, so their address identifies them.
#[inline]
pub fn is_static(name: &[u8]) -> bool {
    let Some(names) = NAMES.get() else {
        return false;
    };
    let block = names.block.as_ptr_range();
    let range = name.as_ptr_range();
    !name.is_empty() && block.start <= range.start && range.end <= block.end
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
        assert!(is_static(&upper) && is_static(&upper[1..]));
        assert!(
            !is_static(b"GET"),
            "equal bytes elsewhere are not the static copy"
        );
        assert!(!is_static(&upper[..0]));
    }
}
