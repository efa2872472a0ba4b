//! The source layout's rules, checked on every test run (docs/ARCHITECTURE.md, "Layers").
//!
//! - No import cycles: the module graph of `src/` (one node per file; an edge for every
//!   `use` and every inline `crate::`/`super::`/`self::` path, resolved to the deepest
//!   module file it names) has no strongly connected component of more than one file.
//! - The file tree is the module tree: no `#[path]` attribute anywhere.
//! - No folder of `src/` holds more than [`MAX_FILES_PER_FOLDER`] source files directly.
//!
//! `cargo test --test layout -- --nocapture` also prints the graph's size.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// How many `.rs` files one folder may hold before it should be split by concern.
const MAX_FILES_PER_FOLDER: usize = 16;

/// A module path from the crate root, e.g. `["command", "core", "dispatch"]`.
type ModPath = Vec<String>;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The library module a file under `src/` defines (None for the binary and build script).
fn module_of(file: &Path) -> Option<ModPath> {
    let rel = file.strip_prefix(src_dir()).ok()?;
    let mut parts: ModPath = rel
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    match last.as_str() {
        "lib.rs" if parts.is_empty() => Some(parts),
        "main.rs" | "build.rs" if parts.is_empty() => None,
        "mod.rs" => Some(parts),
        other => {
            parts.push(other.trim_end_matches(".rs").to_string());
            Some(parts)
        }
    }
}

/// Names a module re-exports (`pub use a::b::Name;`): module → name → absolute path.
type ReExports = BTreeMap<ModPath, BTreeMap<String, Vec<String>>>;

/// The module that `segments` (already absolute) names: the deepest module file it
/// walks through, following re-exports (`pub use`) to where the item is defined.
fn resolve(modules: &BTreeSet<ModPath>, re_exports: &ReExports, segments: &[String]) -> ModPath {
    let mut reached = Vec::new();
    for (at, segment) in segments.iter().enumerate() {
        let mut next = reached.clone();
        next.push(segment.clone());
        if modules.contains(&next) {
            reached = next;
            continue;
        }
        let target = re_exports
            .get(&reached)
            .and_then(|names| names.get(segment));
        if let Some(target) = target.filter(|target| target.as_slice() != segments) {
            let mut rest = target.clone();
            rest.extend_from_slice(&segments[at + 1..]);
            return resolve(modules, re_exports, &rest);
        }
        break;
    }
    reached
}

/// Makes a path written in `module` absolute: `crate::a` → `a`, `super::b` → parent's `b`.
fn absolute(module: &ModPath, path: &str) -> Option<Vec<String>> {
    let mut segments = path.split("::").map(str::trim).filter(|s| !s.is_empty());
    let mut base: Vec<String> = match segments.next()? {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => {
            let mut parent = module.clone();
            parent.pop()?;
            parent
        }
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            base.pop()?;
        } else {
            base.push(segment.to_string());
        }
    }
    Some(base)
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its full paths.
fn expand_use(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        return vec![path.to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::").trim();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut paths = Vec::new();
    for item in split_top_level(inner) {
        for sub in expand_use(&item) {
            if sub == "self" {
                paths.push(prefix.to_string());
            } else if !sub.is_empty() {
                paths.push(format!("{prefix}::{sub}"));
            }
        }
    }
    paths
}

/// Splits on commas that are not inside braces.
fn split_top_level(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for ch in text.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    items.push(current);
    items
}

/// The code of a file without comments, string literals and inline `mod x { ... }` blocks
/// (a test module importing its own file is not an edge between files).
fn code_only(source: &str) -> String {
    let mut code = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    for line in source.lines() {
        let line = strip_comment_and_strings(line);
        let trimmed = line.trim_start();
        let opens_inline_mod = (trimmed.starts_with("mod ") || trimmed.starts_with("pub mod "))
            && trimmed.trim_end().ends_with('{');
        if skip_depth.is_none() && opens_inline_mod {
            skip_depth = Some(depth);
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        if let Some(start) = skip_depth {
            if depth <= start {
                skip_depth = None;
            }
            continue;
        }
        code.push_str(&line);
        code.push('\n');
    }
    code
}

/// One line without its `//` comment and with string literals emptied.
fn strip_comment_and_strings(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(ch) = chars.next() {
        if in_string {
            match ch {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => break,
            '\'' => {
                // A char literal such as '{' or '"'; lifetimes ('a) pass through.
                let rest: String = chars.clone().take(3).collect();
                if rest.len() >= 2 && (rest.as_bytes()[1] == b'\'' || rest.starts_with('\\')) {
                    let skip = if rest.starts_with('\\') { 3 } else { 2 };
                    for _ in 0..skip {
                        chars.next();
                    }
                    out.push_str("' '");
                } else {
                    out.push(ch);
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Every path a file's code names: `use` trees and inline `crate::`/`super::`/`self::`.
fn referenced_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = find_use(rest) {
        let after = &rest[at..];
        let end = after.find(';').unwrap_or(after.len());
        let tree = after[..end].trim_start_matches("use").trim();
        paths.extend(expand_use(tree));
        rest = &after[end..];
    }
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(pos) = code[from..].find(start) {
            let at = from + pos;
            let preceded_by_ident = code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // A path ending in `::` opens a `use` group, which `find_use` expands.
            if !preceded_by_ident && !path.ends_with(':') {
                paths.push(path);
            }
            from = at + start.len();
        }
    }
    paths
}

/// Position of the next `use` statement keyword.
fn find_use(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = code[from..].find("use ") {
        let at = from + pos;
        let before = code[..at].chars().next_back();
        if before.is_none_or(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// What one `pub use` statement at `at` exports: (name, absolute path) pairs.
fn re_exported(module: &ModPath, code: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("pub use ") {
        let after = &rest[at + "pub use ".len()..];
        let end = after.find(';').unwrap_or(after.len());
        for path in expand_use(&after[..end]) {
            let name = path.rsplit("::").next().unwrap_or("").to_string();
            let alias = after[..end]
                .split(" as ")
                .nth(1)
                .filter(|_| !after[..end].contains('{'))
                .map(|a| a.trim().to_string());
            let local = format!("self::{path}");
            let full = if path.starts_with("crate::") || path.starts_with("super::") {
                absolute(module, &path)
            } else {
                absolute(module, &local)
            };
            if let Some(full) = full.filter(|_| name != "*") {
                found.push((alias.unwrap_or(name), full));
            }
        }
        rest = &after[end..];
    }
    found
}

/// The module graph: module → the modules it imports.
fn module_graph() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let sources: Vec<(ModPath, String)> = files
        .iter()
        .filter_map(|file| Some((module_of(file)?, code_only(&fs::read_to_string(file).ok()?))))
        .collect();
    let modules: BTreeSet<ModPath> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut re_exports = ReExports::new();
    for (module, code) in &sources {
        re_exports
            .entry(module.clone())
            .or_default()
            .extend(re_exported(module, code));
    }
    let mut graph = BTreeMap::new();
    for (module, code) in &sources {
        let mut edges = BTreeSet::new();
        for path in referenced_paths(code) {
            let local = format!("self::{path}");
            let written = if path.starts_with("crate")
                || path.starts_with("super")
                || path.starts_with("self")
            {
                path
            } else {
                local
            };
            let Some(segments) = absolute(module, &written) else {
                continue;
            };
            let target = resolve(&modules, &re_exports, &segments);
            if &target != module {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// Strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        next: usize,
        found: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a ModPath) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for next in graph.get(node).into_iter().flatten() {
            if !graph.contains_key(next) {
                continue;
            }
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[next].min(state.low[node]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.index[next].min(state.low[node]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.clone());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.found
}

fn show(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

#[test]
fn no_import_cycles() {
    let graph = module_graph();
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    println!("module graph: {} modules, {} edges", graph.len(), edges);
    let found = cycles(&graph);
    let mut report = String::new();
    for component in &found {
        report.push_str("cycle among:\n");
        for module in component {
            let inside: Vec<String> = graph[module]
                .iter()
                .filter(|target| component.contains(target))
                .map(show)
                .collect();
            report.push_str(&format!("  {} -> {}\n", show(module), inside.join(", ")));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{report}");
}

#[test]
fn file_tree_is_module_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    rust_files(&root.join("benches"), &mut files);
    let attribute = ["#[", "path"].concat();
    let offenders: Vec<String> = files
        .iter()
        .filter(|file| {
            fs::read_to_string(file)
                .map(|text| text.lines().any(|l| l.trim_start().starts_with(&attribute)))
                .unwrap_or(false)
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "path attributes in {offenders:?}");
}

#[test]
fn folders_stay_small() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut per_folder: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for file in files {
        if let Some(dir) = file.parent() {
            *per_folder.entry(dir.to_path_buf()).or_default() += 1;
        }
    }
    let crowded: Vec<String> = per_folder
        .iter()
        .filter(|(_, &count)| count > MAX_FILES_PER_FOLDER)
        .map(|(dir, count)| format!("{} ({count})", dir.display()))
        .collect();
    assert!(
        crowded.is_empty(),
        "folders to split by concern: {crowded:?}"
    );
}

#[test]
fn use_trees_expand() {
    let paths = expand_use("crate::a::{b, c::{d, self}, e as f}");
    assert_eq!(
        paths,
        [
            "crate::a::b",
            "crate::a::c::d",
            "crate::a::c",
            "crate::a::e"
        ]
    );
}
