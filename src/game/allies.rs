//! The allies as the cells see them: the per-ally table (`allies`), one ally in detail with its
//! history (`ally NAME`), and the effect of a turn — or of an override, before White accepts it
//! — as deltas ("Estonia threat 0.520 → 0.610, resilience −0.080").

use super::adapter::{ALLY_FIELDS, AllyRow, Sow, TurnReport, ally_key};
use super::play::Game;

/// Changes smaller than this are not reported as an effect.
pub const DELTA_MIN: f64 = 0.005;
/// Allies listed in a turn's effects (the largest changes first).
pub const DELTA_ALLIES: usize = 8;

fn signed(x: f64) -> String {
    signed_to(x, 3)
}

/// `x` with its sign (a true minus sign) and `prec` decimals.
fn signed_to(x: f64, prec: usize) -> String {
    if x < 0.0 {
        format!("−{:.prec$}", -x)
    } else {
        format!("+{x:.prec$}")
    }
}

/// The adversary's odds for the next turn that move between two states (by 0.0005, or by a
/// twentieth of the larger, so a small risk's move shows), with the status line's decimals.
fn risks_moved(sa: &Sow, sb: &Sow) -> Vec<String> {
    [
        (
            "intimidation",
            sa.intimidation_risk,
            sb.intimidation_risk,
            3,
        ),
        ("aggression", sa.aggression_risk, sb.aggression_risk, 4),
        ("attack on an ally", sa.attack_risk, sb.attack_risk, 5),
    ]
    .into_iter()
    .filter(|(_, p, q, _)| (q - p).abs() >= 0.0005 || (q - p).abs() >= 0.05 * p.max(*q))
    .filter(|(_, p, q, prec)| format!("{p:.prec$}") != format!("{q:.prec$}"))
    .map(|(k, p, q, prec)| format!("{k} {p:.prec$} → {q:.prec$} ({})", signed_to(q - p, prec)))
    .collect()
}

/// One ally's changes: `threat 0.520 → 0.610 (+0.090), channel risk 0.100 → 0.130 (+0.030),
/// channel opened`, and the largest absolute change (a channel counts as 1).
pub fn ally_delta(a: &AllyRow, b: &AllyRow) -> Option<(String, f64)> {
    let mut parts = Vec::new();
    let mut most: f64 = 0.0;
    for (k, name) in ALLY_FIELDS.iter().enumerate() {
        let (x, y) = (a.field(k), b.field(k));
        if (y - x).abs() >= DELTA_MIN {
            parts.push(format!("{name} {x:.3} → {y:.3} ({})", signed(y - x)));
            most = most.max((y - x).abs());
        }
    }
    let (x, y) = (a.channel_risk, b.channel_risk);
    if (y - x).abs() >= DELTA_MIN {
        parts.push(format!("channel risk {x:.3} → {y:.3} ({})", signed(y - x)));
        most = most.max((y - x).abs());
    }
    if a.channel != b.channel {
        parts.push(
            if b.channel {
                "channel to Moscow opened"
            } else {
                "channel to Moscow closed"
            }
            .into(),
        );
        most = most.max(1.0);
    }
    (!parts.is_empty()).then(|| (parts.join(", "), most))
}

/// The alliance-wide and per-ally effects between two states, indented by `pad`.
pub fn deltas_text(sa: &Sow, sb: &Sow, a: &[AllyRow], b: &[AllyRow], pad: &str) -> String {
    let mut o = format!(
        "{pad}cohesion {:.3} → {:.3} ({}), credibility {:.3} → {:.3} ({}), mean threat {:.3} → {:.3} ({})\n",
        sa.cohesion,
        sb.cohesion,
        signed(sb.cohesion - sa.cohesion),
        sa.credibility,
        sb.credibility,
        signed(sb.credibility - sa.credibility),
        sa.threat_mean,
        sb.threat_mean,
        signed(sb.threat_mean - sa.threat_mean)
    );
    let risks = risks_moved(sa, sb);
    if !risks.is_empty() {
        o.push_str(&format!(
            "{pad}the adversary's odds next turn: {}\n",
            risks.join(", ")
        ));
    }
    let mut changed: Vec<(String, String, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| ally_delta(x, y).map(|(t, m)| (x.name.clone(), t, m)))
        .collect();
    // Largest change first; ties in the scenario's order (a stable sort).
    changed.sort_by(|p, q| q.2.total_cmp(&p.2));
    for (name, text, _) in changed.iter().take(DELTA_ALLIES) {
        o.push_str(&format!("{pad}{name}: {text}\n"));
    }
    if changed.len() > DELTA_ALLIES {
        o.push_str(&format!(
            "{pad}… and {} more allies changed less (`allies` lists every ally)\n",
            changed.len() - DELTA_ALLIES
        ));
    }
    if changed.is_empty() && !a.is_empty() {
        o.push_str(&format!(
            "{pad}no ally changed by {DELTA_MIN} or more on any measure\n"
        ));
    }
    o
}

/// What White's overrides change against the engine's proposal: outcomes that flip,
/// probabilities that move, the state after the turn, the allies.
pub fn report_diff(engine: &TurnReport, adjusted: &TurnReport, pad: &str) -> String {
    let mut o = String::new();
    let value = |r: &TurnReport, k: &str| {
        r.outcomes
            .iter()
            .find(|(ok, _)| ok == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                if k.starts_with("channel.") {
                    "closed".into()
                } else {
                    "not on the table".into()
                }
            })
    };
    let mut keys: Vec<&str> = engine.outcomes.iter().map(|(k, _)| k.as_str()).collect();
    for (k, _) in &adjusted.outcomes {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    let mut flips = Vec::new();
    for k in keys {
        let (x, y) = (value(engine, k), value(adjusted, k));
        if x != y {
            flips.push(format!("{k} {x} → {y}"));
        }
    }
    o.push_str(&format!(
        "{pad}outcomes that change: {}\n",
        if flips.is_empty() {
            "none".to_string()
        } else {
            flips.join(", ")
        }
    ));
    let mut moved = Vec::new();
    for (k, p, _) in &engine.odds {
        if let Some((_, q, _)) = adjusted.odds.iter().find(|(ok, _, _)| ok == k)
            && (q - p).abs() >= 0.0005
        {
            moved.push(format!("{k} {p:.3} → {q:.3}"));
        }
    }
    o.push_str(&format!(
        "{pad}probabilities that move: {}\n",
        if moved.is_empty() {
            "none".to_string()
        } else {
            moved.join(", ")
        }
    ));
    o.push_str(&deltas_text(
        &engine.sow,
        &adjusted.sow,
        &engine.allies,
        &adjusted.allies,
        pad,
    ));
    o
}

fn stance_word(x: f64) -> &'static str {
    if x < 0.35 {
        "engagement"
    } else if x < 0.65 {
        "middle"
    } else {
        "confrontation"
    }
}

impl Game {
    /// Every ally now; the change over the last turn when one was played.
    pub fn allies_text(&self) -> String {
        let now = self.world.ally_rows();
        let before = self
            .closed
            .iter()
            .rev()
            .nth(1)
            .map_or(&self.allies_start, |c| &c.allies);
        let last = self.closed.last().is_some();
        let mut o = format!(
            "Allies after turn {} (stance: 0 engagement – 1 confrontation; Δ: change over the last turn; ch.risk: chance of a channel to Moscow next turn at today's state):\n",
            self.world.turn()
        );
        o.push_str(&format!(
            "  {:<16} {:<9} {:>6} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7}  {}\n",
            "ally",
            "exposure",
            "weight",
            "stance",
            "Δ",
            "threat",
            "Δ",
            "resil.",
            "depend.",
            "ch.risk",
            "channel"
        ));
        for (i, a) in now.iter().enumerate() {
            let b = before.get(i).unwrap_or(a);
            let d = |x: f64, y: f64| {
                if last && (y - x).abs() >= DELTA_MIN {
                    signed(y - x)
                } else {
                    String::new()
                }
            };
            o.push_str(&format!(
                "  {:<16} {:<9} {:>6.3} {:>7.3} {:>6} {:>7.3} {:>7} {:>7.3} {:>7.3} {:>7.3}  {}\n",
                a.name,
                a.exposure,
                a.weight,
                a.stance,
                d(b.stance, a.stance),
                a.threat,
                d(b.threat, a.threat),
                a.resilience,
                a.dependence,
                a.channel_risk,
                match (a.channel, b.channel != a.channel && last) {
                    (true, true) => "open (new)",
                    (true, false) => "open",
                    (false, true) => "closed (new)",
                    (false, false) => "—",
                }
            ));
        }
        o
    }

    /// One ally in detail: its measures now and at the start, and its history in the session.
    pub fn ally_text(&self, name: &str) -> Result<String, String> {
        let i = self.world.ally(name)?;
        let now = &self.world.ally_rows()[i];
        let start = &self.allies_start[i];
        let mut o = format!(
            "{} — {} ally, weight {:.3} in the alliance\n",
            now.name, now.exposure, now.weight
        );
        let rows = [
            ("stance", now.stance, start.stance),
            ("threat perception", now.threat, start.threat),
            ("resilience", now.resilience, start.resilience),
            ("energy dependence", now.dependence, start.dependence),
            ("inducements received", now.inducement, start.inducement),
            ("defence, % of GDP", now.defence, start.defence),
        ];
        for (k, v, v0) in rows {
            o.push_str(&format!("  {k:<22} {v:>7.3}   (start {v0:.3})\n"));
        }
        o.push_str(&format!(
            "  stance reads: {}; unilateral channel to Moscow: {} (chance it runs one next turn, at today's state: {:.3})\n",
            stance_word(now.stance),
            if now.channel { "OPEN" } else { "closed" },
            now.channel_risk
        ));
        o.push_str("  History:\n");
        let key = ally_key(&now.name);
        let mut any = false;
        let mut prev = &self.allies_start;
        for c in &self.closed {
            let mut lines = Vec::new();
            for e in &c.report.events {
                let target = (e.kind == "inject")
                    .then(|| self.world.inject_target(e.turn, &e.detail))
                    .flatten();
                if ally_key(&e.actor) == key || target.is_some_and(|t| ally_key(&t) == key) {
                    lines.push(format!(
                        "[{}] {}",
                        e.kind,
                        self.world.event_text(e, &c.marks)
                    ));
                }
            }
            for (k, v, r) in &c.overrides {
                if k.starts_with("channel.") && ally_key(&k["channel.".len()..]) == key
                    || ((k == "hybrid" || k == "attack") && ally_key(v) == key)
                {
                    lines.push(format!("White set {k} = {v} ({r})"));
                }
            }
            if let (Some(a), Some(b)) = (prev.get(i), c.allies.get(i))
                && let Some((t, _)) = ally_delta(a, b)
            {
                lines.push(format!("effect: {t}"));
            }
            for l in &lines {
                o.push_str(&format!("    turn {:>2}: {l}\n", c.turn));
                any = true;
            }
            prev = &c.allies;
        }
        if !any {
            o.push_str("    nothing yet\n");
        }
        Ok(o)
    }
}
