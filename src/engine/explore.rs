//! The points of an experimental design, each run for every policy option with R replications
//! on common random numbers.
//!
//! Replication r of design point p runs on the model streams of stream number
//! [`stream_number`]`(p, r)`, the same under every option, so that the options at a point face
//! the same luck and their differences are paired, as in a run. Different points get
//! independent luck: the replication noise of a point's mean is then independent from point to
//! point, which is what lets the analysis estimate it (from the spread over the replications)
//! and take it out of the sensitivity indices instead of reading it as influence. A point's parameters are the
//! scenario's values, then the point's values for the uncertain parameters, then the option's
//! levers, then the point's values for any explored levers. Points are grouped into blocks of a
//! fixed size; the [`Pool`] computes whole blocks, and this module hands them to the caller in
//! block order, each with the mean and its Monte Carlo standard error of every outcome per
//! point and option. Nothing else is kept, so memory does not grow with the replications.

use std::sync::atomic::{AtomicBool, Ordering};

use super::pool::{BlockJob, EngineError, Flow, Pool};
use crate::kernel::rng::StreamKeys;
use crate::model::{Params, Simulation, TrialOut};
use crate::scenario::Scenario;
use crate::stats::Moments;

/// Bits of the stream number that hold the replication.
pub const REPLICATION_BITS: u32 = 24;

/// The most replications per point.
pub const MAX_REPLICATIONS: u64 = (1 << REPLICATION_BITS) - 1;

/// The most points in a design.
pub const MAX_POINTS: u64 = 1 << 39;

/// The model streams of replication `r` of point `p`: a function of (seed, point, replication)
/// alone, shared by every option.
pub fn stream_number(point: u64, replication: u64) -> u64 {
    (point << REPLICATION_BITS) | replication
}

/// What a column of the design sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The parameter's index in the model's declaration.
    pub param: usize,
    /// A lever: applied after the option's levers (else an uncertain parameter, before them).
    pub lever: bool,
}

/// A design to run: parameter values per point, options, replications, seed.
pub struct Exploration<'a> {
    pub scenario: &'a Scenario,
    pub sim: &'a dyn Simulation,
    /// Indices into `scenario.policies`, in output order.
    pub policies: Vec<usize>,
    /// Position of the baseline in `policies` (differences are taken against it).
    pub baseline: usize,
    pub columns: Vec<Column>,
    /// Parameter values as held, `points × columns`.
    pub values: &'a [f64],
    pub replications: u64,
    pub seed: u64,
    /// Points per block (results do not depend on it).
    pub points_per_block: u64,
    pub threads: usize,
}

/// What a worker hands back for one block of points.
pub struct PointBlock {
    pub first_point: u64,
    pub points: u64,
    /// `[(point * P + option) * O + outcome]`: the outcome over the replications (missing values
    /// skipped).
    pub moments: Vec<Moments>,
    /// The same layout: the paired difference option − baseline over the replications (empty
    /// moments for the baseline itself).
    pub diff: Vec<Moments>,
    /// The block's rows as the writer stores them, formatted by the worker.
    pub rows: Vec<u8>,
}

/// Formats a finished block's rows on the worker thread.
pub type PointFormatter<'f> = &'f (dyn Fn(&PointBlock, &mut Vec<u8>) + Sync);

impl Exploration<'_> {
    pub fn points(&self) -> u64 {
        (self.values.len() / self.columns.len().max(1)) as u64
    }

    pub fn blocks(&self) -> u64 {
        self.points().div_ceil(self.points_per_block.max(1))
    }

    /// Sets the parameters of one option at one point.
    pub fn set_params(&self, point: u64, policy: usize, params: &mut Params) {
        let sc = self.scenario;
        let k = self.columns.len();
        let row = &self.values[point as usize * k..(point as usize + 1) * k];
        params.values.copy_from_slice(&sc.base);
        for (c, &x) in self.columns.iter().zip(row) {
            if !c.lever {
                params.values[c.param] = x;
            }
        }
        for &(i, x) in &sc.policies[policy].levers {
            params.values[i] = x;
        }
        for (c, &x) in self.columns.iter().zip(row) {
            if c.lever {
                params.values[c.param] = x;
            }
        }
    }

    /// Runs every point. `sink` receives each block in block order; `progress` the number of
    /// model runs done (points × replications, all options counted once). A block interrupted
    /// by `cancel` is dropped whole.
    pub fn run(
        &self,
        format: PointFormatter<'_>,
        sink: &mut dyn FnMut(&PointBlock) -> anyhow::Result<()>,
        progress: &dyn Fn(u64),
        cancel: &AtomicBool,
    ) -> Result<(), EngineError> {
        let pool = Pool::new(self.threads)?;
        let job = PointBlocks {
            exp: self,
            keys: StreamKeys::new(self.seed),
            format,
        };
        let blocks: Vec<u64> = (0..self.blocks()).collect();
        let mut done = 0u64;
        pool.run(
            &job,
            &blocks,
            self.points_per_block * self.replications,
            &mut |_, out: PointBlock| {
                sink(&out)?;
                done += out.points;
                progress(done * self.replications);
                Ok(Flow::Continue)
            },
            cancel,
        )?;
        if done < self.points() {
            return Err(EngineError::Interrupted);
        }
        Ok(())
    }

    /// Runs one block of points, sequentially: point by point, replication by replication,
    /// option by option. `None` if `cancel` was raised before the block ended.
    pub fn run_block(&self, b: u64, keys: &StreamKeys, cancel: &AtomicBool) -> Option<PointBlock> {
        let first = b * self.points_per_block;
        let n = self.points_per_block.min(self.points() - first);
        let o_n = self.sim.outcomes().len();
        let p_n = self.policies.len();
        let mut runner = self.sim.runner();
        let mut out = TrialOut::new(o_n, self.sim.series().len(), self.sim.turns());
        let mut params = Params {
            values: self.scenario.base.clone(),
        };
        let mut moments = vec![Moments::default(); n as usize * p_n * o_n];
        let mut diff = vec![Moments::default(); n as usize * p_n * o_n];
        let mut rep = vec![0.0; p_n * o_n];
        for i in 0..n {
            let point = first + i;
            for r in 0..self.replications {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                for (pi, &policy) in self.policies.iter().enumerate() {
                    self.set_params(point, policy, &mut params);
                    let mut streams = keys.trial_streams(stream_number(point, r));
                    runner.run(&params, &mut streams, &mut out);
                    rep[pi * o_n..(pi + 1) * o_n].copy_from_slice(&out.outcomes);
                }
                let base = self.baseline * o_n;
                for pi in 0..p_n {
                    let at = (i as usize * p_n + pi) * o_n;
                    for o in 0..o_n {
                        let x = rep[pi * o_n + o];
                        if x.is_nan() {
                            continue;
                        }
                        moments[at + o].push(x);
                        let b = rep[base + o];
                        if pi != self.baseline && !b.is_nan() {
                            diff[at + o].push(x - b);
                        }
                    }
                }
            }
        }
        Some(PointBlock {
            first_point: first,
            points: n,
            moments,
            diff,
            rows: Vec::new(),
        })
    }
}

struct PointBlocks<'e, 'a> {
    exp: &'e Exploration<'a>,
    keys: StreamKeys,
    format: PointFormatter<'e>,
}

impl BlockJob for PointBlocks<'_, '_> {
    type Output = PointBlock;
    fn run_block(&self, b: u64, cancel: &AtomicBool) -> Option<PointBlock> {
        let mut out = self.exp.run_block(b, &self.keys, cancel)?;
        let mut rows = Vec::new();
        (self.format)(&out, &mut rows);
        out.rows = rows;
        Some(out)
    }
}
