//! Blue's levers: which of the model's parameters Blue moves in a game, how a move is written
//! (`name=value`, checked against the parameter's declaration) and how it becomes the model's
//! [`Levers`].
//!
//! A move is held as one number per lever (a choice's index for a choice), so it can be logged,
//! compared and replayed without the model's types.

use serde::{Deserialize, Serialize};

use crate::model::alliance::{Levers, PARAMS};
use crate::model::{ParamKind, ParamSpec};
use crate::scenario::Scenario;

/// Blue's levers, in the order the game shows them: the model's declared levers.
pub use crate::model::alliance::LEVERS;

/// Blue's move: one value per lever of [`LEVERS`], as held (a choice's index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move(pub Vec<f64>);

/// The declaration of lever `i`.
pub fn lever_spec(i: usize) -> &'static ParamSpec {
    &PARAMS[LEVERS[i].i()]
}

/// The lever called `name`.
pub fn lever_index(name: &str) -> Option<usize> {
    (0..LEVERS.len()).find(|&i| lever_spec(i).name == name)
}

/// Every lever name.
pub fn lever_names() -> Vec<&'static str> {
    (0..LEVERS.len()).map(|i| lever_spec(i).name).collect()
}

impl Move {
    /// The move a scenario's policy option makes (lever values it leaves out from `base`).
    pub fn from_policy(sc: &Scenario, policy: usize, base: &Move) -> Move {
        let mut m = base.clone();
        for &(p, x) in &sc.policies[policy].levers {
            if let Some(i) = LEVERS.iter().position(|l| l.i() == p) {
                m.0[i] = x;
            }
        }
        m
    }

    /// `name=value` pairs as a user writes them.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, &v)| (lever_spec(i).name.to_string(), lever_spec(i).display(v)))
            .collect()
    }

    /// One line: `label=threat dialogue=open …`.
    pub fn text(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The move the model's levers `lv` make.
    pub(super) fn from_levers(lv: &Levers) -> Move {
        Move(vec![
            lv.label as f64,
            lv.dialogue as f64,
            lv.dialogue_effort,
            lv.counter_disinfo,
            lv.resilience_investment,
            lv.posture,
            lv.costs_of_aggression,
            lv.spending_growth,
            if lv.label_conditions { 1.0 } else { 0.0 },
        ])
    }

    /// The model's levers for this move.
    pub(super) fn levers(&self) -> Levers {
        let v = &self.0;
        Levers {
            label: v[0] as usize,
            dialogue: v[1] as usize,
            dialogue_effort: v[2],
            counter_disinfo: v[3],
            resilience_investment: v[4],
            posture: v[5],
            costs_of_aggression: v[6],
            spending_growth: v[7],
            label_conditions: v[8] == 1.0,
        }
    }
}

/// Parses `value` for lever `i`, checking its range; the error says what is allowed.
pub fn parse_lever(i: usize, value: &str) -> Result<f64, String> {
    let spec = lever_spec(i);
    let bad = || format!("`{}={value}`: allowed: {}", spec.name, spec.allowed());
    match spec.kind {
        ParamKind::Choice(words) => words
            .iter()
            .position(|w| *w == value)
            .map(|k| k as f64)
            .ok_or_else(bad),
        ParamKind::Real { min, max } => match value.parse::<f64>() {
            Ok(x) if x.is_finite() && (min..=max).contains(&x) => Ok(x),
            _ => Err(bad()),
        },
        ParamKind::Int { min, max } => match value.parse::<i64>() {
            Ok(x) if (min..=max).contains(&x) => Ok(x as f64),
            _ => Err(bad()),
        },
        ParamKind::Bool => match value {
            "true" | "yes" => Ok(1.0),
            "false" | "no" => Ok(0.0),
            _ => Err(bad()),
        },
    }
}
