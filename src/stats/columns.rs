//! A block's running moments kept column by column, so that a trial's thousands of values are
//! folded by loops the compiler turns into vector instructions.
//!
//! [`Moments::push`] on an array of `Moments` (one record per value) is a division and a few
//! additions per value, done one value at a time. Here each field is its own array, and a
//! missing value is handled by selecting the old field back instead of branching, so the
//! same operations run two or four values at a time. Every value gets exactly the operations
//! of [`Moments::push`], in the same order (the count is kept as a float, which holds whole
//! numbers exactly): [`BlockColumns::write`] gives the bits pushing one by one would give.

use super::{BlockMoments, Layout, Moments};

/// Count, mean, sum of squared deviations, min and max of many columns.
#[derive(Debug, Clone)]
struct Welford {
    n: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl Welford {
    fn new(len: usize) -> Welford {
        Welford {
            n: vec![0.0; len],
            mean: vec![0.0; len],
            m2: vec![0.0; len],
            min: vec![f64::INFINITY; len],
            max: vec![f64::NEG_INFINITY; len],
        }
    }

    /// Pushes `xs` into columns `at..`: every value where `skip_nan` is false, only the
    /// present ones (and, with `base`, only where the base value is present too, pushing
    /// `x − b`) where it is true.
    #[inline(always)]
    fn push(&mut self, at: usize, xs: &[f64], base: Option<&[f64]>, skip_nan: bool) {
        let len = xs.len();
        let n = &mut self.n[at..at + len];
        let mean = &mut self.mean[at..at + len];
        let m2 = &mut self.m2[at..at + len];
        let min = &mut self.min[at..at + len];
        let max = &mut self.max[at..at + len];
        for j in 0..len {
            let (x, ok) = match base {
                Some(b) => {
                    let b = b[j];
                    (xs[j] - b, !xs[j].is_nan() & !b.is_nan())
                }
                None => (xs[j], !skip_nan | !xs[j].is_nan()),
            };
            // `Moments::push`, its results kept only where the value counts.
            let n1 = n[j] + 1.0;
            let d = x - mean[j];
            let mean1 = mean[j] + d / n1;
            let m21 = m2[j] + d * (x - mean1);
            let (lo, hi) = (min[j].min(x), max[j].max(x));
            n[j] = if ok { n1 } else { n[j] };
            mean[j] = if ok { mean1 } else { mean[j] };
            m2[j] = if ok { m21 } else { m2[j] };
            min[j] = if ok { lo } else { min[j] };
            max[j] = if ok { hi } else { max[j] };
        }
    }

    fn write(&self, to: &mut [Moments]) {
        for (j, m) in to.iter_mut().enumerate() {
            *m = Moments {
                n: self.n[j] as u64,
                mean: self.mean[j],
                m2: self.m2[j],
                min: self.min[j],
                max: self.max[j],
            };
        }
    }
}

/// The moments of one block, column by column ([`BlockMoments`]'s contents).
#[derive(Debug, Clone)]
pub struct BlockColumns {
    trials: u64,
    out: Welford,
    ser: Welford,
    diff: Welford,
}

impl BlockColumns {
    pub fn new(l: &Layout) -> BlockColumns {
        let po = l.policies.len() * l.outcomes.len();
        BlockColumns {
            trials: 0,
            out: Welford::new(po),
            ser: Welford::new(l.policies.len() * l.turns * l.series.len()),
            diff: Welford::new(po),
        }
    }

    /// Folds one trial's values (all options, laid out as [`Layout`] says), as
    /// [`BlockMoments::push_trial`] does.
    pub fn push_trial(&mut self, l: &Layout, vals: &[f64]) {
        self.trials += 1;
        let (o_n, ts) = (l.outcomes.len(), l.turns * l.series.len());
        let base = l.baseline_outcomes(vals);
        for (p, outs, sers) in l.by_option(vals) {
            self.out.push(p * o_n, outs, None, true);
            self.diff.push(p * o_n, outs, Some(base), true);
            self.ser.push(p * ts, sers, None, false);
        }
    }

    /// The block's moments.
    pub fn write(&self, to: &mut BlockMoments) {
        to.trials = self.trials;
        self.out.write(&mut to.out);
        self.ser.write(&mut to.ser);
        self.diff.write(&mut to.diff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{OutcomeKind, OutcomeSpec, SeriesSpec};

    #[test]
    fn gives_the_bits_of_pushing_value_by_value() {
        let outcomes = (0..5)
            .map(|i| {
                OutcomeSpec::new(
                    format!("o{i}"),
                    OutcomeKind::Real {
                        min: -1.0,
                        max: 1.0,
                    },
                    "",
                )
            })
            .collect();
        let l = Layout {
            policies: vec!["a".into(), "b".into(), "c".into()],
            baseline: 1,
            outcomes,
            series: vec![SeriesSpec::new("s", 0.0, 1.0, "")],
            turns: 3,
        };
        let mut x = 7u64;
        let mut next = || {
            crate::stats::test_word(&mut x);
            match x >> 61 {
                0 => f64::NAN,
                1 => -0.0,
                _ => ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0,
            }
        };
        let (mut by_value, mut cols) = (BlockMoments::new(&l), BlockColumns::new(&l));
        for _ in 0..257 {
            let trial: Vec<f64> = (0..l.stride()).map(|_| next()).collect();
            by_value.push_trial(&l, &trial);
            cols.push_trial(&l, &trial);
        }
        let mut got = BlockMoments::new(&l);
        cols.write(&mut got);
        let bits = |b: &BlockMoments| -> Vec<(u64, [u64; 4])> {
            [&b.out, &b.ser, &b.diff]
                .into_iter()
                .flatten()
                .map(|m| (m.n, [m.mean, m.m2, m.min, m.max].map(|v| v.to_bits())))
                .collect()
        };
        assert_eq!(got.trials, by_value.trials);
        assert_eq!(bits(&got), bits(&by_value));
    }
}
