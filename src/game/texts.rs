//! The session's standing texts: the transcript's header, the opening of each turn, the
//! state-of-the-world summary, and who set an outcome instead of the engine's draw. The
//! transcript, the prompt, the board and the pages all say these the same way.

use super::play::{Game, fields_text};

impl Game {
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
            s.attack_turn.map_or("none".to_string(), |t| format!(
                "at turn {t}{}",
                self.set_by(t, "attack")
            )),
            s.crises
        ));
        o
    }
}

impl Game {
    /// ` (set by White, not drawn)` when outcome `key` of closed turn `t` was set instead of
    /// drawn (` (Red's move)` for a human Red cell's), else nothing.
    pub fn set_by(&self, t: usize, key: &str) -> String {
        let who = self
            .closed
            .iter()
            .find(|c| c.turn == t)
            .and_then(|c| c.marks.iter().rev().find(|(k, _)| k == key))
            .map(|(_, w)| *w);
        match who {
            Some("Red") => " (Red's move, not drawn)".into(),
            Some(w) => format!(" (set by {w}, not drawn)"),
            None => String::new(),
        }
    }
}
