//! Forecasts: Monte Carlo continuations of the session's world, run as a job of the engine's
//! block runner ([`Pool`]) like the trials of a run, so they honour the thread count and give
//! the same bytes at any number of threads.
//!
//! Continuation `k` draws only from `StreamKeys::new(forecast_seed)`'s trial `k` and re-draws
//! the hidden parameters from it; blocks of [`FORECAST_BLOCK`] continuations are joined in block
//! order. What is reported per turn ([`SERIES`]) and at the end ([`FINALS`]) is fixed here.

use std::sync::atomic::AtomicBool;

use super::{Move, World};
use crate::engine::{BlockJob, Flow, Pool, draw_uncertainties, set_params};
use crate::kernel::rng::{StreamKeys, Streams};
use crate::model::NoTrace;
use crate::model::alliance::state::LABELS;
use crate::model::alliance::{self, Levers, N_SERIES, P, Workspace, series_row};

/// Per-turn series reported by forecasts, in this order.
/// The per-turn series a forecast reports: the model's own, in its order.
pub use crate::model::alliance::SERIES;

/// End-of-window outcomes reported by forecasts, in this order.
pub const FINALS: [&str; 8] = [
    "cohesion_final",
    "cohesion_min",
    "credibility_final",
    "fracture",
    "ally_attacked",
    "crises",
    "unilateral_peak",
    "label_final",
];

/// Whether each of [`FINALS`] is a yes/no outcome (reported as a probability).
pub const FINAL_BINARY: [bool; 8] = [false, false, false, true, true, false, false, false];

/// One forecast: `n` continuations of `turns` turns.
#[derive(Debug, Clone)]
pub struct Paths {
    pub n: usize,
    /// The turn numbers covered (first = the turn being played).
    pub turns: Vec<usize>,
    /// `series[(k * turns + t) * SERIES.len() + s]`.
    pub series: Vec<f64>,
    /// `finals[k * FINALS.len() + f]`.
    pub finals: Vec<f64>,
}

impl World {
    /// `n` Monte Carlo continuations from the current state to turn `until`, Blue playing
    /// `plan[i]` at the i-th turn from now (the last move held), the model playing the
    /// adversary. Continuation `k` draws only from `StreamKeys::new(forecast_seed)`'s trial
    /// `k`; the engine's pool runs blocks of [`FORECAST_BLOCK`] continuations and joins them in
    /// block order, so results do not depend on the number of threads, and two plans with the
    /// same `forecast_seed` are compared on common random numbers.
    pub fn forecast(
        &self,
        pool: &Pool,
        plan: &[Move],
        n: usize,
        until: usize,
        forecast_seed: u64,
    ) -> Paths {
        let t0 = self.turn() + 1;
        let until = until.clamp(t0, self.horizon());
        let job = Continuations {
            world: self,
            levers: plan.iter().map(Move::levers).collect(),
            keys: StreamKeys::new(forecast_seed),
            n,
            turns: until + 1 - t0,
        };
        let (ns, nf) = (SERIES.len(), FINALS.len());
        let mut series = Vec::with_capacity(n * job.turns * ns);
        let mut finals = Vec::with_capacity(n * nf);
        let blocks: Vec<u64> = (0..n.div_ceil(FORECAST_BLOCK) as u64).collect();
        // Nothing cancels a forecast, and joining blocks cannot fail.
        let never = AtomicBool::new(false);
        let r = pool.run(
            &job,
            &blocks,
            FORECAST_BLOCK as u64,
            &mut |_, (s, f): (Vec<f64>, Vec<f64>)| {
                series.extend_from_slice(&s);
                finals.extend_from_slice(&f);
                Ok(Flow::Continue)
            },
            &never,
        );
        debug_assert!(r.is_ok());
        Paths {
            n,
            turns: (t0..=until).collect(),
            series,
            finals,
        }
    }

    /// The series of [`SERIES`] for the current state.
    pub fn series_now(&self) -> [f64; N_SERIES] {
        series_row(&self.state)
    }
}

/// Continuations a forecast block holds.
pub const FORECAST_BLOCK: usize = 64;

/// A forecast as the engine's job: block `b` is continuations `64 b ..`.
struct Continuations<'w> {
    world: &'w World,
    levers: Vec<Levers>,
    keys: StreamKeys,
    n: usize,
    turns: usize,
}

impl BlockJob for Continuations<'_> {
    /// `series[(k * turns + t) * SERIES.len() + s]`, `finals[k * FINALS.len() + f]`.
    type Output = (Vec<f64>, Vec<f64>);

    fn run_block(&self, b: u64, _cancel: &AtomicBool) -> Option<Self::Output> {
        let w = self.world;
        let (ns, nf, turns) = (SERIES.len(), FINALS.len(), self.turns);
        let lo = b as usize * FORECAST_BLOCK;
        let hi = (lo + FORECAST_BLOCK).min(self.n);
        let mut series = vec![0.0; (hi - lo) * turns * ns];
        let mut finals = vec![0.0; (hi - lo) * nf];
        let mut coeffs = w.coeffs.clone();
        let mut ws = Workspace::new(w.allies().len());
        let mut params = w.params.clone();
        let mut draws = vec![0.0; w.scenario.uncertainties.len()];
        let mut s = w.state.clone();
        for k in lo..hi {
            draw_uncertainties(&w.scenario, &self.keys, k as u64, &mut draws);
            set_params(&w.scenario, w.scenario.baseline, &draws, &mut params);
            coeffs.fill(&w.base, &params);
            s.clone_from(&w.state);
            s.risk_appetite = coeffs[P::RiskAppetite];
            s.strategy_military = coeffs[P::StrategyMilitary];
            let crises0 = s.crises;
            let mut peak = 0usize;
            let mut st: Streams = self.keys.trial_streams(k as u64);
            let mut min_c = f64::INFINITY;
            for j in 0..turns {
                let lv = &self.levers[j.min(self.levers.len() - 1)];
                alliance::turn(&w.sim, &coeffs, &mut s, lv, &mut st, &mut ws, &mut NoTrace);
                series[((k - lo) * turns + j) * ns..][..ns].copy_from_slice(&series_row(&s));
                min_c = min_c.min(s.cohesion);
                peak = peak.max(s.unilateral_count);
            }
            let f = &mut finals[(k - lo) * nf..][..nf];
            f[0] = s.cohesion;
            f[1] = min_c;
            f[2] = s.credibility;
            f[3] = if s.fracture_turn.is_some() { 1.0 } else { 0.0 };
            f[4] = if s.attack_turn.is_some() { 1.0 } else { 0.0 };
            f[5] = (s.crises - crises0) as f64;
            f[6] = peak as f64;
            f[7] = s.label as f64;
        }
        Some((series, finals))
    }
}

/// The name of a label value (for `label_final`).
pub fn label_name(x: f64) -> &'static str {
    LABELS.get(x as usize).copied().unwrap_or("?")
}
