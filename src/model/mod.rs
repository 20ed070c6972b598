//! Models: what a scenario is simulated with.
//!
//! A model is two things. Its [`ModelSpec`] (in `spec`) is static and declarative: the
//! parameters it accepts, the actor attributes and inject kinds it understands; the scenario
//! validator checks a file against it before any trial runs. Its [`Simulation`] is built from a
//! validated scenario and runs trials: it declares its outcomes and time series, and hands
//! each worker thread a [`Runner`] that owns all the scratch memory a trial needs, so the
//! per-turn loop allocates nothing. A [`Model`] pairs the two; [`registry`] lists them.
//!
//! Models draw every random number from the [`Streams`] they are given and from nowhere else.

pub mod alliance;
pub mod bargaining;
pub mod clusters;
pub mod deffuant;
pub mod hk;
pub mod ishigami;
pub mod opinion;
pub mod reference;
pub mod toy;

pub use crate::kernel::trace::{NoTrace, Trace, Tracer};
pub use crate::spec::{
    ActorField, FieldKind, Group, InjectKind, ModelSpec, OutcomeKind, OutcomeSpec, ParamKind,
    ParamSpec, Params, SeriesSpec,
};

use crate::kernel::rng::Streams;
use crate::scenario::issues::Issues;
use crate::scenario::{Origin, Scenario};

/// A model: its declaration and how to build its simulation from a scenario.
pub struct Model {
    pub spec: &'static ModelSpec,
    /// Builds the simulation from a scenario that passed generic validation; returns the
    /// model-specific problems (in actor tables, injects…) as issues.
    pub build: fn(&Scenario) -> Result<Box<dyn Simulation>, Issues>,
}

/// What one trial of one option produced. Buffers are sized once and reused.
#[derive(Debug, Clone)]
pub struct TrialOut {
    /// One value per outcome, in `Simulation::outcomes` order. `f64::NAN` marks a missing
    /// value (only for `OutcomeKind::Turn`); it is written as a blank cell, never as "NaN".
    pub outcomes: Vec<f64>,
    /// `series[turn * n_series + s]` for turn 0..turns (turn index 0 = turn 1).
    pub series: Vec<f64>,
    /// How many turns actually ran (a model may stop early, e.g. on convergence); turns
    /// beyond carry the last value forward.
    pub turns_run: usize,
}

impl TrialOut {
    pub fn new(n_outcomes: usize, n_series: usize, turns: usize) -> Self {
        TrialOut {
            outcomes: vec![0.0; n_outcomes],
            series: vec![0.0; n_series * turns],
            turns_run: 0,
        }
    }
}

/// A model instance built from one scenario: shared, read-only, by every worker.
pub trait Simulation: Send + Sync {
    fn outcomes(&self) -> &[OutcomeSpec];
    fn series(&self) -> &[SeriesSpec];
    fn turns(&self) -> usize;
    /// A runner with its own scratch memory, for one worker thread.
    fn runner(&self) -> Box<dyn Runner + '_>;
}

/// Runs trials. Implementations write one generic function over `T: Tracer` and call it
/// from both methods, so the untraced path compiles with tracing removed.
pub trait Runner {
    /// Runs one trial of one option: `params` are the option's values for this trial.
    fn run(&mut self, params: &Params, streams: &mut Streams, out: &mut TrialOut);
    /// The same trial, recording every state, event and decision into `trace`. Must leave
    /// `out` exactly as `run` would.
    fn run_traced(
        &mut self,
        params: &Params,
        streams: &mut Streams,
        out: &mut TrialOut,
        trace: &mut Trace,
    );
}

/// Every built-in model, in the order `cohesion describe` lists them.
pub fn registry() -> &'static [&'static Model] {
    static REGISTRY: [&Model; 7] = [
        &alliance::MODEL,
        &deffuant::MODEL,
        &hk::MODEL,
        &bargaining::MODEL,
        &ishigami::MODEL,
        &toy::NORMAL,
        &toy::NONLINEAR,
    ];
    &REGISTRY
}

/// The model whose `kind` is `name`.
pub fn find(name: &str) -> Option<&'static Model> {
    registry().iter().copied().find(|m| m.spec.kind == name)
}

/// The declarations of every model, for the scenario loader.
pub fn specs() -> Vec<&'static ModelSpec> {
    registry().iter().map(|m| m.spec).collect()
}

/// The names of every model, for "allowed: …" messages.
pub fn kinds() -> Vec<&'static str> {
    registry().iter().map(|m| m.spec.kind).collect()
}

/// Builds the simulation of a validated scenario.
pub fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, Issues> {
    match find(sc.model.kind) {
        Some(m) => (m.build)(sc),
        None => {
            let mut issues = Issues::new();
            issues.add(
                "model.kind",
                format!(
                    "unknown model `{}`; allowed: one of {}",
                    sc.model.kind,
                    kinds().join(", ")
                ),
            );
            Err(issues)
        }
    }
}

/// Reads and validates a scenario for one of the built-in models: the generic checks of the
/// scenario reader, then the model's own (actor attributes, inject targets).
pub fn load_scenario(origin: Origin) -> Result<Scenario, Issues> {
    crate::scenario::load(origin, &specs(), &|sc| {
        let sim = build(sc)?;
        check_outcome_names(sc, sim.outcomes())
    })
}

/// `[outcomes] key` and `negligible` name outcomes the model reports.
fn check_outcome_names(sc: &Scenario, outcomes: &[OutcomeSpec]) -> Result<(), Issues> {
    let mut issues = Issues::new();
    let names = || {
        outcomes
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, k) in sc.key_outcomes.iter().enumerate() {
        if !outcomes.iter().any(|o| o.name == *k) {
            issues.add(
                format!("outcomes.key[{i}]"),
                format!(
                    "model `{}` reports no outcome `{k}`; allowed: {}",
                    sc.model.kind,
                    names()
                ),
            );
        }
    }
    for (k, _) in &sc.negligible {
        match outcomes.iter().find(|o| o.name == *k) {
            None => issues.add(
                format!("outcomes.negligible.{k}"),
                format!(
                    "model `{}` reports no outcome `{k}`; allowed: {}",
                    sc.model.kind,
                    names()
                ),
            ),
            Some(o) if matches!(o.kind, OutcomeKind::Category(_)) => issues.add(
                format!("outcomes.negligible.{k}"),
                format!("`{k}` is categorical and has no difference to measure; allowed: an outcome that is a number or yes/no"),
            ),
            Some(_) => {}
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}
