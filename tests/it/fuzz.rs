//! A property-based fuzzer of the scenario and CSV readers, on stable Rust (proptest).
//!
//! It mutates *valid* inputs, so that mutations get past the TOML and CSV parsers and reach
//! validation and the models: the seed corpus is every built-in scenario with its data files,
//! and a finished run folder for `plot`. A case is a short list of mutations, some aware of
//! the format (set a key of the TOML to an awkward value, remove or rename a key, duplicate an
//! entry; replace a CSV cell, duplicate, rename or drop a header column, duplicate or drop a
//! row), some blind (flip, insert or delete bytes). Each case must end in a result or a clear
//! error, never a panic: a scenario that loads is built and one trial of every option is run
//! on it; a run folder that loads is charted and reported. Errors must be safe to print.
//!
//! It runs for `COHESION_FUZZ_SECONDS` seconds per target (default 5; `.ci/run` sets 60), from
//! the seed `COHESION_FUZZ_SEED` (default: a fixed one, so CI is reproducible). A failure is
//! shrunk to a minimal list of mutations and reported with it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use cohesion::scenario::{Origin, builtin};

use crate::util;

/// Awkward values to put where a valid one was.
#[derive(Debug, Clone)]
enum Value {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    EmptyArray,
    EmptyTable,
}

fn value() -> impl Strategy<Value = Value> {
    let texts = prop_oneof![
        Just(String::new()),
        Just("x".repeat(1000)),
        Just("nato\u{1b}[2J".to_string()),
        Just("a\0b".to_string()),
        Just("\u{202e}evil".to_string()),
        Just("2021-13".to_string()),
        Just("2022-06-31".to_string()),
        Just("October 2021".to_string()),
        Just("2024-02-29".to_string()),
        Just("../../../etc/passwd".to_string()),
        Just("nato-2021.toml".to_string()),
        Just("data/nato-allies-2021.csv".to_string()),
        Just("reference/data/soe-pol-comp.csv".to_string()),
        Just("uniform".to_string()),
        Just("choice".to_string()),
        Just("alliance".to_string()),
        Just("hegselmann-krause".to_string()),
        Just("status-quo".to_string()),
        Just("adversary".to_string()),
        Just("NaN".to_string()),
        Just("1e308".to_string()),
        "[a-z_.-]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ];
    prop_oneof![
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(2),
            Just(36),
            Just(10_000),
            Just(10_001),
            Just(100_000),
            Just(1_000_000),
            Just(i64::MAX),
            Just(i64::MIN),
            any::<i64>(),
            -100i64..100,
        ]
        .prop_map(Value::Int),
        prop_oneof![
            Just(0.0f64),
            Just(-0.0),
            Just(0.5),
            Just(1.0),
            Just(-1.0),
            Just(1e308),
            Just(-1e308),
            Just(5e-324),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            any::<f64>(),
            -2.0f64..2.0,
        ]
        .prop_map(Value::Float),
        texts.prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::EmptyArray),
        Just(Value::EmptyTable),
    ]
}

impl Value {
    fn toml(&self) -> toml::Value {
        match self {
            Value::Int(i) => toml::Value::Integer(*i),
            Value::Float(x) => toml::Value::Float(*x),
            Value::Text(s) => toml::Value::String(s.clone()),
            Value::Bool(b) => toml::Value::Boolean(*b),
            Value::EmptyArray => toml::Value::Array(Vec::new()),
            Value::EmptyTable => toml::Value::Table(toml::Table::new()),
        }
    }

    fn cell(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Text(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::EmptyArray | Value::EmptyTable => String::new(),
        }
    }
}

/// One change to a file. Indices pick among what the file has (modulo its size), so a
/// mutation means something for any file and shrinks well.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the `at`-th value of the TOML (depth first, entries of arrays included).
    SetValue {
        at: usize,
        to: Value,
    },
    /// Remove the `at`-th key.
    RemoveKey {
        at: usize,
    },
    /// Rename the `at`-th key.
    RenameKey {
        at: usize,
        to: String,
    },
    /// Append a copy of an entry of the `at`-th array (of tables): duplicate names and params.
    DuplicateEntry {
        at: usize,
    },
    /// Replace a CSV cell.
    Cell {
        row: usize,
        col: usize,
        to: Value,
    },
    /// Write a header column twice.
    DuplicateColumn {
        col: usize,
    },
    /// Rename a header column.
    RenameColumn {
        col: usize,
        to: String,
    },
    /// Drop a column from the header only (rows keep their cells).
    DropHeaderColumn {
        col: usize,
    },
    /// Duplicate or drop a data row.
    Row {
        row: usize,
        drop: bool,
    },
    /// Blind edits of the bytes.
    FlipByte {
        at: usize,
        mask: u8,
    },
    InsertBytes {
        at: usize,
        bytes: Vec<u8>,
    },
    DeleteBytes {
        at: usize,
        len: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let name = prop_oneof![
        "[a-z_]{1,10}",
        Just("name".to_string()),
        Just("extends".to_string()),
        Just("file".to_string()),
        Just("baseline".to_string()),
    ];
    prop_oneof![
        4 => (any::<usize>(), value()).prop_map(|(at, to)| Mutation::SetValue { at, to }),
        1 => any::<usize>().prop_map(|at| Mutation::RemoveKey { at }),
        1 => (any::<usize>(), name.clone()).prop_map(|(at, to)| Mutation::RenameKey { at, to }),
        1 => any::<usize>().prop_map(|at| Mutation::DuplicateEntry { at }),
        3 => (any::<usize>(), any::<usize>(), value())
            .prop_map(|(row, col, to)| Mutation::Cell { row, col, to }),
        1 => any::<usize>().prop_map(|col| Mutation::DuplicateColumn { col }),
        1 => (any::<usize>(), name).prop_map(|(col, to)| Mutation::RenameColumn { col, to }),
        1 => any::<usize>().prop_map(|col| Mutation::DropHeaderColumn { col }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(row, drop)| Mutation::Row { row, drop }),
        1 => (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::FlipByte { at, mask }),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::InsertBytes { at, bytes }),
        1 => (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::DeleteBytes { at, len }),
    ]
}

/// The places of a TOML document, depth first: (table path of keys and indices).
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn places(v: &toml::Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                path.push(Step::Key(k.clone()));
                out.push(path.clone());
                places(x, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Step::Index(i));
                out.push(path.clone());
                places(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut toml::Value, path: &[Step]) -> Option<&'a mut toml::Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.as_table_mut()?.get_mut(k)?,
            Step::Index(i) => cur.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

fn get<'a>(v: &'a toml::Value, path: &[Step]) -> Option<&'a toml::Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.as_table()?.get(k)?,
            Step::Index(i) => cur.as_array()?.get(*i)?,
        };
    }
    Some(cur)
}

fn pick<T: Clone>(items: &[T], at: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[at % items.len()].clone())
}

/// Applies a structured TOML mutation; `None` when it does not apply (the text is kept).
fn mutate_toml(text: &str, m: &Mutation) -> Option<String> {
    let mut doc = toml::Value::Table(text.parse::<toml::Table>().ok()?);
    let mut all = Vec::new();
    places(&doc, &mut Vec::new(), &mut all);
    match m {
        Mutation::SetValue { at, to } => {
            let p = pick(&all, *at)?;
            *get_mut(&mut doc, &p)? = to.toml();
        }
        Mutation::RemoveKey { at } | Mutation::RenameKey { at, .. } => {
            let keys: Vec<Vec<Step>> = all
                .into_iter()
                .filter(|p| matches!(p.last(), Some(Step::Key(_))))
                .collect();
            let mut p = pick(&keys, *at)?;
            let Some(Step::Key(k)) = p.pop() else {
                return None;
            };
            let parent = get_mut(&mut doc, &p)?.as_table_mut()?;
            let v = parent.remove(&k)?;
            if let Mutation::RenameKey { to, .. } = m {
                parent.insert(to.clone(), v);
            }
        }
        Mutation::DuplicateEntry { at } => {
            let arrays: Vec<Vec<Step>> = all
                .into_iter()
                .filter(|p| {
                    get(&doc, p)
                        .and_then(|v| v.as_array())
                        .is_some_and(|a| !a.is_empty())
                })
                .collect();
            let p = pick(&arrays, *at)?;
            let a = get_mut(&mut doc, &p)?.as_array_mut()?;
            let e = a[*at % a.len()].clone();
            a.push(e);
        }
        _ => return None,
    }
    toml::to_string(&doc).ok()
}

/// Applies a structured CSV mutation; `None` when it does not apply.
fn mutate_csv(text: &str, m: &Mutation) -> Option<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()
        .ok()?;
    if rows.is_empty() {
        return None;
    }
    let width = rows[0].len().max(1);
    match m {
        Mutation::Cell { row, col, to } => {
            let r = if rows.len() > 1 {
                1 + row % (rows.len() - 1)
            } else {
                0
            };
            let c = col % rows[r].len().max(1);
            if rows[r].is_empty() {
                return None;
            }
            rows[r][c] = to.cell();
        }
        Mutation::DuplicateColumn { col } => {
            let h = rows[0][col % width].clone();
            rows[0].push(h);
            for r in rows.iter_mut().skip(1) {
                let v = r.get(col % width).cloned().unwrap_or_default();
                r.push(v);
            }
        }
        Mutation::RenameColumn { col, to } => rows[0][col % width] = to.clone(),
        Mutation::DropHeaderColumn { col } => {
            rows[0].remove(col % width);
        }
        Mutation::Row { row, drop } => {
            if rows.len() < 2 {
                return None;
            }
            let r = 1 + row % (rows.len() - 1);
            if *drop {
                rows.remove(r);
            } else {
                let copy = rows[r].clone();
                rows.insert(r, copy);
            }
        }
        _ => return None,
    }
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).ok()?;
    }
    String::from_utf8(w.into_inner().ok()?).ok()
}

/// Applies a blind byte mutation.
fn mutate_bytes(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    match m {
        Mutation::FlipByte { at, mask } if n > 0 => bytes[at % n] ^= mask,
        Mutation::InsertBytes { at, bytes: b } => {
            let i = at % (n + 1);
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::DeleteBytes { at, len } if n > 0 => {
            let i = at % n;
            bytes.drain(i..(i + len).min(n));
        }
        _ => {}
    }
}

/// Applies a mutation to a file, by its kind.
fn mutate(bytes: &mut Vec<u8>, name: &str, m: &Mutation) {
    let text = String::from_utf8_lossy(bytes).to_string();
    let structured = if name.ends_with(".toml") {
        mutate_toml(&text, m)
    } else if name.ends_with(".csv") {
        mutate_csv(&text, m)
    } else {
        None
    };
    match structured {
        Some(t) => *bytes = t.into_bytes(),
        None => mutate_bytes(bytes, m),
    }
}

/// How long each target runs, and from which seed.
fn budget() -> (Duration, [u8; 32]) {
    let secs: f64 = std::env::var("COHESION_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let seed: u64 = std::env::var("COHESION_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20211018);
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    (Duration::from_secs_f64(secs), s)
}

/// Runs `check` on cases of `strategy` until the time is up; a failure is shrunk and reported.
fn fuzz<S: Strategy>(
    target: &str,
    strategy: S,
    secs: Duration,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let (_, seed) = budget();
    let config = Config {
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let t0 = Instant::now();
    let mut cases = 0u64;
    while t0.elapsed() < secs {
        let tree = strategy.new_tree(&mut runner).expect("a case");
        if let Err(e) = runner.run_one(tree, &check) {
            panic!("fuzz {target}: after {cases} cases: {e}");
        }
        cases += 1;
    }
    eprintln!(
        "fuzz {target}: {cases} cases in {:.1} s, no failure",
        t0.elapsed().as_secs_f64()
    );
    assert!(cases > 0);
}

/// Whether printing `text` on a terminal is safe (no control character but newline and tab).
fn terminal_safe(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// The scenarios of the corpus: (main file, every built-in file is written beside it).
fn corpus() -> Vec<&'static str> {
    builtin::FILES
        .iter()
        .map(|(p, _)| *p)
        // Scenarios only: targets files (calibration/) are another format, read by calibrate.
        .filter(|p| p.ends_with(".toml") && !p.ends_with(".targets.toml"))
        .collect()
}

/// Whether one trial of every option of `sc` is cheap enough to run in a fuzz case.
fn cheap(sc: &cohesion::scenario::Scenario) -> bool {
    let param = |name: &str| {
        sc.model
            .params
            .iter()
            .position(|p| p.name == name)
            .map_or(1.0, |i| {
                let mut v = sc.base[i];
                for u in &sc.uncertainties {
                    if u.param == i {
                        v = v.max(u.dist.support().1);
                    }
                }
                for p in &sc.policies {
                    for &(j, x) in &p.levers {
                        if j == i {
                            v = v.max(x);
                        }
                    }
                }
                v
            })
    };
    let work = sc.turns as f64
        * param("agents")
        * param("sweeps_per_turn")
        * sc.policies.len() as f64
        * sc.actors.as_ref().map_or(1.0, |a| a.len().max(1) as f64);
    work < 3e6
}

#[test]
fn fuzz_scenarios_and_their_data_files() {
    let (secs, _) = budget();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let scenarios = corpus();
    // The files each scenario reads (itself, its parents, its data): what a case mutates.
    for (p, text) in builtin::FILES {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let reads: Vec<Vec<String>> = scenarios
        .iter()
        .map(|s| {
            let sc = cohesion::model::load_scenario(Origin::File(root.join(s))).unwrap();
            sc.files
                .iter()
                .map(|f| match &f.origin {
                    Origin::File(p) => p
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                    Origin::Builtin(n) => n.clone(),
                })
                .collect()
        })
        .collect();
    let strategy = (
        any::<usize>(),
        any::<usize>(),
        proptest::collection::vec(mutation(), 1..4),
    );
    let seen: [AtomicU64; 4] = Default::default();
    fuzz("scenarios", strategy, secs, |(s, f, muts)| {
        // A fresh copy of the files of a scenario, then the mutations to one of them.
        let i = s % scenarios.len();
        for p in &reads[i] {
            std::fs::write(root.join(p), builtin::get(p).unwrap()).unwrap();
        }
        let main = scenarios[i];
        let target = reads[i][f % reads[i].len()].as_str();
        let tpath = root.join(target);
        let mut bytes = builtin::get(target).unwrap().as_bytes().to_vec();
        for m in &muts {
            mutate(&mut bytes, target, m);
        }
        std::fs::write(&tpath, &bytes).unwrap();
        let r = check_scenario(&root.join(main));
        if let Ok(k) = &r {
            seen[*k as usize].fetch_add(1, Ordering::Relaxed);
        }
        r.map(|_| ())
    });
    let n: Vec<u64> = seen.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    eprintln!(
        "fuzz scenarios: {} refused by the TOML or CSV parser, {} by validation, {} valid and built, {} of them run",
        n[0], n[1], n[2], n[3]
    );
    // The mutations reach validation and the models, not only the parsers.
    assert!(n[1] > 0 && n[3] > 0, "{n:?}");
}

/// How far a fuzz case got.
#[derive(Clone, Copy)]
enum Reached {
    Parser = 0,
    Validation = 1,
    Built = 2,
    Ran = 3,
}

/// Loads a scenario file; when valid, builds it and runs one trial of every option.
fn check_scenario(path: &Path) -> Result<Reached, TestCaseError> {
    match cohesion::model::load_scenario(Origin::File(path.to_path_buf())) {
        Err(issues) => {
            prop_assert!(!issues.0.is_empty(), "refused with no problem named");
            let text = issues.to_string();
            prop_assert!(terminal_safe(&text), "unsafe message: {text:?}");
            let parser = issues.0.iter().any(|i| {
                i.message.contains("not valid TOML") || i.message.contains("malformed CSV")
            });
            Ok(if parser {
                Reached::Parser
            } else {
                Reached::Validation
            })
        }
        Ok(sc) => {
            prop_assert!(sc.turns >= 1 && sc.turns as u64 <= cohesion::scenario::keys::MAX_TURNS);
            if let Some(start) = &sc.start {
                prop_assert!(cohesion::kernel::time::parse_date(start).is_ok());
            }
            let Ok(sim) = cohesion::model::build(&sc) else {
                return Ok(Reached::Validation);
            };
            if cheap(&sc) {
                let exp = cohesion::engine::Experiment {
                    scenario: &sc,
                    sim: sim.as_ref(),
                    policies: (0..sc.policies.len()).collect(),
                    trials: 1,
                    seed: 1,
                    block_size: 1,
                    threads: 1,
                };
                let keys = cohesion::kernel::rng::StreamKeys::new(1);
                let block = exp.run_block(0, &keys, &exp.layout(), &AtomicBool::new(false));
                prop_assert!(block.is_some());
                return Ok(Reached::Ran);
            }
            Ok(Reached::Built)
        }
    }
}

/// A finished run folder of a small scenario with every table.
fn run_folder() -> (tempfile::TempDir, PathBuf) {
    let d = util::scenario_dir();
    util::write_files(d.path(), &[("small.toml", util::HK_SMALL)]);
    let out = d.path().join("run");
    util::run_to(
        d.path().join("small.toml").to_str().unwrap(),
        &out,
        2,
        &["--trials", "5", "--no-charts"],
    );
    (d, out)
}

#[test]
fn fuzz_run_folders_read_by_plot() {
    let (secs, _) = budget();
    let (_keep, source) = run_folder();
    let names = [
        "summary.csv",
        "timeseries.csv",
        "comparison.csv",
        "injects.csv",
        "policies.csv",
        "trials.csv",
        "manifest.json",
    ];
    let originals: Vec<(&str, Vec<u8>)> = names
        .iter()
        .map(|n| (*n, std::fs::read(source.join(n)).unwrap()))
        .collect();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("run");
    std::fs::create_dir_all(&dir).unwrap();
    let strategy = (
        any::<usize>(),
        proptest::collection::vec(mutation(), 1..4),
        any::<bool>(),
    );
    fuzz("run folders", strategy, secs / 2, |(f, muts, remove)| {
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();
        for (n, b) in &originals {
            std::fs::write(dir.join(n), b).unwrap();
        }
        let (name, orig) = &originals[f % originals.len()];
        if remove && *name != "manifest.json" && *name != "summary.csv" {
            std::fs::remove_file(dir.join(name)).unwrap();
        } else {
            let mut bytes = orig.clone();
            for m in &muts {
                mutate(&mut bytes, name, m);
            }
            std::fs::write(dir.join(name), &bytes).unwrap();
        }
        match cohesion::plot::RunData::load(&dir) {
            Err(e) => {
                let text = format!("{e:#}");
                prop_assert!(terminal_safe(&text), "unsafe message: {text:?}");
            }
            Ok(data) => {
                let opts = cohesion::plot::PlotOptions {
                    style: cohesion::plot::Style {
                        width: 320,
                        height: 240,
                        scale: 1.0,
                    },
                    format: cohesion::plot::Format::Svg,
                    only: None,
                    report: true,
                };
                let drawn = cohesion::plot::write_all(&data, &dir, &opts);
                if let Ok(drawn) = drawn {
                    cohesion::report::write(&data, &drawn, &dir).ok();
                }
            }
        }
        Ok(())
    });
}

#[test]
fn the_mutators_change_valid_files_in_the_intended_way() {
    let toml = "[scenario]\nname = \"a\"\nturns = 3\n[[policy]]\nname = \"p\"\n";
    let set: Vec<String> = (0..6)
        .map(|at| {
            let to = Value::Int(-1);
            mutate_toml(toml, &Mutation::SetValue { at, to }).unwrap()
        })
        .collect();
    assert!(set.iter().any(|s| s.contains("turns = -1")), "{set:?}");
    assert!(set.iter().any(|s| s.contains("name = -1")), "{set:?}");
    let dup = mutate_toml(toml, &Mutation::DuplicateEntry { at: 0 }).unwrap();
    assert_eq!(dup.matches("[[policy]]").count(), 2, "{dup}");
    let csv = "name,x\na,1\nb,2\n";
    let twice = mutate_csv(csv, &Mutation::DuplicateColumn { col: 1 }).unwrap();
    assert!(twice.starts_with("name,x,x\n"), "{twice}");
    let mut b = b"abc".to_vec();
    mutate_bytes(&mut b, &Mutation::DeleteBytes { at: 1, len: 5 });
    assert_eq!(b, b"a");
}
