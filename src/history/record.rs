//! The record of 2022–2024 a hindcast is held against, read and checked.
//!
//! Four CSV files, shipped in `scenarios/data/` (copied from the client's shared data set with
//! their source columns) or read from a folder given with `--record`:
//!
//! * `defence-2014-2024.csv`: defence expenditure, % of GDP, per ally and year (NATO);
//! * `record-2022-2024.csv`: per ally, in-person leader meetings with Putin and whether it was
//!   among the last two ratifiers of Finland's and Sweden's accession;
//! * `leader-meetings-2022-2024.csv`: the meetings themselves (the record's counts must agree);
//! * `events-2022-2024.csv`: dated events; the `labelling` row dates the Madrid label.
//!
//! Every cell is checked: a missing column, an ally the run does not know, a number that is not
//! one or is negative, a bad date — each is reported with the file, the line and the column, and
//! what is allowed, all at once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::scenario::builtin;

/// Where the record files come from.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordSource {
    /// The copies compiled into the binary (`scenarios/data/`).
    Builtin,
    /// A folder holding the four files under the same names.
    Dir(PathBuf),
}

/// The file names of the record.
pub const DEFENCE: &str = "defence-2014-2024.csv";
pub const RECORD: &str = "record-2022-2024.csv";
pub const MEETINGS: &str = "leader-meetings-2022-2024.csv";
pub const EVENTS: &str = "events-2022-2024.csv";

/// Defence spending of one ally (% of GDP).
#[derive(Debug, Clone, PartialEq)]
pub struct Spending {
    pub y2014: f64,
    pub y2021: f64,
    pub y2022: f64,
    pub y2023: f64,
    pub y2024e: f64,
}

/// What happened, per ally of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Allies of October 2021 with figures (Iceland has none).
    pub spending: BTreeMap<String, Spending>,
    /// In-person meetings of the ally's leader with Putin, March 2022 – September 2024.
    pub meetings: BTreeMap<String, u32>,
    /// The last two ratifiers of Finland's and Sweden's accession.
    pub last_ratifiers: Vec<String>,
    /// Date (`YYYY-MM-DD`) of the Strategic Concept's label (the `labelling` event).
    pub label_date: Option<String>,
    /// Each file read, as `name` → where it came from (for the page).
    pub files: Vec<(String, String)>,
}

/// A CSV file read as text rows with its header; line numbers are 1-based file lines.
struct Table {
    name: String,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn col(&self, c: &str, problems: &mut Vec<String>) -> Option<usize> {
        let i = self.header.iter().position(|h| h == c);
        if i.is_none() {
            problems.push(format!(
                "{}:1: missing column `{c}`; the header has: {}",
                self.name,
                self.header.join(", ")
            ));
        }
        i
    }
}

fn read(src: &RecordSource, file: &str, problems: &mut Vec<String>) -> Option<(Table, String)> {
    let (text, place) = match src {
        RecordSource::Builtin => match builtin::get(&format!("data/{file}")) {
            Some(t) => (t.to_string(), format!("builtin:data/{file}")),
            None => {
                problems.push(format!("no built-in record file data/{file}"));
                return None;
            }
        },
        RecordSource::Dir(d) => {
            let p = d.join(file);
            match std::fs::read_to_string(&p) {
                Ok(t) => (t, p.display().to_string()),
                Err(e) => {
                    problems.push(format!("cannot read {}: {e}", p.display()));
                    return None;
                }
            }
        }
    };
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            problems.push(format!("{place}:1: malformed CSV header: {e}"));
            return None;
        }
    };
    let mut rows = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                rows.push((line, r.iter().map(|s| s.trim().to_string()).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(format!("{place}:{line}: malformed CSV row: {e}"));
            }
        }
    }
    Some((
        Table {
            name: place.clone(),
            header,
            rows,
        },
        place,
    ))
}

/// A number of % of GDP: present, a number, not negative.
fn pct(t: &Table, line: usize, col: &str, cell: &str, problems: &mut Vec<String>) -> Option<f64> {
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=100.0).contains(&x) => Some(x),
        Ok(x) => {
            problems.push(format!(
                "{}:{line}: column {col}: {x} is out of range; allowed: a share of GDP from 0 to 100 (%)",
                t.name
            ));
            None
        }
        Err(_) => {
            problems.push(format!(
                "{}:{line}: column {col}: `{cell}` is not a number; allowed: a share of GDP from 0 to 100 (%)",
                t.name
            ));
            None
        }
    }
}

/// Whether `s` is a date `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn known(
    t: &Table,
    line: usize,
    col: &str,
    ally: &str,
    allies: &[String],
    problems: &mut Vec<String>,
) -> bool {
    if allies.iter().any(|a| a == ally) {
        return true;
    }
    problems.push(format!(
        "{}:{line}: column {col}: no ally `{ally}` in the run; allowed: one of {}",
        t.name,
        allies.join(", ")
    ));
    false
}

/// Reads and checks the record against the allies of the run. Every problem is reported at
/// once, each with file, line and column.
pub fn load(src: &RecordSource, allies: &[String]) -> Result<Record, Vec<String>> {
    let mut p = Vec::new();
    let mut rec = Record::default();
    if let Some((t, place)) = read(src, DEFENCE, &mut p) {
        rec.files.push((DEFENCE.into(), place));
        let years = [
            "def_pct_gdp_2014",
            "def_pct_gdp_2021",
            "def_pct_gdp_2022",
            "def_pct_gdp_2023",
            "def_pct_gdp_2024e",
        ];
        let a = t.col("ally", &mut p);
        let m = t.col("member_oct2021", &mut p);
        let cols: Vec<Option<usize>> = years.iter().map(|y| t.col(y, &mut p)).collect();
        if let (Some(a), Some(m), true) = (a, m, cols.iter().all(Option::is_some)) {
            for (line, r) in &t.rows {
                let member = r.get(m).map(String::as_str).unwrap_or("");
                match member {
                    "yes" => {}
                    "no" => continue,
                    other => {
                        p.push(format!(
                            "{}:{line}: column member_oct2021: `{other}` is not allowed; allowed: yes, no",
                            t.name
                        ));
                        continue;
                    }
                }
                let ally = r.get(a).cloned().unwrap_or_default();
                if !known(&t, *line, "ally", &ally, allies, &mut p) {
                    continue;
                }
                let v: Vec<Option<f64>> = years
                    .iter()
                    .zip(&cols)
                    .map(|(y, c)| {
                        let cell = r.get(c.unwrap_or(0)).map(String::as_str).unwrap_or("");
                        pct(&t, *line, y, cell, &mut p)
                    })
                    .collect();
                if let [Some(a14), Some(a21), Some(a22), Some(a23), Some(a24)] = v[..] {
                    rec.spending.insert(
                        ally,
                        Spending {
                            y2014: a14,
                            y2021: a21,
                            y2022: a22,
                            y2023: a23,
                            y2024e: a24,
                        },
                    );
                }
            }
        }
    }
    if let Some((t, place)) = read(src, RECORD, &mut p) {
        rec.files.push((RECORD.into(), place));
        let col_meet = "leader_met_putin_in_person_2022-03_to_2024-09";
        let a = t.col("ally", &mut p);
        let m = t.col(col_meet, &mut p);
        let l = t.col("last_ratifiers_of_finland_sweden", &mut p);
        if let (Some(a), Some(m), Some(l)) = (a, m, l) {
            for (line, r) in &t.rows {
                let ally = r.get(a).cloned().unwrap_or_default();
                if !known(&t, *line, "ally", &ally, allies, &mut p) {
                    continue;
                }
                let cell = r.get(m).map(String::as_str).unwrap_or("");
                match cell.parse::<u32>() {
                    Ok(k) => {
                        rec.meetings.insert(ally.clone(), k);
                    }
                    Err(_) => p.push(format!(
                        "{}:{line}: column {col_meet}: `{cell}` is not allowed; allowed: a whole number of meetings, 0 or more",
                        t.name
                    )),
                }
                if !r.get(l).map(String::is_empty).unwrap_or(true) {
                    rec.last_ratifiers.push(ally);
                }
            }
        }
    }
    if let Some((t, place)) = read(src, MEETINGS, &mut p) {
        rec.files.push((MEETINGS.into(), place));
        let a = t.col("ally", &mut p);
        let d = t.col("date", &mut p);
        if let (Some(a), Some(d)) = (a, d) {
            let mut count: BTreeMap<String, u32> = BTreeMap::new();
            for (line, r) in &t.rows {
                let ally = r.get(a).cloned().unwrap_or_default();
                let date = r.get(d).map(String::as_str).unwrap_or("");
                if !is_date(date) {
                    p.push(format!(
                        "{}:{line}: column date: `{date}` is not allowed; allowed: a date YYYY-MM-DD",
                        t.name
                    ));
                }
                if known(&t, *line, "ally", &ally, allies, &mut p) {
                    *count.entry(ally).or_insert(0) += 1;
                }
            }
            for (ally, k) in &rec.meetings {
                let listed = count.get(ally).copied().unwrap_or(0);
                if listed != *k {
                    p.push(format!(
                        "{}: {ally} has {listed} meeting(s) listed but {k} in {RECORD}; the two files must agree",
                        t.name
                    ));
                }
            }
        }
    }
    if let Some((t, place)) = read(src, EVENTS, &mut p) {
        rec.files.push((EVENTS.into(), place));
        let d = t.col("date", &mut p);
        let k = t.col("kind", &mut p);
        let a = t.col("allies", &mut p);
        if let (Some(d), Some(k), Some(a)) = (d, k, a) {
            for (line, r) in &t.rows {
                let date = r.get(d).map(String::as_str).unwrap_or("");
                if !is_date(date) {
                    p.push(format!(
                        "{}:{line}: column date: `{date}` is not allowed; allowed: a date YYYY-MM-DD",
                        t.name
                    ));
                    continue;
                }
                for ally in r.get(a).map(String::as_str).unwrap_or("").split(';') {
                    if !ally.trim().is_empty() {
                        known(&t, *line, "allies", ally.trim(), allies, &mut p);
                    }
                }
                if r.get(k).map(String::as_str) == Some("labelling") && rec.label_date.is_none() {
                    rec.label_date = Some(date.to_string());
                }
            }
        }
    }
    if p.is_empty() { Ok(rec) } else { Err(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allies() -> Vec<String> {
        ["Hungary", "Poland", "Turkey", "Iceland"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (n, t) in files {
            std::fs::write(d.path().join(n), t).unwrap();
        }
        d
    }

    const DEF: &str = "ally,member_oct2021,def_pct_gdp_2014,def_pct_gdp_2021,def_pct_gdp_2022,def_pct_gdp_2023,def_pct_gdp_2024e,source\nPoland,yes,1.8,2.2,2.2,3.3,3.8,NATO\nHungary,yes,0.9,1.3,1.8,2.0,2.1,NATO\nFinland,no,1.4,1.4,1.7,2.1,2.4,NATO\n";
    const REC: &str = "ally,leader_met_putin_in_person_2022-03_to_2024-09,last_ratifiers_of_finland_sweden,sources\nHungary,2,\"Sweden (last)\",x\nPoland,0,,x\nTurkey,1,Finland,x\n";
    const MEET: &str = "date,ally,leader,source\n2023-10-17,Hungary,O,x\n2024-07-05,Hungary,O,x\n2022-07-19,Turkey,E,x\n";
    const EV: &str = "date,event,kind,allies,source\n2022-06-29,Madrid,labelling,,x\n2022-04-27,cut,energy_cutoff,Poland;Hungary,x\n";

    #[test]
    fn the_shipped_record_reads_cleanly_against_the_nato_allies() {
        let names: Vec<String> = builtin::get("data/nato-allies-2021.csv")
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        let r = load(&RecordSource::Builtin, &names).unwrap();
        assert_eq!(r.spending.len(), 29);
        assert_eq!(r.meetings.get("Turkey"), Some(&6));
        assert_eq!(r.meetings.get("Hungary"), Some(&2));
        assert_eq!(r.meetings.values().sum::<u32>(), 8);
        let mut last = r.last_ratifiers.clone();
        last.sort();
        assert_eq!(last, ["Hungary", "Turkey"]);
        assert_eq!(r.label_date.as_deref(), Some("2022-06-29"));
        // Poland 2021 → 2024e from the file.
        let pl = &r.spending["Poland"];
        assert!((pl.y2024e - pl.y2021 - 1.598).abs() < 1e-9);
    }

    #[test]
    fn a_well_formed_record_from_a_folder() {
        let d = dir(&[
            (DEFENCE, DEF),
            (RECORD, REC),
            (MEETINGS, MEET),
            (EVENTS, EV),
        ]);
        let r = load(&RecordSource::Dir(d.path().into()), &allies()).unwrap();
        assert_eq!(r.spending.len(), 2);
        assert_eq!(r.meetings["Turkey"], 1);
        assert_eq!(r.last_ratifiers, ["Hungary", "Turkey"]);
    }

    #[test]
    fn bad_cells_name_the_file_line_and_column() {
        let def = DEF
            .replace("Poland,yes,1.8,2.2", "Poland,yes,1.8,-2.2")
            .replace("Hungary,yes,0.9", "Hungry,yes,0.9");
        let rec = REC.replace("Poland,0", "Poland,two");
        let meet = MEET.replace("2022-07-19", "19/07/2022");
        let ev = EV.replace("Poland;Hungary", "Poland;Atlantis");
        let d = dir(&[
            (DEFENCE, &def),
            (RECORD, &rec),
            (MEETINGS, &meet),
            (EVENTS, &ev),
        ]);
        let e = load(&RecordSource::Dir(d.path().into()), &allies())
            .unwrap_err()
            .join("\n");
        assert!(
            e.contains(&format!(
                "{DEFENCE}:2: column def_pct_gdp_2021: -2.2 is out of range"
            )),
            "{e}"
        );
        assert!(
            e.contains(&format!("{DEFENCE}:3: column ally: no ally `Hungry`")),
            "{e}"
        );
        assert!(e.contains(&format!("{RECORD}:3: column leader_met_putin_in_person_2022-03_to_2024-09: `two` is not allowed")), "{e}");
        assert!(
            e.contains(&format!("{MEETINGS}:4: column date: `19/07/2022`")),
            "{e}"
        );
        assert!(
            e.contains(&format!("{EVENTS}:3: column allies: no ally `Atlantis`")),
            "{e}"
        );
    }

    #[test]
    fn a_missing_column_or_disagreeing_counts_are_errors() {
        let def = DEF.replace("def_pct_gdp_2023,", "def_pct_gdp_2023x,");
        let meet = "date,ally,leader,source\n2023-10-17,Hungary,O,x\n2022-07-19,Turkey,E,x\n";
        let d = dir(&[
            (DEFENCE, &def),
            (RECORD, REC),
            (MEETINGS, meet),
            (EVENTS, EV),
        ]);
        let e = load(&RecordSource::Dir(d.path().into()), &allies())
            .unwrap_err()
            .join("\n");
        assert!(
            e.contains(&format!("{DEFENCE}:1: missing column `def_pct_gdp_2023`")),
            "{e}"
        );
        assert!(e.contains("Hungary has 1 meeting(s) listed but 2"), "{e}");
    }
}
