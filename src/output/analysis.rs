//! The analysis tables of an exploration, and of `cohesion discover`: sensitivity indices,
//! PRIM's trajectories and chosen boxes, regret and satisficing.
//!
//! Each table is a list of plain rows, written here and read back here, so that charts and
//! reports drawn by `cohesion plot` come from the files alone, and so that a later command (a
//! run report's "what drives it", a comparison of two runs) can reuse them.
//!
//! - `sensitivity.csv`: `method,option,versus,outcome,index,parameter,with,value,lo95,hi95`.
//!   `versus` is blank for the option's own outcome and names the baseline for the paired
//!   difference option − baseline; `index` is S1, ST, S2 (with `with` the second parameter),
//!   mu_star, mu, sigma or rho.
//! - `prim.csv`: one row per box of each PRIM trajectory, `chosen` = 1 on the chosen box.
//! - `prim_box.csv`: the chosen box of each question, one row per restricted parameter, with
//!   its quasi-p-values.
//! - `robustness.csv`: regret of each option on each outcome with a known better direction,
//!   ranked by maximum regret (then 90th percentile, then mean).
//! - `satisficing.csv`: the share of points at which each option meets each declared threshold,
//!   and all of them (`criterion` = all).

use std::path::Path;

use anyhow::{Context, Result};

use super::explore::{PrimSettings, num, read_table};
use crate::kernel::fmt::fmt_f64;
use crate::stats::prim::{self, Data, Trajectory};

fn cell(x: f64) -> String {
    if x.is_finite() {
        fmt_f64(x)
    } else {
        String::new()
    }
}

fn write_rows(path: &Path, head: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(head)?;
    for r in rows {
        w.write_record(&r)?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Reads `path` as rows addressed by column name.
fn read_named(path: &Path, need: &[&str]) -> Result<Vec<Vec<String>>> {
    let (head, rows) = read_table(path)?;
    let mut idx = Vec::new();
    for n in need {
        idx.push(
            head.iter()
                .position(|h| h == n)
                .with_context(|| format!("{}: no column `{n}`", path.display()))?,
        );
    }
    Ok(rows
        .iter()
        .map(|r| {
            idx.iter()
                .map(|&i| r.get(i).unwrap_or("").to_string())
                .collect()
        })
        .collect())
}

/// One sensitivity index.
#[derive(Debug, Clone, PartialEq)]
pub struct SensRow {
    pub method: String,
    pub option: String,
    pub versus: String,
    pub outcome: String,
    pub index: String,
    pub parameter: String,
    pub with: String,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

const SENS: [&str; 10] = [
    "method",
    "option",
    "versus",
    "outcome",
    "index",
    "parameter",
    "with",
    "value",
    "lo95",
    "hi95",
];

pub fn write_sensitivity(path: &Path, rows: &[SensRow]) -> Result<()> {
    write_rows(
        path,
        &SENS,
        rows.iter().map(|r| {
            vec![
                r.method.clone(),
                r.option.clone(),
                r.versus.clone(),
                r.outcome.clone(),
                r.index.clone(),
                r.parameter.clone(),
                r.with.clone(),
                cell(r.value),
                cell(r.lo),
                cell(r.hi),
            ]
        }),
    )
}

pub fn read_sensitivity(path: &Path) -> Result<Vec<SensRow>> {
    Ok(read_named(path, &SENS)?
        .into_iter()
        .map(|r| SensRow {
            method: r[0].clone(),
            option: r[1].clone(),
            versus: r[2].clone(),
            outcome: r[3].clone(),
            index: r[4].clone(),
            parameter: r[5].clone(),
            with: r[6].clone(),
            value: num(&r[7]),
            lo: num(&r[8]),
            hi: num(&r[9]),
        })
        .collect())
}

/// One box of a PRIM trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimStep {
    /// Short id of the question (used in chart file names).
    pub question: String,
    /// The yes/no question, in words.
    pub yes_when: String,
    pub step: usize,
    /// init, peel or paste.
    pub phase: String,
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub n: usize,
    pub k: usize,
    pub res_dim: usize,
    pub chosen: bool,
}

const STEPS: [&str; 11] = [
    "question", "yes_when", "step", "phase", "coverage", "density", "mass", "n", "k", "res_dim",
    "chosen",
];

pub fn write_prim(path: &Path, rows: &[PrimStep]) -> Result<()> {
    write_rows(
        path,
        &STEPS,
        rows.iter().map(|r| {
            vec![
                r.question.clone(),
                r.yes_when.clone(),
                r.step.to_string(),
                r.phase.clone(),
                cell(r.coverage),
                cell(r.density),
                cell(r.mass),
                r.n.to_string(),
                r.k.to_string(),
                r.res_dim.to_string(),
                (r.chosen as u8).to_string(),
            ]
        }),
    )
}

pub fn read_prim(path: &Path) -> Result<Vec<PrimStep>> {
    Ok(read_named(path, &STEPS)?
        .into_iter()
        .map(|r| PrimStep {
            question: r[0].clone(),
            yes_when: r[1].clone(),
            step: r[2].parse().unwrap_or(0),
            phase: r[3].clone(),
            coverage: num(&r[4]),
            density: num(&r[5]),
            mass: num(&r[6]),
            n: r[7].parse().unwrap_or(0),
            k: r[8].parse().unwrap_or(0),
            res_dim: r[9].parse().unwrap_or(0),
            chosen: r[10] == "1",
        })
        .collect())
}

/// One restricted limit of a chosen box.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimLimit {
    pub question: String,
    pub parameter: String,
    pub lower: f64,
    pub upper: f64,
    /// The range of the parameter over all points.
    pub min: f64,
    pub max: f64,
    /// Quasi-p-values of the lower and upper limits (NaN: that side is not restricted).
    pub qp_lower: f64,
    pub qp_upper: f64,
}

const LIMITS: [&str; 8] = [
    "question",
    "parameter",
    "lower",
    "upper",
    "min",
    "max",
    "qp_lower",
    "qp_upper",
];

pub fn write_prim_box(path: &Path, rows: &[PrimLimit]) -> Result<()> {
    write_rows(
        path,
        &LIMITS,
        rows.iter().map(|r| {
            vec![
                r.question.clone(),
                r.parameter.clone(),
                cell(r.lower),
                cell(r.upper),
                cell(r.min),
                cell(r.max),
                cell(r.qp_lower),
                cell(r.qp_upper),
            ]
        }),
    )
}

pub fn read_prim_box(path: &Path) -> Result<Vec<PrimLimit>> {
    Ok(read_named(path, &LIMITS)?
        .into_iter()
        .map(|r| PrimLimit {
            question: r[0].clone(),
            parameter: r[1].clone(),
            lower: num(&r[2]),
            upper: num(&r[3]),
            min: num(&r[4]),
            max: num(&r[5]),
            qp_lower: num(&r[6]),
            qp_upper: num(&r[7]),
        })
        .collect())
}

/// The trajectory of one question as rows, and its chosen box's limits: the box chosen as
/// [`PrimSettings`] says (the densest with at least the minimum coverage, then its
/// non-significant restrictions lifted), shared by an exploration's analysis, `cohesion
/// discover` and a run's conditions table.
pub fn prim_rows(
    question: &str,
    yes_when: &str,
    t: &mut Trajectory,
    data: &Data,
    names: &[String],
    s: &PrimSettings,
) -> (Vec<PrimStep>, Vec<PrimLimit>, usize) {
    let chosen = prim::prune(data, t, t.choose(s.min_coverage), s.max_qp);
    let steps = t
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| PrimStep {
            question: question.into(),
            yes_when: yes_when.into(),
            step: i,
            phase: b.phase.name().into(),
            coverage: b.coverage,
            density: b.density,
            mass: b.mass,
            n: b.n,
            k: b.k,
            res_dim: b.res_dim,
            chosen: i == chosen,
        })
        .collect();
    let b = &t.boxes[chosen];
    let limits = prim::quasi_p(data, t, chosen)
        .into_iter()
        .map(|(d, lo, hi)| PrimLimit {
            question: question.into(),
            parameter: names[d].clone(),
            lower: b.lower[d],
            upper: b.upper[d],
            min: t.init_lower[d],
            max: t.init_upper[d],
            qp_lower: lo.unwrap_or(f64::NAN),
            qp_upper: hi.unwrap_or(f64::NAN),
        })
        .collect();
    (steps, limits, chosen)
}

/// Regret of one option on one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustRow {
    pub outcome: String,
    /// "higher" or "lower": which way is better.
    pub better: String,
    pub option: String,
    pub points: usize,
    pub mean: f64,
    pub regret_mean: f64,
    pub regret_p50: f64,
    pub regret_p90: f64,
    pub regret_max: f64,
    pub best_share: f64,
    /// 1 = most robust on this outcome.
    pub rank: usize,
}

const ROBUST: [&str; 11] = [
    "outcome",
    "better",
    "option",
    "points",
    "mean",
    "regret_mean",
    "regret_p50",
    "regret_p90",
    "regret_max",
    "best_share",
    "rank",
];

pub fn write_robustness(path: &Path, rows: &[RobustRow]) -> Result<()> {
    write_rows(
        path,
        &ROBUST,
        rows.iter().map(|r| {
            vec![
                r.outcome.clone(),
                r.better.clone(),
                r.option.clone(),
                r.points.to_string(),
                cell(r.mean),
                cell(r.regret_mean),
                cell(r.regret_p50),
                cell(r.regret_p90),
                cell(r.regret_max),
                cell(r.best_share),
                r.rank.to_string(),
            ]
        }),
    )
}

pub fn read_robustness(path: &Path) -> Result<Vec<RobustRow>> {
    Ok(read_named(path, &ROBUST)?
        .into_iter()
        .map(|r| RobustRow {
            outcome: r[0].clone(),
            better: r[1].clone(),
            option: r[2].clone(),
            points: r[3].parse().unwrap_or(0),
            mean: num(&r[4]),
            regret_mean: num(&r[5]),
            regret_p50: num(&r[6]),
            regret_p90: num(&r[7]),
            regret_max: num(&r[8]),
            best_share: num(&r[9]),
            rank: r[10].parse().unwrap_or(0),
        })
        .collect())
}

/// The share of points at which an option meets a threshold (or all of them).
#[derive(Debug, Clone, PartialEq)]
pub struct SatisRow {
    pub criterion: String,
    pub option: String,
    pub points: usize,
    pub met: usize,
    pub share: f64,
    pub rank: usize,
}

const SATIS: [&str; 6] = ["criterion", "option", "points", "met", "share", "rank"];

pub fn write_satisficing(path: &Path, rows: &[SatisRow]) -> Result<()> {
    write_rows(
        path,
        &SATIS,
        rows.iter().map(|r| {
            vec![
                r.criterion.clone(),
                r.option.clone(),
                r.points.to_string(),
                r.met.to_string(),
                cell(r.share),
                r.rank.to_string(),
            ]
        }),
    )
}

pub fn read_satisficing(path: &Path) -> Result<Vec<SatisRow>> {
    Ok(read_named(path, &SATIS)?
        .into_iter()
        .map(|r| SatisRow {
            criterion: r[0].clone(),
            option: r[1].clone(),
            points: r[2].parse().unwrap_or(0),
            met: r[3].parse().unwrap_or(0),
            share: num(&r[4]),
            rank: r[5].parse().unwrap_or(0),
        })
        .collect())
}

/// Ranks (1 = first) of items by `key`, ascending, ties broken by position.
pub fn rank_by<T>(items: &[T], key: impl Fn(&T) -> (f64, f64, f64)) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ka, kb) = (key(&items[a]), key(&items[b]));
        ka.0.total_cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.total_cmp(&kb.2))
            .then(a.cmp(&b))
    });
    let mut rank = vec![0; items.len()];
    for (r, &i) in idx.iter().enumerate() {
        rank[i] = r + 1;
    }
    rank
}
