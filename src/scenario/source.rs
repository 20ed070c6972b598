//! Where scenario files come from, and how `extends` stacks them.
//!
//! A scenario is read either from disk or from the built-in set compiled into the binary
//! (so an installed `cohesion` runs its shipped scenarios from any directory). Both are
//! addressed the same way, so `extends = "nato-2021.toml"` and `file = "data/allies.csv"`
//! resolve relative to the file that names them, on disk or inside the binary.
//!
//! `extends` is resolved on the raw TOML tables before validation: the child's tables are
//! merged key by key over the parent's; `[[policy]]` entries merge by `name` and
//! `[[uncertainty]]` entries by `param` (a child entry overrides the parent's fields or is
//! appended; an `[[uncertainty]]` entry naming another `dist` replaces the parent's whole, since
//! the old distribution's keys mean nothing to the new one); `[[inject]]` entries are appended;
//! an actor table is replaced whole. Since the
//! merged table no longer says which file a key came from, the loader remembers which file
//! wrote the `[actors]` table that won ([`Stacked::actors_origin`]): its `file` is resolved
//! against that file, wherever the scenario that inherits it lives.
//!
//! No file larger than [`MAX_FILE_BYTES`] is read (the size is checked first).

use std::path::{Path, PathBuf};

use super::builtin;
use super::issues::Issues;
use super::keys::MAX_FILE_BYTES;

/// Where a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// On disk.
    File(PathBuf),
    /// Compiled in, by its path relative to `scenarios/` (e.g. `reference/hk-0.25.toml`).
    Builtin(String),
}

impl Origin {
    /// How the file is named in messages and in the manifest.
    pub fn display(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Builtin(n) => format!("builtin:{n}"),
        }
    }

    /// The file's bytes.
    pub fn read(&self) -> Result<String, String> {
        match self {
            Origin::File(p) => {
                let cannot = |e: std::io::Error| format!("cannot read {}: {e}", p.display());
                let size = std::fs::metadata(p).map_err(cannot)?.len();
                if size > MAX_FILE_BYTES {
                    return Err(format!(
                        "{} has {size} bytes; allowed: a file of at most {MAX_FILE_BYTES} bytes",
                        p.display()
                    ));
                }
                std::fs::read_to_string(p).map_err(cannot)
            }
            Origin::Builtin(n) => builtin::get(n)
                .map(str::to_string)
                .ok_or_else(|| format!("no built-in file {n}")),
        }
    }

    /// `rel` resolved against this file's folder.
    pub fn join(&self, rel: &str) -> Origin {
        match self {
            Origin::File(p) => {
                let rel_path = Path::new(rel);
                if rel_path.is_absolute() {
                    Origin::File(rel_path.to_path_buf())
                } else {
                    Origin::File(p.parent().unwrap_or(Path::new(".")).join(rel_path))
                }
            }
            Origin::Builtin(n) => {
                let mut parts: Vec<&str> = n.split('/').collect();
                parts.pop();
                for seg in rel.split('/') {
                    match seg {
                        "" | "." => {}
                        ".." => {
                            parts.pop();
                        }
                        s => parts.push(s),
                    }
                }
                Origin::Builtin(parts.join("/"))
            }
        }
    }

    /// A key that identifies the file, for cycle detection.
    fn identity(&self) -> String {
        match self {
            Origin::File(p) => std::fs::canonicalize(p)
                .map(|c| c.display().to_string())
                .unwrap_or_else(|_| p.display().to_string()),
            Origin::Builtin(n) => format!("builtin:{n}"),
        }
    }
}

/// One file read while loading a scenario: its name, text and BLAKE3 hash.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub origin: Origin,
    pub text: String,
    pub blake3: String,
}

impl SourceFile {
    pub fn read(origin: Origin) -> Result<SourceFile, String> {
        let text = origin.read()?;
        let blake3 = blake3::hash(text.as_bytes()).to_hex().to_string();
        Ok(SourceFile {
            origin,
            text,
            blake3,
        })
    }

    pub fn name(&self) -> String {
        self.origin.display()
    }

    /// The 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }

    /// Where the key path (`policy[2].levers.dialogue`) is written in this TOML file, if it is.
    /// Falls back to the nearest enclosing key that is written.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        self.locate_inner(path).map(|(pos, _)| pos)
    }

    /// Where the whole key path is written in this TOML file; `None` if any part of it is not.
    pub fn locate_exact(&self, path: &str) -> Option<(usize, usize)> {
        self.locate_inner(path)
            .and_then(|(pos, whole)| whole.then_some(pos))
    }

    /// The position of the path or of its nearest written ancestor, and whether the whole
    /// path is written.
    fn locate_inner(&self, path: &str) -> Option<((usize, usize), bool)> {
        let doc = toml_edit::Document::parse(self.text.as_str()).ok()?;
        let mut item: &toml_edit::Item = doc.as_item();
        let mut best: Option<std::ops::Range<usize>> = None;
        let mut whole = true;
        for seg in split_path(path) {
            let next = match seg {
                Seg::Key(k) => {
                    if let Some(span) = key_span(item, k) {
                        best = Some(span);
                    }
                    item.get(k)
                }
                Seg::Index(i) => item.get(i),
            };
            let Some(n) = next else {
                whole = false;
                break;
            };
            // A scalar is located at its value; a table entry of an array at its header.
            if (n.is_value() && !n.is_inline_table()) || matches!(seg, Seg::Index(_)) {
                if let Some(s) = n.span() {
                    best = Some(s);
                }
            }
            item = n;
        }
        best.map(|s| (self.line_col(s.start), whole))
    }
}

fn key_span(item: &toml_edit::Item, k: &str) -> Option<std::ops::Range<usize>> {
    match item {
        toml_edit::Item::Table(t) => t.key(k).and_then(|k| k.span()),
        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => t.key(k).and_then(|k| k.span()),
        _ => None,
    }
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// `policy[2].levers.dialogue` → Key(policy), Index(2), Key(levers), Key(dialogue).
fn split_path(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(&rest[..b]));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..end].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else if !rest.is_empty() {
            out.push(Seg::Key(rest));
        }
    }
    out
}

/// A scenario's TOML after `extends` is resolved, with every file it was built from
/// (the scenario file first, then its parents).
pub struct Stacked {
    pub table: toml::Table,
    pub files: Vec<SourceFile>,
    /// The file whose `[actors]` table the merged table holds (paths in it are relative to
    /// that file); `None` when no file of the chain has one.
    pub actors_origin: Option<Origin>,
}

/// Reads a scenario file and the chain of files it extends, and merges them.
pub fn load_stacked(origin: Origin) -> Result<Stacked, Issues> {
    let mut files = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let (table, actors_origin) = load_rec(origin, &mut files, &mut chain)?;
    Ok(Stacked {
        table,
        files,
        actors_origin,
    })
}

/// The merged table of `origin` and its parents, and the file its `[actors]` table is from.
fn load_rec(
    origin: Origin,
    files: &mut Vec<SourceFile>,
    chain: &mut Vec<String>,
) -> Result<(toml::Table, Option<Origin>), Issues> {
    let id = origin.identity();
    if chain.contains(&id) {
        let mut cycle: Vec<String> = chain.clone();
        cycle.push(id);
        // Reported at the `extends` that closes the cycle: in the file read last.
        let (file, pos) = match files.last() {
            Some(f) => (f.name(), f.locate("extends")),
            None => (origin.display(), None),
        };
        let mut iss = Issues::new();
        iss.0.push(super::issues::Issue {
            file,
            path: "extends".into(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            message: format!(
                "`extends` forms a cycle ({}); allowed: a file that does not extend this one back",
                cycle.join(" → ")
            ),
        });
        return Err(iss);
    }
    let file = SourceFile::read(origin.clone()).map_err(|e| {
        let mut iss = Issues::new();
        match files.last() {
            // A parent that cannot be read: reported at the `extends` that names it.
            Some(f) => {
                let pos = f.locate("extends");
                iss.0.push(super::issues::Issue {
                    file: f.name(),
                    path: "extends".into(),
                    line: pos.map(|p| p.0),
                    column: pos.map(|p| p.1),
                    message: format!(
                        "{e}; allowed: the path of a scenario file, relative to this one"
                    ),
                });
            }
            None => iss.add_at(origin.display(), None, "", e),
        }
        iss
    })?;
    let mut table: toml::Table = match file.text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            let mut iss = Issues::new();
            let (line, col) = e.span().map(|s| file.line_col(s.start)).unzip();
            iss.0.push(super::issues::Issue {
                file: file.name(),
                path: String::new(),
                line,
                column: col,
                message: format!("not valid TOML: {}", e.message().trim()),
            });
            return Err(iss);
        }
    };
    chain.push(id);
    let parent = table.remove("extends");
    files.push(file);
    // An actor table replaces the parent's whole, so the file that names one owns its path.
    let own_actors = table.contains_key("actors").then(|| origin.clone());
    let result = match parent {
        None => Ok((table, own_actors)),
        Some(toml::Value::String(rel)) => {
            let parent_origin = origin.join(&rel);
            let (base, parent_actors) = load_rec(parent_origin, files, chain)?;
            Ok((merge(base, table), own_actors.or(parent_actors)))
        }
        Some(other) => {
            let mut iss = Issues::new();
            iss.add_at(
                origin.display(),
                files.last().and_then(|f| f.locate("extends")).map(|p| p.0),
                "extends",
                format!("expected a file name (text), found {}", other.type_str()),
            );
            Err(iss)
        }
    };
    chain.pop();
    result
}

/// The child's values over the parent's.
fn merge(mut base: toml::Table, child: toml::Table) -> toml::Table {
    for (k, v) in child {
        let merged = match (base.remove(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(c)) if k != "actors" => {
                toml::Value::Table(merge(b, c))
            }
            (Some(toml::Value::Array(b)), toml::Value::Array(c)) if k == "policy" => {
                toml::Value::Array(merge_by(b, c, "name"))
            }
            (Some(toml::Value::Array(b)), toml::Value::Array(c)) if k == "uncertainty" => {
                toml::Value::Array(merge_by(b, c, "param"))
            }
            (Some(toml::Value::Array(mut b)), toml::Value::Array(c)) if k == "inject" => {
                b.extend(c);
                toml::Value::Array(b)
            }
            (_, v) => v,
        };
        base.insert(k, merged);
    }
    base
}

/// Each child entry overrides the parent's entry with the same `key`, or is appended. Only
/// parent entries are matched, each at most once, so that two entries of one file with the
/// same name both reach the validator (which reports the duplicate).
fn merge_by(mut base: Vec<toml::Value>, child: Vec<toml::Value>, key: &str) -> Vec<toml::Value> {
    let mut open: Vec<bool> = vec![true; base.len()];
    for c in child {
        let id = c.get(key).cloned();
        let pos = id
            .as_ref()
            .and_then(|id| (0..open.len()).find(|&i| open[i] && base[i].get(key) == Some(id)));
        if let Some(i) = pos {
            open[i] = false;
        }
        match (pos, c) {
            (Some(i), toml::Value::Table(ct)) => {
                if let toml::Value::Table(bt) = base.remove(i) {
                    // Another distribution replaces the entry whole.
                    let replaced = key == "param"
                        && ct.contains_key("dist")
                        && ct.get("dist") != bt.get("dist");
                    let entry = if replaced { ct } else { merge(bt, ct) };
                    base.insert(i, toml::Value::Table(entry));
                }
            }
            (_, c) => base.push(c),
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_paths_resolve_relative_to_their_file() {
        let o = Origin::Builtin("reference/hk-0.25.toml".into());
        assert_eq!(
            o.join("base.toml"),
            Origin::Builtin("reference/base.toml".into())
        );
        assert_eq!(
            o.join("../data/x.csv"),
            Origin::Builtin("data/x.csv".into())
        );
    }

    #[test]
    fn locate_finds_nested_keys() {
        let text = "[scenario]\nname = \"x\"\n\n[[policy]]\nname = \"a\"\n[[policy]]\nname = \"b\"\nlevers = { dialogue = 2 }\n";
        let f = SourceFile {
            origin: Origin::Builtin("t.toml".into()),
            text: text.into(),
            blake3: String::new(),
        };
        assert_eq!(f.locate("policy[1].levers.dialogue"), Some((8, 23)));
        assert_eq!(f.locate("scenario.name").map(|p| p.0), Some(2));
        assert_eq!(f.locate("policy[1].nothing").map(|p| p.0), Some(6));
    }

    #[test]
    fn merge_overrides_policies_by_name_and_appends_injects() {
        let parent: toml::Table = toml::from_str(
            "[model]\na=1\nb=2\n[[policy]]\nname='x'\nbaseline=true\n[[inject]]\nturn=1\n",
        )
        .unwrap();
        let child: toml::Table =
            toml::from_str("[model]\nb=3\n[[policy]]\nname='x'\ndescription='d'\n[[policy]]\nname='y'\n[[inject]]\nturn=2\n")
                .unwrap();
        let m = merge(parent, child);
        assert_eq!(m["model"]["a"].as_integer(), Some(1));
        assert_eq!(m["model"]["b"].as_integer(), Some(3));
        let p = m["policy"].as_array().unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0]["baseline"].as_bool(), Some(true));
        assert_eq!(p[0]["description"].as_str(), Some("d"));
        assert_eq!(m["inject"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn an_uncertainty_with_another_distribution_replaces_the_parents_entry() {
        let parent: toml::Table = toml::from_str(
            "[[uncertainty]]\nparam='a'\ndist='uniform'\nmin=0\nmax=1\n[[uncertainty]]\nparam='b'\ndist='uniform'\nmin=0\nmax=1\n",
        )
        .unwrap();
        let child: toml::Table = toml::from_str(
            "[[uncertainty]]\nparam='a'\ndist='empirical'\nvalues=[0.5]\n[[uncertainty]]\nparam='b'\nmax=2\n",
        )
        .unwrap();
        let m = merge(parent, child);
        let u = m["uncertainty"].as_array().unwrap();
        assert_eq!(u[0].as_table().unwrap().len(), 3, "{:?}", u[0]);
        assert!(u[0].get("min").is_none());
        // The same distribution: fields merge.
        assert_eq!(u[1]["min"].as_integer(), Some(0));
        assert_eq!(u[1]["max"].as_integer(), Some(2));
    }
}
