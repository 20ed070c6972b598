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

use super::adapter::{AllyRow, Move, Sow, TurnReport, World, lever_index, parse_lever};
use super::adjudication::Mode;
use super::comms::{Msg, Projector, Shown, Timer};
use super::forecast::{
    self, Axis, CompareSummary, Fan, ForecastSummary, compare, fan_svg, forecast_seed, render,
    render_compare, summarize,
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
    /// Who set which outcome instead of the engine's draw (`Red`, `White`).
    pub marks: Vec<(String, &'static str)>,
    /// Every ally after the turn.
    pub allies: Vec<AllyRow>,
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
    /// Entries executed so far (the log's sequence number of the last one).
    pub entries_done: u64,
    /// Every forecast and comparison shown, with who may see it.
    pub shown: Vec<Shown>,
    /// Messages and requests for information.
    pub messages: Vec<Msg>,
    pub timer: Timer,
    pub projector: Projector,
    /// Every ally, and the state of the world, at the start of the session.
    pub allies_start: Vec<AllyRow>,
    pub sow_start: Sow,
    /// During adjudication: the engine's proposal replayed with White's overrides.
    pub adjusted: Option<TurnReport>,
    /// The effect of each in-stride inject as White saw it when entering it: (log sequence
    /// number, turn entered, inject, effect lines). White's, and the projector's when White
    /// puts `effects` on it.
    pub inject_effects: Vec<(u64, usize, String, String)>,
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
        Body::Message { from: c, .. } | Body::Share { by: c, .. } => match c.as_str() {
            "blue" => "blue",
            "red" => "red",
            _ => "white",
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
            entries_done: 0,
            shown: Vec::new(),
            messages: Vec::new(),
            timer: Timer::default(),
            projector: Projector::default(),
            allies_start: world.ally_rows(),
            sow_start: world.sow(),
            adjusted: None,
            inject_effects: Vec::new(),
            world,
        })
    }

    /// The turn being played (turns completed + 1).
    pub fn turn(&self) -> usize {
        self.world.turn() + 1
    }

    /// A move's full record from a policy option and lever settings (checked), starting from
    /// Blue's pending move (else the levers in force).
    pub fn make_move(
        &self,
        policy: Option<&str>,
        sets: &[(String, String)],
    ) -> Result<MoveRec, String> {
        self.make_move_on(self.pending_blue.as_ref().map(|(m, _)| m), policy, sets)
    }

    /// As [`Game::make_move`], starting from `base` (None: the levers in force).
    pub fn make_move_on(
        &self,
        base: Option<&MoveRec>,
        policy: Option<&str>,
        sets: &[(String, String)],
    ) -> Result<MoveRec, String> {
        let sc = &self.world.scenario;
        let mut label = Vec::new();
        let base = match base {
            Some(m) => self.rec_to_move(m)?,
            None => self.world.levers.clone(),
        };
        let mut mv = match policy {
            Some("current") | None => base,
            Some(p) => {
                let Some(k) = sc.policy_index(p) else {
                    return Err(format!(
                        "no policy option `{p}`{}; allowed: {} (or lever=value pairs)",
                        crate::kernel::suggest::did_you_mean(
                            p,
                            sc.policies.iter().map(|p| p.name.as_str())
                        ),
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
                let names = super::adapter::lever_names();
                return Err(format!(
                    "no lever `{k}`{}; allowed: {} (and for a forecast: n=, until=, by=)",
                    crate::kernel::suggest::did_you_mean(
                        k,
                        names
                            .iter()
                            .copied()
                            .chain(super::commands::FORECAST_OPTIONS.iter().copied())
                    ),
                    names.join(", ")
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
        let r = self.execute_entry(body);
        if r.is_ok() {
            self.entries_done += 1;
        }
        r
    }

    fn execute_entry(&mut self, body: Body) -> Result<(Body, String), String> {
        self.artifacts.clear();
        let t = self.turn();
        match body {
            Body::Blue { mv, rationale } => {
                self.need(Phase::Planning, "a Blue move")?;
                self.rec_to_move(&mv)?;
                let effect = self.blue_effect(&mv)?;
                let text = format!(
                    "Blue move for turn {t}: {}\n  levers: {}\n{}{effect}",
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
                let effect = self.red_effect(&canon)?;
                let text = format!(
                    "Red move for turn {t}: {}\n{}{effect}",
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
                let title = format!("Cohesion: turn {t} forecast — {}", mv.label);
                self.fan(&title, &[(&sum, &mv.label)]);
                self.record_shown(&by, &mv.label, &text);
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
                let title = format!("Cohesion: turn {t} comparison — A against B");
                self.fan(&title, &[(&c.a, &a.label), (&c.b, &b.label)]);
                self.record_shown(&by, &format!("{} vs {}", a.label, b.label), &text);
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
            Body::Message {
                from,
                to,
                text,
                rfi,
                reply_to,
            } => self.message(from, to, text, rfi, reply_to),
            Body::Share { by, forecast, with } => self.share(by, forecast, with),
            Body::Timer {
                action,
                seconds,
                at_ms,
            } => self.timer(action, seconds, at_ms),
            Body::Projector { show, colour } => self.set_projector(show, colour),
        }
    }

    /// Records the forecast just made (its chart is the last artifact) as shown to `by`.
    fn record_shown(&mut self, by: &Option<String>, label: &str, text: &str) {
        self.shown.push(Shown {
            seq: self.entries_done + 1,
            turn: self.turn(),
            by: by.clone().unwrap_or_else(|| "blue".into()),
            label: label.to_string(),
            text: text.to_string(),
            svg: self
                .artifacts
                .last()
                .map(|a| a.contents.clone())
                .unwrap_or_default(),
            shared: Vec::new(),
        });
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

    /// The fan chart of a forecast (or two overlaid, for a comparison), its axis in calendar
    /// months when the scenario is dated and cut at the forecast's last turn.
    fn fan(&mut self, title: &str, fans: &[(&ForecastSummary, &str)]) {
        let t = self.turn();
        let path: Vec<(usize, f64)> = self.path.iter().map(|p| (p.0, p.1)).collect();
        let last = fans
            .iter()
            .filter_map(|(s, _)| s.turns.last().copied())
            .max()
            .unwrap_or(self.world.horizon());
        let axis = Axis {
            last,
            start_month: self.world.start_month(),
        };
        let fans: Vec<Fan> = fans
            .iter()
            .map(|(s, label)| Fan {
                label,
                turns: &s.turns,
                bands: &s.bands,
            })
            .collect();
        let svg = fan_svg(title, "cohesion", &path, &fans, &axis);
        self.artifacts.push(Artifact {
            name: format!("forecast-t{t:02}-{:02}.svg", self.forecasts_this_turn),
            contents: svg,
        });
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

/// The turn's events and decisions, indented; `marks` say who set an outcome instead of the
/// engine's draw, so a forced event is labelled as such.
pub fn events_text(w: &World, r: &TurnReport, indent: usize, marks: &[(String, &str)]) -> String {
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
        o.push_str(&format!(
            "{pad}  [{}] {who}{}\n",
            e.kind,
            w.event_text(e, marks)
        ));
    }
    o
}
