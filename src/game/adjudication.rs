//! Adjudication: the modes, the rules on overrides, and the adjudication phase of a turn as
//! the session plays it — the engine's proposal (`commit`), White's overrides, `reopen`, and
//! `accept`, which plays the turn with the outcomes forced and opens the next.
//!
//! * **rigid** — the engine's draw stands; White cannot override.
//! * **semi-rigid** — the engine proposes the turn's outcomes; White may override any of them,
//!   always with a stated reason; then accepts.
//! * **free** — White sets the outcomes (a reason is optional); the engine records them and
//!   plays out their consequences.
//!
//! The mode is chosen per session and White may change it at any prompt (`mode …`), so it can
//! differ from one turn or event to the next; every change and every override is logged with
//! its cell and reason. A human Red cell's moves force the adversary's outcomes the same way
//! (every adversary move Red does not make is forced to "not made").

use serde::{Deserialize, Serialize};

use super::adapter::{ADVERSARY_KEYS, TurnReport};
use super::allies::{deltas_text, report_diff};
use super::play::{Closed, Game, Phase, events_text, rationale_line, rationale_line_named};
use super::session::Body;

/// How the engine's outcomes are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Rigid,
    SemiRigid,
    Free,
}

impl Mode {
    pub const NAMES: [&'static str; 3] = ["rigid", "semi-rigid", "free"];

    pub fn parse(s: &str) -> Result<Mode, String> {
        match s {
            "rigid" => Ok(Mode::Rigid),
            "semi-rigid" | "semirigid" | "semi" => Ok(Mode::SemiRigid),
            "free" => Ok(Mode::Free),
            _ => Err(format!(
                "no adjudication mode `{s}`; allowed: {}",
                Mode::NAMES.join(", ")
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Rigid => "rigid",
            Mode::SemiRigid => "semi-rigid",
            Mode::Free => "free",
        }
    }

    /// Whether White reviews the engine's proposal before the turn closes.
    pub fn reviews(self) -> bool {
        self != Mode::Rigid
    }
}

/// Whether White may override now, and with this reason.
pub fn check_override(mode: Mode, reason: &str) -> Result<(), String> {
    match mode {
        Mode::Rigid => Err(
            "adjudication is rigid: the engine's draw stands (White may change it with `mode semi-rigid` or `mode free`)"
                .into(),
        ),
        Mode::SemiRigid if reason.trim().is_empty() => Err(
            "semi-rigid adjudication: an override needs a reason, e.g. `override attack none -- deterred by the reinforcement`"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// A human Red cell's moves as forced outcomes: the moves it makes, and "not made" for every
/// other adversary move. `moves` are canonical pairs.
pub fn red_forced(moves: &[(String, String)]) -> Vec<(String, String)> {
    ADVERSARY_KEYS
        .iter()
        .map(|k| {
            let v = moves
                .iter()
                .rev()
                .find(|(m, _)| m == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| {
                    if *k == "hybrid" || *k == "attack" {
                        "none".into()
                    } else {
                        "no".into()
                    }
                });
            (k.to_string(), v)
        })
        .collect()
}

/// Outcomes as aligned `key = value` lines with the engine's odds (probability, and the
/// uniform it drew); `marks` names who set an outcome (`Red`, `White`) instead of the draw.
pub fn render_outcomes(
    outcomes: &[(String, String)],
    odds: &[(String, f64, f64)],
    marks: &[(String, &str)],
) -> String {
    let mut o = String::new();
    for (k, v) in outcomes {
        let who = marks.iter().rev().find(|(mk, _)| mk == k).map(|(_, w)| *w);
        let tail = match who {
            Some(w) => format!("  ({w})"),
            None => odds
                .iter()
                .find(|(ok, _, _)| ok == k)
                .map(|(_, p, u)| format!("  (p {p:.4}, drew {u:.4})"))
                .unwrap_or_default(),
        };
        o.push_str(format!("    {k:<24} {v:<8}{tail}").trim_end());
        o.push('\n');
    }
    o
}

impl Game {
    /// White changes the adjudication mode (not to rigid while a proposal is under review).
    pub(super) fn set_mode(
        &mut self,
        mode: Mode,
        rationale: String,
    ) -> Result<(Body, String), String> {
        if self.phase == Phase::Over {
            return Err("the session is over".into());
        }
        if mode == Mode::Rigid && self.phase == Phase::Adjudication {
            return Err(
                "the engine's proposal is under review: `accept` it first, then switch to rigid"
                    .into(),
            );
        }
        self.mode = mode;
        let text = format!(
            "White sets adjudication to {}\n{}",
            mode.name(),
            rationale_line(&rationale)
        );
        Ok((Body::Mode { mode, rationale }, text))
    }

    /// The moves close and the engine proposes the turn's outcomes for White to review.
    pub(super) fn propose(&mut self, rationale: String) -> Result<(Body, String), String> {
        let t = self.turn();
        self.need(Phase::Planning, "closing the moves")?;
        if !self.mode.reviews() {
            return Err("adjudication is rigid: the turn closes on `commit`".into());
        }
        self.check_red()?;
        let mv = self.rec_to_move(&self.current_move())?;
        let report = self
            .world
            .propose(&mv, &self.forced())
            .map_err(|e| e.to_string())?;
        let how = if self.mode == Mode::Free {
            "`set OUTCOME VALUE [-- reason]` to set an outcome"
        } else {
            "`override OUTCOME VALUE -- reason` to change an outcome"
        };
        let allies_now = self.world.ally_rows();
        let text = format!(
            "Moves closed for turn {t}.\n{}  The engine proposes ({} adjudication):\n{}{}  Effects of the turn if accepted as proposed:\n{}  White: {how}, `accept` to close the turn, `reopen` to send the moves back.\n",
            rationale_line(&rationale),
            self.mode.name(),
            render_outcomes(&report.outcomes, &report.odds, &self.marks(&[])),
            events_text(&self.world, &report, 2, &self.marks(&[])),
            deltas_text(
                &self.world.sow(),
                &report.sow,
                &allies_now,
                &report.allies,
                "    "
            )
        );
        self.proposed = Some(report.clone());
        self.adjusted = None;
        self.phase = Phase::Adjudication;
        Ok((
            Body::Proposed {
                rationale,
                report: Some(report),
            },
            text,
        ))
    }

    /// White overrides (or, in free adjudication, sets) one of the proposed outcomes.
    pub(super) fn override_outcome(
        &mut self,
        outcome: String,
        value: String,
        reason: String,
    ) -> Result<(Body, String), String> {
        self.need(Phase::Adjudication, "an override")?;
        check_override(self.mode, &reason)?;
        let (k, v) = self.world.check_outcome(&outcome, &value)?;
        let was = self
            .proposed
            .as_ref()
            .and_then(|r| r.outcomes.iter().find(|(ok, _)| *ok == k))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                if k.starts_with("channel.") {
                    "closed".into()
                } else {
                    "not on the table".into()
                }
            });
        let verb = if self.mode == Mode::Free {
            "sets"
        } else {
            "overrides"
        };
        let mut text = format!(
            "White {verb} {k}: {was} → {v}\n{}",
            rationale_line_named("reason", &reason)
        );
        self.overrides.push((k.clone(), v.clone(), reason.clone()));
        let adjusted = self.adjudicate_with(&[])?;
        if let Some(engine) = &self.proposed {
            text.push_str("  Against the engine's proposal, the overrides so far change:\n");
            text.push_str(&report_diff(engine, &adjusted, "    "));
        }
        self.adjusted = Some(adjusted);
        Ok((
            Body::Override {
                outcome: k,
                value: v,
                reason,
            },
            text,
        ))
    }

    /// The turn as it would be adjudicated now with `extra` outcomes forced after Red's moves
    /// and White's overrides (played on a copy of the world: nothing changes).
    fn adjudicate_with(&self, extra: &[(String, String)]) -> Result<TurnReport, String> {
        let mv = self.rec_to_move(&self.current_move())?;
        let mut forced = self.forced();
        forced.extend(extra.iter().cloned());
        self.world.propose(&mv, &forced).map_err(|e| e.to_string())
    }

    /// What setting `outcome` to `value` would change, before White commits to it: outcomes
    /// that flip, probabilities that move, the state and the allies after the turn, against the
    /// adjudication as it stands (the engine's proposal with the overrides so far).
    pub fn preview_override(&self, outcome: &str, value: &str) -> Result<String, String> {
        self.need(Phase::Adjudication, "a preview of an override")?;
        check_override(self.mode, "preview")?;
        let (k, v) = self.world.check_outcome(outcome, value)?;
        let now = match &self.adjusted {
            Some(r) => r.clone(),
            None => self.adjudicate_with(&[])?,
        };
        let then = self.adjudicate_with(&[(k.clone(), v.clone())])?;
        Ok(format!(
            "Preview (nothing is logged): if White sets {k} = {v}, against the adjudication as it stands:\n{}",
            report_diff(&now, &then, "  ")
        ))
    }

    /// White drops the proposal and its overrides and sends the moves back to the cells.
    pub(super) fn reopen(&mut self, rationale: String) -> Result<(Body, String), String> {
        let t = self.turn();
        self.need(Phase::Adjudication, "reopening the moves")?;
        let dropped = self.overrides.len();
        self.overrides.clear();
        self.proposed = None;
        self.adjusted = None;
        self.phase = Phase::Planning;
        let text = format!(
            "White reopens the moves for turn {t} (the engine's proposal{} dropped)\n{}",
            if dropped > 0 {
                format!(" and {dropped} override(s)")
            } else {
                String::new()
            },
            rationale_line(&rationale)
        );
        Ok((Body::Reopen { rationale }, text))
    }

    /// The turn closes: accepted after review, or on `commit` in rigid adjudication. The world
    /// plays it with Red's moves and White's overrides forced, and the next turn opens.
    pub(super) fn accept(&mut self, rationale: String) -> Result<(Body, String), String> {
        let t = self.turn();
        if self.mode.reviews() {
            self.need(Phase::Adjudication, "closing the turn")?;
        } else {
            self.need(Phase::Planning, "closing the turn")?;
            self.check_red()?;
        }
        let mvrec = self.current_move();
        let mv = self.rec_to_move(&mvrec)?;
        let forced = self.forced();
        let sow_before = self.world.sow();
        let report = self.world.play(&mv, &forced).map_err(|e| e.to_string())?;
        let overrides = std::mem::take(&mut self.overrides);
        let mut text = format!("Turn {t} adjudicated ({}).\n", self.mode.name());
        text.push_str(&rationale_line(&rationale));
        text.push_str("  Outcomes:\n");
        let marks = self.marks(&overrides);
        let outs = render_outcomes(&report.outcomes, &report.odds, &marks);
        text.push_str(&outs);
        text.push_str(&events_text(&self.world, &report, 2, &marks));
        let allies_before = self.closed.last().map_or(&self.allies_start, |c| &c.allies);
        text.push_str("  Effects of the turn:\n");
        text.push_str(&deltas_text(
            &sow_before,
            &report.sow,
            allies_before,
            &report.allies,
            "    ",
        ));
        text.push_str(&format!(
            "  Random draws (words per stream, seed {} turn {t}): {}\n",
            self.world.seed(),
            report
                .draws
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let s = self.world.series_now();
        self.path.push((t, s[0], s[1]));
        self.closed.push(Closed {
            turn: t,
            mv: mvrec.clone(),
            allies: report.allies.clone(),
            report: report.clone(),
            overrides,
            marks,
        });
        text.push_str(&self.sow_text());
        self.pending_blue = None;
        self.pending_red = None;
        self.proposed = None;
        self.adjusted = None;
        self.forecasts_this_turn = 0;
        if self.world.turn() >= self.world.horizon() {
            self.phase = Phase::Over;
            text.push_str(&format!(
                "\nEnd of the session: all {} turns played. `cohesion debrief DIR` writes the after-action report.\n",
                self.world.horizon()
            ));
        } else {
            self.phase = Phase::Planning;
            text.push('\n');
            text.push_str(&self.opening_text());
        }
        Ok((
            Body::Turn {
                mv: mvrec,
                forced,
                rationale,
                report: Some(report),
            },
            text,
        ))
    }

    /// The outcomes the turn is played with: Red's moves, then White's overrides.
    fn forced(&self) -> Vec<(String, String)> {
        let mut f = match &self.pending_red {
            Some((m, _)) => red_forced(m),
            None => Vec::new(),
        };
        f.extend(
            self.overrides
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone())),
        );
        f
    }

    /// Who set which outcome: Red's moves, then White's overrides (a later mark wins).
    pub fn marks(&self, overrides: &[(String, String, String)]) -> Vec<(String, &'static str)> {
        let mut m: Vec<(String, &'static str)> = match &self.pending_red {
            Some((moves, _)) => red_forced(moves)
                .into_iter()
                .map(|(k, _)| (k, "Red"))
                .collect(),
            None => Vec::new(),
        };
        m.extend(overrides.iter().map(|(k, _, _)| (k.clone(), "White")));
        m
    }

    /// A human Red cell must have moved before the turn's outcomes are drawn.
    fn check_red(&self) -> Result<(), String> {
        if self.red_human && self.pending_red.is_none() {
            return Err(
                "Red has not moved this turn: `red MOVE…` (e.g. `red disinformation hybrid=Estonia`) or `red none`"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_gate_overrides() {
        assert_eq!(Mode::parse("semi-rigid"), Ok(Mode::SemiRigid));
        assert!(Mode::parse("loose").unwrap_err().contains("allowed"));
        assert!(check_override(Mode::Rigid, "x").is_err());
        assert!(check_override(Mode::SemiRigid, " ").is_err());
        assert!(check_override(Mode::SemiRigid, "because").is_ok());
        assert!(check_override(Mode::Free, "").is_ok());
    }

    #[test]
    fn red_moves_force_every_adversary_outcome() {
        let f = red_forced(&[("hybrid".into(), "Estonia".into())]);
        assert_eq!(f.len(), ADVERSARY_KEYS.len());
        assert!(f.contains(&("hybrid".into(), "Estonia".into())));
        assert!(f.contains(&("attack".into(), "none".into())));
        assert!(f.contains(&("disinformation".into(), "no".into())));
    }
}
