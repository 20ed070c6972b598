//! Adaptive stopping: run blocks until the named outcomes are known precisely enough.
//!
//! `--precision fracture=0.005,cohesion_final=0.01` asks for the 95% interval of every
//! option's `fracture` probability and `cohesion_final` mean to be at most that half-width.
//! The rule is checked after each block is folded, on the statistics of every block so far,
//! and blocks are folded in block order; so the block where a run stops depends only on the
//! seed and the scenario, never on the number of threads or on which block finished first.
//!
//! The half-width of a yes/no outcome is half the Wilson score interval of its probability
//! (the interval `summary.csv` prints); of any other outcome it is 1.96 standard errors of the
//! mean (the normal interval `summary.csv` prints). An option with fewer than two values of an
//! outcome has an unbounded half-width. As with any sequential rule, a rare event can look
//! precise by chance early on; ask for a half-width well below the probability you care about.

use crate::spec::OutcomeKind;
use crate::stats::{Accumulators, wilson95};

/// One precision target: an outcome and the half-width asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub outcome: String,
    /// Index of the outcome in the layout.
    pub index: usize,
    pub half_width: f64,
}

/// Every target of `--precision`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Precision {
    pub targets: Vec<Target>,
}

/// The half-width reached for one option and outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Reached {
    pub outcome: String,
    pub option: String,
    pub half_width: f64,
    pub target: f64,
}

impl Precision {
    /// Parses `OUTCOME=HALFWIDTH[,…]` against the outcomes of a run.
    pub fn parse(spec: &str, outcomes: &[crate::spec::OutcomeSpec]) -> Result<Precision, String> {
        let mut targets: Vec<Target> = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, hw)) = item.split_once('=') else {
                return Err(format!(
                    "--precision: `{item}` is not OUTCOME=HALFWIDTH (e.g. fracture=0.005)"
                ));
            };
            let name = name.trim();
            let Some(index) = outcomes.iter().position(|o| o.name == name) else {
                return Err(format!(
                    "--precision: no outcome `{name}`; allowed: {}",
                    outcomes
                        .iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let half_width: f64 = hw.trim().parse().map_err(|_| {
                format!("--precision {name}: `{hw}` is not a number; allowed: a half-width above 0")
            })?;
            if !(half_width.is_finite() && half_width > 0.0) {
                return Err(format!(
                    "--precision {name}: {hw}; allowed: a finite half-width above 0"
                ));
            }
            if targets.iter().any(|t| t.index == index) {
                return Err(format!("--precision: `{name}` is given twice"));
            }
            targets.push(Target {
                outcome: name.to_string(),
                index,
                half_width,
            });
        }
        if targets.is_empty() {
            return Err("--precision: no target given (e.g. fracture=0.005)".into());
        }
        Ok(Precision { targets })
    }

    /// The text form, as parsed (for manifests and checkpoints).
    pub fn spec(&self) -> String {
        self.targets
            .iter()
            .map(|t| format!("{}={}", t.outcome, t.half_width))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The half-width of every target for every option, in option then target order.
    pub fn reached(&self, acc: &Accumulators) -> Vec<Reached> {
        let l = &acc.layout;
        let mut out = Vec::new();
        for (p, option) in l.policies.iter().enumerate() {
            for t in &self.targets {
                out.push(Reached {
                    outcome: t.outcome.clone(),
                    option: option.clone(),
                    half_width: half_width(acc, p, t.index),
                    target: t.half_width,
                });
            }
        }
        out
    }

    /// Whether every option's interval of every target outcome is narrow enough.
    pub fn met(&self, acc: &Accumulators) -> bool {
        (0..acc.layout.policies.len()).all(|p| {
            self.targets
                .iter()
                .all(|t| half_width(acc, p, t.index) <= t.half_width)
        })
    }
}

/// Half the width of the 95% interval of outcome `o` of option `p` (see the module docs).
pub fn half_width(acc: &Accumulators, p: usize, o: usize) -> f64 {
    let l = &acc.layout;
    let m = &acc.moments.out[p * l.outcomes.len() + o];
    if m.n < 2 {
        return f64::INFINITY;
    }
    match l.outcomes[o].kind {
        OutcomeKind::Binary => {
            let (lo, hi) = wilson95(acc.yes_count(p, o), m.n);
            (hi - lo) / 2.0
        }
        _ => {
            let (lo, hi) = m.ci95();
            (hi - lo) / 2.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::OutcomeSpec;
    use crate::stats::{BlockMoments, Layout};

    fn layout() -> Layout {
        Layout {
            policies: vec!["a".into(), "b".into()],
            baseline: 0,
            outcomes: vec![
                OutcomeSpec::new("x", OutcomeKind::Binary, ""),
                OutcomeSpec::new("y", OutcomeKind::Real { min: 0.0, max: 1.0 }, ""),
            ],
            series: vec![],
            turns: 0,
        }
    }

    #[test]
    fn targets_parse_and_bad_ones_are_named() {
        let l = layout();
        let p = Precision::parse("x=0.01, y=0.5", &l.outcomes).unwrap();
        assert_eq!(p.targets.len(), 2);
        assert_eq!(p.spec(), "x=0.01,y=0.5");
        for (bad, says) in [
            ("z=0.1", "no outcome `z`"),
            ("x", "OUTCOME=HALFWIDTH"),
            ("x=0", "above 0"),
            ("x=abc", "not a number"),
            ("x=0.1,x=0.2", "twice"),
            ("", "no target"),
        ] {
            let e = Precision::parse(bad, &l.outcomes).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn half_widths_are_the_wilson_and_normal_intervals() {
        let l = layout();
        let mut acc = Accumulators::new(l.clone());
        let mut bm = BlockMoments::new(&l);
        let mut vals = Vec::new();
        // 100 trials: x is yes in 20 of them; y alternates 0 and 1 (sd = 0.5025).
        for i in 0..100 {
            let x = if i % 5 == 0 { 1.0 } else { 0.0 };
            let y = (i % 2) as f64;
            let row = [x, y, x, y];
            bm.push_trial(&l, &row);
            vals.extend_from_slice(&row);
        }
        acc.add_values(&bm, &vals);
        // Wilson 20/100: 0.1333 to 0.2889 (Newcombe 1998, method 3), half-width 0.0778.
        assert!((half_width(&acc, 0, 0) - 0.0778).abs() < 5e-4);
        // 1.96 × 0.5025 / 10 = 0.0985.
        assert!((half_width(&acc, 1, 1) - 0.0985).abs() < 5e-4);
        let p = Precision::parse("x=0.08", &l.outcomes).unwrap();
        assert!(p.met(&acc));
        let p = Precision::parse("x=0.08,y=0.09", &l.outcomes).unwrap();
        assert!(!p.met(&acc));
        assert_eq!(p.reached(&acc).len(), 4);
    }
}
