//! Robustness of options across the points of a design: regret and satisficing.
//!
//! Regret (Savage 1951, as robust decision making uses it): at each point, how far an option
//! falls short of the best option at that point on one outcome, in the outcome's units; an
//! option that is never far from the best is robust even if it is rarely the best.
//! Satisficing (Simon 1956; Starr's domain criterion): the share of points at which an option
//! meets every threshold the analyst declares. Both read per-point means of each option, so the
//! comparison at a point is between options that faced the same luck (common random numbers).

use super::sensitivity::quantile_sorted;

/// Regret of one option on one outcome across the points.
#[derive(Debug, Clone, PartialEq)]
pub struct Regret {
    /// The option's mean outcome over the points.
    pub mean: f64,
    pub regret_mean: f64,
    pub regret_p50: f64,
    pub regret_p90: f64,
    pub regret_max: f64,
    /// Share of points where the option is the best (or tied for best).
    pub best_share: f64,
}

/// Regret of every option: `values[p * options + o]` is option o's mean at point p;
/// `higher_is_better` says which way is better. Points where any option is missing (NaN) are
/// left out.
pub fn regret(values: &[f64], options: usize, higher_is_better: bool) -> Vec<Regret> {
    let rows: Vec<&[f64]> = values
        .chunks_exact(options)
        .filter(|r| r.iter().all(|v| v.is_finite()))
        .collect();
    let mut per: Vec<Vec<f64>> = vec![Vec::with_capacity(rows.len()); options];
    let mut best_count = vec![0usize; options];
    for r in &rows {
        let best = if higher_is_better {
            r.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            r.iter().copied().fold(f64::INFINITY, f64::min)
        };
        for (o, &v) in r.iter().enumerate() {
            let g = if higher_is_better { best - v } else { v - best };
            per[o].push(g);
            if g == 0.0 {
                best_count[o] += 1;
            }
        }
    }
    let n = rows.len();
    (0..options)
        .map(|o| {
            let mean = rows.iter().map(|r| r[o]).sum::<f64>() / n as f64;
            let mut g = per[o].clone();
            g.sort_by(f64::total_cmp);
            Regret {
                mean,
                regret_mean: g.iter().sum::<f64>() / n as f64,
                regret_p50: quantile_sorted(&g, 0.5),
                regret_p90: quantile_sorted(&g, 0.9),
                regret_max: g.last().copied().unwrap_or(f64::NAN),
                best_share: best_count[o] as f64 / n as f64,
            }
        })
        .collect()
}

/// A threshold an option should meet: `outcome >= value` or `outcome <= value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub outcome: String,
    pub at_least: bool,
    pub value: f64,
}

impl Threshold {
    /// Parses `cohesion_final>=0.8` or `fracture<=0.2`.
    pub fn parse(s: &str) -> Result<Threshold, String> {
        let (o, v, at_least) = if let Some((o, v)) = s.split_once(">=") {
            (o, v, true)
        } else if let Some((o, v)) = s.split_once("<=") {
            (o, v, false)
        } else {
            return Err(format!(
                "`{s}` is not a threshold; allowed: OUTCOME>=VALUE or OUTCOME<=VALUE, e.g. cohesion_final>=0.8"
            ));
        };
        let value: f64 = v
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: `{}` is not a number", v.trim()))?;
        Ok(Threshold {
            outcome: o.trim().to_string(),
            at_least,
            value,
        })
    }

    pub fn met(&self, x: f64) -> bool {
        if self.at_least {
            x >= self.value
        } else {
            x <= self.value
        }
    }

    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.outcome,
            if self.at_least { ">=" } else { "<=" },
            crate::kernel::fmt::fmt_f64(self.value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regret_is_the_shortfall_from_the_best_at_each_point() {
        // Three points, two options; higher is better.
        let v = [1.0, 0.5, 0.25, 0.75, 0.875, 0.875];
        let r = regret(&v, 2, true);
        assert_eq!(r[0].regret_max, 0.5);
        assert_eq!(r[1].regret_max, 0.5);
        assert_eq!(r[0].regret_p50, 0.0);
        assert_eq!(r[1].regret_p50, 0.0);
        assert!((r[0].best_share - 2.0 / 3.0).abs() < 1e-15);
        assert!((r[1].best_share - 2.0 / 3.0).abs() < 1e-15);
        let low = regret(&v, 2, false);
        assert_eq!(low[0].regret_max, 0.5);
        assert!((low[1].best_share - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn thresholds_parse_and_apply() {
        let t = Threshold::parse("cohesion_final>=0.8").unwrap();
        assert!(t.met(0.8) && !t.met(0.79));
        assert!(!Threshold::parse("fracture<=x").unwrap_err().is_empty());
        assert!(Threshold::parse("fracture=0.2").is_err());
    }
}
