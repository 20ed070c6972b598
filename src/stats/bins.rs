//! A block's quantile-sketch values as bin numbers, gathered trial by trial on the worker and
//! counted histogram by histogram into the run's sketches.
//!
//! A trial yields a few thousand values, each counted in its own sketch: counted as they come,
//! every value touches another histogram's bins (megabytes apart), the run waits on memory at
//! each count, and a block needs its own full set of histograms to be merged into the run's.
//! [`BlockBins`] instead notes each value's bin number (a histogram's bin, or a small whole
//! value of an exact count) in one short row per trial, written in order, and
//! [`BlockBins::flush`] later counts them column by column into any set of sketches: each
//! sketch's bins stay in the processor's cache while its column is counted. The few values
//! that have no bin number (a whole value outside `0..4096`) are kept aside and pushed as they
//! are. Counts add, so the sketches hold exactly what pushing each value would give, and so
//! do every quantile and every output byte.

use super::whole::SMALL;
use super::{Layout, Sketch, Sketches};

/// A value not counted from the notes (missing, or kept aside).
const SKIP: u16 = u16::MAX;

/// How a column's values become bin numbers.
#[derive(Debug, Clone, Copy)]
enum Col {
    /// A histogram: `((x − lo) / width × bins)`, clamped, as [`Sketch::push`] finds it.
    Bins { lo: f64, width: f64, bins: u32 },
    /// Exact counts: the rounded value, when it is in `0..SMALL`.
    Whole,
    /// Neither (a histogram of 65,535 bins or more): kept aside.
    Aside,
}

/// One block's sketch values, `[trial][column]` (a column per sketch: every option's
/// outcomes, then every option's series values).
#[derive(Debug, Clone)]
pub struct BlockBins {
    /// Per column: the index of its value in a trial's row and of its sketch (outcome
    /// sketches first, then series: `index − out.len()`).
    value: Vec<u32>,
    sketch: Vec<u32>,
    col: Vec<Col>,
    /// Whether a missing value is skipped (an outcome) or counted (a series, as
    /// [`Sketch::push`] does).
    skip_nan: Vec<bool>,
    bins: Vec<u16>,
    /// Values with no bin number: column, value.
    aside: Vec<(u32, f64)>,
}

impl BlockBins {
    /// Notes for the sketches of `l` ([`Sketches::new`]), with room for `trials` trials.
    pub fn new(l: &Layout, trials: usize) -> BlockBins {
        let (o_n, pp, ts) = (l.outcomes.len(), l.per_policy(), l.turns * l.series.len());
        let out_n = l.policies.len() * o_n;
        let cols = l.policies.len() * (o_n + ts);
        let mut b = BlockBins {
            value: Vec::with_capacity(cols),
            sketch: Vec::with_capacity(cols),
            col: Vec::with_capacity(cols),
            skip_nan: Vec::with_capacity(cols),
            bins: Vec::with_capacity(trials * cols),
            aside: Vec::new(),
        };
        let mut add = |value: usize, sketch: usize, s: &Sketch, skip_nan: bool| {
            b.value.push(value as u32);
            b.sketch.push(sketch as u32);
            b.col.push(match *s {
                Sketch::Bins { lo, hi, bins, .. } if bins < SKIP as u32 => Col::Bins {
                    lo,
                    width: hi - lo,
                    bins,
                },
                Sketch::Bins { .. } => Col::Aside,
                Sketch::Exact { .. } => Col::Whole,
            });
            b.skip_nan.push(skip_nan);
        };
        for p in 0..l.policies.len() {
            for (o, spec) in l.outcomes.iter().enumerate() {
                add(
                    p * pp + o,
                    p * o_n + o,
                    &Sketches::outcome_sketch(spec),
                    true,
                );
            }
            for t in 0..l.turns {
                for (s, spec) in l.series.iter().enumerate() {
                    let j = t * l.series.len() + s;
                    let sk = Sketches::series_sketch(spec);
                    add(p * pp + o_n + j, out_n + p * ts + j, &sk, false);
                }
            }
        }
        b
    }

    /// Notes one trial's values (laid out as [`Layout`] says).
    pub fn push_trial(&mut self, trial: &[f64]) {
        let start = self.bins.len();
        self.bins.resize(start + self.value.len(), 0);
        let row = &mut self.bins[start..];
        for (c, slot) in row.iter_mut().enumerate() {
            let x = trial[self.value[c] as usize];
            *slot = if self.skip_nan[c] && x.is_nan() {
                SKIP
            } else {
                match self.col[c] {
                    Col::Bins { lo, width, bins } => {
                        // As `Sketch::bin`.
                        let b = bins as isize;
                        let f = (x - lo) / width;
                        ((f * b as f64) as isize).clamp(0, b - 1) as u16
                    }
                    Col::Whole => {
                        let k = x.round() as i64;
                        if (0..SMALL).contains(&k) {
                            k as u16
                        } else {
                            self.aside.push((c as u32, x));
                            SKIP
                        }
                    }
                    Col::Aside => {
                        self.aside.push((c as u32, x));
                        SKIP
                    }
                }
            };
        }
    }

    /// Counts every noted value into `sketches` (made for the same layout), column by
    /// column, and empties the notes.
    pub fn flush(&mut self, sketches: &mut Sketches) {
        let cols = self.value.len();
        if cols > 0 {
            for c in 0..cols {
                let s = sketch_mut(sketches, self.sketch[c] as usize);
                let noted = self.bins[c..].iter().step_by(cols).copied();
                s.add_bins(noted.filter(|&b| b != SKIP));
            }
        }
        for &(c, x) in &self.aside {
            sketch_mut(sketches, self.sketch[c as usize] as usize).push(x);
        }
        self.bins.clear();
        self.aside.clear();
    }

    /// Bytes held, at most, for `trials` trials of `l`.
    pub fn bytes(l: &Layout, trials: usize) -> usize {
        let cols = l.policies.len() * l.per_policy();
        cols * (trials * 2 + 8 + 8 + std::mem::size_of::<Col>() + 1)
    }
}

/// Sketch `sk` of `s`: outcome sketches first, then series.
fn sketch_mut(s: &mut Sketches, sk: usize) -> &mut Sketch {
    let out_n = s.out.len();
    if sk < out_n {
        &mut s.out[sk]
    } else {
        &mut s.ser[sk - out_n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{OutcomeKind, OutcomeSpec, SeriesSpec};

    #[test]
    fn counts_what_pushing_each_value_counts() {
        let kinds = [
            OutcomeKind::Real {
                min: -1.0,
                max: 3.0,
            },
            OutcomeKind::Binary,
            OutcomeKind::Count,
        ];
        let mut outcomes: Vec<OutcomeSpec> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| OutcomeSpec::new(format!("o{i}"), *k, ""))
            .collect();
        outcomes
            .push(OutcomeSpec::new("d.x", OutcomeKind::Real { min: 0.0, max: 1.0 }, "").detail());
        let l = Layout {
            policies: vec!["a".into(), "b".into()],
            baseline: 0,
            outcomes,
            series: vec![SeriesSpec::new("s", 0.0, 1.0, "")],
            turns: 4,
        };
        let mut x = 99u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            match x >> 60 {
                0 => f64::NAN,
                1 => -7.0,
                2 => 5000.0 + (u * 10.0).floor(),
                3 => 1.0,
                4 => 9.0,
                5 => -0.0,
                _ => u * 4.0 - 1.5,
            }
        };
        let (mut direct, mut noted) = (Sketches::new(&l), Sketches::new(&l));
        let mut bins = BlockBins::new(&l, 10);
        for block in 0..3 {
            for _ in 0..(7 + block * 5) {
                let trial: Vec<f64> = (0..l.stride()).map(|_| next()).collect();
                direct.push_trial(&l, &trial);
                bins.push_trial(&trial);
            }
            bins.flush(&mut noted);
        }
        assert_eq!(noted, direct);
        assert!(direct.out.iter().any(|s| s.count() > 0));
    }
}
