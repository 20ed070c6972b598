//! Where in which file a problem is.
//!
//! Validation works on the merged table of a scenario and the files it `extends`, so an issue
//! first knows only its key path in the merged scenario. Placing it means finding the file
//! of the chain that writes that key, translating the path into that file's own terms (the
//! index of a `[[policy]]` entry in the merged scenario is not its index in the file that
//! wrote it), and asking the file for the line and column.

use super::issues::Issues;
use super::source::{Origin, SourceFile};

/// Gives every issue its file, line and column. Paths are those of the merged scenario;
/// an issue goes to the first file of the `extends` chain (the scenario, then its parents)
/// that writes its whole path, with the path in that file's own terms (entry indices of
/// `[[policy]]`, `[[uncertainty]]` and `[[inject]]` translated); failing that, to the first
/// file that writes its first key, at the nearest enclosing key written there.
pub(super) fn place_issues(
    issues: &mut Issues,
    files: &[SourceFile],
    merged: &toml::Table,
    origin: &Origin,
) {
    let tomls: Vec<&SourceFile> = files
        .iter()
        .filter(|f| f.origin.display().ends_with(".toml"))
        .collect();
    let tables: Vec<toml::Table> = tomls
        .iter()
        .map(|f| f.text.parse().unwrap_or_default())
        .collect();
    for iss in &mut issues.0 {
        if !iss.file.is_empty() {
            continue;
        }
        let locals: Vec<String> = (0..tomls.len())
            .map(|k| local_path(&iss.path, merged, &tables, k).unwrap_or_else(|| iss.path.clone()))
            .collect();
        let top = iss.path.split(['.', '[']).next().unwrap_or("");
        let exact = (0..tomls.len())
            .find_map(|k| tomls[k].locate_exact(&locals[k]).map(|pos| (k, Some(pos))));
        let near = || {
            (0..tomls.len())
                .find(|&k| tables[k].contains_key(top))
                .map(|k| (k, tomls[k].locate(&locals[k])))
        };
        match exact.or_else(near) {
            Some((k, pos)) => {
                iss.file = tomls[k].name();
                iss.path = locals[k].clone();
                iss.line = pos.map(|p| p.0);
                iss.column = pos.map(|p| p.1);
            }
            None => {
                iss.file = origin.display();
                if let Some((l, c)) = files.first().and_then(|f| f.locate(&iss.path)) {
                    iss.line = Some(l);
                    iss.column = Some(c);
                }
            }
        }
    }
}

/// A key path of the merged scenario in the terms of file `k` of the chain (`tables` in
/// chain order, the scenario first), if its entry comes from that file. `[[policy]]` and
/// `[[uncertainty]]` entries merge by name and by parameter (the m-th merged entry with an
/// id is the m-th entry with it in a file); `[[inject]]` entries are appended, the deepest
/// parent's first.
fn local_path(
    path: &str,
    merged: &toml::Table,
    tables: &[toml::Table],
    k: usize,
) -> Option<String> {
    let (array, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let i: usize = index.parse().ok()?;
    let entries = |t: &toml::Table| {
        t.get(array)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let j = match array {
        "policy" | "uncertainty" => {
            let key = if array == "policy" { "name" } else { "param" };
            let all = entries(merged);
            let id = all.get(i)?.get(key)?;
            let m = all[..i].iter().filter(|e| e.get(key) == Some(id)).count();
            entries(&tables[k])
                .iter()
                .enumerate()
                .filter(|(_, e)| e.get(key) == Some(id))
                .nth(m)?
                .0
        }
        "inject" => {
            let offset: usize = tables[k + 1..].iter().map(|t| entries(t).len()).sum();
            let j = i.checked_sub(offset)?;
            (j < entries(&tables[k]).len()).then_some(j)?
        }
        _ => return None,
    };
    Some(format!("{array}[{j}]{rest}"))
}
