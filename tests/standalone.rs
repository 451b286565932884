//! The repository stands on its own: no tracked file (test, script, document, source) reads or
//! points at a sibling `shared` folder outside it, so `git clone` and the README's test command
//! work for anyone. What the tests need from outside (Wycheproof vectors, the OFREP
//! specification) is copied under tests/ with its licence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's top level (this crate is src/core).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The tracked files, or (outside a git checkout) every file but build output.
fn files() -> Vec<PathBuf> {
    let root = root();
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&root)
        .output();
    if let Ok(out) = listed {
        if out.status.success() && !out.stdout.is_empty() {
            return out
                .stdout
                .split(|b| *b == 0)
                .filter(|name| !name.is_empty())
                .map(|name| root.join(String::from_utf8_lossy(name).as_ref()))
                .collect();
        }
    }
    let mut found = Vec::new();
    walk(&root, &mut found);
    found
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    const SKIP: [&str; 6] = [
        ".git",
        "target",
        "node_modules",
        "pkg",
        "corpus",
        "artifacts",
    ];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !SKIP.iter().any(|s| name == *s) {
                walk(&path, found);
            }
        } else {
            found.push(path);
        }
    }
}

#[test]
fn no_tracked_file_names_a_shared_folder_outside_the_repository() {
    // Built from pieces so that this file does not name it either.
    let outside = ["..", "/", "shared"].concat();
    let files = files();
    assert!(files.len() > 100, "only {} files found", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| {
            std::fs::read(path)
                .map(|bytes| String::from_utf8_lossy(&bytes).contains(&outside))
                .unwrap_or(false)
        })
        .map(|path| {
            path.strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "these files name {outside} (copy what they need into the repository): {offenders:?}"
    );
}

#[test]
fn the_copied_third_party_files_keep_their_licence_beside_them() {
    for dir in ["tests/vectors/wycheproof", "tests/specs/ofrep"] {
        let licence = root().join(dir).join("LICENSE");
        let text = std::fs::read_to_string(&licence).unwrap();
        assert!(text.contains("Apache License"), "{dir}/LICENSE");
        assert!(
            root().join(dir).join("README.md").is_file(),
            "{dir}/README.md"
        );
    }
}
