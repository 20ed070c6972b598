//! `allies.csv`: the per-ally outcomes of a run, one row per (option, ally, metric).
//!
//! Every per-actor family of outcomes (`metric.<ally>` for every ally of the actor table,
//! [`crate::stats::actor_families`]) becomes rows of one tidy table, so that an analyst (or
//! the validation page) reads "Hungary's months on a unilateral channel under `as-happened`"
//! without parsing outcome names. Columns: `option, ally, metric, kind, n, mean, sd, p5, p50,
//! p95`, and for yes/no metrics `prob, prob_lo95, prob_hi95` (the Wilson 95% interval); blank
//! where a column does not apply. The values are those of `summary.csv`, from the same
//! accumulated statistics.

use std::path::Path;

use anyhow::{Context, Result};

use crate::kernel::fmt::fmt_f64;
use crate::spec::OutcomeKind;
use crate::stats::{Accumulators, actor_families, wilson95};

/// The header of `allies.csv`.
pub const HEADER: [&str; 13] = [
    "option",
    "ally",
    "metric",
    "kind",
    "n",
    "mean",
    "sd",
    "p5",
    "p50",
    "p95",
    "prob",
    "prob_lo95",
    "prob_hi95",
];

fn kind_name(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Real { .. } => "real",
        OutcomeKind::Count => "count",
        OutcomeKind::Binary => "binary",
        OutcomeKind::Turn => "turn",
        // No per-ally metric is categorical; were one, its mean would be meaningless.
        OutcomeKind::Category(_) => "category",
    }
}

/// The rows of `allies.csv` for the run's statistics and the actor table's names (options in
/// run order, then metrics in declaration order, then allies in table order). Empty when the
/// model reports no per-actor family.
pub fn rows(acc: &Accumulators, allies: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    each_row(acc, allies, &mut |r| {
        out.push(r);
        Ok(())
    })
    .ok();
    out
}

/// Hands each row of [`rows`] to `f`, in order, one at a time (a long horizon has a row per
/// option, ally and year of some metrics: they are written as made, never held together).
pub fn each_row(
    acc: &Accumulators,
    allies: &[String],
    f: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<()> {
    each_row_of(
        acc,
        allies,
        &actor_families(&acc.layout.outcomes, allies),
        f,
    )
}

fn each_row_of(
    acc: &Accumulators,
    allies: &[String],
    families: &[crate::stats::Family],
    f: &mut dyn FnMut(Vec<String>) -> Result<()>,
) -> Result<()> {
    let l = &acc.layout;
    let o_n = l.outcomes.len();
    for (p, pname) in l.policies.iter().enumerate() {
        for fam in families {
            for (a, &o) in allies.iter().zip(&fam.index) {
                let m = &acc.moments.out[p * o_n + o];
                let sk = acc.out_sketch(p, o);
                let q = |x: f64| {
                    sk.quantile(x, m.min, m.max)
                        .map(fmt_f64)
                        .unwrap_or_default()
                };
                let mut row = vec![
                    pname.clone(),
                    a.clone(),
                    fam.metric.clone(),
                    kind_name(fam.kind).to_string(),
                    m.n.to_string(),
                ];
                if m.n > 0 {
                    // The spread of a single value is unknown: blank, as in summary.csv.
                    let sd = if m.n > 1 {
                        fmt_f64(m.sd())
                    } else {
                        String::new()
                    };
                    row.extend([fmt_f64(m.mean), sd, q(0.05), q(0.5), q(0.95)]);
                } else {
                    row.extend(std::iter::repeat_n(String::new(), 5));
                }
                if fam.kind == OutcomeKind::Binary && m.n > 0 {
                    let k = acc.yes_count(p, o);
                    let (lo, hi) = wilson95(k, m.n);
                    row.extend([fmt_f64(k as f64 / m.n as f64), fmt_f64(lo), fmt_f64(hi)]);
                } else {
                    row.extend(std::iter::repeat_n(String::new(), 3));
                }
                f(row)?;
            }
        }
    }
    Ok(())
}

/// Writes `allies.csv`; returns whether there was anything to write (no file otherwise).
pub fn write(acc: &Accumulators, allies: &[String], path: &Path) -> Result<bool> {
    let families = actor_families(&acc.layout.outcomes, allies);
    if families.is_empty() {
        return Ok(false);
    }
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(HEADER)?;
    each_row_of(acc, allies, &families, &mut |r| {
        w.write_record(&r)?;
        Ok(())
    })?;
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::OutcomeSpec;
    use crate::stats::{BlockMoments, Layout};

    #[test]
    fn one_row_per_option_ally_and_metric_with_wilson_for_yes_no() {
        let layout = Layout {
            policies: vec!["a".into(), "b".into()],
            baseline: 0,
            outcomes: vec![
                OutcomeSpec::new("crises", OutcomeKind::Count, ""),
                OutcomeSpec::new("open.X", OutcomeKind::Binary, ""),
                OutcomeSpec::new("open.Y", OutcomeKind::Binary, ""),
                OutcomeSpec::new("spend.X", OutcomeKind::Real { min: 0.0, max: 1.0 }, "").detail(),
                OutcomeSpec::new("spend.Y", OutcomeKind::Real { min: 0.0, max: 1.0 }, "").detail(),
            ],
            series: Vec::new(),
            turns: 0,
        };
        let mut acc = Accumulators::new(layout.clone());
        let mut block = BlockMoments::new(&layout);
        let trials = [
            [1.0, 1.0, 0.0, 0.2, 0.4, 2.0, 1.0, 1.0, 0.3, 0.5],
            [0.0, 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 0.0, 0.5, 0.7],
        ];
        let mut values = Vec::new();
        for t in &trials {
            block.push_trial(&layout, t);
            values.extend_from_slice(t);
        }
        acc.add_values(&block, &values);
        let allies = vec!["X".to_string(), "Y".to_string()];
        let r = rows(&acc, &allies);
        assert_eq!(r.len(), 2 * 2 * 2);
        assert_eq!(r[0][..5], ["a", "X", "open", "binary", "2"]);
        assert_eq!(r[0][5], "0.5");
        assert_eq!(r[0][10], "0.5");
        let (lo, hi) = wilson95(1, 2);
        assert_eq!(
            (r[0][11].clone(), r[0][12].clone()),
            (fmt_f64(lo), fmt_f64(hi))
        );
        let spend_y_b = r
            .iter()
            .find(|x| x[0] == "b" && x[1] == "Y" && x[2] == "spend")
            .unwrap();
        assert_eq!(spend_y_b[5], "0.6");
        assert_eq!(spend_y_b[10], "");
        assert!(rows(&acc, &["Z".to_string()]).is_empty());
    }
}
