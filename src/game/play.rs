//! The session as a state machine over log entries.
//!
//! Everything that changes a session is a [`Body`] executed by [`Game::execute`]: a live
//! session builds it from a command at the prompt, a replay or resume reads it from the log.
//! Execution is deterministic — the same entries in the same order give the same world, the
//! same computed results (forecasts, adjudications) and the same transcript text — which is
//! what makes the log a complete record and replay a check.
//!
//! This file holds the state (phases, pending moves, closed turns), the cells' moves, the
//! forecasts and the transcript's texts; White's MSEL edits are handled in `msel` and the
//! adjudication phase (proposal, overrides, reopen, accept) in `adjudication`, each as methods
//! of [`Game`] that [`Game::execute`] dispatches to.

use super::adapter::{Move, TurnReport, World, lever_index, parse_lever};
use super::adjudication::Mode;
use super::forecast::{
    self, CompareSummary, ForecastSummary, compare, fan_svg, forecast_seed, render, render_compare,
    summarize,
};
use super::session::{Body, Manifest, MoveRec};
use crate::engine::Pool;
use crate::scenario::Scenario;

/// Where the turn stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Cells submit moves; White manages the MSEL; anyone may ask for forecasts.
    Planning,
    /// The engine has proposed the turn's outcomes; White may override, then accepts.
    Adjudication,
    /// Every turn has been played.
    Over,
}

/// One closed turn, for the board and the debrief.
#[derive(Debug, Clone)]
pub struct Closed {
    pub turn: usize,
    pub mv: MoveRec,
    pub report: TurnReport,
    pub overrides: Vec<(String, String, String)>,
}

/// A file the session writes beside its log (not part of the record).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub contents: String,
}

/// The session state.
pub struct Game {
    pub world: World,
    pub manifest: Manifest,
    pub mode: Mode,
    pub red_human: bool,
    pub phase: Phase,
    pub pending_blue: Option<(MoveRec, String)>,
    pub pending_red: Option<(Vec<(String, String)>, String)>,
    pub overrides: Vec<(String, String, String)>,
    pub proposed: Option<TurnReport>,
    /// Cohesion and credibility after each turn (index 0: the start).
    pub path: Vec<(usize, f64, f64)>,
    pub closed: Vec<Closed>,
    /// The last forecast shown (for the board): (turn asked, summary).
    pub last_forecast: Option<(usize, ForecastSummary)>,
    pub(super) forecasts_this_turn: usize,
    /// Files to write for the last executed entry.
    pub artifacts: Vec<Artifact>,
    /// Take a forecast's logged result instead of recomputing it (resume: forecasts do not
    /// change the world, and `cohesion replay` still recomputes and checks them).
    pub reuse_forecasts: bool,
    /// The worker threads forecasts run on (their results do not depend on the number).
    pub pool: Pool,
}

/// The cell each kind of entry belongs to.
pub fn cell_of(b: &Body) -> &'static str {
    match b {
        Body::Blue { .. } => "blue",
        Body::Red { .. } => "red",
        Body::Proposed { .. } => "engine",
        Body::Forecast { by, .. } | Body::Compare { by, .. } => match by.as_deref() {
            Some("red") => "red",
            Some("white") => "white",
            _ => "blue",
        },
        _ => "white",
    }
}

impl Game {
    /// A session at its start; forecasts will run on `threads` worker threads.
    pub fn new(sc: &Scenario, manifest: Manifest, threads: usize) -> anyhow::Result<Game> {
        let world = World::new(sc, manifest.seed)?;
        let pool = Pool::new(threads)?;
        let s = world.series_now();
        Ok(Game {
            mode: manifest.mode,
            red_human: manifest.red == "human",
            manifest,
            phase: Phase::Planning,
            pending_blue: None,
            pending_red: None,
            overrides: Vec::new(),
            proposed: None,
            path: vec![(0, s[0], s[1])],
            closed: Vec::new(),
            last_forecast: None,
            forecasts_this_turn: 0,
            artifacts: Vec::new(),
            reuse_forecasts: false,
            pool,
            world,
        })
    }

    /// The turn being played (turns completed + 1).
    pub fn turn(&self) -> usize {
        self.world.turn() + 1
    }

    /// A move's full record from a policy option and lever settings (checked).
    pub fn make_move(
        &self,
        policy: Option<&str>,
        sets: &[(String, String)],
    ) -> Result<MoveRec, String> {
        let sc = &self.world.scenario;
        let mut label = Vec::new();
        let base = match &self.pending_blue {
            Some((m, _)) => self.rec_to_move(m)?,
            None => self.world.levers.clone(),
        };
        let mut mv = match policy {
            Some("current") | None => base,
            Some(p) => {
                let Some(k) = sc.policy_index(p) else {
                    return Err(format!(
                        "no policy option `{p}`; allowed: {} (or lever=value pairs)",
                        sc.policies
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                };
                label.push(p.to_string());
                Move::from_policy(sc, k, &self.world.levers)
            }
        };
        for (k, v) in sets {
            let Some(i) = lever_index(k) else {
                return Err(format!(
                    "no lever `{k}`; allowed: {}",
                    super::adapter::lever_names().join(", ")
                ));
            };
            mv.0[i] = parse_lever(i, v)?;
            label.push(format!("{k}={v}"));
        }
        if label.is_empty() {
            label.push(if policy == Some("current") {
                "current move".into()
            } else {
                "hold (levers unchanged)".into()
            });
        }
        Ok(MoveRec {
            label: label.join(" "),
            levers: mv.pairs(),
        })
    }

    /// The move a record describes.
    pub fn rec_to_move(&self, m: &MoveRec) -> Result<Move, String> {
        let mut mv = self.world.levers.clone();
        for (k, v) in &m.levers {
            let i = lever_index(k).ok_or_else(|| format!("no lever `{k}`"))?;
            mv.0[i] = parse_lever(i, v)?;
        }
        Ok(mv)
    }

    /// The move Blue would play now: its pending move, else the levers in force.
    pub fn current_move(&self) -> MoveRec {
        match &self.pending_blue {
            Some((m, _)) => m.clone(),
            None => MoveRec {
                label: "hold (levers unchanged)".into(),
                levers: self.world.levers.pairs(),
            },
        }
    }

    /// Checks the session is in `phase`; the error says what `what` has to wait for.
    pub(super) fn need(&self, phase: Phase, what: &str) -> Result<(), String> {
        if self.phase == Phase::Over {
            return Err(format!(
                "the session is over: all {} turns played ({what} is no longer possible)",
                self.world.horizon()
            ));
        }
        if self.phase != phase {
            return Err(match phase {
                Phase::Planning => format!(
                    "{what} is not possible during adjudication: `override …` or `accept` first"
                ),
                _ => format!(
                    "{what} is only possible during adjudication (after `commit` in semi-rigid or free mode)"
                ),
            });
        }
        Ok(())
    }

    /// Executes one entry. On success returns the entry as it must be logged (with what the
    /// engine computed) and its transcript text; on a user error nothing changes.
    pub fn execute(&mut self, body: Body) -> Result<(Body, String), String> {
        self.artifacts.clear();
        let t = self.turn();
        match body {
            Body::Blue { mv, rationale } => {
                self.need(Phase::Planning, "a Blue move")?;
                self.rec_to_move(&mv)?;
                let text = format!(
                    "Blue move for turn {t}: {}\n  levers: {}\n{}",
                    mv.label,
                    pairs_text(&mv.levers),
                    rationale_line(&rationale)
                );
                self.pending_blue = Some((mv.clone(), rationale.clone()));
                Ok((Body::Blue { mv, rationale }, text))
            }
            Body::Red { moves, rationale } => {
                self.need(Phase::Planning, "a Red move")?;
                if !self.red_human {
                    return Err(
                        "Red is played by the model in this session (start it with --red human for a Red cell)"
                            .into(),
                    );
                }
                let mut canon = Vec::new();
                for (k, v) in &moves {
                    if !super::adapter::ADVERSARY_KEYS.contains(&k.as_str()) {
                        return Err(format!(
                            "no adversary move `{k}`; allowed: {}",
                            super::adapter::ADVERSARY_KEYS.join(", ")
                        ));
                    }
                    canon.push(self.world.check_outcome(k, v)?);
                }
                let text = format!(
                    "Red move for turn {t}: {}\n{}",
                    if canon.is_empty() {
                        "no hostile move".to_string()
                    } else {
                        pairs_text(&canon)
                    },
                    rationale_line(&rationale)
                );
                self.pending_red = Some((canon.clone(), rationale.clone()));
                Ok((
                    Body::Red {
                        moves: canon,
                        rationale,
                    },
                    text,
                ))
            }
            Body::Inject {
                id,
                inject,
                rationale,
            } => self.inject(id, inject, rationale),
            Body::Skip { id, rationale } => self.skip(id, rationale),
            Body::Delay { id, to, rationale } => self.delay(id, to, rationale),
            Body::Mode { mode, rationale } => self.set_mode(mode, rationale),
            Body::Forecast {
                by,
                mv,
                n,
                until,
                result,
            } => {
                if self.phase == Phase::Over {
                    return Err("the session is over: nothing left to forecast".into());
                }
                let (n, until) = self.check_forecast(n, until)?;
                let m = self.rec_to_move(&mv)?;
                let sum = match result.filter(|_| self.reuse_forecasts) {
                    Some(r) => r,
                    None => {
                        let seed = forecast_seed(self.world.seed(), t);
                        summarize(&self.world.forecast(&self.pool, &[m], n, until, seed))
                    }
                };
                let text = render(&sum, &format!("{}{}", mv.label, for_cell(&by)));
                self.forecasts_this_turn += 1;
                self.fan(&sum, &mv.label, "");
                self.last_forecast = Some((t, sum.clone()));
                Ok((
                    Body::Forecast {
                        by,
                        mv,
                        n,
                        until,
                        result: Some(sum),
                    },
                    text,
                ))
            }
            Body::Compare {
                by,
                a,
                b,
                n,
                until,
                result,
            } => {
                if self.phase == Phase::Over {
                    return Err("the session is over: nothing left to forecast".into());
                }
                let (n, until) = self.check_forecast(n, until)?;
                let (ma, mb) = (self.rec_to_move(&a)?, self.rec_to_move(&b)?);
                let c: CompareSummary = match result.filter(|_| self.reuse_forecasts) {
                    Some(r) => r,
                    None => {
                        let seed = forecast_seed(self.world.seed(), t);
                        let pa = self.world.forecast(&self.pool, &[ma], n, until, seed);
                        let pb = self.world.forecast(&self.pool, &[mb], n, until, seed);
                        compare(&pa, &pb)
                    }
                };
                let mut text = render_compare(&c, &a.label, &b.label);
                if by.is_some() {
                    text = text.replacen("Comparison", &format!("Comparison{}", for_cell(&by)), 1);
                }
                self.forecasts_this_turn += 1;
                self.fan(&c.a, &a.label, "a");
                self.fan(&c.b, &b.label, "b");
                self.last_forecast = Some((t, c.b.clone()));
                Ok((
                    Body::Compare {
                        by,
                        a,
                        b,
                        n,
                        until,
                        result: Some(c),
                    },
                    text,
                ))
            }
            Body::Proposed { rationale, .. } => self.propose(rationale),
            Body::Override {
                outcome,
                value,
                reason,
            } => self.override_outcome(outcome, value, reason),
            Body::Reopen { rationale } => self.reopen(rationale),
            Body::Turn { rationale, .. } => self.accept(rationale),
            Body::Branch { parent, from_turn } => {
                let text = format!(
                    "What-if branch of session `{parent}` from the end of turn {from_turn}.\n\n"
                );
                Ok((Body::Branch { parent, from_turn }, text))
            }
            Body::Repair {
                line,
                bytes,
                blake3,
            } => {
                let text = format!(
                    "Log repaired: an uncommitted entry ({bytes} bytes, BLAKE3 {blake3}) that a crash left torn at log line {line} was dropped.\n"
                );
                Ok((
                    Body::Repair {
                        line,
                        bytes,
                        blake3,
                    },
                    text,
                ))
            }
        }
    }

    fn check_forecast(&self, n: usize, until: usize) -> Result<(usize, usize), String> {
        if n == 0 || n > forecast::MAX_N {
            return Err(format!(
                "n={n}: allowed: 1 to {} continuations",
                forecast::MAX_N
            ));
        }
        let t = self.turn();
        let h = self.world.horizon();
        let until = if until == 0 { h } else { until };
        if until < t || until > h {
            return Err(format!("until={until}: allowed: a turn from {t} to {h}"));
        }
        Ok((n, until))
    }

    fn fan(&mut self, s: &ForecastSummary, label: &str, suffix: &str) {
        let t = self.turn();
        let path: Vec<(usize, f64)> = self.path.iter().map(|p| (p.0, p.1)).collect();
        let svg = fan_svg(
            &format!("Cohesion: turn {t} forecast — {label}"),
            "cohesion",
            &path,
            &s.turns,
            &s.bands,
            self.world.horizon(),
        );
        self.artifacts.push(Artifact {
            name: format!(
                "forecast-t{t:02}-{:02}{suffix}.svg",
                self.forecasts_this_turn
            ),
            contents: svg,
        });
    }

    /// The transcript's first lines: the session header and the opening of the next turn.
    pub fn header_text(&self) -> String {
        let m = &self.manifest;
        let sc = &self.world.scenario;
        let mut o = format!(
            "cohesion wargame — scenario `{}` ({} turns of one {}), seed {}\nCells: Blue (NATO), Red (Russia: {}), White (control). Adjudication: {}.\n",
            sc.name,
            self.world.horizon(),
            sc.turn_length,
            m.seed,
            if self.red_human {
                "human cell"
            } else {
                "played by the model"
            },
            m.mode.name()
        );
        o.push_str(&format!("{}\n\n", sc.description.trim()));
        o.push_str(&self.sow_text().replace(
            "State of the world after turn 0 ──",
            "State of the world at the start ──",
        ));
        o.push('\n');
        o
    }

    /// The opening of the turn being played: its number and date, the MSEL injects due, the
    /// levers in force.
    pub fn opening_text(&self) -> String {
        let t = self.turn();
        let date = self
            .world
            .date(t)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let mut o = format!("══ Turn {t} of {}{date} ══\n", self.world.horizon());
        let due = self.world.due(t);
        if due.is_empty() {
            o.push_str("  MSEL injects due: none\n");
        } else {
            o.push_str("  MSEL injects due:\n");
            for id in due {
                if let Some((s, _)) = self.world.msel(id) {
                    o.push_str(&format!(
                        "    #{id} {} `{}`{}{}\n",
                        s.kind,
                        s.name,
                        s.date.map(|d| format!(" ({d})")).unwrap_or_default(),
                        fields_text(&s.fields)
                    ));
                }
            }
        }
        o.push_str(&format!(
            "  Blue levers in force: {}\n",
            self.world.levers.text()
        ));
        o
    }

    /// The state-of-the-world summary.
    pub fn sow_text(&self) -> String {
        let s = self.world.sow();
        let date = self
            .world
            .date(s.turn)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let mut o = format!("── State of the world after turn {}{date} ──\n", s.turn);
        o.push_str(&format!(
            "  Cohesion {:.3}   Credibility {:.3}   Mean threat {:.3}\n",
            s.cohesion, s.credibility, s.threat_mean
        ));
        o.push_str(&format!(
            "  Label in force: {} (proposed: {})   Dialogue: {}{}\n",
            s.label,
            s.proposed_label,
            s.dialogue,
            if s.dialogue_cut {
                " (Russia keeps its channels cut)"
            } else {
                ""
            }
        ));
        o.push_str(&format!(
            "  Common line {:.3}; consensus: {}{}\n",
            s.line,
            if s.consensus { "yes" } else { "NO" },
            if s.turns_without_consensus > 0 {
                format!(" ({} turn(s) without)", s.turns_without_consensus)
            } else {
                String::new()
            }
        ));
        o.push_str(&format!(
            "  Unilateral channels to Moscow: {} ({}), weighted share {:.3}\n",
            s.unilateral.len(),
            if s.unilateral.is_empty() {
                "none".to_string()
            } else {
                s.unilateral.join(", ")
            },
            s.unilateral_share
        ));
        o.push_str(&format!(
            "  Risks next turn: intimidation {:.3}, aggression {:.4}, attack on an ally {:.5}\n",
            s.intimidation_risk, s.aggression_risk, s.attack_risk
        ));
        o.push_str(&format!(
            "  Fracture: {}   Ally attacked: {}   Crises so far: {}\n",
            s.fracture_turn
                .map_or("none".to_string(), |t| format!("at turn {t}")),
            s.attack_turn
                .map_or("none".to_string(), |t| format!("at turn {t}")),
            s.crises
        ));
        o
    }
}

/// " (for Red)" when a cell other than Blue asked.
fn for_cell(by: &Option<String>) -> String {
    match by.as_deref() {
        Some("red") => " (for Red)".into(),
        Some("white") => " (for White)".into(),
        _ => String::new(),
    }
}

fn pairs_text(p: &[(String, String)]) -> String {
    p.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// ` [k=v …]`, or nothing when there are no pairs.
pub(super) fn fields_text(p: &[(String, String)]) -> String {
    if p.is_empty() {
        String::new()
    } else {
        format!(" [{}]", pairs_text(p))
    }
}

/// The rationale's transcript line (none when empty).
pub(super) fn rationale_line(r: &str) -> String {
    rationale_line_named("rationale", r)
}

pub(super) fn rationale_line_named(what: &str, r: &str) -> String {
    if r.is_empty() {
        String::new()
    } else {
        format!("  {what}: {r}\n")
    }
}

/// The turn's events and decisions, indented.
pub fn events_text(r: &TurnReport, indent: usize) -> String {
    let pad = " ".repeat(indent);
    if r.events.is_empty() {
        return format!("{pad}Events: none\n");
    }
    let mut o = format!("{pad}Events:\n");
    for e in &r.events {
        let who = if e.actor.is_empty() {
            String::new()
        } else {
            format!("{}: ", e.actor)
        };
        o.push_str(&format!("{pad}  [{}] {who}{}\n", e.kind, e.detail));
    }
    o
}
