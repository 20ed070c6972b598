//! Quantiles in memory that does not grow with the number of trials.
//!
//! A bounded real value (cohesion, credibility…) goes into a fixed histogram of
//! [`BINS`] equal bins over its declared range: a quantile is reported as the midpoint of
//! the bin that holds it, clamped to the observed min and max, so it is within half a bin,
//! (max − min)/(2·BINS) of the exact sample quantile (for [0, 1]: 1.25e-4). Whole numbers
//! (counts, turns) are counted exactly per value. Counts add, so merging is exact and does
//! not depend on order.

use std::collections::BTreeMap;

/// Number of bins of an outcome's histogram.
pub const BINS: usize = 4000;

/// A mergeable quantile sketch.
#[derive(Debug, Clone, PartialEq)]
pub enum Sketch {
    /// Equal bins over [lo, hi]; values outside are clamped into the end bins.
    Bins {
        lo: f64,
        hi: f64,
        counts: Vec<u64>,
        n: u64,
    },
    /// Exact counts per whole value.
    Exact { counts: BTreeMap<i64, u64>, n: u64 },
}

impl Sketch {
    pub fn bounded(lo: f64, hi: f64) -> Sketch {
        Self::bounded_with(lo, hi, BINS)
    }

    /// A bounded histogram with `bins` bins.
    pub fn bounded_with(lo: f64, hi: f64, bins: usize) -> Sketch {
        Sketch::Bins {
            lo,
            hi,
            counts: vec![0; bins.max(1)],
            n: 0,
        }
    }

    pub fn exact() -> Sketch {
        Sketch::Exact {
            counts: BTreeMap::new(),
            n: 0,
        }
    }

    /// The accuracy of a reported quantile, in the value's units.
    pub fn accuracy(&self) -> f64 {
        match self {
            Sketch::Bins { lo, hi, counts, .. } => (hi - lo) / (2 * counts.len()) as f64,
            Sketch::Exact { .. } => 0.0,
        }
    }

    #[inline]
    pub fn push(&mut self, x: f64) {
        match self {
            Sketch::Bins { lo, hi, counts, n } => {
                let bins = counts.len();
                let f = (x - *lo) / (*hi - *lo);
                let i = ((f * bins as f64) as isize).clamp(0, bins as isize - 1) as usize;
                counts[i] += 1;
                *n += 1;
            }
            Sketch::Exact { counts, n } => {
                *counts.entry(x.round() as i64).or_insert(0) += 1;
                *n += 1;
            }
        }
    }

    pub fn merge(&mut self, o: &Sketch) {
        match (self, o) {
            (
                Sketch::Bins { counts, n, .. },
                Sketch::Bins {
                    counts: c2, n: n2, ..
                },
            ) => {
                for (a, b) in counts.iter_mut().zip(c2) {
                    *a += b;
                }
                *n += n2;
            }
            (Sketch::Exact { counts, n }, Sketch::Exact { counts: c2, n: n2 }) => {
                for (k, v) in c2 {
                    *counts.entry(*k).or_insert(0) += v;
                }
                *n += n2;
            }
            _ => panic!("merging sketches of different kinds"),
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            Sketch::Bins { n, .. } | Sketch::Exact { n, .. } => *n,
        }
    }

    /// The q-quantile by the nearest-rank rule (the smallest value with at least q·n values
    /// at or below it), clamped to [min, max]. `None` when empty.
    pub fn quantile(&self, q: f64, min: f64, max: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0u64;
        match self {
            Sketch::Bins { lo, hi, counts, .. } => {
                let w = (hi - lo) / counts.len() as f64;
                for (i, c) in counts.iter().enumerate() {
                    seen += c;
                    if seen >= rank {
                        return Some((lo + (i as f64 + 0.5) * w).clamp(min, max));
                    }
                }
                Some(max)
            }
            Sketch::Exact { counts, .. } => {
                for (k, c) in counts {
                    seen += c;
                    if seen >= rank {
                        return Some(*k as f64);
                    }
                }
                Some(max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_quantiles_are_within_stated_accuracy() {
        let mut s = Sketch::bounded(0.0, 1.0);
        let mut xs: Vec<f64> = (0..10_007)
            .map(|i| ((i as u64 * 2654435761) % 10_007) as f64 / 10_007.0)
            .collect();
        xs.iter().for_each(|&x| s.push(x));
        xs.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = xs[((q * xs.len() as f64).ceil() as usize).max(1) - 1];
            let got = s.quantile(q, xs[0], xs[xs.len() - 1]).unwrap();
            assert!(
                (got - exact).abs() <= s.accuracy() + 1e-12,
                "q={q} {got} {exact}"
            );
        }
    }

    #[test]
    fn exact_sketch_gives_exact_quantiles_and_merges() {
        let mut a = Sketch::exact();
        let mut b = Sketch::exact();
        for x in [1.0, 2.0, 2.0, 3.0] {
            a.push(x);
        }
        for x in [5.0, 9.0] {
            b.push(x);
        }
        a.merge(&b);
        assert_eq!(a.quantile(0.5, 1.0, 9.0), Some(2.0));
        assert_eq!(a.quantile(0.95, 1.0, 9.0), Some(9.0));
        assert_eq!(a.quantile(0.0, 1.0, 9.0), Some(1.0));
        assert_eq!(Sketch::exact().quantile(0.5, 0.0, 0.0), None);
    }
}
