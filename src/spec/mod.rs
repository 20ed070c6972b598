//! Declarations: what a model says about itself before any trial runs.
//!
//! A model declares the parameters it accepts (name, type, range, default, meaning, whether it
//! is a lever), the actor attributes and inject kinds it understands, and the outcomes and time
//! series it reports. The scenario validator checks a file against these declarations, the
//! statistics are laid out by them, `cohesion describe` and `docs/SCENARIO.md` print them.
//! They are plain data, below both the scenario reader and the models, so that neither needs
//! the other to know what a parameter is.

pub mod params;

pub use params::{Group, ParamKind, ParamSpec, Params};

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
    /// One of a few named categories, held as its position (0, 1, …) in the list. Never
    /// averaged: summarised as the share of trials in each category.
    Category(&'static [&'static str]),
}

/// One per-trial outcome a simulation reports.
#[derive(Debug, Clone)]
pub struct OutcomeSpec {
    pub name: String,
    pub kind: OutcomeKind,
    pub meaning: String,
    /// A per-actor detail (`metric.<actor>` with real values): summarised like every outcome,
    /// but not written per trial to `trials.csv` (thirty real columns per metric would
    /// multiply its size) and histogrammed more coarsely.
    pub detail: bool,
}

impl OutcomeSpec {
    pub fn new(name: impl Into<String>, kind: OutcomeKind, meaning: impl Into<String>) -> Self {
        OutcomeSpec {
            name: name.into(),
            kind,
            meaning: meaning.into(),
            detail: false,
        }
    }

    /// The same outcome, marked as a per-actor detail.
    pub fn detail(mut self) -> Self {
        self.detail = true;
        self
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
