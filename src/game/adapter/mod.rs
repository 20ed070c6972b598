//! The adapter between the wargame and the alliance model: the only part of `game` that knows
//! the model's internals.
//!
//! It exposes the game's vocabulary — Blue's levers, the turn's adjudicable outcomes as
//! `key = value` pairs, the state of the world, the master scenario events list — and maps
//! them onto the model's `Levers`, `Forced`, [`State`] and [`ScriptedEvent`]s, so the rest of
//! `game` (the prompt, the log, the board, the debrief) works in these words alone and a
//! change inside the model stays here.
//!
//! This file is the [`World`]: the scenario, its hidden parameters and the model state, playing
//! a turn (or proposing one without playing it), the state-of-the-world summary, the state's
//! digest and the turn's date. Beside it: `levers` (Blue's moves), `msel` (the events list White
//! edits), `outcomes` (the adjudication keys) and `continuations` (forecasts, as a job of the
//! engine's block runner).
//!
//! Randomness: the session's turn `t` draws from `StreamKeys::new(seed).trial_streams(t)`, a
//! pure function of (seed, purpose, turn); turn 0 is the initial state, and the session's
//! hidden world (the scenario's uncertain parameters) is trial 0 of the uncertainty stream. A
//! forecast's continuation `k` draws from `StreamKeys::new(forecast_seed).trial_streams(k)`
//! and re-draws the hidden parameters from that key's uncertainty stream (the cells do not
//! know them), so asking for a forecast never touches the session's streams.

mod allies;
mod continuations;
mod levers;
mod msel;
mod outcomes;

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::engine::{draw_uncertainties, set_params};
use crate::kernel::rng::{StreamKeys, Streams};
use crate::kernel::trace::{EventRow, Trace};
use crate::model::alliance::state::{DIALOGUES, LABELS};
use crate::model::alliance::{
    self, AllianceSim, Coeffs, ScriptedEvent, State, Workspace, adversary,
};
use crate::model::{NoTrace, Params};
use crate::scenario::Scenario;

pub use allies::{ALLY_FIELDS, AllyRow, ally_key};
pub use continuations::{FINAL_BINARY, FINALS, FORECAST_BLOCK, Paths, SERIES, label_name};
pub use levers::{LEVERS, Move, lever_index, lever_names, lever_spec, parse_lever};
pub use msel::{InjectSpec, inject_fields, inject_kinds};
pub use outcomes::ADVERSARY_KEYS;

/// The state of the world after a turn: what each turn's summary and the board show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sow {
    pub turn: usize,
    pub cohesion: f64,
    pub credibility: f64,
    pub unilateral_share: f64,
    /// Allies running a unilateral channel to Moscow.
    pub unilateral: Vec<String>,
    pub threat_mean: f64,
    pub label: String,
    pub proposed_label: String,
    pub dialogue: String,
    pub dialogue_cut: bool,
    pub line: f64,
    pub consensus: bool,
    pub turns_without_consensus: usize,
    pub fracture_turn: Option<usize>,
    pub attack_turn: Option<usize>,
    pub crises: usize,
    pub intimidation_risk: f64,
    pub aggression_risk: f64,
    pub attack_risk: f64,
}

/// What playing a turn decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnReport {
    /// Every event and decision of the turn, with the probability it was drawn at.
    pub events: Vec<EventRow>,
    /// The adjudicable outcomes, `key = value`.
    pub outcomes: Vec<(String, String)>,
    /// For each drawn outcome: (key, probability, uniform drawn); "yes" when uniform < p.
    pub odds: Vec<(String, f64, f64)>,
    /// Random words each stream drew this turn (the streams are keyed by seed, purpose, turn).
    pub draws: Vec<(String, u64)>,
    pub sow: Sow,
    /// BLAKE3 of the complete model state after the turn.
    pub digest: String,
    /// Every ally after the turn (not logged: the log's `sow` and `digest` pin the state).
    #[serde(skip)]
    pub allies: Vec<AllyRow>,
}

/// The session's world: scenario, hidden parameters, the model state, the edited MSEL.
pub struct World {
    pub scenario: Scenario,
    seed: u64,
    base: AllianceSim,
    sim: AllianceSim,
    params: Params,
    coeffs: Coeffs,
    state: State,
    ws: Workspace,
    keys: StreamKeys,
    /// The scenario's injects (the MSEL), then White's in-stride injects, by id − 1.
    events: Vec<ScriptedEvent>,
    /// Whether each is still on the list (not skipped).
    active: Vec<bool>,
    /// Blue's levers in force.
    pub levers: Move,
}

impl World {
    /// The world at turn 0 of a session of `sc` with `seed`.
    pub fn new(sc: &Scenario, seed: u64) -> Result<World> {
        if sc.model.kind != "alliance" {
            bail!(
                "scenario `{}` uses the `{}` model; a game needs an alliance scenario (e.g. nato-2021)",
                sc.name,
                sc.model.kind
            );
        }
        let base = AllianceSim::from_scenario(sc).map_err(|e| anyhow!("{e}"))?;
        let keys = StreamKeys::new(seed);
        let mut draws = vec![0.0; sc.uncertainties.len()];
        draw_uncertainties(sc, &keys, 0, &mut draws);
        let mut params = Params {
            values: sc.base.clone(),
        };
        set_params(sc, sc.baseline, &draws, &mut params);
        let mut runner = base.alliance_runner();
        let mut st = keys.trial_streams(0);
        let lv = runner.start(&params, &mut st, &mut NoTrace);
        let levers = Move::from_levers(&lv);
        let (coeffs, state, ws) = (runner.coeffs, runner.state, runner.ws);
        let events = base.events.clone();
        let active = vec![true; events.len()];
        Ok(World {
            scenario: sc.clone(),
            seed,
            sim: base.with_events(events.clone()),
            base,
            params,
            coeffs,
            state,
            ws,
            keys,
            events,
            active,
            levers,
        })
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Turns completed.
    pub fn turn(&self) -> usize {
        self.state.turn
    }

    /// The last turn of the horizon.
    pub fn horizon(&self) -> usize {
        self.base.turns
    }

    pub fn allies(&self) -> &[String] {
        &self.base.names
    }

    /// The month index of turn 1 when the scenario is dated by month (for chart axes).
    pub fn start_month(&self) -> Option<i64> {
        if self.scenario.turn_length != "month" {
            return None;
        }
        crate::kernel::time::month_index(self.scenario.start.as_deref()?)
    }

    /// The calendar month of turn `t` (`YYYY-MM`) when the scenario is dated by month.
    pub fn date(&self, t: usize) -> Option<String> {
        let start = crate::kernel::time::month_index(self.scenario.start.as_deref()?)?;
        if self.scenario.turn_length != "month" || t == 0 {
            return None;
        }
        Some(crate::kernel::time::month_text(start + t as i64 - 1))
    }

    /// BLAKE3 of the complete model state (exact: every float in its shortest round-trip form).
    pub fn digest(&self) -> String {
        let text = format!("{:?}", self.state);
        blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
    }

    /// The state of the world now.
    pub fn sow(&self) -> Sow {
        let s = &self.state;
        Sow {
            turn: s.turn,
            cohesion: s.cohesion,
            credibility: s.credibility,
            unilateral_share: s.unilateral_share,
            unilateral: (0..s.allies())
                .filter(|&i| s.channel[i])
                .map(|i| self.base.names[i].clone())
                .collect(),
            threat_mean: s.threat_mean,
            label: LABELS[s.label].to_string(),
            proposed_label: LABELS[s.proposed_label].to_string(),
            dialogue: DIALOGUES[s.dialogue].to_string(),
            dialogue_cut: s.dialogue_cut,
            line: s.line,
            consensus: s.consensus,
            turns_without_consensus: s.no_consensus_run,
            fracture_turn: s.fracture_turn,
            attack_turn: s.attack_turn,
            crises: s.crises,
            intimidation_risk: adversary::logistic(s.intimidation_logit),
            aggression_risk: adversary::logistic(s.aggression_logit),
            attack_risk: adversary::logistic(s.attack_logit),
        }
    }

    /// The index of the ally called `name` (any case; `_` may stand for a space:
    /// `Czech_Republic`).
    pub fn ally(&self, name: &str) -> Result<usize, String> {
        let key = allies::ally_key(name);
        self.base
            .names
            .iter()
            .position(|n| allies::ally_key(n) == key)
            .ok_or_else(|| {
                format!(
                    "no ally `{name}`{}; allowed: one of {} (a name with spaces: quoted, \"Czech Republic\", or with underscores, Czech_Republic)",
                    crate::kernel::suggest::did_you_mean(
                        name,
                        self.base.names.iter().map(String::as_str)
                    ),
                    self.base.names.join(", ")
                )
            })
    }

    /// Plays the next turn with Blue's `mv` and the forced outcomes (Red's moves, White's
    /// overrides), in order: a later pair for the same key wins.
    pub fn play(&mut self, mv: &Move, forced: &[(String, String)]) -> Result<TurnReport> {
        let t = self.turn() + 1;
        if t > self.horizon() {
            bail!("the session is over: all {} turns played", self.horizon());
        }
        let mut f = std::mem::take(&mut self.ws.forced);
        f.clear();
        for (k, v) in forced {
            self.force(&mut f, k, v).map_err(|e| anyhow!(e))?;
        }
        self.ws.forced = f;
        let before = self.state.channel.clone();
        let mut streams = self.keys.trial_streams(t as u64);
        let mut tr = Trace::default();
        alliance::turn(
            &self.sim,
            &self.coeffs,
            &mut self.state,
            &mv.levers(),
            &mut streams,
            &mut self.ws,
            &mut tr,
        );
        self.ws.forced.clear();
        self.levers = mv.clone();
        let drawn = self.ws.drawn;
        let adv = drawn
            .adversary_odds
            .map(|(logit, u)| (adversary::logistic(logit), u));
        let keys = ADVERSARY_KEYS.iter().copied().chain(["consensus", "label"]);
        let odds = keys
            .zip(adv.into_iter().chain(drawn.council_odds))
            .filter(|(k, _)| *k != "label" || drawn.label.is_some())
            .map(|(k, (p, u))| (k.to_string(), p, u))
            .collect();
        Ok(TurnReport {
            events: tr.events.into_iter().filter(|e| e.turn == t).collect(),
            outcomes: self.outcomes(&drawn, &before),
            odds,
            draws: words(&streams),
            sow: self.sow(),
            digest: self.digest(),
            allies: self.ally_rows(),
        })
    }

    /// What the engine would decide for the next turn, without playing it.
    pub fn propose(&self, mv: &Move, forced: &[(String, String)]) -> Result<TurnReport> {
        self.project(mv, forced, self.turn() + 1, None)
    }

    /// The turns from the next one to `until` played on a copy of the world (nothing changes):
    /// Blue's `mv` held throughout, the `forced` outcomes in the next turn only; returns the
    /// report of turn `until` (the next turn's when `until` is not later). With `keys`, the
    /// turns draw from those streams instead of the session's (keyed the same way by turn), so
    /// two projections on the same keys are compared on common random numbers and neither
    /// shows the session's own draws.
    pub fn project(
        &self,
        mv: &Move,
        forced: &[(String, String)],
        until: usize,
        keys: Option<&StreamKeys>,
    ) -> Result<TurnReport> {
        let mut w = self.shadow();
        if let Some(k) = keys {
            w.keys = k.clone();
        }
        let mut r = w.play(mv, forced)?;
        while w.turn() < until.min(w.horizon()) {
            r = w.play(mv, &[])?;
        }
        Ok(r)
    }

    /// A copy sharing nothing mutable (for proposals).
    fn shadow(&self) -> World {
        World {
            scenario: self.scenario.clone(),
            seed: self.seed,
            base: self.base.with_events(self.base.events.clone()),
            sim: self.sim.with_events(self.sim.events.clone()),
            params: self.params.clone(),
            coeffs: self.coeffs.clone(),
            state: self.state.clone(),
            ws: self.ws.clone(),
            keys: self.keys.clone(),
            events: self.events.clone(),
            active: self.active.clone(),
            levers: self.levers.clone(),
        }
    }
}

/// An event's detail with a forced outcome said as who set it. The model writes every
/// adversary move with the probability the engine would have drawn it at (`p = 0.00017`); when
/// `marks` say Red or White set that outcome, the probability is replaced by who set it ("set by
/// White, not drawn"), so a forced event is never shown as if it had been drawn. The log keeps
/// the model's words (old sessions replay unchanged).
pub fn label_forced(detail: &str, marks: &[(String, &str)]) -> String {
    const KEYS: [(&str, &str); 6] = [
        ("disinformation campaign", "disinformation"),
        ("inducement offer", "inducement"),
        ("hybrid attack", "hybrid"),
        ("military intimidation", "intimidation"),
        ("aggression against", "aggression"),
        ("ARMED ATTACK", "attack"),
    ];
    let Some(who) = KEYS
        .iter()
        .find(|(p, _)| detail.starts_with(p))
        .and_then(|(_, k)| marks.iter().rev().find(|(m, _)| m == k))
        .map(|(_, w)| *w)
    else {
        return detail.to_string();
    };
    let said = match who {
        "Red" => "Red's move, not drawn".to_string(),
        w => format!("set by {w}, not drawn"),
    };
    let Some(i) = detail.find("p = ") else {
        return format!("{detail} ({said})");
    };
    let end = detail[i + 4..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(detail.len(), |k| i + 4 + k);
    format!("{}{said}{}", &detail[..i], &detail[end..])
}

/// Random words drawn from each stream (each started at word 0 of its (seed, purpose, turn)).
fn words(st: &Streams) -> Vec<(String, u64)> {
    [
        ("init", &st.init),
        ("dynamics", &st.dynamics),
        ("adversary", &st.adversary),
        ("events", &st.events),
        ("decisions", &st.decisions),
    ]
    .iter()
    .map(|(n, r)| (n.to_string(), r.get_word_pos() as u64))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::label_forced;

    #[test]
    fn a_forced_event_loses_its_odds_and_says_who_set_it() {
        let marks = [
            ("attack".to_string(), "White"),
            ("hybrid".to_string(), "Red"),
        ];
        assert_eq!(
            label_forced("ARMED ATTACK on an ally (p = 0.00017)", &marks),
            "ARMED ATTACK on an ally (set by White, not drawn)"
        );
        assert_eq!(
            label_forced(
                "hybrid attack (cyber, sabotage, corruption; p = 0.139; resilience 0.61)",
                &marks
            ),
            "hybrid attack (cyber, sabotage, corruption; Red's move, not drawn; resilience 0.61)"
        );
        // Drawn events keep their odds.
        assert_eq!(
            label_forced("military intimidation (p = 0.084): exercises", &marks),
            "military intimidation (p = 0.084): exercises"
        );
    }
}
