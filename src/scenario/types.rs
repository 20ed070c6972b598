//! What a validated scenario is: the types the loader builds and every other layer reads.
//!
//! They hold values already checked against the model's declaration (parameter values as
//! held, in declaration order; actor cells parsed), so a model or the engine reads them
//! without checking again.

use super::actors::{ActorTable, Cell};
use super::dist::Distribution;
use super::keys;
use super::source::{Origin, SourceFile};
use crate::spec::{ModelSpec, ParamSpec};

/// A validated scenario.
#[derive(Clone)]
pub struct Scenario {
    /// Short name (letters, digits, `-`, `_`, `.`), used in output folder names.
    pub name: String,
    pub description: String,
    /// The length of a turn ("month", "week", "step"…).
    pub turn_length: String,
    /// Number of turns in the horizon.
    pub turns: usize,
    /// Calendar date of turn 1, if the scenario is dated (e.g. "2021-10").
    pub start: Option<String>,
    pub sources: Vec<String>,
    /// The scenario file.
    pub origin: Origin,
    /// Every file read: the scenario, the files it extends, actor tables. Hashed in the manifest.
    pub files: Vec<SourceFile>,
    pub model: &'static ModelSpec,
    /// Parameter values before levers and uncertainties: defaults, then `[model]` and
    /// `[outcomes]`.
    pub base: Vec<f64>,
    pub actors: Option<ActorTable>,
    pub policies: Vec<Policy>,
    /// Index of the baseline option in `policies`.
    pub baseline: usize,
    pub uncertainties: Vec<Uncertainty>,
    /// Scripted injects, sorted by turn (stable: file order within a turn).
    pub injects: Vec<Inject>,
    /// Experiment defaults from `[run]`.
    pub run: RunDefaults,
    /// `[outcomes] key`: the outcomes that decide between the options (file order).
    pub key_outcomes: Vec<String>,
    /// `[outcomes] negligible`: per outcome, the band of differences too small to matter
    /// (file order of the table, i.e. sorted by name).
    pub negligible: Vec<(String, f64)>,
    /// The scenario's TOML after `extends` is resolved, as read (a run writes it beside its
    /// results as `scenario.toml`, so that `cohesion diff` can name the keys two runs differ in).
    pub table: toml::Table,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("model", &self.model.kind)
            .field("turns", &self.turns)
            .finish_non_exhaustive()
    }
}

/// A named policy option: a bundle of lever values.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub baseline: bool,
    /// (parameter index, value as held), in file order.
    pub levers: Vec<(usize, f64)>,
}

/// A parameter drawn once per trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub param: usize,
    pub name: String,
    pub dist: Distribution,
    pub description: String,
}

/// A scripted event at a given turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Inject {
    /// 1-based turn.
    pub turn: usize,
    pub kind: String,
    pub name: String,
    pub date: Option<String>,
    pub description: String,
    /// Fields of the kind, as (field, value); numbers as `Cell::Number`.
    pub fields: Vec<(String, Cell)>,
}

impl Inject {
    pub fn number(&self, field: &str) -> Option<f64> {
        self.fields.iter().find_map(|(k, v)| match v {
            Cell::Number(x) if k == field => Some(*x),
            _ => None,
        })
    }
    pub fn word(&self, field: &str) -> Option<&str> {
        self.fields.iter().find_map(|(k, v)| match v {
            Cell::Text(s) if k == field => Some(s.as_str()),
            _ => None,
        })
    }
}

/// Experiment defaults a scenario may set in `[run]` (the command line overrides them).
#[derive(Debug, Clone, PartialEq)]
pub struct RunDefaults {
    pub trials: u64,
    /// Trials per block: statistics are folded block by block, in block order. Part of the
    /// experiment, not of the hardware.
    pub block_size: u64,
    pub seed: Option<u64>,
}

impl Default for RunDefaults {
    /// The defaults the format declares for a scenario without `[run]`.
    fn default() -> Self {
        RunDefaults {
            trials: keys::TRIALS.default_whole(),
            block_size: keys::BLOCK_SIZE.default_whole(),
            seed: None,
        }
    }
}

impl Scenario {
    /// The negligible band of an outcome (0 when the scenario declares none).
    pub fn band(&self, outcome: &str) -> f64 {
        self.negligible
            .iter()
            .find(|(o, _)| o == outcome)
            .map(|(_, b)| *b)
            .unwrap_or(0.0)
    }

    pub fn param_spec(&self, i: usize) -> &'static ParamSpec {
        &self.model.params[i]
    }

    pub fn policy_index(&self, name: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name == name)
    }

    /// The scenario's parameter values with a policy's levers applied (no uncertainty).
    pub fn values_for(&self, policy: usize) -> Vec<f64> {
        let mut v = self.base.clone();
        for &(i, x) in &self.policies[policy].levers {
            v[i] = x;
        }
        v
    }
}
