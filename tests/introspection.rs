//! COMMAND INFO and COMMAND DOCS against a real Redis 7.0: for every name in our
//! `COMMAND LIST` (subcommands included), in RESP2 and RESP3, our reply must equal
//! Redis's byte for byte, except that
//! - DOCS `summary` and `complexity` texts and the wording of `history` entries are left
//!   out, and so are key specs' `notes`: those are prose, and our prose is our own words
//!   (history versions are still compared);
//! - a container's subcommands are compared in name order, since Redis lists them in
//!   hash order, and only those we implement (Redis's extra ones are reported, not failed).
//!
//! Also checks COMMAND COUNT/LIST/GETKEYS/GETKEYSANDFLAGS/HELP replies against Redis.
//! Needs `redis-server` on PATH; without it the tests print a notice and pass.

mod common;

use common::{RawConn, RealRedis, TestServer};

/// Both servers, or `None` (with a notice) when redis-server is unavailable.
fn servers() -> Option<(TestServer, RealRedis)> {
    match RealRedis::start(&common::scratch_dir("introspection"), &["--save", ""]) {
        Some(redis) => Some((TestServer::start(), redis)),
        None => {
            eprintln!("redis-server not available: skipping the comparison with real Redis");
            None
        }
    }
}

/// A parsed RESP value that keeps every type distinction of the wire format.
#[derive(Clone, Debug, PartialEq)]
enum V {
    /// `+`, `-`, `:`, `_`, `,`, `#`, `(` lines: the type byte and the text.
    Line(u8, Vec<u8>),
    /// `$`, `=`, `!` strings (None: null bulk).
    Bulk(u8, Option<Vec<u8>>),
    /// `*`, `~`, `>` aggregates (None: null array).
    Agg(u8, Option<Vec<V>>),
    /// `%` maps.
    Map(Vec<(V, V)>),
}

fn parse(buf: &[u8]) -> V {
    let mut pos = 0;
    let value = parse_at(buf, &mut pos);
    assert_eq!(pos, buf.len(), "trailing bytes after one reply");
    value
}

fn parse_at(buf: &[u8], pos: &mut usize) -> V {
    let end = *pos
        + buf[*pos..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("CRLF");
    let kind = buf[*pos];
    let text = buf[*pos + 1..end].to_vec();
    *pos = end + 2;
    let n = || std::str::from_utf8(&text).unwrap().parse::<i64>().unwrap();
    match kind {
        b'$' | b'=' | b'!' => {
            if n() < 0 {
                return V::Bulk(kind, None);
            }
            let data = buf[*pos..*pos + n() as usize].to_vec();
            *pos += n() as usize + 2;
            V::Bulk(kind, Some(data))
        }
        b'*' | b'~' | b'>' => {
            if n() < 0 {
                return V::Agg(kind, None);
            }
            V::Agg(kind, Some((0..n()).map(|_| parse_at(buf, pos)).collect()))
        }
        b'%' => V::Map(
            (0..n())
                .map(|_| (parse_at(buf, pos), parse_at(buf, pos)))
                .collect(),
        ),
        _ => V::Line(kind, text),
    }
}

fn encode(value: &V, out: &mut Vec<u8>) {
    match value {
        V::Line(kind, text) => {
            out.push(*kind);
            out.extend_from_slice(text);
            out.extend_from_slice(b"\r\n");
        }
        V::Bulk(kind, None) => out.extend_from_slice(&[*kind, b'-', b'1', b'\r', b'\n']),
        V::Bulk(kind, Some(data)) => {
            out.extend_from_slice(format!("{}{}\r\n", *kind as char, data.len()).as_bytes());
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        V::Agg(kind, None) => out.extend_from_slice(&[*kind, b'-', b'1', b'\r', b'\n']),
        V::Agg(kind, Some(items)) => {
            out.extend_from_slice(format!("{}{}\r\n", *kind as char, items.len()).as_bytes());
            items.iter().for_each(|item| encode(item, out));
        }
        V::Map(pairs) => {
            out.extend_from_slice(format!("%{}\r\n", pairs.len()).as_bytes());
            for (k, v) in pairs {
                encode(k, out);
                encode(v, out);
            }
        }
    }
}

fn bytes_of(value: &V) -> Vec<u8> {
    let mut out = Vec::new();
    encode(value, &mut out);
    out
}

/// The text of a bulk or line value.
fn text(value: &V) -> String {
    match value {
        V::Bulk(_, Some(data)) | V::Line(_, data) => String::from_utf8_lossy(data).into_owned(),
        other => format!("{other:?}"),
    }
}

/// Compact human rendering.
fn show(value: &V) -> String {
    match value {
        V::Line(kind, t) => format!("{}{}", *kind as char, String::from_utf8_lossy(t)),
        V::Bulk(_, None) | V::Agg(_, None) => "(nil)".into(),
        V::Bulk(_, Some(d)) => format!("{:?}", String::from_utf8_lossy(d)),
        V::Agg(kind, Some(items)) => {
            let open = if *kind == b'~' { "~[" } else { "[" };
            format!(
                "{open}{}]",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            )
        }
        V::Map(pairs) => {
            format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Up to a few differences between `ours` and `redis`, each with its path.
fn diff(path: &str, ours: &V, redis: &V, out: &mut Vec<String>) {
    if out.len() >= 6 || ours == redis {
        return;
    }
    match (ours, redis) {
        (V::Agg(a, Some(x)), V::Agg(b, Some(y))) if a == b && x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                // In a RESP2 flattened map, name the value by its key.
                let key = match i.checked_sub(1).map(|k| &x[k]) {
                    Some(V::Bulk(_, Some(k)))
                        if i % 2 == 1 && k.iter().all(|b| b.is_ascii_lowercase() || *b == b'_') =>
                    {
                        format!(".{}", String::from_utf8_lossy(k))
                    }
                    _ => format!("[{i}]"),
                };
                diff(&format!("{path}{key}"), p, q, out);
            }
        }
        (V::Map(x), V::Map(y)) if x.len() == y.len() => {
            for (i, ((pk, pv), (qk, qv))) in x.iter().zip(y).enumerate() {
                if pk != qk {
                    out.push(format!(
                        "{path}: key #{i}: ours {} / redis {}",
                        show(pk),
                        show(qk)
                    ));
                    return;
                }
                diff(&format!("{path}.{}", text(pk)), pv, qv, out);
            }
        }
        _ => out.push(format!(
            "{path}:\n      ours:  {}\n      redis: {}",
            show(ours),
            show(redis)
        )),
    }
}

/// A flat RESP2 map (even array of name, value) or RESP3 map as pairs.
fn pairs(value: &V) -> Option<Vec<(V, V)>> {
    match value {
        V::Map(pairs) => Some(pairs.clone()),
        V::Agg(b'*', Some(items)) if items.len() % 2 == 0 => Some(
            items
                .chunks(2)
                .map(|c| (c[0].clone(), c[1].clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn rebuild_like(original: &V, pairs: Vec<(V, V)>) -> V {
    match original {
        V::Map(_) => V::Map(pairs),
        _ => V::Agg(
            b'*',
            Some(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        ),
    }
}

/// Drops DOCS prose (`summary`, `complexity`, history wording) and orders (and filters
/// to `keep`) the subcommands map.
fn normalize_docs(doc: &V, keep: &[String], extra: &mut Vec<String>) -> V {
    let Some(fields) = pairs(doc) else {
        return doc.clone();
    };
    let mut out = Vec::new();
    for (key, value) in fields {
        match text(&key).as_str() {
            "summary" | "complexity" => {}
            "history" => out.push((key, history_versions(&value))),
            "subcommands" => {
                let subs = pairs(&value).unwrap_or_default();
                let mut kept: Vec<(V, V)> = Vec::new();
                for (name, sub_doc) in subs {
                    if keep.contains(&text(&name)) {
                        kept.push((name, normalize_docs(&sub_doc, keep, extra)));
                    } else {
                        extra.push(text(&name));
                    }
                }
                kept.sort_by_key(|(name, _)| text(name));
                out.push((key, rebuild_like(&value, kept)));
            }
            _ => out.push((key, value)),
        }
    }
    rebuild_like(doc, out)
}

/// A history array reduced to its versions: `[[version, text]...]` → `[[version]...]`.
fn history_versions(history: &V) -> V {
    match history {
        V::Agg(kind, Some(entries)) => V::Agg(
            *kind,
            Some(
                entries
                    .iter()
                    .map(|entry| match entry {
                        V::Agg(k, Some(pair)) => {
                            V::Agg(*k, Some(pair.iter().take(1).cloned().collect()))
                        }
                        other => other.clone(),
                    })
                    .collect(),
            ),
        ),
        other => other.clone(),
    }
}

/// Drops the `notes` pair (prose) from every key spec of a COMMAND INFO entry.
fn without_key_spec_notes(entry: &V) -> V {
    let V::Agg(kind, Some(items)) = entry else {
        return entry.clone();
    };
    let mut items = items.clone();
    if let Some(V::Agg(spec_kind, Some(specs))) = items.get(8).cloned() {
        let specs = specs
            .iter()
            .map(|spec| match pairs(spec) {
                Some(fields) => rebuild_like(
                    spec,
                    fields
                        .into_iter()
                        .filter(|(k, _)| text(k) != "notes")
                        .collect(),
                ),
                None => spec.clone(),
            })
            .collect();
        items[8] = V::Agg(spec_kind, Some(specs));
    }
    V::Agg(*kind, Some(items))
}

/// Orders (and filters to `keep`) the subcommands element of a COMMAND INFO entry.
fn normalize_info(entry: &V, keep: &[String], extra: &mut Vec<String>) -> V {
    let entry = without_key_spec_notes(entry);
    let V::Agg(kind, Some(items)) = &entry else {
        return entry.clone();
    };
    let mut items = items.clone();
    if let Some(V::Agg(sub_kind, Some(subs))) = items.get(9).cloned() {
        let mut kept: Vec<V> = Vec::new();
        for sub in subs {
            let name = match &sub {
                V::Agg(_, Some(fields)) => text(&fields[0]),
                other => show(other),
            };
            if keep.contains(&name) {
                kept.push(sub);
            } else {
                extra.push(name);
            }
        }
        kept.sort_by_key(|sub| match sub {
            V::Agg(_, Some(fields)) => text(&fields[0]),
            other => show(other),
        });
        items[9] = V::Agg(sub_kind, Some(kept));
    }
    V::Agg(*kind, Some(items))
}

/// COMMAND INFO's array with each entry's subcommands normalized.
fn normalize_entries(reply: &V, keep: &[String], extra: &mut Vec<String>) -> V {
    match reply {
        V::Agg(kind, Some(entries)) => V::Agg(
            *kind,
            Some(
                entries
                    .iter()
                    .map(|entry| normalize_info(entry, keep, extra))
                    .collect(),
            ),
        ),
        other => other.clone(),
    }
}

/// COMMAND DOCS's map with each command's docs normalized.
fn normalize_docs_reply(reply: &V, keep: &[String], extra: &mut Vec<String>) -> V {
    match pairs(reply) {
        Some(top) => rebuild_like(
            reply,
            top.into_iter()
                .map(|(k, v)| (k, normalize_docs(&v, keep, extra)))
                .collect(),
        ),
        None => reply.clone(),
    }
}

/// True if our server has command `name`.
fn known_command(conn: &mut RawConn, name: &[u8]) -> bool {
    !matches!(
        &conn.cmd(&[b"COMMAND", b"INFO", name])[..],
        b"*1\r\n$-1\r\n" | b"*1\r\n_\r\n"
    )
}

/// Switches both connections to RESP3; false (with a notice) when we cannot yet.
fn hello3(ours: &mut RawConn, redis: &mut RawConn) -> bool {
    if !ours.cmd(&[b"HELLO", b"3"]).starts_with(b"%") {
        eprintln!("our server does not speak RESP3 yet: RESP3 comparison skipped");
        return false;
    }
    assert!(redis.cmd(&[b"HELLO", b"3"]).starts_with(b"%"));
    true
}

/// Subcommands Redis added after 7.0 that clients send on connect, accepted as Redis 7.2
/// declares them (DESIGN.md, "Reference behaviour"); Redis 7.0 has no entry to compare.
const NEWER_THAN_7_0: &[&str] = &["client|setinfo", "client|no-touch"];

fn command_list(conn: &mut RawConn) -> Vec<String> {
    match parse(&conn.cmd(&[b"COMMAND", b"LIST"])) {
        V::Agg(_, Some(items)) => items.iter().map(text).collect(),
        other => panic!("COMMAND LIST: {}", show(&other)),
    }
}

#[test]
fn command_info_and_docs_match_redis_for_every_command() {
    let Some((ours, redis)) = servers() else {
        return;
    };
    let mut names = command_list(&mut ours.raw());
    names.retain(|name| !NEWER_THAN_7_0.contains(&name.as_str()));
    names.sort();
    let mut mismatches = Vec::new();
    let mut not_ours = Vec::new();
    for resp3 in [false, true] {
        let (mut a, mut b) = (ours.raw(), redis.raw());
        if resp3 && !hello3(&mut a, &mut b) {
            continue;
        }
        let proto = if resp3 { "RESP3" } else { "RESP2" };
        for name in &names {
            let nb = name.as_bytes();
            for kind in ["INFO", "DOCS"] {
                let (mine, theirs) = (
                    parse(&a.cmd(&[b"COMMAND", kind.as_bytes(), nb])),
                    parse(&b.cmd(&[b"COMMAND", kind.as_bytes(), nb])),
                );
                let mut extra = Vec::new();
                let (mine, theirs) = match kind {
                    "INFO" => (
                        normalize_entries(&mine, &names, &mut Vec::new()),
                        normalize_entries(&theirs, &names, &mut extra),
                    ),
                    _ => (
                        normalize_docs_reply(&mine, &names, &mut Vec::new()),
                        normalize_docs_reply(&theirs, &names, &mut extra),
                    ),
                };
                if bytes_of(&mine) != bytes_of(&theirs) {
                    let mut found = Vec::new();
                    diff(&format!("{kind} {name}"), &mine, &theirs, &mut found);
                    mismatches.push(format!(
                        "[{proto}] COMMAND {kind} {name}\n    {}",
                        found.join("\n    ")
                    ));
                }
                if !resp3 {
                    not_ours.extend(extra);
                }
            }
        }
    }
    not_ours.sort();
    not_ours.dedup();
    if !not_ours.is_empty() {
        eprintln!(
            "Redis subcommands we do not implement (not compared): {}",
            not_ours.join(" ")
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} COMMAND INFO/DOCS mismatches with Redis 7.0:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn command_subcommand_replies_match_redis() {
    let Some((ours, redis)) = servers() else {
        return;
    };
    let cases: &[&[&[u8]]] = &[
        &[b"COMMAND", b"INFO", b"nosuch"],
        &[b"COMMAND", b"INFO", b"get", b"nosuch", b"GET"],
        &[b"COMMAND", b"INFO", b"a|b|c"],
        &[b"COMMAND", b"INFO", b"get|x"],
        &[b"COMMAND", b"INFO", b"config|nosuch"],
        &[b"COMMAND", b"DOCS", b"nosuch"],
        &[b"COMMAND", b"LIST", b"FILTERBY"],
        &[b"COMMAND", b"LIST", b"FILTERBY", b"foo", b"bar"],
        &[b"COMMAND", b"LIST", b"FILTERBY", b"aclcat", b"nosuch"],
        &[b"COMMAND", b"LIST", b"FILTERBY", b"module", b"x"],
        &[b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", b"DBSIZ?"],
        &[b"COMMAND", b"LIST", b"foo"],
        &[b"COMMAND", b"COUNT", b"x"],
        &[b"COMMAND", b"FOO"],
        &[b"COMMAND", b"HELP"],
        &[b"COMMAND", b"GETKEYS"],
        &[b"COMMAND", b"GETKEYS", b"nosuch", b"a"],
        &[b"COMMAND", b"GETKEYS", b"set"],
        &[b"COMMAND", b"GETKEYS", b"set", b"k"],
        &[b"COMMAND", b"GETKEYS", b"ping", b"x"],
        &[b"COMMAND", b"GETKEYS", b"set", b"k", b"v"],
        &[b"COMMAND", b"GETKEYS", b"SET", b"k", b"v", b"get"],
        &[b"COMMAND", b"GETKEYSANDFLAGS", b"set", b"k", b"v"],
        &[b"COMMAND", b"GETKEYSANDFLAGS", b"set", b"k", b"v", b"GET"],
        &[b"COMMAND", b"GETKEYS", b"mset", b"a", b"1", b"b", b"2"],
        &[b"COMMAND", b"GETKEYS", b"mset", b"a", b"1", b"b"],
        &[b"COMMAND", b"GETKEYSANDFLAGS", b"mget", b"a", b"b"],
        &[b"COMMAND", b"GETKEYS", b"config", b"get", b"x"],
        &[b"COMMAND", b"GETKEYS", b"config", b"foo", b"x"],
        &[b"COMMAND", b"GETKEYS", b"get", b"k", b"extra"],
        &[b"COMMAND", b"GETKEYS", b"rename", b"a", b"b"],
        &[b"COMMAND", b"GETKEYSANDFLAGS", b"copy", b"a", b"b"],
        &[
            b"COMMAND", b"GETKEYS", b"sort", b"k", b"limit", b"0", b"1", b"store", b"d",
        ],
        &[
            b"COMMAND",
            b"GETKEYSANDFLAGS",
            b"sort",
            b"k",
            b"by",
            b"store",
            b"get",
            b"x",
            b"store",
            b"d2",
        ],
    ];
    let mut failures = Vec::new();
    for resp3 in [false, true] {
        let (mut a, mut b) = (ours.raw(), redis.raw());
        if resp3 && !hello3(&mut a, &mut b) {
            continue;
        }
        for case in cases {
            // GETKEYS of a command we do not have yet cannot match: skip those.
            let getkeys = case[1].eq_ignore_ascii_case(b"GETKEYS")
                || case[1].eq_ignore_ascii_case(b"GETKEYSANDFLAGS");
            if getkeys && case.len() > 2 && !known_command(&mut a, case[2]) {
                continue;
            }
            let (mine, theirs) = (a.cmd(case), b.cmd(case));
            if mine != theirs {
                let shown: Vec<String> = case
                    .iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect();
                failures.push(format!(
                    "resp3={resp3} {}\n    ours:  {:?}\n    redis: {:?}",
                    shown.join(" "),
                    String::from_utf8_lossy(&mine),
                    String::from_utf8_lossy(&theirs)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn command_count_and_list_agree_with_the_table() {
    let server = TestServer::start();
    let mut conn = server.raw();
    let names = command_list(&mut conn);
    let top = names.iter().filter(|n| !n.contains('|')).count();
    assert_eq!(
        conn.cmd(&[b"COMMAND", b"COUNT"]),
        format!(":{top}\r\n").into_bytes()
    );
    assert!(names.contains(&"command|getkeysandflags".to_string()));
    assert!(names.contains(&"config|get".to_string()));
    // COMMAND and COMMAND INFO (no names) list every top-level command.
    for request in [&[&b"COMMAND"[..]][..], &[b"COMMAND", b"INFO"]] {
        match parse(&conn.cmd(request)) {
            V::Agg(_, Some(items)) => assert_eq!(items.len(), top),
            other => panic!("{}", show(&other)),
        }
    }
    match pairs(&parse(&conn.cmd(&[b"COMMAND", b"DOCS"]))) {
        Some(docs) => assert_eq!(docs.len(), top),
        None => panic!("COMMAND DOCS is not a map"),
    }
}
