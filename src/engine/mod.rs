//! The Monte Carlo engine: trials × policy options, in parallel, reproducibly.
//!
//! Trial k draws its uncertain parameters once, from the stream (seed, "uncertainty", k);
//! every option then runs on that same draw and on the same model streams (common random
//! numbers), so differences between options are paired. Trials are grouped into blocks of
//! a fixed size (part of the experiment, not of the machine). Workers run whole blocks;
//! the main thread receives them in block order, merges their statistics and hands their
//! rows to the writer. Results are therefore the same bits for any number of threads and
//! any completion order, and memory stays bounded: only a few blocks are in flight.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::kernel::rng::{Purpose, StreamKeys};
use crate::kernel::trace;
use crate::model::{Params, Simulation, TrialOut};
use crate::scenario::Scenario;
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
    /// Uncertain parameter draws, `trials × U`.
    pub draws: Vec<f64>,
    /// All values, `trials × layout.stride()`.
    pub values: Vec<f64>,
    pub moments: BlockMoments,
    /// The block's rows as the writer will store them, formatted by the worker.
    pub rows: Vec<u8>,
}

/// Formats a finished block's rows on the worker thread (so the main thread only writes).
pub type RowFormatter<'f> = &'f (dyn Fn(&BlockOutput, &Layout, &mut Vec<u8>) + Sync);

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("interrupted")]
    Interrupted,
    #[error("could not start {0} worker threads: {1}")]
    Threads(usize, String),
    #[error(transparent)]
    Sink(#[from] anyhow::Error),
}

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

    /// Runs every trial. Each worker formats its block's rows with `format`; `sink`
    /// receives each block, in block order, after its statistics were merged; `progress` the
    /// number of trials done. Checks `cancel` between trials.
    pub fn run(
        &self,
        format: RowFormatter<'_>,
        sink: &mut dyn FnMut(&BlockOutput, &Layout) -> anyhow::Result<()>,
        progress: &dyn Fn(u64),
        cancel: &AtomicBool,
    ) -> Result<Accumulators, EngineError> {
        let layout = self.layout();
        let mut acc = Accumulators::new(layout.clone());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| EngineError::Threads(self.threads, e.to_string()))?;
        let keys = StreamKeys::new(self.seed);
        // A wave holds at least two blocks per thread and about a thousand trials, so that
        // small blocks do not leave workers waiting on the hand-over between waves.
        let wave = (self.threads as u64 * 2)
            .max(1024u64.div_ceil(self.block_size))
            .max(1);
        let blocks = self.blocks();
        let mut done = 0u64;
        // A producer runs waves of blocks on the pool while the main thread folds and writes
        // the previous wave: at most three waves exist at once, and they are consumed in
        // block order whatever order their blocks finished in.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<BlockOutput>>(1);
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| -> Result<(), EngineError> {
            let (keys, layout_ref, stop_ref) = (&keys, &layout, &stop);
            scope.spawn(move || {
                let mut next = 0u64;
                while next < blocks
                    && !cancel.load(Ordering::Relaxed)
                    && !stop_ref.load(Ordering::Relaxed)
                {
                    let ids: Vec<u64> = (next..(next + wave).min(blocks)).collect();
                    next += ids.len() as u64;
                    let outs: Vec<BlockOutput> = pool.install(|| {
                        ids.par_iter()
                            .map(|&b| {
                                let mut out = self.run_block(b, keys, layout_ref, cancel);
                                let mut rows = Vec::new();
                                format(&out, layout_ref, &mut rows);
                                out.rows = rows;
                                out
                            })
                            .collect()
                    });
                    if tx.send(outs).is_err() {
                        break;
                    }
                }
            });
            // Owned here so that an early return drops it and unblocks the producer.
            let rx = rx;
            for outs in rx.iter() {
                if cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(EngineError::Interrupted);
                }
                for out in &outs {
                    acc.add_block(&out.moments, &out.values);
                    if let Err(e) = sink(out, &layout) {
                        // Stop the producer before returning.
                        stop.store(true, Ordering::Relaxed);
                        return Err(EngineError::Sink(e));
                    }
                    done += out.trials;
                    progress(done);
                }
            }
            Ok(())
        })?;
        if cancel.load(Ordering::Relaxed) || done < self.trials {
            return Err(EngineError::Interrupted);
        }
        Ok(acc)
    }

    /// Runs one block of trials, sequentially, in trial order.
    pub fn run_block(
        &self,
        b: u64,
        keys: &StreamKeys,
        layout: &Layout,
        cancel: &AtomicBool,
    ) -> BlockOutput {
        let first = b * self.block_size;
        let n = self.block_size.min(self.trials - first);
        let stride = layout.stride();
        let pp = layout.per_policy();
        let o_n = layout.outcomes.len();
        let u_n = self.scenario.uncertainties.len();
        let mut runner = self.sim.runner();
        let mut out = TrialOut::new(o_n, layout.series.len(), layout.turns);
        let mut params = Params {
            values: self.scenario.base.clone(),
        };
        let mut draws = vec![0.0; u_n];
        let mut all_draws = Vec::with_capacity(n as usize * u_n);
        let mut values = vec![0.0; n as usize * stride];
        let mut moments = BlockMoments::new(layout);
        for i in 0..n {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let k = first + i;
            draw_uncertainties(self.scenario, keys, k, &mut draws);
            all_draws.extend_from_slice(&draws);
            let row = &mut values[i as usize * stride..(i as usize + 1) * stride];
            for (pi, &policy) in self.policies.iter().enumerate() {
                set_params(self.scenario, policy, &draws, &mut params);
                let mut streams = keys.trial_streams(k);
                runner.run(&params, &mut streams, &mut out);
                let dst = &mut row[pi * pp..(pi + 1) * pp];
                dst[..o_n].copy_from_slice(&out.outcomes);
                dst[o_n..].copy_from_slice(&out.series);
            }
            moments.push_trial(layout, row);
        }
        BlockOutput {
            index: b,
            first_trial: first,
            trials: n,
            draws: all_draws,
            values,
            moments,
            rows: Vec::new(),
        }
    }
}

/// Draws trial k's uncertain parameters, in scenario order, from its uncertainty stream.
pub fn draw_uncertainties(sc: &Scenario, keys: &StreamKeys, k: u64, out: &mut [f64]) {
    let mut rng = keys.stream(Purpose::Uncertainty, k);
    for (u, slot) in sc.uncertainties.iter().zip(out.iter_mut()) {
        let x = u.dist.sample(&mut rng);
        *slot = match sc.model.params[u.param].kind {
            crate::model::ParamKind::Real { .. } => x,
            _ => x.round(),
        };
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
