//! Actor tables: inline `[[actor]]` entries or a CSV file named by `[actors] file`.
//!
//! Either form becomes the same [`ActorTable`]: one row per actor, every cell checked
//! against the model's declared actor fields (type, range, required). Columns the model
//! does not read are allowed only for provenance (`source…`, `note…`, `iso3`), so that data
//! tables keep their sources while typos in field names are still caught. A column named twice
//! is refused by name (one of the two would silently win), as is a name or text cell holding a
//! control character, and a table of more than [`MAX_ACTORS`](keys::MAX_ACTORS) actors.

use super::access::text_problem;
use super::issues::Issues;
use super::keys::{self, ACTOR_NAME, ACTORS_FILE, MAX_ACTORS};
use super::source::{Origin, SourceFile};
use crate::spec::{ActorField, FieldKind};

/// A validated table of actors.
#[derive(Debug, Clone, Default)]
pub struct ActorTable {
    /// Where it came from (`builtin:data/allies.csv`, a path, or the scenario for inline).
    pub source: String,
    pub names: Vec<String>,
    /// Declared fields, in the model's order; `values[f][a]` is field f of actor a.
    pub fields: Vec<&'static str>,
    pub values: Vec<Vec<Cell>>,
}

/// One validated cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Missing,
    Number(f64),
    /// A choice or text value.
    Text(String),
}

impl ActorTable {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn column(&self, field: &str) -> &[Cell] {
        let i = self
            .fields
            .iter()
            .position(|f| *f == field)
            .unwrap_or_else(|| {
                panic!("model reads undeclared actor field {field}");
            });
        &self.values[i]
    }

    /// The numbers of a field (None where blank).
    pub fn numbers(&self, field: &str) -> Vec<Option<f64>> {
        self.column(field)
            .iter()
            .map(|c| match c {
                Cell::Number(x) => Some(*x),
                _ => None,
            })
            .collect()
    }

    /// The words of a field (None where blank).
    pub fn words(&self, field: &str) -> Vec<Option<String>> {
        self.column(field)
            .iter()
            .map(|c| match c {
                Cell::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Columns allowed beside the declared fields: provenance only.
fn is_provenance(col: &str) -> bool {
    col.starts_with("source") || col.starts_with("note") || col == "iso3" || col == "description"
}

/// A raw row: the actor's name (if any) and its (column, text) cells.
type RawRow = (Option<String>, Vec<(String, String)>);
/// Where a problem in (row, column) is: (file, line, key path).
type Place<'a> = &'a dyn Fn(usize, &str) -> (String, Option<usize>, String);

/// Parses one raw cell against its field declaration.
fn parse_cell(kind: &FieldKind, raw: &str) -> Result<Cell, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Cell::Missing);
    }
    if let Some(why) = text_problem(raw, false) {
        return Err(format!("{why}; allowed: {}", kind.allowed()));
    }
    let quoted = crate::kernel::text::shown(raw);
    match kind {
        FieldKind::Real { min, max } => match raw.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= *min && x <= *max => Ok(Cell::Number(x)),
            Ok(x) => Err(format!("{x} is out of range; allowed: {}", kind.allowed())),
            Err(_) => Err(format!(
                "`{quoted}` is not a number; allowed: {}",
                kind.allowed()
            )),
        },
        FieldKind::Int { min, max } => match raw.parse::<i64>() {
            Ok(x) if x >= *min && x <= *max => Ok(Cell::Number(x as f64)),
            Ok(x) => Err(format!("{x} is out of range; allowed: {}", kind.allowed())),
            Err(_) => Err(format!(
                "`{quoted}` is not a whole number; allowed: {}",
                kind.allowed()
            )),
        },
        FieldKind::Choice(words) => {
            if words.contains(&raw) {
                Ok(Cell::Text(raw.to_string()))
            } else {
                Err(format!(
                    "`{quoted}` is not allowed; allowed: {}",
                    kind.allowed()
                ))
            }
        }
        FieldKind::Text => Ok(Cell::Text(raw.to_string())),
    }
}

/// A TOML value as the text a CSV cell would hold.
fn toml_cell(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Builds the table from rows of (name, [(column, raw text)]), checking every cell.
/// `place(row, column)` says where a problem is, as (file, line, path).
fn build(
    source: String,
    rows: Vec<RawRow>,
    fields: &'static [ActorField],
    place: Place<'_>,
    issues: &mut Issues,
) -> ActorTable {
    let mut table = ActorTable {
        source,
        names: Vec::new(),
        fields: fields.iter().map(|f| f.name).collect(),
        values: vec![Vec::new(); fields.len()],
    };
    // A required field no row gives at all is one problem (a missing column), reported at the
    // first row, not one per row.
    let absent: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && !rows.is_empty())
        .filter(|f| {
            !rows
                .iter()
                .any(|(_, cells)| cells.iter().any(|(c, _)| c == f.name))
        })
        .map(|f| f.name)
        .collect();
    for f in fields.iter().filter(|f| absent.contains(&f.name)) {
        let (file, l, p) = place(0, f.name);
        issues.add_at(
            file,
            l,
            p,
            format!(
                "missing column `{}`, required for every actor ({}); allowed: {}",
                f.name,
                f.meaning,
                f.kind.allowed()
            ),
        );
    }
    // An unknown column is reported once, at the first row that has it.
    let mut unknown: Vec<String> = Vec::new();
    for (r, (name, cells)) in rows.into_iter().enumerate() {
        match name {
            Some(n) if !n.trim().is_empty() => {
                if let Some(why) = text_problem(&n, true) {
                    let (f, l, p) = place(r, "name");
                    issues.add_at(f, l, p, format!("{why}; allowed: {}", ACTOR_NAME.allowed()));
                } else if table.names.contains(&n) {
                    let (f, l, p) = place(r, "name");
                    issues.add_at(
                        f,
                        l,
                        p,
                        format!("duplicate actor name `{n}`; actor names must be unique"),
                    );
                }
                table.names.push(n);
            }
            _ => {
                let (f, l, p) = place(r, "name");
                issues.add_at(f, l, p, "every actor needs a `name`");
                table.names.push(format!("actor{}", r + 1));
            }
        }
        for (col, _) in &cells {
            if col != "name"
                && !fields.iter().any(|f| f.name == col)
                && !is_provenance(col)
                && !unknown.contains(col)
            {
                unknown.push(col.clone());
                let (f, l, p) = place(r, col);
                let allowed: Vec<&str> = fields.iter().map(|f| f.name).collect();
                issues.add_at(
                    f,
                    l,
                    p,
                    format!(
                        "unknown actor field `{col}`; allowed: name, {} (and source…/note… columns)",
                        allowed.join(", ")
                    ),
                );
            }
        }
        for (fi, field) in fields.iter().enumerate() {
            let raw = cells
                .iter()
                .find(|(c, _)| c == field.name)
                .map(|(_, v)| v.as_str());
            let (cell, bad) = match raw {
                None => (Cell::Missing, false),
                Some(raw) => match parse_cell(&field.kind, raw) {
                    Ok(c) => (c, false),
                    Err(e) => {
                        let (f, l, p) = place(r, field.name);
                        issues.add_at(f, l, p, e);
                        (Cell::Missing, true)
                    }
                },
            };
            // A cell already reported as bad (or a column reported missing) is not reported
            // again as missing.
            if cell == Cell::Missing && field.required && !bad && !absent.contains(&field.name) {
                let (f, l, p) = place(r, field.name);
                issues.add_at(
                    f,
                    l,
                    p,
                    format!("a value is required; allowed: {}", field.kind.allowed()),
                );
            }
            table.values[fi].push(cell);
        }
    }
    table
}

/// Reads the actors of a scenario: `actors_section` is the `[actors]` table, `inline` the
/// `[[actor]]` array. `origin` is the scenario file (CSV paths are relative to it).
pub fn load(
    origin: &Origin,
    actors_section: Option<&toml::Value>,
    inline: Option<&toml::Value>,
    fields: &'static [ActorField],
    files: &mut Vec<SourceFile>,
    issues: &mut Issues,
) -> Option<ActorTable> {
    if let Some(sec) = actors_section {
        if inline.is_some() {
            issues.add(
                "actors",
                "give actors either as `[actors] file = …` or as `[[actor]]` entries, not both",
            );
        }
        let Some(t) = sec.as_table() else {
            issues.add("actors", "expected a table with `file = \"path.csv\"`");
            return None;
        };
        let allowed = keys::allowed(ACTORS_FILE.section);
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                issues.add(
                    format!("actors.{k}"),
                    format!("unknown key; allowed: {}", allowed.join(", ")),
                );
            }
        }
        let Some(rel) = t.get(ACTORS_FILE.name).and_then(|v| v.as_str()) else {
            issues.add(
                "actors.file",
                "expected the path of a CSV file (text), relative to the scenario",
            );
            return None;
        };
        return load_csv(origin.join(rel), fields, files, issues);
    }
    let arr = inline?.as_array();
    let Some(arr) = arr else {
        issues.add("actor", "expected `[[actor]]` entries (an array of tables)");
        return None;
    };
    if arr.len() > MAX_ACTORS {
        issues.add(
            "actor",
            format!(
                "{} actors; allowed: at most {MAX_ACTORS} `[[actor]]` entries",
                arr.len()
            ),
        );
        return None;
    }
    let mut rows = Vec::new();
    for (i, v) in arr.iter().enumerate() {
        let Some(t) = v.as_table() else {
            issues.add(format!("actor[{i}]"), "expected a table");
            continue;
        };
        let name = t.get("name").and_then(|v| v.as_str()).map(str::to_string);
        let mut cells = Vec::new();
        for (k, v) in t {
            match toml_cell(v) {
                Some(s) => cells.push((k.clone(), s)),
                None => issues.add(format!("actor[{i}].{k}"), "expected a number or text"),
            }
        }
        rows.push((name, cells));
    }
    let place = |r: usize, c: &str| (String::new(), None, format!("actor[{r}].{c}"));
    Some(build("inline".into(), rows, fields, &place, issues))
}

fn load_csv(
    origin: Origin,
    fields: &'static [ActorField],
    files: &mut Vec<SourceFile>,
    issues: &mut Issues,
) -> Option<ActorTable> {
    let name = origin.display();
    let file = match SourceFile::read(origin) {
        Ok(f) => f,
        Err(e) => {
            issues.add(
                "actors.file",
                format!("{e}; expected a CSV file with a header row and a `name` column"),
            );
            return None;
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file.text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            issues.add_at(&name, Some(1), "header", format!("malformed CSV: {e}"));
            return None;
        }
    };
    // A column named twice: whichever copy a reader took would silently win.
    let mut twice = false;
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = headers[..i].iter().position(|g| g == h) {
            twice = true;
            issues.add_at(
                &name,
                Some(1),
                format!("header, column {}", i + 1),
                format!(
                    "column `{}` appears twice (columns {} and {}); allowed: each column once",
                    crate::kernel::text::shown(h),
                    j + 1,
                    i + 1
                ),
            );
        }
    }
    if twice {
        return None;
    }
    if !headers.iter().any(|h| h == "name") {
        issues.add_at(
            &name,
            Some(1),
            "header",
            format!("no `name` column; the header has: {}", headers.join(", ")),
        );
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for rec in rdr.records() {
        if rows.len() == MAX_ACTORS {
            issues.add_at(
                &name,
                None,
                "",
                format!("more than {MAX_ACTORS} actors; allowed: at most {MAX_ACTORS} rows"),
            );
            return None;
        }
        match rec {
            Ok(rec) => {
                // The header is record 0, so a record's number is its data row number.
                let line = rec.position().map(|p| (p.line() as usize, p.record()));
                let cells: Vec<(String, String)> = headers
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_string))
                    .collect();
                let nm = cells
                    .iter()
                    .find(|(c, _)| c == "name")
                    .map(|(_, v)| v.clone());
                rows.push((nm, cells));
                lines.push(line);
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                let row = e.position().map(|p| p.record()).unwrap_or(0);
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths { len, .. } => format!(
                        "{len} fields; allowed: {}, one per header column ({})",
                        headers.len(),
                        headers.join(", ")
                    ),
                    _ => format!("malformed CSV row: {e}"),
                };
                issues.add_at(&name, line, format!("row {row}"), msg);
            }
        }
    }
    if rows.is_empty() {
        issues.add_at(&name, None, "", "the actor table has no rows");
    }
    let nm2 = name.clone();
    let place = move |r: usize, c: &str| {
        (
            nm2.clone(),
            lines.get(r).copied().flatten().map(|p| p.0),
            format!(
                "row {}, column {c}",
                lines
                    .get(r)
                    .copied()
                    .flatten()
                    .map_or(r as u64 + 1, |p| p.1)
            ),
        )
    };
    let table = build(name, rows, fields, &place, issues);
    files.push(file);
    Some(table)
}
