//! Per-ally summaries of one option over K trials, without writing a run: the simulation a
//! calibration compares with its targets.
//!
//! [`ally_summary`] plays trials `first..first + K` of one policy option exactly as a run
//! does (the same uncertainty draws and model streams for each trial number, so its values
//! equal those of a `cohesion run` with the same seed), with some parameters set to the values
//! a calibration proposes, and folds every per-actor outcome (`allies.csv`'s metrics: e.g.
//! `defence_change_pp`, `channel_months`, and the calendar-year `defence_<year>`) into
//! running moments per (metric, ally), in trial order. It runs on the calling thread: a
//! calibration spreads its simulations over the engine's [`Pool`](super::Pool) itself, one
//! simulation per task, so the result is the same bits for any number of threads.

use crate::kernel::rng::StreamKeys;
use crate::model::{Params, Simulation, TrialOut};
use crate::scenario::Scenario;
use crate::stats::{Family, Moments, actor_families};

use super::trials::{draw_uncertainties, set_params};

/// Per-ally moments of every per-actor metric of one option over some trials.
#[derive(Debug, Clone, PartialEq)]
pub struct AllySummary {
    /// The actors (allies), in actor-table order.
    pub allies: Vec<String>,
    /// The per-actor metrics, in declaration order.
    pub metrics: Vec<String>,
    /// `moments[metric * allies.len() + ally]`, over the trials run (a missing value — a
    /// turn that never came — is skipped).
    pub moments: Vec<Moments>,
    /// Trials run.
    pub trials: u64,
}

impl AllySummary {
    /// The moments of `metric` for `ally`, if both exist.
    pub fn get(&self, metric: &str, ally: &str) -> Option<&Moments> {
        let m = self.metrics.iter().position(|x| x == metric)?;
        let a = self.allies.iter().position(|x| x == ally)?;
        self.moments.get(m * self.allies.len() + a)
    }

    /// The mean of `metric` for every ally, in actor order (NaN where no trial had a value).
    pub fn means(&self, metric: &str) -> Option<Vec<f64>> {
        let m = self.metrics.iter().position(|x| x == metric)?;
        let n = self.allies.len();
        Some(
            self.moments[m * n..(m + 1) * n]
                .iter()
                .map(|x| if x.n > 0 { x.mean } else { f64::NAN })
                .collect(),
        )
    }
}

/// Plays trials `first..first + trials` of option `policy` (an index into
/// `sc.policies`) with the run's streams for `seed`, the parameters in `overrides`
/// (parameter index, value) set after the scenario's values, the trial's uncertainty draws and
/// the option's levers, and summarises the per-actor outcomes. Allocates its buffers once.
pub fn ally_summary(
    sc: &Scenario,
    sim: &dyn Simulation,
    policy: usize,
    overrides: &[(usize, f64)],
    seed: u64,
    first: u64,
    trials: u64,
) -> AllySummary {
    let allies: Vec<String> = sc
        .actors
        .as_ref()
        .map(|t| t.names.clone())
        .unwrap_or_default();
    let families: Vec<Family> = actor_families(sim.outcomes(), &allies);
    let n = allies.len();
    let mut moments = vec![Moments::default(); families.len() * n];
    let keys = StreamKeys::new(seed);
    let mut runner = sim.runner();
    let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
    let mut params = Params {
        values: sc.base.clone(),
    };
    let mut draws = vec![0.0; sc.uncertainties.len()];
    for k in first..first + trials {
        draw_uncertainties(sc, &keys, k, &mut draws);
        set_params(sc, policy, &draws, &mut params);
        for &(i, x) in overrides {
            params.values[i] = x;
        }
        runner.run(&params, &mut keys.trial_streams(k), &mut out);
        for (f, fam) in families.iter().enumerate() {
            for (a, &o) in fam.index.iter().enumerate() {
                let x = out.outcomes[o];
                if !x.is_nan() {
                    moments[f * n + a].push(x);
                }
            }
        }
    }
    AllySummary {
        allies,
        metrics: families.into_iter().map(|f| f.metric).collect(),
        moments,
        trials,
    }
}
