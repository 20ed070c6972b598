//! The adapter between the wargame and the alliance model: the only file of `game` that knows
//! the model's internals.
//!
//! It exposes the game's vocabulary — Blue's levers, the turn's adjudicable outcomes as
//! `key = value` pairs, the state of the world, the master scenario events list — and maps
//! them onto the model's [`Levers`], [`Forced`], [`State`] and [`ScriptedEvent`]s.
//!
//! Randomness: the session's turn `t` draws from `StreamKeys::new(seed).trial_streams(t)`, a
//! pure function of (seed, purpose, turn); turn 0 is the initial state, and the session's
//! hidden world (the scenario's uncertain parameters) is trial 0 of the uncertainty stream. A
//! forecast's continuation `k` draws from `StreamKeys::new(forecast_seed).trial_streams(k)`
//! and re-draws the hidden parameters from that key's uncertainty stream (the cells do not
//! know them), so asking for a forecast never touches the session's streams.

use std::sync::atomic::AtomicBool;

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::engine::{BlockJob, Flow, Pool, draw_uncertainties, set_params};
use crate::kernel::rng::{StreamKeys, Streams};
use crate::kernel::trace::{EventRow, Trace};
use crate::model::alliance::adjudication::{Drawn, Forced};
use crate::model::alliance::state::{DIALOGUES, LABELS};
use crate::model::alliance::{
    self, AllianceSim, Coeffs, EventKind, INJECTS, Levers, P, PARAMS, ScriptedEvent, State,
    Workspace, adversary,
};
use crate::model::{NoTrace, ParamKind, ParamSpec, Params};
use crate::scenario::Scenario;

/// Blue's levers, in the order the game shows them.
pub const LEVERS: [P; 8] = [
    P::Label,
    P::Dialogue,
    P::DialogueEffort,
    P::CounterDisinfo,
    P::ResilienceInvestment,
    P::Posture,
    P::CostsOfAggression,
    P::SpendingGrowth,
];

/// The adversary's adjudicable moves (what a human Red cell chooses).
pub const ADVERSARY_KEYS: [&str; 6] = [
    "disinformation",
    "inducement",
    "hybrid",
    "intimidation",
    "aggression",
    "attack",
];

/// Per-turn series reported by forecasts, in this order.
pub const SERIES: [&str; 4] = ["cohesion", "credibility", "unilateral_share", "threat_mean"];

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

    fn levers(&self) -> Levers {
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

/// An entry of the master scenario events list, as the game shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectSpec {
    pub kind: String,
    pub name: String,
    /// The turn it is due.
    pub turn: usize,
    pub date: Option<String>,
    pub description: String,
    /// Fields of the kind (`target`, `severity`…), as written.
    pub fields: Vec<(String, String)>,
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
}

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
        let levers = Move(vec![
            lv.label as f64,
            lv.dialogue as f64,
            lv.dialogue_effort,
            lv.counter_disinfo,
            lv.resilience_investment,
            lv.posture,
            lv.costs_of_aggression,
            lv.spending_growth,
        ]);
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

    // ---- the master scenario events list ----

    /// Number of MSEL entries (scenario injects and in-stride injects), ids 1..=len.
    pub fn msel_len(&self) -> usize {
        self.events.len()
    }

    /// MSEL entry `id` (1-based) and whether it is still on the list.
    pub fn msel(&self, id: usize) -> Option<(InjectSpec, bool)> {
        let e = self.events.get(id.checked_sub(1)?)?;
        let scripted = self.scenario.injects.get(id - 1);
        let mut fields = Vec::new();
        if let Some(t) = e.target {
            fields.push(("target".into(), self.base.names[t].clone()));
        }
        match e.kind {
            EventKind::Summit => fields.push((
                "label_on_agenda".into(),
                if e.label_on_agenda { "yes" } else { "no" }.into(),
            )),
            EventKind::Shock => {
                fields.push(("threat".into(), crate::kernel::fmt::fmt_f64(e.threat)));
                fields.push(("stance".into(), crate::kernel::fmt::fmt_f64(e.stance)));
            }
            EventKind::DialogueRestored => {}
            _ => fields.push(("severity".into(), crate::kernel::fmt::fmt_f64(e.severity))),
        }
        let (name, description, date) = match scripted {
            Some(i) => (i.name.clone(), i.description.clone(), i.date.clone()),
            None => (e.name.clone(), String::new(), None),
        };
        Some((
            InjectSpec {
                kind: kind_name(e.kind).to_string(),
                name,
                turn: e.turn,
                date,
                description,
                fields,
            },
            self.active[id - 1],
        ))
    }

    /// Ids of the MSEL entries due at turn `t` and still on the list.
    pub fn due(&self, t: usize) -> Vec<usize> {
        (0..self.events.len())
            .filter(|&i| self.active[i] && self.events[i].turn == t)
            .map(|i| i + 1)
            .collect()
    }

    /// Takes MSEL entry `id` off the list.
    pub fn skip(&mut self, id: usize) -> Result<(), String> {
        self.check_open(id)?;
        self.active[id - 1] = false;
        self.rebuild();
        Ok(())
    }

    /// Moves MSEL entry `id` to turn `to`.
    pub fn delay(&mut self, id: usize, to: usize) -> Result<(), String> {
        self.check_open(id)?;
        let t = self.turn() + 1;
        if to < t || to > self.horizon() {
            return Err(format!(
                "turn {to} is not playable; allowed: a turn from {t} to {}",
                self.horizon()
            ));
        }
        self.events[id - 1].turn = to;
        self.rebuild();
        Ok(())
    }

    fn check_open(&self, id: usize) -> Result<(), String> {
        let n = self.events.len();
        if id == 0 || id > n {
            return Err(format!(
                "no inject #{id}; allowed: an id from 1 to {n} (see `msel`)"
            ));
        }
        if !self.active[id - 1] {
            return Err(format!("inject #{id} was already skipped"));
        }
        if self.events[id - 1].turn <= self.turn() {
            return Err(format!(
                "inject #{id} was released at turn {}; only injects still due can change",
                self.events[id - 1].turn
            ));
        }
        Ok(())
    }

    /// Adds an in-stride inject; returns its MSEL id. Fields are checked against the kind.
    pub fn add_inject(&mut self, spec: &InjectSpec) -> Result<usize, String> {
        let t = self.turn() + 1;
        if spec.turn < t || spec.turn > self.horizon() {
            return Err(format!(
                "turn {} is not playable; allowed: a turn from {t} to {}",
                spec.turn,
                self.horizon()
            ));
        }
        let Some(kind) = INJECTS.iter().find(|k| k.name == spec.kind) else {
            return Err(format!(
                "no inject kind `{}`; allowed: one of {}",
                spec.kind,
                inject_kinds().join(", ")
            ));
        };
        let mut ev = ScriptedEvent {
            turn: spec.turn,
            kind: event_kind(kind.name),
            name: spec.name.clone(),
            severity: 1.0,
            target: None,
            label_on_agenda: true,
            threat: 0.0,
            stance: 0.0,
        };
        for (k, v) in &spec.fields {
            let Some(f) = kind.fields.iter().find(|f| f.name == k) else {
                let allowed: Vec<&str> = kind.fields.iter().map(|f| f.name).collect();
                return Err(format!(
                    "a `{}` inject has no field `{k}`; allowed: {}",
                    kind.name,
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ));
            };
            let bad = || format!("`{k}={v}`: allowed: {}", f.kind.allowed());
            match k.as_str() {
                "target" => {
                    ev.target = Some(self.ally(v)?);
                }
                "label_on_agenda" => {
                    ev.label_on_agenda = match v.as_str() {
                        "yes" => true,
                        "no" => false,
                        _ => return Err(bad()),
                    }
                }
                _ => {
                    let x: f64 = v.parse().map_err(|_| bad())?;
                    let (lo, hi) = match f.kind {
                        crate::model::FieldKind::Real { min, max } => (min, max),
                        _ => (f64::NEG_INFINITY, f64::INFINITY),
                    };
                    if !(x.is_finite() && (lo..=hi).contains(&x)) {
                        return Err(bad());
                    }
                    match k.as_str() {
                        "severity" => ev.severity = x,
                        "threat" => ev.threat = x,
                        _ => ev.stance = x,
                    }
                }
            }
        }
        if ev.kind == EventKind::Attack && ev.target.is_none() {
            return Err("an `attack` inject needs `target=ALLY`".into());
        }
        self.events.push(ev);
        self.active.push(true);
        self.rebuild();
        Ok(self.events.len())
    }

    fn rebuild(&mut self) {
        let evs: Vec<ScriptedEvent> = self
            .events
            .iter()
            .zip(&self.active)
            .filter(|(_, a)| **a)
            .map(|(e, _)| e.clone())
            .collect();
        self.sim = self.base.with_events(evs);
    }

    /// The index of the ally called `name` (case-insensitive).
    pub fn ally(&self, name: &str) -> Result<usize, String> {
        self.base
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "no ally `{name}`; allowed: one of {}",
                    self.base.names.join(", ")
                )
            })
    }

    // ---- adjudicable outcomes ----

    /// Every outcome key White may set this turn (`channel.<ally>` for each ally).
    pub fn outcome_keys(&self) -> Vec<String> {
        let mut v: Vec<String> = ADVERSARY_KEYS.iter().map(|s| s.to_string()).collect();
        v.push("consensus".into());
        v.push("label".into());
        v.extend(self.base.names.iter().map(|n| format!("channel.{n}")));
        v
    }

    /// Checks `key = value` and returns it in canonical form.
    pub fn check_outcome(&self, key: &str, value: &str) -> Result<(String, String), String> {
        let mut f = Forced::none(self.allies().len());
        self.force(&mut f, key, value)
    }

    /// Sets `key = value` in `f`; returns the canonical pair.
    fn force(&self, f: &mut Forced, key: &str, value: &str) -> Result<(String, String), String> {
        let yes_no = |v: &str| -> Result<bool, String> {
            match v {
                "yes" | "true" | "1" => Ok(true),
                "no" | "false" | "0" => Ok(false),
                _ => Err(format!("`{key}={v}`: allowed: yes or no")),
            }
        };
        let target = |v: &str| -> Result<Option<usize>, String> {
            if v == "none" || v == "no" {
                Ok(None)
            } else {
                self.ally(v)
                    .map(Some)
                    .map_err(|e| format!("`{key}={v}`: {e}, or none"))
            }
        };
        let name = |t: Option<usize>| t.map_or("none".to_string(), |i| self.base.names[i].clone());
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let canon = match key {
            "disinformation" => {
                let b = yes_no(value)?;
                f.disinformation = Some(b);
                yn(b)
            }
            "inducement" => {
                let b = yes_no(value)?;
                f.inducement = Some(b);
                yn(b)
            }
            "intimidation" => {
                let b = yes_no(value)?;
                f.intimidation = Some(b);
                yn(b)
            }
            "aggression" => {
                let b = yes_no(value)?;
                f.aggression = Some(b);
                yn(b)
            }
            "consensus" => {
                let b = yes_no(value)?;
                f.consensus = Some(b);
                yn(b)
            }
            "label" => {
                let b = yes_no(value)?;
                f.label = Some(b);
                yn(b)
            }
            "hybrid" => {
                let t = target(value)?;
                f.hybrid = Some(t);
                name(t)
            }
            "attack" => {
                let t = target(value)?;
                f.attack = Some(t);
                name(t)
            }
            _ => {
                let Some(ally) = key.strip_prefix("channel.") else {
                    return Err(format!(
                        "no outcome `{key}`; allowed: {}, consensus, label, channel.<ally>",
                        ADVERSARY_KEYS.join(", ")
                    ));
                };
                let i = self.ally(ally)?;
                let open = match value {
                    "open" | "yes" => true,
                    "closed" | "no" => false,
                    _ => return Err(format!("`{key}={value}`: allowed: open or closed")),
                };
                f.channels[i] = Some(open);
                return Ok((
                    format!("channel.{}", self.base.names[i]),
                    if open { "open" } else { "closed" }.into(),
                ));
            }
        };
        Ok((key.to_string(), canon))
    }

    /// The adjudicable outcomes a turn decided (channels: those open or changed).
    fn outcomes(&self, d: &Drawn, before: &[bool]) -> Vec<(String, String)> {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let name = |t: Option<usize>| t.map_or("none".to_string(), |i| self.base.names[i].clone());
        let mut v = vec![
            ("disinformation".to_string(), yn(d.disinformation)),
            ("inducement".into(), yn(d.inducement)),
            ("hybrid".into(), name(d.hybrid)),
            ("intimidation".into(), yn(d.intimidation)),
            ("aggression".into(), yn(d.aggression)),
            ("attack".into(), name(d.attack)),
            ("consensus".into(), yn(d.consensus)),
        ];
        if let Some(l) = d.label {
            v.push(("label".into(), yn(l)));
        }
        for (i, n) in self.base.names.iter().enumerate() {
            let now = self.state.channel[i];
            if now || before[i] {
                v.push((
                    format!("channel.{n}"),
                    if now { "open" } else { "closed" }.into(),
                ));
            }
        }
        v
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
        })
    }

    /// What the engine would decide for the next turn, without playing it.
    pub fn propose(&self, mv: &Move, forced: &[(String, String)]) -> Result<TurnReport> {
        let mut w = self.shadow();
        w.play(mv, forced)
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

    // ---- forecasts ----

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
    pub fn series_now(&self) -> [f64; 4] {
        let s = &self.state;
        [s.cohesion, s.credibility, s.unilateral_share, s.threat_mean]
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
                let row = &mut series[((k - lo) * turns + j) * ns..][..ns];
                row[0] = s.cohesion;
                row[1] = s.credibility;
                row[2] = s.unilateral_share;
                row[3] = s.threat_mean;
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

/// Every inject kind White can add in-stride.
pub fn inject_kinds() -> Vec<&'static str> {
    INJECTS.iter().map(|k| k.name).collect()
}

/// The fields inject kind `kind` takes.
pub fn inject_fields(kind: &str) -> Vec<&'static str> {
    INJECTS
        .iter()
        .find(|k| k.name == kind)
        .map(|k| k.fields.iter().map(|f| f.name).collect())
        .unwrap_or_default()
}

fn kind_name(k: EventKind) -> &'static str {
    match k {
        EventKind::Summit => "summit",
        EventKind::Aggression => "aggression",
        EventKind::Attack => "attack",
        EventKind::Hybrid => "hybrid",
        EventKind::DialogueCut => "dialogue_cut",
        EventKind::DialogueRestored => "dialogue_restored",
        EventKind::Disinformation => "disinformation",
        EventKind::EnergyCutoff => "energy_cutoff",
        EventKind::Shock => "shock",
    }
}

fn event_kind(name: &str) -> EventKind {
    match name {
        "summit" => EventKind::Summit,
        "aggression" => EventKind::Aggression,
        "attack" => EventKind::Attack,
        "hybrid" => EventKind::Hybrid,
        "dialogue_cut" => EventKind::DialogueCut,
        "dialogue_restored" => EventKind::DialogueRestored,
        "disinformation" => EventKind::Disinformation,
        "energy_cutoff" => EventKind::EnergyCutoff,
        _ => EventKind::Shock,
    }
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
