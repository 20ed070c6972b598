//! `board.html`: one self-contained page for the projector, rewritten after each turn.
//!
//! It shows the state of the world, the session's path so far against the bands of the last
//! forecast shown (inline SVG), the last turn's events and the injects due, and reloads itself
//! every few seconds (`<meta http-equiv="refresh">`). No script, no external file.

use super::forecast::{Axis, Fan, fan_svg};
use super::play::{Game, Phase};
use crate::kernel::html::escape as esc;

/// Seconds between reloads.
pub const REFRESH: u32 = 10;

/// Shared page style of the board and the debrief.
pub const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fafafa}\
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.2em 0 .4em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse}td,th{padding:.2em .7em;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}\
.big{font-size:2.2em;font-weight:bold}.tile{display:inline-block;margin:0 1.5em .5em 0}\
.lbl{color:#666;font-size:.9em}.warn{color:#b30000;font-weight:bold}.mono{font-family:monospace;white-space:pre-wrap}";

/// The board of the session now.
pub fn render(g: &Game) -> String {
    let s = g.world.sow();
    let sc = &g.world.scenario;
    let date = g
        .world
        .date(s.turn)
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"{REFRESH}\">\
<title>cohesion board — {}</title><style>{STYLE}</style></head><body>\n",
        esc(&sc.name)
    );
    let status = match g.phase {
        Phase::Over => "session over".to_string(),
        Phase::Adjudication => format!("turn {}: adjudication", g.turn()),
        Phase::Planning => format!("turn {}: moves", g.turn()),
    };
    o.push_str(&format!(
        "<h1>{} — after turn {} of {}{date}</h1><p class=\"lbl\">{} · adjudication {} · Red {}</p>\n",
        esc(&sc.name),
        s.turn,
        g.world.horizon(),
        esc(&status),
        g.mode.name(),
        if g.red_human { "human cell" } else { "model" }
    ));
    let tile = |label: &str, value: String| {
        format!(
            "<div class=\"tile\"><div class=\"lbl\">{label}</div><div class=\"big\">{value}</div></div>"
        )
    };
    o.push_str(&tile("Cohesion", format!("{:.3}", s.cohesion)));
    o.push_str(&tile("Credibility", format!("{:.3}", s.credibility)));
    o.push_str(&tile("Mean threat", format!("{:.3}", s.threat_mean)));
    o.push_str(&tile("Unilateral channels", s.unilateral.len().to_string()));
    o.push_str(&tile("Label", esc(&s.label)));
    o.push_str("\n<h2>State of the world</h2><table>\n");
    let rows = [
        (
            "Label in force (proposed)",
            format!("{} ({})", s.label, s.proposed_label),
        ),
        (
            "Dialogue",
            format!(
                "{}{}",
                s.dialogue,
                if s.dialogue_cut {
                    " — Russia keeps its channels cut"
                } else {
                    ""
                }
            ),
        ),
        (
            "Common line / consensus",
            format!("{:.3} / {}", s.line, if s.consensus { "yes" } else { "NO" }),
        ),
        (
            "Allies on unilateral channels",
            if s.unilateral.is_empty() {
                "none".into()
            } else {
                s.unilateral.join(", ")
            },
        ),
        (
            "Risks next turn",
            format!(
                "intimidation {:.3} · aggression {:.4} · attack on an ally {:.5}",
                s.intimidation_risk, s.aggression_risk, s.attack_risk
            ),
        ),
        (
            "Fracture / ally attacked / crises",
            format!(
                "{} / {} / {}",
                s.fracture_turn
                    .map_or("none".into(), |t| format!("turn {t}")),
                s.attack_turn.map_or("none".into(), |t| format!(
                    "turn {t}{}",
                    g.set_by(t, "attack")
                )),
                s.crises
            ),
        ),
        ("Blue levers in force", g.world.levers.text()),
    ];
    for (k, v) in rows {
        o.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            esc(k),
            esc(&v)
        ));
    }
    o.push_str("</table>\n<h2>Cohesion: the path so far and the last forecast</h2>\n");
    let path: Vec<(usize, f64)> = g.path.iter().map(|p| (p.0, p.1)).collect();
    let (turns, bands, title) = match &g.last_forecast {
        Some((t, f)) => (
            f.turns.clone(),
            f.bands.clone(),
            format!(
                "Path so far, and the forecast shown at turn {t} ({} continuations)",
                f.n
            ),
        ),
        None => (
            Vec::new(),
            Vec::new(),
            "Path so far (no forecast shown yet)".into(),
        ),
    };
    let fans = [Fan {
        label: "forecast",
        turns: &turns,
        bands: &bands,
    }];
    o.push_str(&fan_svg(
        &title,
        "cohesion",
        &path,
        if turns.is_empty() { &[] } else { &fans },
        &Axis {
            last: g.world.horizon(),
            start_month: g.world.start_month(),
        },
    ));
    o.push_str("<h2>Last turn</h2>\n");
    match g.closed.last() {
        None => o.push_str("<p>No turn played yet.</p>\n"),
        Some(c) => {
            o.push_str(&format!(
                "<p>Turn {}: Blue played <b>{}</b>.</p><table>\n",
                c.turn,
                esc(&c.mv.label)
            ));
            for e in &c.report.events {
                o.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    esc(&e.kind),
                    esc(&e.actor),
                    esc(&g.world.event_text(e, &c.marks))
                ));
            }
            for (k, v, r) in &c.overrides {
                o.push_str(&format!(
                    "<tr><td class=\"warn\">override</td><td>White</td><td>{} = {} — {}</td></tr>\n",
                    esc(k),
                    esc(v),
                    esc(r)
                ));
            }
            o.push_str("</table>\n");
        }
    }
    if g.phase != Phase::Over {
        o.push_str(&format!("<h2>Injects due at turn {}</h2><ul>\n", g.turn()));
        let due = g.world.due(g.turn());
        if due.is_empty() {
            o.push_str("<li>none</li>\n");
        }
        for id in due {
            if let Some((i, _)) = g.world.msel(id) {
                o.push_str(&format!(
                    "<li>#{id} {} — {}</li>\n",
                    esc(&i.kind),
                    esc(&i.name)
                ));
            }
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</body></html>\n");
    o
}
