//! The simulation shared by the two reference opinion-dynamics models.
//!
//! Deffuant–Weisbuch and Hegselmann–Krause differ only in their update rule (see
//! `opinion.rs`); initial opinions, the turn loop, convergence, injects, outcomes and time
//! series are the same, so they live here once. A Deffuant turn is `sweeps_per_turn` sweeps of
//! N random pair meetings; an HK turn is one synchronous update. A trial runs until it has
//! converged, not until the scenario's last turn: the turns are the horizon of the time series,
//! and past it the rule goes on (no series recorded) up to a cap (`max_sweeps`, `max_steps`),
//! so that a slow trial is never cut short and its outcomes describe where the dynamics end.
//! The `converged` outcome reports whether the cap was reached instead.
//!
//! Convergence: for HK, no opinion moved by more than `tolerance` in an update (HK reaches an
//! exact fixed point). For Deffuant a quiet sweep is not enough, since an isolated pair may just
//! not have met: the state must also be frozen (`clusters::is_frozen`: every group of opinions
//! within ε of each other spans at most `tolerance`), so no meeting can move anyone any more.
//! The check runs after every sweep whose largest move was below `tolerance` (a frozen state
//! always passes that filter), so `steps` counts sweeps exactly.

use super::clusters;
use super::opinion::{self, HkScratch};
use super::{
    ActorField, FieldKind, InjectKind, NoTrace, OutcomeKind, OutcomeSpec, Params, Runner,
    SeriesSpec, Simulation, Tracer, TrialOut,
};
use crate::kernel::rng::{Streams, unit};
use crate::kernel::trace::Trace;
use crate::scenario::{Issues, Scenario};

/// Which update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Deffuant,
    HegselmannKrause,
}

/// Parameter indices common to both models (each SPEC lists them in this order).
pub const P_AGENTS: usize = 0;
pub const P_EPSILON: usize = 1;
pub const P_TOLERANCE: usize = 2;
pub const P_GAP: usize = 3;
pub const P_MAJOR: usize = 4;
/// Deffuant only.
pub const P_MU: usize = 5;
pub const P_SWEEPS: usize = 6;
pub const P_MAX_SWEEPS: usize = 7;
/// HK only.
pub const P_MAX_STEPS: usize = 5;

/// The inject both models understand.
pub static INJECTS: &[InjectKind] = &[InjectKind {
    name: "shift",
    meaning: "every opinion moves by `amount` (kept within [0, 1]), e.g. a shared shock",
    fields: &[ActorField {
        name: "amount",
        kind: FieldKind::Real {
            min: -1.0,
            max: 1.0,
        },
        required: true,
        meaning: "how far every opinion moves",
    }],
}];

pub struct OpinionSim {
    rule: Rule,
    turns: usize,
    outcomes: Vec<OutcomeSpec>,
    series: Vec<SeriesSpec>,
    /// Shift per turn (0 where no inject).
    shifts: Vec<f64>,
    max_agents: usize,
}

pub fn build(sc: &Scenario, rule: Rule) -> Result<Box<dyn Simulation>, Issues> {
    let mut shifts = vec![0.0; sc.turns];
    for inj in &sc.injects {
        shifts[inj.turn - 1] += inj.number("amount").unwrap_or(0.0);
    }
    // The largest population any trial can have (agents may be uncertain).
    let mut max_agents = sc.base[P_AGENTS] as usize;
    for u in &sc.uncertainties {
        if u.param == P_AGENTS {
            max_agents = max_agents.max(u.dist.support().1 as usize);
        }
    }
    for p in &sc.policies {
        for &(i, v) in &p.levers {
            if i == P_AGENTS {
                max_agents = max_agents.max(v as usize);
            }
        }
    }
    let outcomes = vec![
        OutcomeSpec::new(
            "clusters",
            OutcomeKind::Count,
            "number of opinion clusters at the end (gap > cluster_gap)",
        ),
        OutcomeSpec::new(
            "major_clusters",
            OutcomeKind::Count,
            "clusters holding at least major_share of the agents",
        ),
        OutcomeSpec::new(
            "consensus",
            OutcomeKind::Binary,
            "1 if a single major cluster holds the population",
        ),
        OutcomeSpec::new(
            "converged",
            OutcomeKind::Binary,
            "1 if the run converged (0: it reached max_sweeps / max_steps first)",
        ),
        OutcomeSpec::new(
            "steps",
            OutcomeKind::Count,
            "sweeps (Deffuant) or updates (HK) run, until convergence or the cap",
        ),
        OutcomeSpec::new(
            "spread",
            OutcomeKind::Real { min: 0.0, max: 1.0 },
            "largest minus smallest final opinion",
        ),
        OutcomeSpec::new(
            "mean_opinion",
            OutcomeKind::Real { min: 0.0, max: 1.0 },
            "mean final opinion",
        ),
    ];
    let series = vec![
        SeriesSpec::new("spread", 0.0, 1.0, "largest minus smallest opinion"),
        SeriesSpec::new("sd", 0.0, 0.5, "standard deviation of opinions"),
    ];
    Ok(Box::new(OpinionSim {
        rule,
        turns: sc.turns,
        outcomes,
        series,
        shifts,
        max_agents,
    }))
}

impl Simulation for OpinionSim {
    fn outcomes(&self) -> &[OutcomeSpec] {
        &self.outcomes
    }
    fn series(&self) -> &[SeriesSpec] {
        &self.series
    }
    fn turns(&self) -> usize {
        self.turns
    }
    fn runner(&self) -> Box<dyn Runner + '_> {
        Box::new(OpinionRunner {
            sim: self,
            x: Vec::with_capacity(self.max_agents),
            next: Vec::with_capacity(self.max_agents),
            scratch: HkScratch::new(self.max_agents),
            sort: Vec::with_capacity(self.max_agents),
        })
    }
}

struct OpinionRunner<'a> {
    sim: &'a OpinionSim,
    x: Vec<f64>,
    next: Vec<f64>,
    scratch: HkScratch,
    sort: Vec<f64>,
}

fn spread_sd(x: &[f64]) -> (f64, f64, f64) {
    let (mut lo, mut hi, mut s) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &v in x {
        lo = lo.min(v);
        hi = hi.max(v);
        s += v;
    }
    let m = s / x.len() as f64;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64;
    (hi - lo, var.sqrt(), m)
}

impl OpinionRunner<'_> {
    /// One step of the rule: a Deffuant sweep or an HK update. Returns the largest move and
    /// whether the state has converged (see the module note).
    fn step(&mut self, p: &Params, st: &mut Streams, n: usize) -> (f64, bool) {
        let (eps, tol) = (p.get(P_EPSILON), p.get(P_TOLERANCE));
        match self.sim.rule {
            Rule::Deffuant => {
                let moved =
                    opinion::deffuant_sweep(&mut self.x, eps, p.get(P_MU), &mut st.dynamics);
                // A frozen state always has moved < tol, so the sort runs only near the end.
                let done = moved < tol && clusters::is_frozen(&self.x, eps, tol, &mut self.sort);
                (moved, done)
            }
            Rule::HegselmannKrause => {
                let c = opinion::hk_step(&self.x, &mut self.next[..n], eps, &mut self.scratch);
                std::mem::swap(&mut self.x, &mut self.next);
                self.x.truncate(n);
                (c, c < tol)
            }
        }
    }

    fn go<T: Tracer>(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut T) {
        let n = p.int(P_AGENTS) as usize;
        let tol = p.get(P_TOLERANCE);
        self.x.clear();
        for _ in 0..n {
            self.x.push(unit(&mut st.init));
        }
        if self.next.len() < n {
            self.next.resize(n, 0.0);
        }
        if T::ENABLED {
            for (i, &v) in self.x.iter().enumerate() {
                tr.state(0, &format!("agent{i}"), "opinion", v);
            }
        }
        let (per_turn, cap) = match self.sim.rule {
            Rule::Deffuant => (p.int(P_SWEEPS) as usize, p.int(P_MAX_SWEEPS) as usize),
            Rule::HegselmannKrause => (1, p.int(P_MAX_STEPS) as usize),
        };
        let turns = self.sim.turns;
        let s_n = self.sim.series.len();
        let mut steps = 0usize;
        let mut converged = false;
        let mut last = 0;
        for t in 0..turns {
            let shift = self.sim.shifts[t];
            if shift != 0.0 {
                for v in &mut self.x {
                    *v = (*v + shift).clamp(0.0, 1.0);
                }
                if T::ENABLED {
                    tr.event(t + 1, "inject", "", &|| {
                        format!("shift all opinions by {shift}")
                    });
                }
            }
            // Convergence counts only once no inject lies ahead.
            let quiet = !self.sim.shifts[t + 1..].iter().any(|s| *s != 0.0);
            let mut change = 0.0f64;
            for _ in 0..per_turn {
                if steps == cap {
                    break;
                }
                let (moved, done) = self.step(p, st, n);
                steps += 1;
                change = change.max(moved);
                if done && quiet {
                    converged = true;
                    break;
                }
            }
            let (spread, sd, _) = spread_sd(&self.x);
            out.series[t * s_n] = spread;
            out.series[t * s_n + 1] = sd;
            if T::ENABLED {
                for (i, &v) in self.x.iter().enumerate() {
                    tr.state(t + 1, &format!("agent{i}"), "opinion", v);
                }
                tr.state(
                    t + 1,
                    "",
                    "max_change",
                    if change.is_finite() { change } else { tol },
                );
            }
            last = t;
            if converged || steps == cap {
                break;
            }
        }
        // Past the horizon: the rule goes on, without series, to convergence or the cap.
        while !converged && steps < cap {
            let (_, done) = self.step(p, st, n);
            steps += 1;
            converged = done;
        }
        if converged && T::ENABLED {
            tr.event(last + 1, "converged", "", &|| {
                format!("converged after {steps} steps (tolerance {tol:e})")
            });
        }
        // Carry the last state forward over turns not run.
        for t in last + 1..turns {
            let (a, b) = out.series.split_at_mut(t * s_n);
            b[..s_n].copy_from_slice(&a[(t - 1) * s_n..t * s_n]);
        }
        out.turns_run = last + 1;
        let gap = p.get(P_GAP);
        let share = p.get(P_MAJOR);
        let clusters = clusters::count_clusters(&self.x, gap, &mut self.sort);
        let major = clusters::major_clusters(&self.x, gap, share, &mut self.sort);
        let (spread, _, mean) = spread_sd(&self.x);
        out.outcomes.copy_from_slice(&[
            clusters as f64,
            major as f64,
            if major == 1 { 1.0 } else { 0.0 },
            if converged { 1.0 } else { 0.0 },
            steps as f64,
            spread.clamp(0.0, 1.0),
            mean.clamp(0.0, 1.0),
        ]);
    }
}

impl Runner for OpinionRunner<'_> {
    fn run(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut) {
        self.go(p, st, out, &mut NoTrace);
    }
    fn run_traced(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut Trace) {
        self.go(p, st, out, tr);
    }
}
