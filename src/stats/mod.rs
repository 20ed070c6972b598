//! Aggregation of trial results into distributions, in memory that does not grow with the
//! number of trials.
//!
//! A worker folds the trials of its block, in trial order, into [`BlockMoments`] (column by
//! column, [`columns`]) and notes each value's histogram bin ([`bins`]); the main thread
//! merges blocks in block order into [`Accumulators`] and counts the notes into the quantile
//! sketches (exact count addition). Nothing here depends on which thread ran a block or when
//! it finished.
//!
//! The analysis of experiments lives here too, as plain functions of numbers: designs on the
//! unit cube ([`designs`], with the Sobol' sequence in [`sobol`]), sensitivity indices
//! ([`sensitivity`]), scenario discovery ([`prim`]) and robustness ([`robust`]).

pub mod bins;
pub mod columns;
pub mod designs;
pub mod families;
pub mod moments;
pub mod prim;
pub mod rank;
pub mod robust;
pub mod sensitivity;
pub mod sketch;
pub mod sobol;
pub mod verdict;
pub mod whole;

pub use families::{Family, actor_families};
pub use moments::{Moments, wilson95};
pub use sketch::Sketch;

use crate::spec::{OutcomeKind, OutcomeSpec, SeriesSpec};

/// Bins of a time-series histogram (accuracy: range / 2000).
pub const SERIES_BINS: usize = 1000;

/// Up to this many bins in all, a set of sketches starts dense (a byte per bin: a few MB for
/// an ordinary horizon, filled fastest); beyond it (long horizons) each starts sparse.
pub const DENSE_BINS: usize = 8 << 20;

/// The shape of an experiment's results: which options, outcomes and series, and how the
/// values of one trial are laid out (`[option][outcomes.., series(turn-major)..]`).
#[derive(Debug, Clone)]
pub struct Layout {
    /// Options run, in output order.
    pub policies: Vec<String>,
    /// Index of the baseline among `policies`.
    pub baseline: usize,
    pub outcomes: Vec<OutcomeSpec>,
    pub series: Vec<SeriesSpec>,
    pub turns: usize,
}

impl Layout {
    /// Values per option per trial.
    pub fn per_policy(&self) -> usize {
        self.outcomes.len() + self.series.len() * self.turns
    }
    /// Values per trial (all options).
    pub fn stride(&self) -> usize {
        self.per_policy() * self.policies.len()
    }

    /// A trial's values option by option: the option's index, its outcomes and its series
    /// values (turn-major: value `t * S + s` of the series part is series s at turn t).
    pub fn by_option<'v>(
        &self,
        vals: &'v [f64],
    ) -> impl Iterator<Item = (usize, &'v [f64], &'v [f64])> + use<'v> {
        let (o_n, pp) = (self.outcomes.len(), self.per_policy());
        vals.chunks_exact(pp.max(1))
            .take(if pp == 0 { 0 } else { self.policies.len() })
            .enumerate()
            .map(move |(p, v)| {
                let (outs, sers) = v.split_at(o_n);
                (p, outs, sers)
            })
    }

    /// The baseline option's outcomes among a trial's values (empty without values).
    pub fn baseline_outcomes<'v>(&self, vals: &'v [f64]) -> &'v [f64] {
        let (o_n, pp) = (self.outcomes.len(), self.per_policy());
        if pp == 0 {
            return &[];
        }
        &vals[self.baseline * pp..self.baseline * pp + o_n]
    }
}

/// Moments of one block (or of everything so far).
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMoments {
    pub trials: u64,
    /// `[p * O + o]`
    pub out: Vec<Moments>,
    /// `[(p * T + t) * S + s]`
    pub ser: Vec<Moments>,
    /// Paired differences against the baseline, `[p * O + o]`.
    pub diff: Vec<Moments>,
}

impl BlockMoments {
    /// Moments of no column at all (a placeholder for moments moved elsewhere).
    pub fn empty() -> Self {
        BlockMoments {
            trials: 0,
            out: Vec::new(),
            ser: Vec::new(),
            diff: Vec::new(),
        }
    }

    pub fn new(l: &Layout) -> Self {
        let po = l.policies.len() * l.outcomes.len();
        BlockMoments {
            trials: 0,
            out: vec![Moments::default(); po],
            ser: vec![Moments::default(); l.policies.len() * l.turns * l.series.len()],
            diff: vec![Moments::default(); po],
        }
    }

    /// Folds one trial's values (all options). Missing values (NaN) are skipped.
    pub fn push_trial(&mut self, l: &Layout, vals: &[f64]) {
        self.trials += 1;
        let (o_n, ts) = (l.outcomes.len(), l.turns * l.series.len());
        let base = l.baseline_outcomes(vals);
        // Option by option, the outcomes then the series (turn-major), as the values are
        // laid out: `ser[(p * T + t) * S + s]` is value `o_n + t * S + s` of option p.
        for (p, outs, sers) in l.by_option(vals) {
            let out = &mut self.out[p * o_n..(p + 1) * o_n];
            let diff = &mut self.diff[p * o_n..(p + 1) * o_n];
            for (((&x, &b), m), dm) in outs.iter().zip(base).zip(out).zip(diff) {
                if !x.is_nan() {
                    m.push(x);
                    if !b.is_nan() {
                        dm.push(x - b);
                    }
                }
            }
            for (&x, m) in sers.iter().zip(&mut self.ser[p * ts..(p + 1) * ts]) {
                m.push(x);
            }
        }
    }

    pub fn merge(&mut self, o: &BlockMoments) {
        self.trials += o.trials;
        for (a, b) in self.out.iter_mut().zip(&o.out) {
            a.merge(b);
        }
        for (a, b) in self.ser.iter_mut().zip(&o.ser) {
            a.merge(b);
        }
        for (a, b) in self.diff.iter_mut().zip(&o.diff) {
            a.merge(b);
        }
    }
}

/// The quantile sketches of a run or of one block: one per option and outcome, and one per
/// option, turn and series. A worker fills its block's own (sparse while few trials went into
/// them, see [`sketch`]); the main thread adds them to the run's (exact, in any order).
#[derive(Debug, Clone, PartialEq)]
pub struct Sketches {
    /// `[p * O + o]`
    pub out: Vec<Sketch>,
    /// `[(p * T + t) * S + s]`
    pub ser: Vec<Sketch>,
}

impl Sketches {
    /// The empty sketch of an outcome: a histogram of a real value ([`SERIES_BINS`] bins for
    /// a per-actor detail, thirty actors each; [`sketch::BINS`] otherwise), exact counts of a
    /// whole one.
    pub fn outcome_sketch(o: &OutcomeSpec) -> Sketch {
        match o.kind {
            OutcomeKind::Real { min, max } if o.detail => {
                Sketch::bounded_with(min, max, SERIES_BINS)
            }
            OutcomeKind::Real { min, max } => Sketch::bounded(min, max),
            _ => Sketch::exact(),
        }
    }

    /// The empty sketch of a series value at one turn.
    pub fn series_sketch(s: &SeriesSpec) -> Sketch {
        Sketch::bounded_with(s.min, s.max, SERIES_BINS)
    }

    pub fn new(layout: &Layout) -> Self {
        let mut out = Vec::with_capacity(layout.policies.len() * layout.outcomes.len());
        for _ in 0..layout.policies.len() {
            out.extend(layout.outcomes.iter().map(Self::outcome_sketch));
        }
        let mut ser =
            Vec::with_capacity(layout.policies.len() * layout.turns * layout.series.len());
        for _ in 0..layout.policies.len() * layout.turns {
            ser.extend(layout.series.iter().map(Self::series_sketch));
        }
        let bins: usize = out.iter().chain(&ser).filter_map(Sketch::bins).sum();
        if bins <= DENSE_BINS {
            out.iter_mut().chain(&mut ser).for_each(Sketch::make_dense);
        }
        Sketches { out, ser }
    }

    /// Adds one trial's values (all options, laid out as [`Layout`] says). Missing outcomes
    /// (NaN) are skipped.
    pub fn push_trial(&mut self, l: &Layout, trial: &[f64]) {
        let (o_n, ts) = (l.outcomes.len(), l.turns * l.series.len());
        // As in [`BlockMoments::push_trial`]: each option's series sketches are in the order
        // of its values.
        for (p, outs, sers) in l.by_option(trial) {
            for (&x, sk) in outs.iter().zip(&mut self.out[p * o_n..(p + 1) * o_n]) {
                if !x.is_nan() {
                    sk.push(x);
                }
            }
            for (&x, sk) in sers.iter().zip(&mut self.ser[p * ts..(p + 1) * ts]) {
                sk.push(x);
            }
        }
    }

    /// Adds another set's counts to these (exact, in any order).
    pub fn merge(&mut self, o: &Sketches) {
        for (a, b) in self.out.iter_mut().zip(&o.out) {
            a.merge(b);
        }
        for (a, b) in self.ser.iter_mut().zip(&o.ser) {
            a.merge(b);
        }
    }

    /// Bytes held by every sketch (see [`Sketch::bytes`]).
    pub fn bytes(&self) -> usize {
        self.out.iter().chain(&self.ser).map(Sketch::bytes).sum()
    }
}

/// Everything the summary, time-series and comparison tables are made from.
#[derive(Debug, Clone)]
pub struct Accumulators {
    pub layout: Layout,
    pub moments: BlockMoments,
    pub sketches: Sketches,
}

impl Accumulators {
    pub fn new(layout: Layout) -> Self {
        Accumulators {
            moments: BlockMoments::new(&layout),
            sketches: Sketches::new(&layout),
            layout,
        }
    }

    /// Accumulators that hold nothing yet and allocate nothing: the first block's moments
    /// added with [`Accumulators::add_block_noted`] become their contents, so a run never
    /// holds its empty moments beside its first block's (at long horizons and few trials
    /// each is tens of MB). [`Accumulators::ensure`] allocates them when no block came.
    pub fn unallocated(layout: Layout) -> Self {
        Accumulators {
            moments: BlockMoments::empty(),
            sketches: Sketches {
                out: Vec::new(),
                ser: Vec::new(),
            },
            layout,
        }
    }

    fn is_unallocated(&self) -> bool {
        // Allocated accumulators have one entry per option and outcome and per option, turn
        // and series; when both counts are zero the two states are the same.
        let l = &self.layout;
        let (po, pts) = (
            l.policies.len() * l.outcomes.len(),
            l.policies.len() * l.turns * l.series.len(),
        );
        self.moments.out.len() != po || self.sketches.ser.len() != pts
    }

    /// Allocates accumulators made by [`Accumulators::unallocated`] that no block filled.
    pub fn ensure(&mut self) {
        if self.is_unallocated() {
            *self = Accumulators::new(self.layout.clone());
        }
    }

    /// Adds a finished block given with its sketch values noted ([`bins::BlockBins`]): its
    /// moments (merged in block order; moved in when these hold nothing yet) and its values,
    /// counted into the run's sketches (the notes are emptied).
    pub fn add_block_noted(&mut self, block: BlockMoments, noted: &mut bins::BlockBins) {
        if self.is_unallocated() {
            self.moments = block;
            self.sketches = Sketches::new(&self.layout);
        } else {
            self.moments.merge(&block);
        }
        noted.flush(&mut self.sketches);
    }

    /// Adds a block given as raw values (`trials × stride`, trial order): its moments and
    /// the values' counts.
    pub fn add_values(&mut self, block: &BlockMoments, values: &[f64]) {
        self.moments.merge(block);
        let stride = self.layout.stride();
        for trial in values.chunks_exact(stride) {
            self.sketches.push_trial(&self.layout, trial);
        }
    }

    /// Adds another accumulator's sketch counts to these (exact, in any order).
    pub fn merge_sketches(&mut self, o: &Accumulators) {
        self.sketches.merge(&o.sketches);
    }

    /// The sketch of outcome `o` of option `p`.
    pub fn out_sketch(&self, p: usize, o: usize) -> &Sketch {
        &self.sketches.out[p * self.layout.outcomes.len() + o]
    }

    /// How many trials had the yes/no outcome `o` of option `p` at 1.
    pub fn yes_count(&self, p: usize, o: usize) -> u64 {
        match self.out_sketch(p, o) {
            Sketch::Exact { counts, .. } => counts.get(1),
            Sketch::Bins { .. } => 0,
        }
    }
}

/// The next word of a small deterministic generator (Knuth's MMIX LCG), for the unit tests'
/// made-up values.
#[cfg(test)]
pub(crate) fn test_word(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of nato-2021 stretched to `turns` (seven options, four series, one
    /// per-actor detail per year for thirty allies).
    fn long_layout(turns: usize) -> Layout {
        let years = turns / 12 + 1;
        let mut outcomes = vec![OutcomeSpec::new("fracture", OutcomeKind::Binary, "")];
        for y in 0..years {
            for a in 0..30 {
                outcomes.push(
                    OutcomeSpec::new(
                        format!("defence_{y}.a{a}"),
                        OutcomeKind::Real {
                            min: 0.0,
                            max: 10.0,
                        },
                        "",
                    )
                    .detail(),
                );
            }
        }
        Layout {
            policies: (0..7).map(|p| format!("p{p}")).collect(),
            baseline: 0,
            outcomes,
            series: ["a", "b", "c", "d"]
                .iter()
                .map(|&n| SeriesSpec::new(n, 0.0, 1.0, ""))
                .collect(),
            turns,
        }
    }

    #[test]
    fn long_horizon_sketches_hold_a_few_words_per_value_of_a_trial() {
        // Regression: every (option, turn, series) held a dense 8 KB histogram, so 10,000
        // turns held 3.8 GB of them at one trial.
        let l = long_layout(10_000);
        let values = l.policies.len() * (l.outcomes.len() + l.turns * l.series.len());
        let mut run = Sketches::new(&l);
        let mut block = Sketches::new(&l);
        let trial: Vec<f64> = (0..l.stride()).map(|i| (i % 97) as f64 / 97.0).collect();
        block.push_trial(&l, &trial);
        run.merge(&block);
        let per_value = std::mem::size_of::<Sketch>() + 16;
        assert!(run.bytes() <= values * per_value, "{} bytes", run.bytes());
        assert!(
            block.bytes() <= values * per_value,
            "{} bytes",
            block.bytes()
        );
        // The whole run's sketches at one trial: well under the 200 MB a run may take.
        assert!(run.bytes() < 50 << 20, "{} bytes", run.bytes());
    }

    #[test]
    fn a_blocks_sketches_hold_at_most_four_bytes_per_trial_and_value() {
        let l = long_layout(120);
        let values = l.policies.len() * (l.outcomes.len() + l.turns * l.series.len());
        let mut block = Sketches::new(&l);
        let mut trial = vec![0.0; l.stride()];
        for k in 0..256 {
            for (i, x) in trial.iter_mut().enumerate() {
                *x = ((k * 7919 + i * 104_729) % 1000) as f64 / 1000.0;
            }
            block.push_trial(&l, &trial);
        }
        let bound = std::mem::size_of::<Sketch>() + 64 + 4 * 256;
        assert!(block.bytes() <= values * bound, "{} bytes", block.bytes());
    }
}
