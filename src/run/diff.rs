//! `cohesion diff RUN_A RUN_B`: two finished runs of the same outcomes side by side, e.g.
//! before and after a change of a parameter.
//!
//! Two runs with the same seed and number of trials drew the same random numbers for trial k
//! (streams come from seed, trial and purpose), so their trials pair up: the difference B − A
//! is then the mean of the trial-by-trial differences read from both `trials.csv`, with the
//! paired 95% interval (Newcombe's paired score interval for a yes/no outcome, as in
//! `comparison.csv`), far sharper than two independent summaries allow. Otherwise the runs are
//! independent, and each difference comes from each run's own summary: for a number, Welch's
//! interval from the two means and their Monte Carlo standard errors (`summary.csv`'s `mean`
//! and `mcse`); for a yes/no outcome, Newcombe's hybrid score interval for two independent
//! proportions (Newcombe 1998, Stat Med 17:873, method 10), so a rare event is not read as firm
//! on a few trials. Each gets the verdict of [`crate::stats::verdict`] against run B's
//! negligible band. A categorical outcome has no difference of means and is left to the two
//! reports' distributions.
//!
//! What changed between the runs is listed too: every scenario key whose value differs (from
//! the `scenario.toml` each run writes; for older runs, the scenario file as it is now, when its
//! hash still matches the manifest), every other input file whose hash differs, and run
//! settings (seed, trials, model, version).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::output::manifest::RunManifest;
use crate::plot::data::{SummaryRow, open_table};
use crate::plot::labels;
use crate::stats::verdict::{self, Verdict};
use crate::stats::wilson95;

/// One option and outcome compared.
#[derive(Debug, Clone)]
pub struct DiffRow {
    pub option: String,
    pub outcome: String,
    pub kind: String,
    pub n_a: u64,
    pub n_b: u64,
    pub a: f64,
    pub b: f64,
    /// B − A, with its 95% interval.
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
}

/// A difference between the two runs' inputs or settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// A scenario key path (`policy[dialogue].levers.dialogue`), a file, or a run setting.
    pub key: String,
    pub a: String,
    pub b: String,
}

/// The comparison.
#[derive(Debug, Clone)]
pub struct RunDiff {
    /// Whether the differences are paired trial by trial (same seed and trials).
    pub paired: bool,
    pub rows: Vec<DiffRow>,
    pub changes: Vec<Change>,
    /// What could not be compared, and why.
    pub notes: Vec<String>,
}

fn read_summary(dir: &Path) -> Result<Vec<SummaryRow>> {
    let path = dir.join("summary.csv");
    let mut r = csv::Reader::from_reader(open_table(&path)?);
    let mut out = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        out.push(row.with_context(|| format!("{}: bad row {}", path.display(), i + 2))?);
    }
    Ok(out)
}

/// A finished run's manifest, or a clear error for anything else.
fn finished_run(dir: &Path) -> Result<RunManifest> {
    if !dir.is_dir() {
        bail!(
            "{}: no such folder; allowed: the folder of a finished `cohesion run`",
            dir.display()
        );
    }
    if crate::output::explore::is_explore_dir(dir) {
        bail!(
            "{} is an exploration (`cohesion explore`), not a run; allowed: the folders of two finished `cohesion run`s",
            dir.display()
        );
    }
    if !dir.join("manifest.json").exists() {
        bail!(
            "{} has no manifest.json: not a finished `cohesion run` (an interrupted run has none); allowed: the folder of a finished run",
            dir.display()
        );
    }
    RunManifest::read(dir)
}

fn only_in(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Compares run B with run A.
pub fn diff(a_dir: &Path, b_dir: &Path) -> Result<RunDiff> {
    let ma = finished_run(a_dir)?;
    let mb = finished_run(b_dir)?;
    let sa = read_summary(a_dir)?;
    let sb = read_summary(b_dir)?;
    let outcomes = |s: &[SummaryRow]| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for r in s {
            if !v.contains(&r.outcome) {
                v.push(r.outcome.clone());
            }
        }
        v
    };
    let (oa, ob) = (outcomes(&sa), outcomes(&sb));
    if oa != ob {
        bail!(
            "the runs report different outcomes (only in {}: {}; only in {}: {}); allowed: two runs of the same model and outcomes",
            a_dir.display(),
            list(&only_in(&oa, &ob)),
            b_dir.display(),
            list(&only_in(&ob, &oa))
        );
    }
    let (pa, pb) = (&ma.base.policies, &mb.base.policies);
    if pa != pb {
        bail!(
            "the runs have different options (only in {}: {}; only in {}: {}); allowed: two runs of the same options (`--policies` picks them)",
            a_dir.display(),
            list(&only_in(pa, pb)),
            b_dir.display(),
            list(&only_in(pb, pa))
        );
    }
    let index: BTreeMap<(&str, &str), &SummaryRow> = sa
        .iter()
        .map(|r| ((r.option.as_str(), r.outcome.as_str()), r))
        .collect();
    let band = |o: &str| -> f64 {
        mb.base
            .negligible
            .get(o)
            .or_else(|| ma.base.negligible.get(o))
            .copied()
            .unwrap_or(0.0)
    };
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let pairs = if ma.base.seed == mb.base.seed && ma.base.trials == mb.base.trials {
        match paired_moments(a_dir, b_dir, pb) {
            Ok(p) => Some(p),
            Err(e) => {
                notes.push(format!(
                    "same seed and trials, but the trials could not be paired ({e:#}): independent intervals"
                ));
                None
            }
        }
    } else {
        None
    };
    for rb in &sb {
        let Some(ra) = index.get(&(rb.option.as_str(), rb.outcome.as_str())) else {
            continue;
        };
        if rb.kind.starts_with("category") {
            if rb.option == pb[0] {
                notes.push(format!(
                    "{} is categorical: compare its distributions in the two reports",
                    rb.outcome
                ));
            }
            continue;
        }
        let binary = rb.kind == "binary";
        let paired = pairs
            .as_ref()
            .and_then(|p| p.get(&(rb.option.clone(), rb.outcome.clone())));
        let (a, b, lo, hi) = if let Some(pm) = paired {
            let (a, b) = if binary {
                (ra.prob.unwrap_or(f64::NAN), rb.prob.unwrap_or(f64::NAN))
            } else {
                (ra.mean.unwrap_or(f64::NAN), rb.mean.unwrap_or(f64::NAN))
            };
            let (lo, hi) = if binary {
                let [e, f, g, h] = pm.table;
                verdict::newcombe_paired(e, f, g, h)
            } else {
                pm.d.ci95()
            };
            (a, b, lo, hi)
        } else if binary {
            let (Some(p_a), Some(p_b)) = (ra.prob, rb.prob) else {
                continue;
            };
            let k_a = (p_a * ra.n as f64).round() as u64;
            let k_b = (p_b * rb.n as f64).round() as u64;
            let (lo, hi) = newcombe_independent(k_b, rb.n, k_a, ra.n);
            (p_a, p_b, lo, hi)
        } else {
            let (Some(m_a), Some(m_b)) = (ra.mean, rb.mean) else {
                continue;
            };
            let (_, lo, hi) = verdict::welch(
                m_a,
                ra.mcse.unwrap_or(0.0),
                ra.n,
                m_b,
                rb.mcse.unwrap_or(0.0),
                rb.n,
            );
            (m_a, m_b, lo, hi)
        };
        let v = verdict::verdict(
            lo,
            hi,
            band(&rb.outcome),
            labels::outcome(&rb.outcome).higher_is_better,
        );
        rows.push(DiffRow {
            option: rb.option.clone(),
            outcome: rb.outcome.clone(),
            kind: rb.kind.clone(),
            n_a: ra.n,
            n_b: rb.n,
            a,
            b,
            diff: b - a,
            lo,
            hi,
            verdict: v,
        });
    }
    let mut changes = settings(&ma, &mb);
    changes.extend(file_changes(&ma, &mb));
    match (scenario_of(a_dir, &ma), scenario_of(b_dir, &mb)) {
        (Ok(ta), Ok(tb)) => changes.extend(key_changes(&ta, &tb)),
        (Err(e), _) | (_, Err(e)) => notes.push(format!("scenario keys not compared: {e:#}")),
    }
    Ok(RunDiff {
        paired: pairs.is_some(),
        rows,
        changes,
        notes,
    })
}

/// The trial-by-trial differences B − A of one option and outcome.
#[derive(Debug, Clone, Default)]
struct Paired {
    d: crate::stats::Moments,
    /// For a yes/no outcome: trials yes in both, in B only, in A only, in neither.
    table: [u64; 4],
}

/// Pairs the rows of the two runs' `trials.csv` (same trial, same option, in the same order)
/// and folds the differences of every outcome column both have.
fn paired_moments(
    a_dir: &Path,
    b_dir: &Path,
    options: &[String],
) -> Result<BTreeMap<(String, String), Paired>> {
    let open = |d: &Path| -> Result<csv::Reader<Box<dyn std::io::Read>>> {
        Ok(csv::Reader::from_reader(open_table(&d.join("trials.csv"))?))
    };
    let (mut ra, mut rb) = (open(a_dir)?, open(b_dir)?);
    let ha: Vec<String> = ra.headers()?.iter().map(str::to_string).collect();
    let hb: Vec<String> = rb.headers()?.iter().map(str::to_string).collect();
    // Outcome columns: from the first column named in summary order; both files must have it.
    let cols: Vec<(String, usize, usize)> = hb
        .iter()
        .enumerate()
        .skip(2)
        .filter_map(|(j, name)| Some((name.clone(), ha.iter().position(|h| h == name)?, j)))
        .collect();
    let mut acc: BTreeMap<(String, String), Paired> = BTreeMap::new();
    let (mut x, mut y) = (csv::StringRecord::new(), csv::StringRecord::new());
    loop {
        let (ga, gb) = (ra.read_record(&mut x)?, rb.read_record(&mut y)?);
        if ga != gb {
            bail!("the two trials.csv have different numbers of rows");
        }
        if !ga {
            break;
        }
        if x.get(0) != y.get(0) || x.get(1) != y.get(1) {
            bail!(
                "row for trial {} option {} in A, trial {} option {} in B",
                x.get(0).unwrap_or(""),
                x.get(1).unwrap_or(""),
                y.get(0).unwrap_or(""),
                y.get(1).unwrap_or("")
            );
        }
        let opt = y.get(1).unwrap_or("");
        if !options.iter().any(|o| o == opt) {
            continue;
        }
        for (name, ia, ib) in &cols {
            let (Ok(va), Ok(vb)) = (
                x.get(*ia).unwrap_or("").parse::<f64>(),
                y.get(*ib).unwrap_or("").parse::<f64>(),
            ) else {
                continue;
            };
            let p = acc.entry((opt.to_string(), name.clone())).or_default();
            p.d.push(vb - va);
            let cell = match (vb == 1.0, va == 1.0) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            p.table[cell] += 1;
        }
    }
    Ok(acc)
}

/// Newcombe's hybrid score 95% interval for p₁ − p₂ of two independent proportions k₁/n₁ and
/// k₂/n₂ (Newcombe 1998, Stat Med 17:873–890, method 10).
pub fn newcombe_independent(k1: u64, n1: u64, k2: u64, n2: u64) -> (f64, f64) {
    if n1 == 0 || n2 == 0 {
        return (-1.0, 1.0);
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let (l1, u1) = wilson95(k1, n1);
    let (l2, u2) = wilson95(k2, n2);
    let d = p1 - p2;
    (
        (d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt()).max(-1.0),
        (d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt()).min(1.0),
    )
}

/// Run settings that differ.
fn settings(a: &RunManifest, b: &RunManifest) -> Vec<Change> {
    let (a, b) = (&a.base, &b.base);
    let pairs = [
        ("(run) scenario", a.scenario.clone(), b.scenario.clone()),
        ("(run) model", a.model.clone(), b.model.clone()),
        ("(run) seed", a.seed.to_string(), b.seed.to_string()),
        ("(run) trials", a.trials.to_string(), b.trials.to_string()),
        ("(run) baseline", a.baseline.clone(), b.baseline.clone()),
        (
            "(run) cohesion version",
            a.cohesion_version.clone(),
            b.cohesion_version.clone(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(k, x, y)| Change {
            key: k.into(),
            a: x,
            b: y,
        })
        .collect()
}

/// Input files other than the scenario itself (actor tables, files it extends) whose hash
/// differs, by their position in the list of files read.
fn file_changes(a: &RunManifest, b: &RunManifest) -> Vec<Change> {
    let short = |h: &str| h.chars().take(12).collect::<String>() + "…";
    let mut out = Vec::new();
    let n = a.base.files.len().max(b.base.files.len());
    for i in 1..n {
        match (a.base.files.get(i), b.base.files.get(i)) {
            (Some(x), Some(y)) if x.blake3 != y.blake3 || x.path != y.path => out.push(Change {
                key: format!("(file) {}", y.path),
                a: format!("{} BLAKE3 {}", x.path, short(&x.blake3)),
                b: format!("{} BLAKE3 {}", y.path, short(&y.blake3)),
            }),
            (Some(x), None) => out.push(Change {
                key: format!("(file) {}", x.path),
                a: "read".into(),
                b: "not read".into(),
            }),
            (None, Some(y)) => out.push(Change {
                key: format!("(file) {}", y.path),
                a: "not read".into(),
                b: "read".into(),
            }),
            _ => {}
        }
    }
    out
}

/// The scenario a run read: its `scenario.toml`, else the recorded file when its hash still
/// matches.
fn scenario_of(dir: &Path, m: &RunManifest) -> Result<toml::Table> {
    let copy = dir.join("scenario.toml");
    if copy.exists() {
        let text = std::fs::read_to_string(&copy)
            .with_context(|| format!("cannot read {}", copy.display()))?;
        return text
            .parse()
            .with_context(|| format!("{} is not TOML", copy.display()));
    }
    let origin = match m.base.scenario_path.strip_prefix("builtin:") {
        Some(n) => crate::scenario::Origin::Builtin(n.to_string()),
        None => crate::scenario::Origin::File(
            m.extras
                .scenario_abs_path
                .clone()
                .unwrap_or_else(|| m.base.scenario_path.clone())
                .into(),
        ),
    };
    let stacked = crate::scenario::source::load_stacked(origin).map_err(|e| {
        anyhow::anyhow!(
            "{} has no scenario.toml and its scenario no longer loads: {e}",
            dir.display()
        )
    })?;
    let now = stacked
        .files
        .first()
        .map(|f| f.blake3.as_str())
        .unwrap_or("");
    if now != m.base.scenario_blake3 {
        bail!(
            "{} has no scenario.toml (written by newer versions) and the scenario file {} has changed since that run",
            dir.display(),
            m.base.scenario_path
        );
    }
    Ok(stacked.table)
}

/// The scenario's values by key path; entries of an array of tables are named by their
/// `name` (options, actors) or `param` (uncertainties) when they have one.
fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        toml::Value::Array(a) if a.iter().all(|x| x.is_table()) && !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                let id = x
                    .get("name")
                    .or_else(|| x.get("param"))
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string());
                flatten(&format!("{prefix}[{id}]"), x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Every key whose value differs between two scenarios (absent on one side: "–").
pub fn key_changes(a: &toml::Table, b: &toml::Table) -> Vec<Change> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    flatten("", &toml::Value::Table(a.clone()), &mut fa);
    flatten("", &toml::Value::Table(b.clone()), &mut fb);
    let mut keys: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| fa.get(*k) != fb.get(*k))
        .map(|k| Change {
            key: k.clone(),
            a: fa.get(k).cloned().unwrap_or_else(|| "–".into()),
            b: fb.get(k).cloned().unwrap_or_else(|| "–".into()),
        })
        .collect()
}

/// `--out FILE.csv`: one row per option and outcome.
pub fn write_csv(d: &RunDiff, path: &Path) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "option",
        "outcome",
        "kind",
        "n_a",
        "n_b",
        "a",
        "b",
        "diff",
        "diff_lo95",
        "diff_hi95",
        "verdict",
    ])?;
    let f = crate::kernel::fmt::fmt_f64;
    for r in &d.rows {
        w.write_record([
            r.option.clone(),
            r.outcome.clone(),
            r.kind.clone(),
            r.n_a.to_string(),
            r.n_b.to_string(),
            f(r.a),
            f(r.b),
            f(r.diff),
            f(r.lo),
            f(r.hi),
            r.verdict.word().to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::kernel::fs::write_atomic(path, &bytes).map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newcombe_independent_reproduces_the_papers_examples() {
        // Newcombe (1998), "Interval estimation for the difference between independent
        // proportions: comparison of eleven methods", Stat Med 17:873–890, Table II, method 10:
        // 56/70 − 48/80 → 0.0524 to 0.3339; 9/10 − 3/10 → 0.1705 to 0.8090.
        let (a, b) = newcombe_independent(56, 70, 48, 80);
        assert!(
            (a - 0.0524).abs() < 1e-4 && (b - 0.3339).abs() < 1e-4,
            "{a} {b}"
        );
        let (a, b) = newcombe_independent(9, 10, 3, 10);
        assert!(
            (a - 0.1705).abs() < 1e-4 && (b - 0.8090).abs() < 1e-4,
            "{a} {b}"
        );
    }

    #[test]
    fn key_changes_name_options_and_uncertainties() {
        let a: toml::Table = r#"
[outcomes]
x = 1
[[policy]]
name = "p"
levers = { d = 0.5 }
[[uncertainty]]
param = "u"
max = 1.0
"#
        .parse()
        .unwrap();
        let b: toml::Table = r#"
[outcomes]
x = 1
y = 2
[[policy]]
name = "p"
levers = { d = 0.7 }
[[uncertainty]]
param = "u"
max = 1.0
"#
        .parse()
        .unwrap();
        let c = key_changes(&a, &b);
        assert_eq!(
            c,
            vec![
                Change {
                    key: "outcomes.y".into(),
                    a: "–".into(),
                    b: "2".into()
                },
                Change {
                    key: "policy[p].levers.d".into(),
                    a: "0.5".into(),
                    b: "0.7".into()
                },
            ]
        );
    }
}
