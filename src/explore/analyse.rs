//! From the per-point means of an exploration to its analysis tables: sensitivity indices of
//! every option's outcomes and of every option's paired difference from the baseline, PRIM on
//! "this option does better than the baseline" for each outcome with a known better direction,
//! regret and satisficing.

use crate::output::analysis::{
    PrimLimit, PrimStep, RobustRow, SatisRow, SensRow, prim_rows, rank_by,
};
use crate::output::explore::PrimSettings;
use crate::plot::labels;
use crate::stats::designs::{Design, Kind, Role};
use crate::stats::prim::{self, Data};
use crate::stats::robust::{Threshold, regret};
use crate::stats::sensitivity::{Estimate, morris_indices, sobol_indices, spearman};

/// The per-point means of the analysed outcomes: `y[(point * P + option) * K + k]`, and in
/// the same layout the noise variance of each mean (s²/R), the mean paired difference from the
/// baseline and its noise variance.
pub struct Means<'a> {
    pub y: &'a [f64],
    pub noise: &'a [f64],
    pub diff: &'a [f64],
    pub diff_noise: &'a [f64],
    pub options: &'a [String],
    pub baseline: usize,
    pub outcomes: &'a [String],
}

impl Means<'_> {
    fn get(&self, point: usize, option: usize, k: usize) -> f64 {
        let (p_n, k_n) = (self.options.len(), self.outcomes.len());
        self.y[(point * p_n + option) * k_n + k]
    }
    fn points(&self) -> usize {
        self.y.len() / (self.options.len() * self.outcomes.len()).max(1)
    }
    /// What sensitivity is computed on: each option's outcome, then each other option's
    /// difference from the baseline, as (option, versus).
    fn targets(&self) -> Vec<(usize, Option<usize>)> {
        let mut t: Vec<(usize, Option<usize>)> =
            (0..self.options.len()).map(|o| (o, None)).collect();
        for o in 0..self.options.len() {
            if o != self.baseline {
                t.push((o, Some(self.baseline)));
            }
        }
        t
    }
    /// The values of a target at every point, and their noise variances.
    fn series(&self, option: usize, versus: Option<usize>, k: usize) -> (Vec<f64>, Vec<f64>) {
        let (p_n, k_n) = (self.options.len(), self.outcomes.len());
        let (v, n) = match versus {
            Some(_) => (self.diff, self.diff_noise),
            None => (self.y, self.noise),
        };
        (0..self.points())
            .map(|p| {
                let i = (p * p_n + option) * k_n + k;
                (v[i], n[i])
            })
            .unzip()
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    method: &str,
    m: &Means,
    target: (usize, Option<usize>),
    k: usize,
    index: &str,
    parameter: &str,
    with: &str,
    e: Estimate,
) -> SensRow {
    SensRow {
        method: method.into(),
        option: m.options[target.0].clone(),
        versus: target.1.map(|b| m.options[b].clone()).unwrap_or_default(),
        outcome: m.outcomes[k].clone(),
        index: index.into(),
        parameter: parameter.into(),
        with: with.into(),
        value: e.value,
        lo: e.lo,
        hi: e.hi,
    }
}

fn plain(v: f64) -> Estimate {
    Estimate {
        value: v,
        lo: f64::NAN,
        hi: f64::NAN,
    }
}

/// The pseudo-parameter of the noise rows of `sensitivity.csv`.
pub const NOISE: &str = "(replication noise)";

/// Sensitivity indices for every target and outcome, in that order.
pub fn sensitivity(
    m: &Means,
    design: &Design,
    names: &[String],
    values: &[f64],
    resamples: usize,
    seed: u64,
) -> Vec<SensRow> {
    let dims = design.dims;
    let mut out = Vec::new();
    for (ti, target) in m.targets().into_iter().enumerate() {
        for k in 0..m.outcomes.len() {
            let (y, nv) = m.series(target.0, target.1, k);
            let sid = (ti * m.outcomes.len() + k) as u64;
            match design.kind {
                Kind::Sobol => {
                    let s = sobol_indices(
                        &y,
                        Some(&nv),
                        dims,
                        design.second_order,
                        resamples,
                        seed,
                        sid,
                    );
                    for (i, n) in names.iter().enumerate() {
                        out.push(row("sobol", m, target, k, "S1", n, "", s.s1[i]));
                        out.push(row("sobol", m, target, k, "ST", n, "", s.st[i]));
                    }
                    for (i, j, e) in s.s2 {
                        out.push(row("sobol", m, target, k, "S2", &names[i], &names[j], e));
                    }
                    out.push(row("sobol", m, target, k, "noise", NOISE, "", s.noise));
                }
                Kind::Morris => {
                    let moves: Vec<(usize, f64)> = (0..design.points())
                        .map(|p| match design.role[p] {
                            Role::Step(i) => (i, design.point(p)[i] - design.point(p - 1)[i]),
                            _ => (0, 0.0),
                        })
                        .collect();
                    let s = morris_indices(&y, Some(&nv), dims, &moves, resamples, seed, sid);
                    for (i, n) in names.iter().enumerate() {
                        out.push(row("morris", m, target, k, "mu_star", n, "", s.mu_star[i]));
                        out.push(row("morris", m, target, k, "mu", n, "", plain(s.mu[i])));
                        out.push(row(
                            "morris",
                            m,
                            target,
                            k,
                            "sigma",
                            n,
                            "",
                            plain(s.sigma[i]),
                        ));
                    }
                    let f = plain(s.noise_floor);
                    out.push(row("morris", m, target, k, "noise", NOISE, "", f));
                }
                Kind::Lhs | Kind::Factorial => {
                    let s = spearman(values, dims, &y, resamples, seed, sid);
                    for (i, n) in names.iter().enumerate() {
                        out.push(row("spearman", m, target, k, "rho", n, "", s[i]));
                    }
                }
            }
        }
    }
    out
}

/// Whether higher values of an outcome are better (`None`: no known direction).
pub fn higher_is_better(outcome: &str) -> Option<bool> {
    labels::outcome(outcome).higher_is_better
}

/// A file-name-safe id.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// PRIM on "option o does better than the baseline" at each point, for every other option and
/// every outcome with a known direction.
pub fn discovery(
    m: &Means,
    values: &[f64],
    names: &[String],
    s: &PrimSettings,
) -> (Vec<PrimStep>, Vec<PrimLimit>) {
    let (mut steps, mut limits) = (Vec::new(), Vec::new());
    let opts = prim::Options {
        peel_alpha: s.peel_alpha,
        paste_alpha: s.paste_alpha,
        mass_min: s.mass_min,
    };
    // Every question is asked of the same points: their order is made once.
    let order = prim::Order::new(&values[..m.points() * names.len()], names.len());
    for o in 0..m.options.len() {
        if o == m.baseline {
            continue;
        }
        for (k, outcome) in m.outcomes.iter().enumerate() {
            let Some(higher) = higher_is_better(outcome) else {
                continue;
            };
            let y: Vec<bool> = (0..m.points())
                .map(|p| {
                    let (a, b) = (m.get(p, o, k), m.get(p, m.baseline, k));
                    if higher { a > b } else { a < b }
                })
                .collect();
            let data = Data {
                x: values,
                dims: names.len(),
                y: &y,
            };
            let Some(mut t) = prim::prim_ordered(&data, &order, opts) else {
                continue;
            };
            if t.k == 0 {
                continue;
            }
            let q = format!("{}-better-{}", slug(&m.options[o]), slug(outcome));
            let when = format!(
                "{} has {} mean {} than {}",
                m.options[o],
                if higher { "higher" } else { "lower" },
                outcome,
                m.options[m.baseline]
            );
            let (s_, l, _) = prim_rows(&q, &when, &mut t, &data, names, s);
            steps.extend(s_);
            limits.extend(l);
        }
    }
    (steps, limits)
}

/// Regret of every option on every outcome with a known direction, ranked per outcome.
pub fn robustness(m: &Means) -> Vec<RobustRow> {
    let mut out = Vec::new();
    let p_n = m.options.len();
    for (k, outcome) in m.outcomes.iter().enumerate() {
        let Some(higher) = higher_is_better(outcome) else {
            continue;
        };
        let vals: Vec<f64> = (0..m.points())
            .flat_map(|p| (0..p_n).map(move |o| (p, o)))
            .map(|(p, o)| m.get(p, o, k))
            .collect();
        let points = vals
            .chunks_exact(p_n)
            .filter(|r| r.iter().all(|v| v.is_finite()))
            .count();
        let r = regret(&vals, p_n, higher);
        let ranks = rank_by(&r, |x| (x.regret_max, x.regret_p90, x.regret_mean));
        for (o, g) in r.iter().enumerate() {
            out.push(RobustRow {
                outcome: outcome.clone(),
                better: if higher { "higher" } else { "lower" }.into(),
                option: m.options[o].clone(),
                points,
                mean: g.mean,
                regret_mean: g.regret_mean,
                regret_p50: g.regret_p50,
                regret_p90: g.regret_p90,
                regret_max: g.regret_max,
                best_share: g.best_share,
                rank: ranks[o],
            });
        }
    }
    out
}

/// The share of points at which each option meets each threshold, and all of them.
pub fn satisficing(m: &Means, thresholds: &[Threshold]) -> Vec<SatisRow> {
    if thresholds.is_empty() {
        return Vec::new();
    }
    let ks: Vec<usize> = thresholds
        .iter()
        .map(|t| m.outcomes.iter().position(|o| *o == t.outcome).unwrap_or(0))
        .collect();
    let mut out = Vec::new();
    let n = m.points();
    let mut crit: Vec<(String, Vec<usize>)> = thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| (t.text(), vec![i]))
        .collect();
    if thresholds.len() > 1 {
        crit.push(("all".into(), (0..thresholds.len()).collect()));
    }
    for (name, which) in crit {
        let met: Vec<usize> = (0..m.options.len())
            .map(|o| {
                (0..n)
                    .filter(|&p| which.iter().all(|&i| thresholds[i].met(m.get(p, o, ks[i]))))
                    .count()
            })
            .collect();
        let ranks = rank_by(&met, |&x| (-(x as f64), 0.0, 0.0));
        for o in 0..m.options.len() {
            out.push(SatisRow {
                criterion: name.clone(),
                option: m.options[o].clone(),
                points: n,
                met: met[o],
                share: met[o] as f64 / n as f64,
                rank: ranks[o],
            });
        }
    }
    out
}
