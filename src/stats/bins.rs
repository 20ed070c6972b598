//! A block's histogram bins, gathered trial by trial and counted histogram by histogram.
//!
//! A trial yields a few thousand values, each counted in its own histogram: counted as they
//! come, every value touches another histogram's bins (megabytes apart), and the run waits on
//! memory at each count. [`BlockBins`] instead notes each value's bin number in one small row
//! per trial (written in order), and at the end of the block counts them histogram by
//! histogram, each one's bins staying in the processor's cache while its column is counted.
//! The counts, and so every quantile and every output byte, are those of counting directly.

use super::{Layout, Sketch, Sketches};

/// A value not counted (a missing outcome).
const SKIP: u16 = u16::MAX;

/// The bin numbers of a block's histogram values, `[trial][column]`.
pub struct BlockBins {
    /// Per column: the index of its value in a trial's row, and of its sketch (outcome
    /// sketches first, then series: `index - out.len()`).
    value: Vec<u32>,
    sketch: Vec<u32>,
    /// Per column: the histogram's low end, width and number of bins, and whether a missing
    /// value is skipped (an outcome) or counted in the first bin (a series, as
    /// [`Sketch::push`] does).
    lo: Vec<f64>,
    width: Vec<f64>,
    count: Vec<u32>,
    skip_nan: Vec<bool>,
    bins: Vec<u16>,
    /// The values counted directly (exact counts, very fine histograms): value, sketch (as
    /// `sketch`), whether a missing value is skipped.
    direct: Vec<(u32, u32, bool)>,
}

impl BlockBins {
    /// Columns for every histogram of `sketches` with fewer than 65,535 bins (the others,
    /// and exact counts, are counted directly by [`BlockBins::push_trial`]); room for `trials`.
    pub fn new(l: &Layout, sketches: &Sketches, trials: usize) -> BlockBins {
        let (o_n, pp, ts) = (l.outcomes.len(), l.per_policy(), l.turns * l.series.len());
        let mut b = BlockBins {
            value: Vec::new(),
            sketch: Vec::new(),
            lo: Vec::new(),
            width: Vec::new(),
            count: Vec::new(),
            skip_nan: Vec::new(),
            bins: Vec::new(),
            direct: Vec::new(),
        };
        let out_n = sketches.out.len();
        for p in 0..l.policies.len() {
            let outs = (0..o_n).map(|o| (p * pp + o, p * o_n + o, true));
            let sers = (0..ts).map(|j| (p * pp + o_n + j, out_n + p * ts + j, false));
            for (value, sk, skip_nan) in outs.chain(sers) {
                let s = if sk < out_n {
                    &sketches.out[sk]
                } else {
                    &sketches.ser[sk - out_n]
                };
                if let Sketch::Bins { lo, hi, bins, .. } = s
                    && (*bins as usize) < SKIP as usize
                {
                    b.value.push(value as u32);
                    b.sketch.push(sk as u32);
                    b.lo.push(*lo);
                    b.width.push(hi - lo);
                    b.count.push(*bins);
                    b.skip_nan.push(skip_nan);
                } else {
                    b.direct.push((value as u32, sk as u32, skip_nan));
                }
            }
        }
        b.bins.reserve_exact(trials * b.value.len());
        b
    }

    /// Notes a trial's histogram values (laid out as [`Layout`] says) and counts its other
    /// values in `sketches` directly.
    pub fn push_trial(&mut self, sketches: &mut Sketches, trial: &[f64]) {
        let cols = self.value.len();
        let start = self.bins.len();
        self.bins.resize(start + cols, 0);
        let row = &mut self.bins[start..];
        for (c, slot) in row.iter_mut().enumerate() {
            let x = trial[self.value[c] as usize];
            *slot = if self.skip_nan[c] && x.is_nan() {
                SKIP
            } else {
                // As `Sketch::bin`.
                let b = self.count[c] as isize;
                let f = (x - self.lo[c]) / self.width[c];
                ((f * b as f64) as isize).clamp(0, b - 1) as u16
            };
        }
        for &(value, sk, skip_nan) in &self.direct {
            let x = trial[value as usize];
            if !(skip_nan && x.is_nan()) {
                sketch_mut(sketches, sk as usize).push(x);
            }
        }
    }

    /// Counts every noted bin in its histogram, column by column, and empties the notes.
    pub fn flush(&mut self, sketches: &mut Sketches) {
        let cols = self.value.len();
        if cols > 0 {
            for c in 0..cols {
                let s = sketch_mut(sketches, self.sketch[c] as usize);
                s.add_bins(
                    self.bins[c..]
                        .iter()
                        .step_by(cols)
                        .copied()
                        .filter(|&b| b != SKIP),
                );
            }
        }
        self.bins.clear();
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
