//! The layering stays as designed: inside the core every top-level module imports only modules
//! of its own layer or below (the table in `LAYERS`, as lib.rs draws it), and in every crate of
//! the workspace no two sibling modules depend on each other, directly or through others.
//!
//! A small reader of `use` lines and `crate::`/`super::` paths, not a Rust parser: it skips
//! comments, string literals and `#[cfg(test)]` modules (tests may reach anything), follows
//! `#[path]` attributes, and resolves a path to the longest module it names.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The core's top-level modules, lowest layer first. A module may use its own layer and any
/// layer below; `unstable` (re-exports for the other crates) sits on top.
const LAYERS: &[&[&str]] = &[
    &[
        "text",
        "time",
        "error",
        "limits",
        "json",
        "bucket",
        "bucketing",
    ],
    &["operand"],
    &["snapshot"],
    &["context"],
    &["eval", "lint"],
    &["envelope"],
    &["sync"],
    &["unstable"],
];

/// A module path below a crate root: `["snapshot", "compile_flag"]`.
type ModPath = Vec<String>;

/// One source file: the module it is, and whether it only exists under `cfg(test)`.
struct Source {
    module: ModPath,
    path: PathBuf,
    test_only: bool,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Code without comments and without the contents of string literals, one entry per line.
fn code_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut block_comment = 0usize;
    for line in text.lines() {
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if block_comment > 0 {
                if c == '*' && next == Some('/') {
                    block_comment -= 1;
                    i += 1;
                } else if c == '/' && next == Some('*') {
                    block_comment += 1;
                    i += 1;
                }
            } else if in_string {
                if c == '\\' {
                    i += 1;
                } else if c == '"' {
                    in_string = false;
                    kept.push('"');
                }
            } else if c == '/' && next == Some('/') {
                break;
            } else if c == '/' && next == Some('*') {
                block_comment += 1;
                i += 1;
            } else if c == '"' {
                in_string = true;
                kept.push('"');
            } else if c == '\'' && next == Some('"') && chars.get(i + 2) == Some(&'\'') {
                // The character literal '"' does not open a string.
                i += 2;
            } else {
                kept.push(c);
            }
            i += 1;
        }
        out.push(kept);
    }
    out
}

/// The module a file is by its location (`mod.rs`, `lib.rs` and `main.rs` name their folder).
fn module_of(root: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(root).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !["mod", "lib", "main"].contains(&stem) || !parts.is_empty() && stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every `.rs` file of the crate at `root`, with `#[path]` and `#[cfg(test)]` declarations
/// applied.
fn sources(root: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    collect(root, &mut files);
    let mut sources: BTreeMap<PathBuf, Source> = files
        .into_iter()
        .map(|path| {
            let module = module_of(root, &path);
            (
                path.clone(),
                Source {
                    module,
                    path,
                    test_only: false,
                },
            )
        })
        .collect();
    // Declarations rename (`#[path]`) and mark (`#[cfg(test)]`) the files they bring in; a
    // parent is visited before its children because module paths only get longer.
    let mut order: Vec<PathBuf> = sources.keys().cloned().collect();
    order.sort_by_key(|p| p.components().count());
    for file in order {
        let (module, test_only) = {
            let s = &sources[&file];
            (s.module.clone(), s.test_only)
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let mut attrs: Vec<String> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[") {
                attrs.push(line.to_string());
                continue;
            }
            let decl = line
                .strip_prefix("pub(crate) mod ")
                .or_else(|| line.strip_prefix("pub mod "))
                .or_else(|| line.strip_prefix("mod "));
            if let Some(name) = decl.and_then(|d| d.strip_suffix(';')) {
                let dir = file.parent().unwrap();
                let target = attrs
                    .iter()
                    .find_map(|a| {
                        a.strip_prefix("#[path = \"")
                            .and_then(|p| p.strip_suffix("\"]"))
                    })
                    .map(|p| dir.join(p))
                    .or_else(|| {
                        // A non-mod.rs file's children live in a folder named after it.
                        let base = if file.ends_with("mod.rs")
                            || file.ends_with("lib.rs")
                            || file.ends_with("main.rs")
                        {
                            dir.to_path_buf()
                        } else {
                            dir.join(file.file_stem().unwrap())
                        };
                        [
                            base.join(format!("{name}.rs")),
                            base.join(name).join("mod.rs"),
                        ]
                        .into_iter()
                        .find(|p| p.is_file())
                    });
                let cfg_test = attrs
                    .iter()
                    .any(|a| a == "#[cfg(test)]" || a.starts_with("#[cfg(all(test"));
                if let Some(child) = target.and_then(|t| sources.get_mut(&t)) {
                    let mut path = module.clone();
                    path.push(name.to_string());
                    child.module = path;
                    child.test_only = test_only || cfg_test;
                }
            }
            attrs.clear();
        }
    }
    sources.into_values().collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The paths a file's code names: `crate::a::b`, `super::c`, `self::d` and `use` trees, as
/// absolute module paths (unresolved: the last segments may be items).
fn referenced(source: &Source, reexports: &BTreeMap<String, String>) -> Vec<ModPath> {
    let text = std::fs::read_to_string(&source.path).unwrap();
    let lines = code_lines(&text);
    // Inline test modules (by convention at the end of a file) may use anything.
    let mut code = String::new();
    let mut previous = String::new();
    for line in &lines {
        let trimmed = line.trim();
        if previous == "#[cfg(test)]" && trimmed.starts_with("mod ") && trimmed.ends_with('{') {
            break;
        }
        if !trimmed.is_empty() {
            previous = trimmed.to_string();
        }
        code.push_str(line);
        code.push('\n');
    }
    let mut paths = Vec::new();
    for stmt in use_trees(&code) {
        for path in expand(&stmt) {
            paths.push(path);
        }
    }
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::").or_else(|| rest.find("super::")) {
        let before = rest[..at].chars().last();
        let tail = &rest[at..];
        rest = &rest[at + 6..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let path: String = tail
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(path);
    }
    paths
        .iter()
        .filter_map(|p| absolute(&source.module, p, reexports))
        .collect()
}

/// The `use` statements of some code, whole (`use a::{b, c::d};` without `use` and `;`).
fn use_trees(code: &str) -> Vec<String> {
    let mut trees = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            trees.push(rest[..end].split_whitespace().collect::<Vec<_>>().join(" "));
            rest = &rest[end..];
        }
    }
    trees
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![path.replace(' ', "")];
    };
    let prefix = tree[..open].replace(' ', "");
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| {
            let prefix = prefix.clone();
            expand(p).into_iter().map(move |e| format!("{prefix}{e}"))
        })
        .collect()
}

/// A path as written in module `at`, made absolute; `None` for other crates (`std`, `alloc`,
/// dependencies) and for names relative to the current module that are not `self::`.
fn absolute(at: &ModPath, path: &str, reexports: &BTreeMap<String, String>) -> Option<ModPath> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut out: ModPath = match segments.next()? {
        "crate" => Vec::new(),
        "self" => at.clone(),
        "super" => at[..at.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    for s in segments {
        match s {
            "super" => {
                out.pop();
            }
            "self" => {}
            _ => out.push(s.to_string()),
        }
    }
    // An item the crate root re-exports (`crate::Error`) belongs to its module.
    if let [only, ..] = out.as_slice() {
        if let Some(module) = reexports.get(only) {
            out[0] = module.clone();
        }
    }
    Some(out)
}

/// What the crate root re-exports: item name -> the top-level module it comes from.
fn root_reexports(root_file: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root_file).unwrap();
    let mut map = BTreeMap::new();
    for tree in use_trees(&code_lines(&text).join("\n")) {
        for path in expand(&tree) {
            let segments: Vec<&str> = path.split("::").collect();
            if let (Some(first), Some(last)) = (segments.first(), segments.last()) {
                if segments.len() > 1 && !["crate", "std", "alloc", "core"].contains(first) {
                    map.insert(last.to_string(), first.to_string());
                }
            }
        }
    }
    map
}

/// The longest prefix of `path` that is a module of the crate.
fn module_in(path: &ModPath, modules: &BTreeSet<ModPath>) -> ModPath {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

/// Per parent module, the dependencies between its children: parent -> (child -> children it uses).
type SiblingGraph = BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>>;

/// The sibling graph of the crate at `root` (whose root file is `root_file`), and for each
/// edge one file that makes it.
fn sibling_graph(
    root: &Path,
    root_file: &str,
) -> (SiblingGraph, BTreeMap<(ModPath, String, String), String>) {
    let sources = sources(root);
    let reexports = root_reexports(&root.join(root_file));
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph = SiblingGraph::new();
    let mut witness = BTreeMap::new();
    for source in sources.iter().filter(|s| !s.test_only) {
        for target in referenced(source, &reexports) {
            let target = module_in(&target, &modules);
            let common = source
                .module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            let (Some(from), Some(to)) = (source.module.get(common), target.get(common)) else {
                continue; // a module using its own ancestors or descendants
            };
            let parent = source.module[..common].to_vec();
            graph
                .entry(parent.clone())
                .or_default()
                .entry(from.clone())
                .or_default()
                .insert(to.clone());
            witness
                .entry((parent, from.clone(), to.clone()))
                .or_insert_with(|| {
                    let rel = source.path.strip_prefix(root).unwrap_or(&source.path);
                    format!("{} ({})", rel.display(), target.join("::"))
                });
        }
    }
    (graph, witness)
}

/// A cycle among `edges`, as the modules on it, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn cycles_in(crate_dir: &str, root_file: &str) -> Vec<String> {
    let root = workspace().join(crate_dir);
    let (graph, witness) = sibling_graph(&root, root_file);
    let mut problems = Vec::new();
    for (parent, edges) in &graph {
        if let Some(cycle) = find_cycle(edges) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    let why = &witness[&(parent.clone(), w[0].clone(), w[1].clone())];
                    format!("{} -> {} ({why})", w[0], w[1])
                })
                .collect();
            problems.push(format!(
                "{crate_dir}: cycle under `{}`: {}",
                if parent.is_empty() {
                    "crate".to_string()
                } else {
                    parent.join("::")
                },
                steps.join(", ")
            ));
        }
    }
    problems
}

#[test]
fn core_modules_import_only_their_layer_and_below() {
    let root = workspace().join("src/core");
    let (graph, witness) = sibling_graph(&root, "lib.rs");
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let top = graph
        .get(&Vec::new())
        .expect("the core's top-level modules use each other");
    let mut problems = Vec::new();
    for (from, tos) in top {
        let Some(from_layer) = layer(from) else {
            problems.push(format!("module `{from}` is in no layer of LAYERS"));
            continue;
        };
        for to in tos {
            match layer(to) {
                None => problems.push(format!("module `{to}` is in no layer of LAYERS")),
                Some(to_layer) if to_layer > from_layer => problems.push(format!(
                    "`{from}` (layer {from_layer}) imports `{to}` (layer {to_layer}): {}",
                    witness[&(Vec::new(), from.clone(), to.clone())]
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The reader must see the real graph, or the check above proves nothing.
    assert!(top["eval"].contains("snapshot") && top["snapshot"].contains("json"));
    assert!(top["snapshot"].contains("operand") && top["eval"].contains("operand"));
}

#[test]
fn no_two_sibling_modules_depend_on_each_other_in_any_crate() {
    let mut problems = Vec::new();
    for (dir, root_file) in [
        ("src/core", "lib.rs"),
        ("src/wasm", "lib.rs"),
        ("src/server", "lib.rs"),
        ("src/cli", "main.rs"),
    ] {
        problems.extend(cycles_in(dir, root_file));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_finds_a_cycle_and_an_upward_import() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into_iter()
    .collect();
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(
        expand("crate::{a::{B, C as D}, e}"),
        ["crate::a::B", "crate::a::C", "crate::e"]
    );
    let lines = code_lines("let s = \"crate::x // no\"; // crate::y\n/* crate::z */ crate::w");
    assert_eq!(lines, ["let s = \"\"; ", " crate::w"]);
}
