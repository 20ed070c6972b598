//! A calibration: ABC-SMC over named parameters of a scenario, its simulations run on the pool.
//!
//! The targets are statistics of a model's outputs: anything that implements [`Statistic`]
//! (one number from one trial's `TrialOut`). One simulation at a parameter vector θ is the mean
//! of each statistic over K trials of one policy option, every other uncertainty of the scenario
//! drawn per trial as in a run, θ overriding the calibrated parameters. Each generation
//! simulates M proposals, numbered, in blocks on the [`Pool`]; block outputs are folded in block
//! order, and everything after (distances, tolerance, weights) runs on the calling thread, so
//! the result is the same bits for any number of threads.
//!
//! Random numbers: generation g's proposals draw from the stream (seed_g, uncertainty, i) with
//! seed_g = `derived_seed(seed, "calibrate/proposal", g)`; trial k of proposal i runs on the
//! model streams of trial i·K + k under `derived_seed(seed, "calibrate/model", g)`. Nothing is
//! shared with a run of the same seed.

use std::sync::atomic::{AtomicBool, Ordering};

use super::abc::{self, Kernel, Prior};
use super::pool::{BlockJob, EngineError, Flow, Pool};
use super::trials::{draw_uncertainties, set_params};
use crate::kernel::rng::{Purpose, StreamKeys, derived_seed, stream_from_key, stream_key};
use crate::model::{Params, Simulation, TrialOut};
use crate::scenario::Scenario;

/// A target statistic: one number computed from one trial's outputs.
pub trait Statistic: Send + Sync {
    /// Its value in one trial (NaN where it is undefined; a simulation with a NaN is never
    /// accepted when the statistic enters the distance).
    fn of_trial(&self, out: &TrialOut) -> f64;
}

/// One target: the statistic, the observed value, and how it enters the distance.
pub struct Target<'a> {
    pub statistic: Box<dyn Statistic + 'a>,
    pub observed: f64,
    /// The scale its difference is divided by; `None`: 1.4826 × the median absolute deviation
    /// of the statistic over generation 0 (draws from the prior).
    pub scale: Option<f64>,
    /// Whether it enters the distance (`false`: computed and reported only, e.g. held out).
    pub fit: bool,
}

/// A validated calibration.
pub struct Calibration<'a> {
    pub scenario: &'a Scenario,
    pub sim: &'a dyn Simulation,
    /// Index of the option simulated.
    pub policy: usize,
    /// Indices of the calibrated parameters.
    pub params: Vec<usize>,
    pub prior: Prior,
    pub targets: Vec<Target<'a>>,
    /// K: trials averaged per simulation.
    pub trials_per_simulation: u64,
    /// M: simulations per generation.
    pub simulations: u64,
    /// N: particles kept per generation.
    pub population: usize,
    pub generations: usize,
    pub seed: u64,
    /// Proposals per block of work.
    pub block_size: u64,
    pub threads: usize,
}

/// What one generation did.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationSummary {
    pub generation: usize,
    pub simulations: u64,
    /// The tolerance ε_g: the largest distance accepted.
    pub tolerance: f64,
    /// Kish's effective sample size of the population's weights.
    pub ess: f64,
    /// Proposals redrawn because they fell outside the prior's support.
    pub redraws: u64,
}

/// A weighted population: particles (n × d), their weights, distances and statistics (n × T).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub theta: Vec<f64>,
    pub weights: Vec<f64>,
    pub distance: Vec<f64>,
    pub stats: Vec<f64>,
}

/// The result of a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationResult {
    pub generations: Vec<GenerationSummary>,
    /// Generation 0's proposals (M × d): draws from the prior.
    pub prior_draws: Vec<f64>,
    /// Their simulated statistics (M × T): the prior predictive distribution.
    pub prior_stats: Vec<f64>,
    /// The last generation's population: the posterior sample.
    pub posterior: Population,
    /// The scale of each target's difference (given or from generation 0).
    pub scales: Vec<f64>,
}

/// One block of proposals: their parameters (B × d), statistics (B × T) and redraws.
struct BlockOut {
    theta: Vec<f64>,
    stats: Vec<f64>,
    redraws: u64,
}

/// The previous population, as the proposals of the next generation need it.
struct Previous<'p> {
    pop: &'p Population,
    kernel: &'p Kernel,
    cum: Vec<f64>,
}

/// The proposals of one generation as the pool's job.
struct Proposals<'c, 'a> {
    cal: &'c Calibration<'a>,
    prev: Option<Previous<'c>>,
    proposal_key: [u8; 32],
    model_keys: StreamKeys,
}

impl Calibration<'_> {
    pub fn dims(&self) -> usize {
        self.params.len()
    }

    /// Total simulations of the whole calibration (for progress).
    pub fn total_simulations(&self) -> u64 {
        self.simulations * self.generations as u64
    }

    /// Runs every generation; `progress` gets the number of simulations done.
    pub fn run(
        &self,
        progress: &dyn Fn(u64),
        cancel: &AtomicBool,
    ) -> Result<CalibrationResult, EngineError> {
        let pool = Pool::new(self.threads)?;
        let (d, t_n) = (self.dims(), self.targets.len());
        let observed: Vec<f64> = self.targets.iter().map(|t| t.observed).collect();
        let used: Vec<bool> = self.targets.iter().map(|t| t.fit).collect();
        let mut scales: Vec<f64> = Vec::new();
        let mut summaries = Vec::new();
        let mut prior_draws = Vec::new();
        let mut prior_stats = Vec::new();
        let mut population: Option<(Population, Kernel)> = None;
        let mut done = 0u64;
        for g in 0..self.generations {
            let m = self.simulations as usize;
            let (theta, stats, redraws) = {
                let job = Proposals {
                    cal: self,
                    prev: population.as_ref().map(|(pop, kernel)| Previous {
                        pop,
                        kernel,
                        cum: abc::cumulative(&pop.weights),
                    }),
                    proposal_key: stream_key(
                        derived_seed(self.seed, "calibrate/proposal", g as u64),
                        Purpose::Uncertainty,
                    ),
                    model_keys: StreamKeys::new(derived_seed(
                        self.seed,
                        "calibrate/model",
                        g as u64,
                    )),
                };
                let mut theta = Vec::with_capacity(m * d);
                let mut stats = Vec::with_capacity(m * t_n);
                let mut redraws = 0u64;
                let blocks: Vec<u64> = (0..self.simulations.div_ceil(self.block_size)).collect();
                pool.run(
                    &job,
                    &blocks,
                    self.block_size * self.trials_per_simulation,
                    &mut |_, out: BlockOut| {
                        done += (out.theta.len() / d.max(1)) as u64;
                        theta.extend_from_slice(&out.theta);
                        stats.extend_from_slice(&out.stats);
                        redraws += out.redraws;
                        progress(done);
                        Ok(Flow::Continue)
                    },
                    cancel,
                )?;
                (theta, stats, redraws)
            };
            if theta.len() < m * d || cancel.load(Ordering::Relaxed) {
                return Err(EngineError::Interrupted);
            }
            if g == 0 {
                scales = self
                    .targets
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        t.scale.unwrap_or_else(|| {
                            let mut col: Vec<f64> =
                                stats.iter().skip(j).step_by(t_n).copied().collect();
                            abc::robust_scale(&mut col)
                        })
                    })
                    .collect();
                prior_draws = theta.clone();
                prior_stats = stats.clone();
            }
            let distance: Vec<f64> = stats
                .chunks_exact(t_n.max(1))
                .map(|s| abc::distance(s, &observed, &scales, &used))
                .collect();
            let (keep, tolerance) = abc::closest(&distance, self.population);
            if !tolerance.is_finite() {
                return Err(EngineError::Sink(anyhow::anyhow!(
                    "generation {g}: fewer than {} of {m} simulations gave finite target statistics",
                    self.population
                )));
            }
            let new_theta: Vec<f64> = keep
                .iter()
                .flat_map(|&i| theta[i * d..(i + 1) * d].iter().copied())
                .collect();
            let weights = match &population {
                None => vec![1.0 / keep.len() as f64; keep.len()],
                Some((prev, kernel)) => abc::importance_weights(
                    &self.prior,
                    kernel,
                    &new_theta,
                    &prev.theta,
                    &prev.weights,
                ),
            };
            let pop = Population {
                distance: keep.iter().map(|&i| distance[i]).collect(),
                stats: keep
                    .iter()
                    .flat_map(|&i| stats[i * t_n..(i + 1) * t_n].iter().copied())
                    .collect(),
                theta: new_theta,
                weights,
            };
            summaries.push(GenerationSummary {
                generation: g,
                simulations: self.simulations,
                tolerance,
                ess: abc::ess(&pop.weights),
                redraws,
            });
            let kernel = Kernel::of_population(&pop.theta, &pop.weights, d);
            population = Some((pop, kernel));
        }
        let (posterior, _) = population.ok_or(EngineError::Interrupted)?;
        Ok(CalibrationResult {
            generations: summaries,
            prior_draws,
            prior_stats,
            posterior,
            scales,
        })
    }

    /// One simulation: the mean of every target statistic over K trials at parameters `theta`.
    fn simulate(
        &self,
        sim: &mut SimScratch<'_>,
        keys: &StreamKeys,
        i: u64,
        theta: &[f64],
        out: &mut [f64],
    ) {
        out.fill(0.0);
        let k_n = self.trials_per_simulation;
        for k in 0..k_n {
            let trial = i * k_n + k;
            draw_uncertainties(self.scenario, keys, trial, &mut sim.draws);
            set_params(self.scenario, self.policy, &sim.draws, &mut sim.params);
            for (&p, &x) in self.params.iter().zip(theta) {
                sim.params.values[p] = x;
            }
            let mut streams = keys.trial_streams(trial);
            sim.runner.run(&sim.params, &mut streams, &mut sim.out);
            for (acc, t) in out.iter_mut().zip(&self.targets) {
                *acc += t.statistic.of_trial(&sim.out);
            }
        }
        for v in out.iter_mut() {
            *v /= k_n as f64;
        }
    }
}

/// A worker's memory for simulations.
struct SimScratch<'s> {
    runner: Box<dyn crate::model::Runner + 's>,
    out: TrialOut,
    params: Params,
    draws: Vec<f64>,
}

impl BlockJob for Proposals<'_, '_> {
    type Output = BlockOut;
    fn run_block(&self, b: u64, cancel: &AtomicBool) -> Option<BlockOut> {
        let cal = self.cal;
        let (d, t_n) = (cal.dims(), cal.targets.len());
        let first = b * cal.block_size;
        let n = cal.block_size.min(cal.simulations - first) as usize;
        let sim = cal.sim;
        let mut scratch = SimScratch {
            runner: sim.runner(),
            out: TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns()),
            params: Params {
                values: cal.scenario.base.clone(),
            },
            draws: vec![0.0; cal.scenario.uncertainties.len()],
        };
        let mut out = BlockOut {
            theta: vec![0.0; n * d],
            stats: vec![0.0; n * t_n],
            redraws: 0,
        };
        for r in 0..n {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let i = first + r as u64;
            let mut rng = stream_from_key(&self.proposal_key, i);
            let theta = &mut out.theta[r * d..(r + 1) * d];
            match &self.prev {
                None => cal.prior.sample(&mut rng, theta),
                Some(p) => {
                    out.redraws +=
                        abc::propose(&cal.prior, p.kernel, &p.pop.theta, &p.cum, &mut rng, theta)
                }
            }
            let theta = &out.theta[r * d..(r + 1) * d];
            cal.simulate(
                &mut scratch,
                &self.model_keys,
                i,
                theta,
                &mut out.stats[r * t_n..(r + 1) * t_n],
            );
        }
        Some(out)
    }
}

/// Weighted posterior summaries of column `j` of a population's parameters (or statistics):
/// (mean, sd).
pub fn weighted_mean_sd(values: &[f64], stride: usize, j: usize, w: &[f64]) -> (f64, f64) {
    let mut m = 0.0;
    for (row, &wi) in values.chunks_exact(stride).zip(w) {
        m += wi * row[j];
    }
    let mut v = 0.0;
    for (row, &wi) in values.chunks_exact(stride).zip(w) {
        v += wi * (row[j] - m) * (row[j] - m);
    }
    (m, libm::sqrt(v))
}

/// A weighted quantile of column `j` (the smallest value whose cumulative weight reaches `p`).
pub fn weighted_quantile(values: &[f64], stride: usize, j: usize, w: &[f64], p: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .chunks_exact(stride)
        .zip(w)
        .map(|(row, &wi)| (row[j], wi))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for (x, wi) in &pairs {
        acc += wi;
        if acc >= p * total {
            return *x;
        }
    }
    pairs.last().map_or(f64::NAN, |x| x.0)
}
