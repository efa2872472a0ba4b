//! Where a command line's keys are: from its key specs, or from the command's own finder
//! when the specs cannot say (SET with GET, SORT's STORE). Dispatch (WATCH, tracking),
//! COMMAND GETKEYS and ACL key checks all ask here.

use crate::util::numbers::parse_i64;
use bytes::Bytes;

use crate::command::core::args;
use crate::command::core::command::CommandSpec;
use crate::command::core::spec::{BeginSearch, FindKeys, KeySpec};

/// Key positions in `argv` (the command name at 0) with their flags.
pub type KeyList = Vec<(usize, &'static [&'static str])>;

/// The keys of a command line: from the key specs when they are complete and their flags
/// fixed, otherwise from the command's own key finder, as Redis prefers.
pub fn keys_of(spec: &CommandSpec, argv: &[Bytes]) -> KeyList {
    if spec.name == "migrate" {
        return migrate_keys(argv);
    }
    let reliable = !spec
        .key_specs
        .iter()
        .any(|ks| ks.flags.contains(&"variable_flags"));
    if reliable {
        if let Some(keys) = keys_from_specs(spec, argv) {
            return keys;
        }
    }
    match spec.name {
        "set" => set_keys(argv),
        "sort" => sort_keys(argv),
        // SORT_RO reads its first argument; BY/GET patterns are not key names.
        "sort_ro" => vec![(1, SORT_RO_KEY_FLAGS)],
        "bitfield" => bitfield_keys(argv),
        _ => keys_from_specs(spec, argv).unwrap_or_default(),
    }
}

/// The flags of SORT_RO's one key.
const SORT_RO_KEY_FLAGS: &[&str] = &["RO", "access"];

/// Walks every key spec; `None` when a spec does not fit the arguments or is incomplete.
fn keys_from_specs(spec: &CommandSpec, argv: &[Bytes]) -> Option<KeyList> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for ks in spec
        .key_specs
        .iter()
        .filter(|ks| !ks.flags.contains(&"not_key"))
    {
        if matches!(ks.begin, BeginSearch::Unknown) {
            // Keys Redis cannot locate from the spec: a command-specific finder must.
            return None;
        }
        let Some(first) = begin_search(ks, argv) else {
            continue;
        };
        let (first, last, step) = find_keys(ks, argv, first)?;
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last {
            keys.push((i as usize, ks.flags));
            i += step.max(1);
        }
        if ks.flags.contains(&"incomplete") {
            return None;
        }
    }
    Some(keys)
}

/// Where a spec's keys start, or `None` when its keyword is absent.
fn begin_search(ks: &KeySpec, argv: &[Bytes]) -> Option<i64> {
    let argc = argv.len() as i64;
    match ks.begin {
        BeginSearch::Index(index) => Some(index as i64),
        BeginSearch::Keyword {
            keyword,
            start_from,
        } => {
            let start = if start_from > 0 {
                start_from as i64
            } else {
                argc + start_from as i64
            };
            let end = if start_from > 0 { argc - 1 } else { 1 };
            let mut i = start;
            while i != end {
                if i >= argc || i < 1 {
                    break;
                }
                if args::is(&argv[i as usize], keyword) {
                    return Some(i + 1);
                }
                i += if start <= end { 1 } else { -1 };
            }
            None
        }
        BeginSearch::Unknown => None,
    }
}

/// The (first, last, step) of a spec's keys once its start is known.
fn find_keys(ks: &KeySpec, argv: &[Bytes], first: i64) -> Option<(i64, i64, i64)> {
    let argc = argv.len() as i64;
    match ks.find {
        FindKeys::Range {
            last_key,
            step,
            limit,
        } => {
            let last = if last_key >= 0 {
                first + last_key as i64
            } else if limit == 0 {
                argc + last_key as i64
            } else {
                first + ((argc - first) / limit as i64 + last_key as i64)
            };
            Some((first, last, step as i64))
        }
        FindKeys::KeyNum {
            key_num_index,
            first_key,
            step,
        } => {
            let at = first + key_num_index as i64;
            let numkeys = parse_i64(argv.get(usize::try_from(at).ok()?)?).filter(|&n| n >= 0)?;
            let first = first + first_key as i64;
            Some((first, first.checked_add(numkeys)? - 1, step as i64))
        }
        FindKeys::Unknown => None,
    }
}

/// SET's key: overwritten, unless GET also reads the old value.
fn set_keys(argv: &[Bytes]) -> KeyList {
    const PLAIN: &[&str] = &["OW", "update"];
    const WITH_GET: &[&str] = &["RW", "access", "update"];
    if argv.len() < 2 {
        return Vec::new();
    }
    let reads = argv[3.min(argv.len())..]
        .iter()
        .any(|arg| args::is(arg, "GET"));
    vec![(1, if reads { WITH_GET } else { PLAIN })]
}

/// BITFIELD's key: only read when every operation is a GET (an operation it cannot
/// parse counts as a write), read and written otherwise.
fn bitfield_keys(argv: &[Bytes]) -> KeyList {
    const READ: &[&str] = &["RO", "access"];
    const WRITE: &[&str] = &["RW", "access", "update"];
    if argv.len() < 2 {
        return Vec::new();
    }
    let mut i = 2;
    let mut readonly = true;
    while i < argv.len() {
        let left = argv.len() - i - 1;
        let arg = &argv[i];
        if args::is(arg, "GET") && left >= 2 {
            i += 3;
        } else if args::is(arg, "OVERFLOW") && left >= 1 {
            i += 2;
        } else {
            readonly = false;
            break;
        }
    }
    vec![(1, if readonly { READ } else { WRITE })]
}

/// SORT's keys: the sorted key, and the last STORE destination.
fn sort_keys(argv: &[Bytes]) -> KeyList {
    if argv.len() < 2 {
        return Vec::new();
    }
    let mut keys: KeyList = vec![(1, &["RO", "access"])];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let arg = &argv[i];
        if args::is(arg, "LIMIT") {
            i += 2;
        } else if args::is(arg, "GET") || args::is(arg, "BY") {
            i += 1;
        } else if args::is(arg, "STORE") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store.map(|pos| (pos, &["OW", "update"] as &'static [&'static str])));
    keys
}

/// MIGRATE's keys: after KEYS when the key argument is empty, else the key argument.
fn migrate_keys(argv: &[Bytes]) -> KeyList {
    let key_flags: &'static [&'static str] = &["RW", "access", "delete"];
    if argv.len() > 3 && argv[3].is_empty() {
        if let Some(pos) = (6..argv.len()).find(|&i| args::is(&argv[i], "keys")) {
            return (pos + 1..argv.len()).map(|i| (i, key_flags)).collect();
        }
    }
    if argv.len() > 3 {
        vec![(3, key_flags)]
    } else {
        Vec::new()
    }
}
