//! The trials of a run: every policy option of a scenario, on common random numbers.
//!
//! Trial k draws its uncertain parameters once, from the stream (seed, "uncertainty", k);
//! every option then runs on that same draw and on the same model streams (common random
//! numbers), so differences between options are paired. Trials are grouped into blocks of
//! a fixed size (part of the experiment, not of the machine); the [`Pool`] runs whole blocks
//! and this module folds their statistics in block order and hands their rows to the writer.
//!
//! A worker keeps one trial's values at a time: it folds each trial, as soon as it is run,
//! into the block's moments, notes the bin of each value for the quantile sketches
//! ([`BlockBins`]: two bytes a value, counted into the run's sketches when the block is
//! folded) and formats its `trials.csv` rows; a finished block carries only those, never
//! the trials' per-turn values as numbers.

use std::sync::atomic::{AtomicBool, Ordering};

use super::pool::{BlockJob, EngineError, Flow, Pool};
use crate::kernel::rng::{Purpose, StreamKeys, unit};
use crate::kernel::trace;
use crate::model::{Params, Simulation, TrialOut};
use crate::scenario::{Distribution, Scenario};
use crate::stats::bins::BlockBins;
use crate::stats::columns::BlockColumns;
use crate::stats::{Accumulators, BlockMoments, Layout};

/// A validated experiment: what to run, how often, with which seed.
pub struct Experiment<'a> {
    pub scenario: &'a Scenario,
    pub sim: &'a dyn Simulation,
    /// Indices into `scenario.policies`, in output order; always contains the baseline.
    pub policies: Vec<usize>,
    pub trials: u64,
    pub seed: u64,
    pub block_size: u64,
    pub threads: usize,
}

/// What a worker hands back for one block.
pub struct BlockOutput {
    pub index: u64,
    pub first_trial: u64,
    pub trials: u64,
    pub moments: BlockMoments,
    /// The block's values for the quantile sketches, noted as bin numbers (counted into the
    /// run's sketches by [`crate::stats::Accumulators::add_block_noted`], in any order).
    pub noted: BlockBins,
    /// The block's rows as the writer will store them, formatted by the worker.
    pub rows: Vec<u8>,
}

/// Formats one trial's rows on the worker thread (so the main thread only writes): the trial
/// number, its uncertain parameter draws and its values (`layout.stride()`, every option).
pub type RowFormatter<'f> = &'f (dyn Fn(u64, &[f64], &[f64], &Layout, &mut Vec<u8>) + Sync);

impl<'a> Experiment<'a> {
    /// The layout of this experiment's results.
    pub fn layout(&self) -> Layout {
        Layout {
            policies: self
                .policies
                .iter()
                .map(|&p| self.scenario.policies[p].name.clone())
                .collect(),
            baseline: self
                .policies
                .iter()
                .position(|&p| p == self.scenario.baseline)
                .unwrap_or(0),
            outcomes: self.sim.outcomes().to_vec(),
            series: self.sim.series().to_vec(),
            turns: self.sim.turns(),
        }
    }

    pub fn blocks(&self) -> u64 {
        self.trials.div_ceil(self.block_size)
    }

    /// Runs the blocks in `blocks` and hands each to `fold`, in the order of `blocks` (a
    /// shard owns a subset; a resumed run skips those already folded). Each worker formats its
    /// block's rows with `format`. `fold` may return [`Flow::Stop`] (adaptive stopping): since
    /// it sees whole blocks in a fixed order, where a run stops depends only on the seed and
    /// the scenario, never on threads or timing. A block interrupted by `cancel` is dropped.
    pub fn run_blocks(
        &self,
        blocks: &[u64],
        format: RowFormatter<'_>,
        fold: &mut dyn FnMut(BlockOutput, &Layout) -> anyhow::Result<Flow>,
        cancel: &AtomicBool,
    ) -> Result<super::pool::Finished, EngineError> {
        let layout = self.layout();
        if let Some(&b) = blocks.iter().find(|&&b| b >= self.blocks()) {
            return Err(EngineError::Sink(anyhow::anyhow!(
                "block {b} is past the last block ({}) of {} trials",
                self.blocks().saturating_sub(1),
                self.trials
            )));
        }
        let pool = Pool::new(self.threads)?;
        let job = TrialBlocks {
            exp: self,
            keys: StreamKeys::new(self.seed),
            layout: &layout,
            format,
        };
        pool.run(
            &job,
            blocks,
            self.block_size,
            &mut |_, out: BlockOutput| fold(out, &layout),
            cancel,
        )
    }

    /// Runs every trial. Each worker formats its block's rows with `format`; `sink`
    /// receives each block, in block order, after its statistics were merged; `progress` the
    /// number of trials done. A block interrupted by `cancel` is dropped whole.
    pub fn run(
        &self,
        format: RowFormatter<'_>,
        sink: &mut dyn FnMut(&BlockOutput, &Layout) -> anyhow::Result<()>,
        progress: &dyn Fn(u64),
        cancel: &AtomicBool,
    ) -> Result<Accumulators, EngineError> {
        let layout = self.layout();
        let mut acc = Accumulators::new(layout.clone());
        let pool = Pool::new(self.threads)?;
        let job = TrialBlocks {
            exp: self,
            keys: StreamKeys::new(self.seed),
            layout: &layout,
            format,
        };
        let blocks: Vec<u64> = (0..self.blocks()).collect();
        let mut done = 0u64;
        pool.run(
            &job,
            &blocks,
            self.block_size,
            &mut |_, mut out: BlockOutput| {
                let moments = std::mem::replace(&mut out.moments, BlockMoments::empty());
                acc.add_block_noted(moments, &mut out.noted);
                sink(&out, &layout)?;
                done += out.trials;
                progress(done);
                Ok(Flow::Continue)
            },
            cancel,
        )?;
        if done < self.trials {
            return Err(EngineError::Interrupted);
        }
        Ok(acc)
    }

    /// Runs one block of trials, sequentially, in trial order, without rows; `None` if
    /// `cancel` was raised before the block ended.
    pub fn run_block(
        &self,
        b: u64,
        keys: &StreamKeys,
        layout: &Layout,
        cancel: &AtomicBool,
    ) -> Option<BlockOutput> {
        self.run_block_with(b, keys, layout, None, cancel)
    }

    /// Runs one block of trials, sequentially, in trial order, folding each trial into the
    /// block's statistics (and formatting its rows with `format`) before the next one; `None`
    /// if `cancel` was raised before the block ended.
    pub fn run_block_with(
        &self,
        b: u64,
        keys: &StreamKeys,
        layout: &Layout,
        format: Option<RowFormatter<'_>>,
        cancel: &AtomicBool,
    ) -> Option<BlockOutput> {
        let first = b * self.block_size;
        let n = self.block_size.min(self.trials - first);
        let pp = layout.per_policy();
        let o_n = layout.outcomes.len();
        let u_n = self.scenario.uncertainties.len();
        let mut runner = self.sim.runner();
        let mut out = TrialOut::new(o_n, layout.series.len(), layout.turns);
        let mut params = Params {
            values: self.scenario.base.clone(),
        };
        let mut draws = vec![0.0; u_n];
        // One trial's values (every option), reused by every trial of the block.
        let mut row = vec![0.0; layout.stride()];
        // The column form folds many trials fastest; a block of a few (a long horizon at one
        // trial) is folded value by value, without a second copy of its moments.
        let mut columns = (n >= 16).then(|| BlockColumns::new(layout));
        let mut moments = BlockMoments::new(layout);
        let mut noted = BlockBins::new(layout, n as usize);
        let mut rows = Vec::new();
        for i in 0..n {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let k = first + i;
            draw_uncertainties(self.scenario, keys, k, &mut draws);
            for (pi, &policy) in self.policies.iter().enumerate() {
                set_params(self.scenario, policy, &draws, &mut params);
                let mut streams = keys.trial_streams(k);
                runner.run(&params, &mut streams, &mut out);
                let dst = &mut row[pi * pp..(pi + 1) * pp];
                dst[..o_n].copy_from_slice(&out.outcomes);
                dst[o_n..].copy_from_slice(&out.series);
            }
            match &mut columns {
                Some(c) => c.push_trial(layout, &row),
                None => moments.push_trial(layout, &row),
            }
            noted.push_trial(&row);
            if let Some(f) = format {
                f(k, &draws, &row, layout, &mut rows);
            }
        }
        if let Some(c) = columns {
            c.write(&mut moments);
        }
        Some(BlockOutput {
            index: b,
            first_trial: first,
            trials: n,
            moments,
            noted,
            rows,
        })
    }
}

/// The blocks of an experiment as the pool's job: compute, then format the rows on the worker.
struct TrialBlocks<'e, 'a> {
    exp: &'e Experiment<'a>,
    keys: StreamKeys,
    layout: &'e Layout,
    format: RowFormatter<'e>,
}

impl BlockJob for TrialBlocks<'_, '_> {
    type Output = BlockOutput;
    fn run_block(&self, b: u64, cancel: &AtomicBool) -> Option<BlockOutput> {
        self.exp
            .run_block_with(b, &self.keys, self.layout, Some(self.format), cancel)
    }

    /// Moments of every value a trial yields, and two bytes per trial and value noted for
    /// the sketches.
    fn bytes_per_block(&self) -> usize {
        let l = self.layout;
        let values = l.policies.len() * (l.outcomes.len() + l.turns * l.series.len());
        values * 3 * std::mem::size_of::<crate::stats::Moments>()
            + BlockBins::bytes(l, self.exp.block_size as usize)
    }
}

/// Draws trial k's uncertain parameters, in scenario order, from its uncertainty stream.
///
/// An `empirical` entry of a joint group draws no number of its own: it takes the row its
/// group's first entry drew (held in that entry's slot as a row number until every entry has
/// read it), so parameters calibrated together are drawn together. Nothing is allocated.
pub fn draw_uncertainties(sc: &Scenario, keys: &StreamKeys, k: u64, out: &mut [f64]) {
    let mut rng = keys.stream(Purpose::Uncertainty, k);
    let lead = |j: usize| match &sc.uncertainties[j].dist {
        Distribution::Empirical { joint: Some(g), .. } => Some(g.lead),
        _ => None,
    };
    for (j, (u, slot)) in sc.uncertainties.iter().zip(out.iter_mut()).enumerate() {
        *slot = match (&u.dist, lead(j)) {
            // The group's first entry: its row, for now.
            (Distribution::Empirical { weights, .. }, Some(l)) if l == j => {
                Distribution::row(weights, unit(&mut rng)) as f64
            }
            (_, Some(_)) => f64::NAN,
            (d, None) => d.sample(&mut rng),
        };
    }
    // Members read their lead's row before the leads replace it by their own value.
    for pass in [false, true] {
        for j in 0..out.len() {
            let Some(l) = lead(j) else { continue };
            if (l == j) == pass
                && let Distribution::Empirical { values, .. } = &sc.uncertainties[j].dist
            {
                out[j] = values[out[l] as usize];
            }
        }
    }
    for (u, slot) in sc.uncertainties.iter().zip(out.iter_mut()) {
        if !matches!(
            sc.model.params[u.param].kind,
            crate::model::ParamKind::Real { .. }
        ) {
            *slot = slot.round();
        }
    }
}

/// The parameter values of one option in one trial: scenario values, then the trial's
/// draws, then the option's levers.
pub fn set_params(sc: &Scenario, policy: usize, draws: &[f64], params: &mut Params) {
    params.values.copy_from_slice(&sc.base);
    for (u, &x) in sc.uncertainties.iter().zip(draws) {
        params.values[u.param] = x;
    }
    for &(i, x) in &sc.policies[policy].levers {
        params.values[i] = x;
    }
}

/// One trial of one option, with its full trace. Reproduces exactly what trial `k` gave in
/// a full run with the same seed, without running any other trial.
pub fn trace_trial(
    sc: &Scenario,
    sim: &dyn Simulation,
    seed: u64,
    policy: usize,
    k: u64,
) -> (Vec<f64>, TrialOut, trace::Trace) {
    let keys = StreamKeys::new(seed);
    let mut draws = vec![0.0; sc.uncertainties.len()];
    draw_uncertainties(sc, &keys, k, &mut draws);
    let mut params = Params {
        values: sc.base.clone(),
    };
    set_params(sc, policy, &draws, &mut params);
    let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
    let mut tr = trace::Trace::default();
    let mut streams = keys.trial_streams(k);
    sim.runner()
        .run_traced(&params, &mut streams, &mut out, &mut tr);
    (draws, out, tr)
}
