//! Adjudication modes and overrides.
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

use super::adapter::ADVERSARY_KEYS;

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
