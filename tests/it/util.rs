//! Helpers shared by the integration tests: running the `cohesion` binary, writing scenario
//! files into temporary directories, and reading the CSV tables a run writes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built-in scenarios, as shipped (for tests that write an editable copy to disk).
pub const HK_025: &str = include_str!("../../scenarios/reference/hk-0.25.toml");
pub const KTAB: &str = include_str!("../../scenarios/reference/ktab-soe-pol-comp.toml");
pub const KTAB_CSV: &str = include_str!("../../scenarios/reference/data/soe-pol-comp.csv");

/// Every built-in scenario name.
pub const BUILTINS: &[&str] = &[
    "reference/hk-0.15",
    "reference/hk-0.2",
    "reference/hk-0.25",
    "reference/hk-0.3",
    "reference/deffuant-0.2",
    "reference/deffuant-0.6",
    "reference/ktab-soe-pol-comp",
    "reference/toy-normal",
    "reference/toy-nonlinear",
    "nato-2021",
    "nato-2021-invasion",
    "ishigami",
];

/// A `cohesion` command with no inherited test-hook variables.
pub fn cohesion() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cohesion"));
    c.env_remove("COHESION_FAIL_AFTER_BLOCKS");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `cohesion ARGS` and returns its output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    cohesion()
        .args(args)
        .output()
        .expect("cannot start cohesion")
}

/// Runs `cohesion ARGS`, failing the test (with its stderr) unless it succeeds.
pub fn run_ok(args: &[&str]) -> Output {
    let o = run(args);
    assert_ok(&o, args);
    o
}

pub fn assert_ok(o: &Output, what: &[&str]) {
    assert!(
        o.status.success(),
        "cohesion {what:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
    assert_no_panic(o);
}

/// A failure must be an error message, never a panic.
pub fn assert_no_panic(o: &Output) {
    let e = stderr(o);
    assert!(
        !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
        "cohesion panicked:\n{e}"
    );
}

/// `cohesion run SCENARIO --out OUT --seed SEED -q` plus `extra`, which must succeed.
pub fn run_to(scenario: &str, out: &Path, seed: u64, extra: &[&str]) -> Output {
    let seed = seed.to_string();
    let mut args = vec![
        "run",
        scenario,
        "--out",
        out.to_str().unwrap(),
        "--seed",
        &seed,
        "-q",
    ];
    args.extend_from_slice(extra);
    run_ok(&args)
}

/// Writes `files` (relative path, contents) into `dir`, creating folders as needed.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
}

/// A temporary directory holding an on-disk copy of the KTAB built-in (`ktab.toml` and
/// `data/soe-pol-comp.csv`) and of the HK ε = 0.25 built-in (`hk-0.25.toml`), for scenarios
/// that `extends` them.
pub fn scenario_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_files(
        d.path(),
        &[
            ("ktab.toml", KTAB),
            ("data/soe-pol-comp.csv", KTAB_CSV),
            ("hk-0.25.toml", HK_025),
        ],
    );
    d
}

/// A small HK scenario with an uncertain parameter, an inject, several options and several
/// blocks per run; fast (60–120 agents, 40 turns).
pub const HK_SMALL: &str = r#"extends = "hk-0.25.toml"

[scenario]
name = "hk-small"
turns = 40

[run]
trials = 120
block_size = 16

[model]
agents = 60

[[uncertainty]]
param = "epsilon"
dist = "uniform"
min = 0.1
max = 0.4

[[inject]]
turn = 5
kind = "shift"
amount = 0.1

[[policy]]
name = "big"
description = "twice as many agents"
levers = { agents = 120 }

[[policy]]
name = "tight"
levers = { tolerance = 0.01 }
"#;

/// A CSV file read whole: header and rows of text cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let mut rdr = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        Table {
            path: path.to_path_buf(),
            header,
            rows,
        }
    }

    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| {
                panic!(
                    "{} has no column {name}: {:?}",
                    self.path.display(),
                    self.header
                )
            })
    }

    /// The rows whose columns have the given values.
    pub fn select(&self, conds: &[(&str, &str)]) -> Vec<&Vec<String>> {
        let idx: Vec<(usize, &str)> = conds.iter().map(|(c, v)| (self.col(c), *v)).collect();
        self.rows
            .iter()
            .filter(|r| idx.iter().all(|(i, v)| r[*i] == *v))
            .collect()
    }

    /// The one row whose columns have the given values.
    pub fn row(&self, conds: &[(&str, &str)]) -> &Vec<String> {
        let rows = self.select(conds);
        assert_eq!(
            rows.len(),
            1,
            "{}: expected one row with {conds:?}, found {}",
            self.path.display(),
            rows.len()
        );
        rows[0]
    }

    /// A cell of a row as a number.
    pub fn num(&self, row: &[String], col: &str) -> f64 {
        let s = &row[self.col(col)];
        s.parse()
            .unwrap_or_else(|_| panic!("{}: {col} = {s:?} is not a number", self.path.display()))
    }

    /// The number in column `col` of the one row matching `conds`.
    pub fn value(&self, conds: &[(&str, &str)], col: &str) -> f64 {
        let r = self.row(conds).clone();
        self.num(&r, col)
    }
}

/// The summary.csv value of `col` for (option, outcome).
pub fn summary_value(out: &Path, option: &str, outcome: &str, col: &str) -> f64 {
    Table::read(&out.join("summary.csv")).value(&[("option", option), ("outcome", outcome)], col)
}

/// Every file (not folder) under `dir`, recursively, hidden ones included.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The 1-based "line:column" where `token` first appears on the first line of `text` that
/// contains `line_marker`.
pub fn loc(text: &str, line_marker: &str, token: &str) -> String {
    for (i, line) in text.lines().enumerate() {
        if line.contains(line_marker) {
            let c = line
                .find(token)
                .unwrap_or_else(|| panic!("{token:?} not on line {line:?}"));
            return format!("{}:{}", i + 1, line[..c].chars().count() + 1);
        }
    }
    panic!("no line contains {line_marker:?}");
}

/// One column (`values` or `weights`) of the `[[uncertainty]]` entry for `param` in a
/// calibrated scenario, after checking that the entry belongs to the joint group `joint`.
pub fn joint_column(doc: &toml::Table, joint: &str, param: &str, key: &str) -> Vec<f64> {
    let u = doc["uncertainty"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["param"].as_str() == Some(param))
        .unwrap_or_else(|| panic!("no [[uncertainty]] for {param}"));
    assert_eq!(u["joint"].as_str(), Some(joint), "{param}");
    u[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect()
}
