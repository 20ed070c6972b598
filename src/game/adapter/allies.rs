//! Each ally as the game shows it: the model's per-ally state (stance, threat, resilience,
//! energy dependence, inducements received, defence spending, the unilateral channel) in the
//! game's words, and ally names as users type them (any case, `_` for a space).

use serde::{Deserialize, Serialize};

use super::World;
use crate::model::alliance::channels;
use crate::model::alliance::state::EXPOSURES;

/// One ally now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllyRow {
    pub name: String,
    /// `frontline`, `flank` or `rear`.
    pub exposure: String,
    /// 0 = engagement with Russia, 1 = confrontation.
    pub stance: f64,
    /// Threat perception in [0, 1].
    pub threat: f64,
    /// Resilience to hybrid attacks and disinformation in [0, 1].
    pub resilience: f64,
    /// Energy dependence on Russia in [0, 1].
    pub dependence: f64,
    /// Stock of inducements received (decaying).
    pub inducement: f64,
    /// Defence expenditure, % of GDP.
    pub defence: f64,
    /// A unilateral channel to Moscow this turn.
    pub channel: bool,
    /// The probability that it runs a channel next turn, at the state as it is now (before the
    /// next turn's dynamics move it).
    pub channel_risk: f64,
    /// Weight in the alliance (economic and military; the weights sum to 1).
    pub weight: f64,
}

/// The numeric fields of [`AllyRow`] a delta is reported for, with their names.
pub const ALLY_FIELDS: [&str; 6] = [
    "stance",
    "threat",
    "resilience",
    "dependence",
    "inducement",
    "defence",
];

impl AllyRow {
    /// The value of field `k` of [`ALLY_FIELDS`].
    pub fn field(&self, k: usize) -> f64 {
        [
            self.stance,
            self.threat,
            self.resilience,
            self.dependence,
            self.inducement,
            self.defence,
        ][k]
    }
}

/// The key an ally name is matched on: lower case, `_` and runs of spaces as one space.
pub fn ally_key(name: &str) -> String {
    name.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl World {
    /// Every ally now, in the scenario's order.
    pub fn ally_rows(&self) -> Vec<AllyRow> {
        let s = &self.state;
        (0..s.allies())
            .map(|i| AllyRow {
                name: self.base.names[i].clone(),
                exposure: EXPOSURES
                    .get(self.base.allies[i].exposure)
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                stance: s.stance[i],
                threat: s.threat[i],
                resilience: s.resilience[i],
                dependence: s.dependence[i],
                inducement: s.inducement[i],
                defence: s.defence[i],
                channel: s.channel[i],
                channel_risk: channels::probability(
                    &self.coeffs,
                    &channels::drivers(&self.coeffs, s, i),
                ),
                weight: self.coeffs.w[i],
            })
            .collect()
    }
}
