//! `summary.csv`, `timeseries.csv` and `comparison.csv`, from the accumulated statistics.
//!
//! A categorical outcome (the label in force) is never averaged: its summary row keeps only
//! `n` (the report shows the share of trials in each category, from `trials.csv`), and its
//! comparison row is blank. `comparison.csv` ends with a verdict on each difference against
//! the scenario's negligible band ([`crate::stats::verdict`]); a yes/no outcome's interval
//! there is Newcombe's paired score interval, not the normal one.

use std::path::Path;

use anyhow::{Context, Result};

use crate::model::OutcomeKind;
use crate::stats::verdict::{newcombe_paired, paired_table, verdict};
use crate::stats::{Accumulators, Moments, wilson95};

use crate::kernel::fmt::fmt_f64;

const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The `kind` column: `real`, `count`, `binary`, `turn`, or `category:NAME|NAME|…` (the
/// names of the categories, in the order of the positions `trials.csv` holds).
fn kind_name(k: OutcomeKind) -> String {
    match k {
        OutcomeKind::Real { .. } => "real".into(),
        OutcomeKind::Count => "count".into(),
        OutcomeKind::Binary => "binary".into(),
        OutcomeKind::Turn => "turn".into(),
        OutcomeKind::Category(names) => format!("category:{}", names.join("|")),
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(fmt_f64).unwrap_or_default()
}

/// Mean, sd, MCSE and the 95% interval of the mean; blank where undefined: everything for no
/// value, all but the mean for one (a spread of one value is unknown, not zero).
fn moments_cells(m: &Moments) -> Vec<String> {
    if m.n == 0 {
        return vec![String::new(); 5];
    }
    if m.n == 1 {
        return vec![
            fmt_f64(m.mean),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
    }
    let (lo, hi) = m.ci95();
    vec![
        fmt_f64(m.mean),
        fmt_f64(m.sd()),
        fmt_f64(m.mcse()),
        fmt_f64(lo),
        fmt_f64(hi),
    ]
}

fn writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))
}

/// Per option and outcome: n, mean, sd, MCSE, 95% interval of the mean, quantiles, min, max;
/// for yes/no outcomes the probability with its Wilson 95% interval.
pub fn write_summary(acc: &Accumulators, path: &Path) -> Result<()> {
    let l = &acc.layout;
    let mut w = writer(path)?;
    w.write_record([
        "option",
        "outcome",
        "kind",
        "n",
        "mean",
        "sd",
        "mcse",
        "mean_lo95",
        "mean_hi95",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
        "min",
        "max",
        "prob",
        "prob_lo95",
        "prob_hi95",
    ])?;
    for (p, pname) in l.policies.iter().enumerate() {
        for (o, spec) in l.outcomes.iter().enumerate() {
            let m = &acc.moments.out[p * l.outcomes.len() + o];
            let sk = acc.out_sketch(p, o);
            let mut row = vec![
                pname.clone(),
                spec.name.clone(),
                kind_name(spec.kind),
                m.n.to_string(),
            ];
            if let OutcomeKind::Category(_) = spec.kind {
                // Positions in a list of names: no mean, no quantiles.
                row.extend(vec![String::new(); 15]);
                w.write_record(&row)?;
                continue;
            }
            row.extend(moments_cells(m));
            for q in QS {
                row.push(opt(sk.quantile(q, m.min, m.max)));
            }
            row.push(if m.n > 0 {
                fmt_f64(m.min)
            } else {
                String::new()
            });
            row.push(if m.n > 0 {
                fmt_f64(m.max)
            } else {
                String::new()
            });
            if spec.kind == OutcomeKind::Binary {
                let k = acc.yes_count(p, o);
                let (lo, hi) = wilson95(k, m.n);
                let prob = if m.n > 0 {
                    k as f64 / m.n as f64
                } else {
                    f64::NAN
                };
                row.extend([fmt_f64(prob), fmt_f64(lo), fmt_f64(hi)]);
            } else {
                row.extend([String::new(), String::new(), String::new()]);
            }
            w.write_record(&row)?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Per option, turn and metric: mean and quantiles.
pub fn write_timeseries(acc: &Accumulators, path: &Path) -> Result<()> {
    let l = &acc.layout;
    let s_n = l.series.len();
    let mut w = writer(path)?;
    w.write_record([
        "option", "turn", "metric", "n", "mean", "p5", "p25", "p50", "p75", "p95",
    ])?;
    for (p, pname) in l.policies.iter().enumerate() {
        for t in 0..l.turns {
            for (s, spec) in l.series.iter().enumerate() {
                let i = (p * l.turns + t) * s_n + s;
                let m = &acc.moments.ser[i];
                let sk = &acc.sketches.ser[i];
                let mut row = vec![
                    pname.clone(),
                    (t + 1).to_string(),
                    spec.name.clone(),
                    m.n.to_string(),
                ];
                row.push(if m.n > 0 {
                    fmt_f64(m.mean)
                } else {
                    String::new()
                });
                for q in QS {
                    row.push(opt(sk.quantile(q, m.min, m.max)));
                }
                w.write_record(&row)?;
            }
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Each option against the baseline: the paired mean difference of each outcome (same
/// trials, same random numbers) with its 95% interval (Newcombe's paired score interval for a
/// yes/no outcome) and the verdict against the outcome's negligible band (`band`), read with
/// the outcome's better direction (`better`, when known).
pub fn write_comparison(
    acc: &Accumulators,
    path: &Path,
    band: &dyn Fn(&str) -> f64,
    better: &dyn Fn(&str) -> Option<bool>,
) -> Result<()> {
    let l = &acc.layout;
    let mut w = writer(path)?;
    w.write_record([
        "option",
        "baseline",
        "outcome",
        "n",
        "mean_diff",
        "sd_diff",
        "mcse",
        "diff_lo95",
        "diff_hi95",
        "verdict",
    ])?;
    let base = &l.policies[l.baseline];
    for (p, pname) in l.policies.iter().enumerate() {
        if p == l.baseline {
            continue;
        }
        for (o, spec) in l.outcomes.iter().enumerate() {
            let m = &acc.moments.diff[p * l.outcomes.len() + o];
            let mut row = vec![
                pname.clone(),
                base.clone(),
                spec.name.clone(),
                m.n.to_string(),
            ];
            if let OutcomeKind::Category(_) = spec.kind {
                row.extend(vec![String::new(); 6]);
                w.write_record(&row)?;
                continue;
            }
            let mut cells = moments_cells(m);
            let (mut lo, mut hi) = m.ci95();
            if spec.kind == OutcomeKind::Binary && m.n > 0 {
                let sum_d2 = m.m2 + m.n as f64 * m.mean * m.mean;
                let (e, f, g, h) =
                    paired_table(m.n, acc.yes_count(p, o), m.n as f64 * m.mean, sum_d2);
                (lo, hi) = newcombe_paired(e, f, g, h);
                cells[3] = fmt_f64(lo);
                cells[4] = fmt_f64(hi);
            }
            row.extend(cells);
            row.push(if m.n > 0 {
                verdict(lo, hi, band(&spec.name), better(&spec.name))
                    .word()
                    .to_string()
            } else {
                String::new()
            });
            w.write_record(&row)?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
