//! The layers of the crate hold: no module imports from a layer above its own, and no source
//! file runs past 700 lines before its tests.
//!
//! The layers, bottom to top (docs/ARCHITECTURE.md draws them):
//! `kernel` → `spec` → `scenario`, `stats` → `model` → `engine` → `output` → `plot` →
//! `report` → `run`, `game`, `explore`, `calibrate`, `history` → `serve` → `cli` (the binary). A module may use any module of a lower layer
//! and itself, never one of its own layer or above. Test code (`#[cfg(test)]` modules) may
//! reach further; what it imports is not checked.

use std::path::{Path, PathBuf};

/// Layer of each top-level module of the library (and of the binary's `cli`).
const LAYERS: &[(&str, u32)] = &[
    ("kernel", 0),
    ("spec", 1),
    ("scenario", 2),
    ("stats", 2),
    ("model", 3),
    ("engine", 4),
    ("output", 5),
    ("plot", 6),
    ("report", 7),
    ("run", 8),
    ("game", 8),
    ("explore", 8),
    ("history", 8),
    ("calibrate", 8),
    ("serve", 9),
    ("cli", 10),
    ("main", 11),
    ("lib", 11),
];

/// Longest a source file may be before its `#[cfg(test)]` module.
const MAX_LINES: usize = 700;

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file before its test module.
fn non_test(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Every top-level module named after `crate::` (and inside `crate::{…}` groups), or after
/// `cohesion::` in the binary.
fn imported(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// (file, its module, the module it imports) for every import that runs up or sideways.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let Some(own) = layer(&module) else {
            bad.push(format!(
                "{rel}: module `{module}` has no layer in tests/layers.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        let code = non_test(&text);
        let prefix = if module == "cli" || module == "main" {
            "cohesion::"
        } else {
            "crate::"
        };
        for m in imported(code, prefix) {
            if m == module || m.is_empty() || m == "VERSION" || m == "self" {
                continue;
            }
            match layer(&m) {
                Some(l) if l < own => {}
                Some(l) => bad.push(format!(
                    "{rel}: `{module}` (layer {own}) imports `{m}` (layer {l})"
                )),
                None if module == "cli" => {}
                None => bad.push(format!("{rel}: imports unknown module `{m}`")),
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_from_a_layer_above_or_beside_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports against the layering:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_plain_imports() {
    let code =
        "use crate::{kernel::rng, model::P};\nlet x = crate::engine::run();\nuse self::crate_like;";
    assert_eq!(imported(code, "crate::"), ["kernel", "model", "engine"]);
}

#[test]
fn no_source_file_is_longer_than_one_sitting_before_its_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let n = non_test(&text).lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines before their tests:\n{}",
        long.join("\n")
    );
}

#[test]
fn rayon_is_used_only_by_the_engine() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let users: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src.join("engine")))
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("rayon"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(users.is_empty(), "rayon outside src/engine: {users:?}");
}
