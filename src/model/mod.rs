//! Models: what a scenario is simulated with.
//!
//! A model is two things. Its [`ModelSpec`] is static and declarative: the parameters it
//! accepts (name, type, range, default, meaning), the actor attributes and inject kinds it
//! understands. The scenario validator checks a file against that declaration before any
//! trial runs, and `cohesion describe` prints it. Its [`Simulation`] is built from a
//! validated scenario and runs trials: it declares its outcomes and time series, and hands
//! each worker thread a [`Runner`] that owns all the scratch memory a trial needs, so the
//! per-turn loop allocates nothing.
//!
//! Models draw every random number from the [`Streams`] they are given and from nowhere else.

pub mod alliance;
pub mod bargaining;
pub mod clusters;
pub mod deffuant;
pub mod hk;
pub mod opinion;
pub mod params;
pub mod reference;

pub use params::{Group, ParamKind, ParamSpec, Params};

use crate::engine::rng::Streams;
use crate::scenario::Scenario;
use crate::scenario::issues::Issues;

/// The static declaration of a model.
pub struct ModelSpec {
    /// The value of `[model] kind` that selects it.
    pub kind: &'static str,
    /// One line: what the model is.
    pub title: &'static str,
    /// A paragraph: what it represents, and its reference.
    pub description: &'static str,
    /// Every parameter it accepts, in a fixed order (the order of `Params` values).
    pub params: &'static [ParamSpec],
    /// Actor attributes it reads (empty if the model takes no actor table).
    pub actor_fields: &'static [ActorField],
    /// Whether a scenario for this model must give an actor table.
    pub needs_actors: bool,
    /// Kinds of scripted inject the model understands.
    pub inject_kinds: &'static [InjectKind],
    /// Builds the simulation from a scenario that passed generic validation; returns the
    /// model-specific problems (in actor tables, injects…) as issues.
    pub build: fn(&Scenario) -> Result<Box<dyn Simulation>, Issues>,
}

impl ModelSpec {
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// One column of an actor table.
#[derive(Debug, Clone, Copy)]
pub struct ActorField {
    pub name: &'static str,
    pub kind: FieldKind,
    /// Whether every actor must have a value (otherwise a blank cell is allowed and the model
    /// documents what it uses instead).
    pub required: bool,
    pub meaning: &'static str,
}

/// What a field of an actor table or inject holds.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// A number in [min, max].
    Real { min: f64, max: f64 },
    /// An integer in [min, max].
    Int { min: i64, max: i64 },
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// Free text.
    Text,
}

impl FieldKind {
    pub fn allowed(&self) -> String {
        match self {
            FieldKind::Real { min, max } => format!("a number from {min} to {max}"),
            FieldKind::Int { min, max } => format!("a whole number from {min} to {max}"),
            FieldKind::Choice(c) => format!("one of {}", c.join(", ")),
            FieldKind::Text => "text".to_string(),
        }
    }
}

/// A kind of scripted inject (an entry of the master scenario events list).
#[derive(Debug, Clone, Copy)]
pub struct InjectKind {
    pub name: &'static str,
    pub meaning: &'static str,
    /// Fields the inject may carry beside `turn`, `kind`, `name`, `date`, `description`.
    pub fields: &'static [ActorField],
}

/// How an outcome is summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutcomeKind {
    /// A real number, with a known range (quantiles from a fixed histogram over the range).
    Real { min: f64, max: f64 },
    /// A non-negative whole number (quantiles exact).
    Count,
    /// Yes (1) or no (0): also summarised as a probability with a Wilson interval.
    Binary,
    /// The turn at which something happened, missing (blank) when it did not.
    Turn,
}

/// One per-trial outcome a simulation reports.
#[derive(Debug, Clone)]
pub struct OutcomeSpec {
    pub name: String,
    pub kind: OutcomeKind,
    pub meaning: String,
}

impl OutcomeSpec {
    pub fn new(name: impl Into<String>, kind: OutcomeKind, meaning: impl Into<String>) -> Self {
        OutcomeSpec {
            name: name.into(),
            kind,
            meaning: meaning.into(),
        }
    }
}

/// One time series a simulation reports per turn (turns 1..=T).
#[derive(Debug, Clone)]
pub struct SeriesSpec {
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub meaning: String,
}

impl SeriesSpec {
    pub fn new(name: impl Into<String>, min: f64, max: f64, meaning: impl Into<String>) -> Self {
        SeriesSpec {
            name: name.into(),
            min,
            max,
            meaning: meaning.into(),
        }
    }
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
        trace: &mut crate::engine::trace::Trace,
    );
}

/// Receives the detail of a traced trial. `NoTrace` compiles to nothing.
pub trait Tracer {
    const ENABLED: bool;
    /// A state variable of an actor (or of the whole system, with actor "") after a turn.
    fn state(&mut self, turn: usize, actor: &str, variable: &str, value: f64);
    /// An event or decision during a turn.
    fn event(&mut self, turn: usize, kind: &str, actor: &str, detail: &dyn Fn() -> String);
}

/// The tracer of untraced runs.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;
    #[inline(always)]
    fn state(&mut self, _: usize, _: &str, _: &str, _: f64) {}
    #[inline(always)]
    fn event(&mut self, _: usize, _: &str, _: &str, _: &dyn Fn() -> String) {}
}

/// Every built-in model, in the order `cohesion describe` lists them.
pub fn registry() -> &'static [&'static ModelSpec] {
    static REGISTRY: [&ModelSpec; 4] = [
        &alliance::SPEC,
        &deffuant::SPEC,
        &hk::SPEC,
        &bargaining::SPEC,
    ];
    &REGISTRY
}

/// The model whose `kind` is `name`.
pub fn find(name: &str) -> Option<&'static ModelSpec> {
    registry().iter().copied().find(|m| m.kind == name)
}

/// The names of every model, for "allowed: …" messages.
pub fn kinds() -> Vec<&'static str> {
    registry().iter().map(|m| m.kind).collect()
}
