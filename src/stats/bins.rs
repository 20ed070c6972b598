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

/// One block's sketch values, `[trial][column]`, a column per sketch in the order of a
/// trial's values (every option's outcomes, then its series values turn by turn), so column
/// `c` is value `c` of a trial.
#[derive(Debug, Clone)]
pub struct BlockBins {
    /// How each outcome's and each series' values become bin numbers.
    outcome: Vec<Col>,
    series: Vec<Col>,
    options: usize,
    turns: usize,
    bins: Vec<u16>,
    /// Values with no bin number: column, value.
    aside: Vec<(u32, f64)>,
}

impl Col {
    fn of(s: &Sketch) -> Col {
        match *s {
            Sketch::Bins { lo, hi, bins, .. } if bins < SKIP as u32 => Col::Bins {
                lo,
                width: hi - lo,
                bins,
            },
            Sketch::Bins { .. } => Col::Aside,
            Sketch::Exact { .. } => Col::Whole,
        }
    }
}

impl BlockBins {
    /// Notes for the sketches of `l` ([`Sketches::new`]), with room for `trials` trials.
    pub fn new(l: &Layout, trials: usize) -> BlockBins {
        BlockBins {
            outcome: l
                .outcomes
                .iter()
                .map(|o| Col::of(&Sketches::outcome_sketch(o)))
                .collect(),
            series: l
                .series
                .iter()
                .map(|s| Col::of(&Sketches::series_sketch(s)))
                .collect(),
            options: l.policies.len(),
            turns: l.turns,
            bins: Vec::with_capacity(trials * l.stride()),
            aside: Vec::new(),
        }
    }

    fn per_option(&self) -> usize {
        self.outcome.len() + self.turns * self.series.len()
    }

    /// Notes one trial's values (laid out as [`Layout`] says).
    pub fn push_trial(&mut self, trial: &[f64]) {
        let (pp, o_n) = (self.per_option(), self.outcome.len());
        let start = self.bins.len();
        self.bins.resize(start + self.options * pp, 0);
        let row = &mut self.bins[start..];
        let aside = &mut self.aside;
        for (p, (vals, notes)) in trial
            .chunks_exact(pp)
            .zip(row.chunks_exact_mut(pp))
            .take(self.options)
            .enumerate()
        {
            let (outs, sers) = vals.split_at(o_n);
            let (out_notes, ser_notes) = notes.split_at_mut(o_n);
            for (o, (&x, slot)) in outs.iter().zip(out_notes).enumerate() {
                *slot = if x.is_nan() {
                    SKIP
                } else {
                    note(self.outcome[o], x, (p * pp + o) as u32, aside)
                };
            }
            let s_n = self.series.len();
            for (j, (&x, slot)) in sers.iter().zip(ser_notes).enumerate() {
                let c = (p * pp + o_n + j) as u32;
                *slot = note(self.series[j % s_n], x, c, aside);
            }
        }
    }

    /// Counts every noted value into `sketches` (made for the same layout), column by
    /// column, and empties the notes.
    pub fn flush(&mut self, sketches: &mut Sketches) {
        let cols = self.options * self.per_option();
        if cols > 0 {
            for c in 0..cols {
                let s = self.sketch_of(sketches, c);
                let noted = self.bins[c..].iter().step_by(cols).copied();
                s.add_bins(noted.filter(|&b| b != SKIP));
            }
        }
        for &(c, x) in &self.aside {
            self.sketch_of(sketches, c as usize).push(x);
        }
        self.bins.clear();
        self.aside.clear();
    }

    /// The sketch of column `c`.
    fn sketch_of<'s>(&self, s: &'s mut Sketches, c: usize) -> &'s mut Sketch {
        let (pp, o_n) = (self.per_option(), self.outcome.len());
        let (p, j) = (c / pp, c % pp);
        if j < o_n {
            &mut s.out[p * o_n + j]
        } else {
            &mut s.ser[p * (pp - o_n) + j - o_n]
        }
    }

    /// Bytes the notes of `trials` trials of `l` hold.
    pub fn bytes(l: &Layout, trials: usize) -> usize {
        l.stride() * trials * 2
    }
}

/// The note of value `x` of column `c` (a series value may be missing: counted as
/// [`Sketch::push`] counts it).
#[inline]
fn note(col: Col, x: f64, c: u32, aside: &mut Vec<(u32, f64)>) -> u16 {
    match col {
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
                aside.push((c, x));
                SKIP
            }
        }
        Col::Aside => {
            aside.push((c, x));
            SKIP
        }
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
            crate::stats::test_word(&mut x);
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
