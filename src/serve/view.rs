//! What each role may see, as the JSON its page renders: the one place where hidden
//! information is decided.
//!
//! * The state of the world, the allies, the turns already adjudicated, the injects due this
//!   turn, the adjudication mode and the timer are public.
//! * A cell's move is its own (and White's) until the turn is adjudicated; then every move of
//!   that turn is public. Red's move is therefore sealed from Blue, and Blue's from Red.
//! * A forecast or comparison belongs to the cell that asked (and White) until it is shared.
//! * A message is seen by its sender, its recipient and White (a message to all: by all).
//! * The MSEL ahead, White's edits of it, the engine's proposal, overrides and their previews,
//!   the session's seed (which would let a player compute the session's own draws) and the
//!   join links are White's.
//! * The projector shows what White puts on it, from the public part only (and forecasts White
//!   chooses).
//!
//! Views are compared as bytes to decide whether a role's page must be updated, so a view
//! holds no clock and nothing that changes unless what the role may see changes.

use serde_json::{Value, json};

use super::auth::Role;
use super::map;
use crate::game::adapter::{self, AllyRow, TurnReport, lever_spec};
use crate::game::allies::{deltas_text, report_diff};
use crate::game::forecast::{Axis, fan_svg};
use crate::game::live::Live;
use crate::game::play::{Game, Phase};
use crate::game::session::{Body, Entry};
use crate::model::ParamKind;

/// Feed entries a page gets (the latest).
pub const FEED_MAX: usize = 300;

/// Messages a page gets (the latest; open requests for information besides): older ones are
/// in the transcript and the debrief.
pub const MESSAGES_MAX: usize = 200;

/// Whether `role` may see log entry `e` (and its text) now.
pub fn entry_visible(g: &Game, role: Role, e: &Entry) -> bool {
    let cell = match role {
        Role::White => return true,
        Role::Projector => return false,
        r => r.name(),
    };
    let adjudicated = e.turn <= g.world.turn() || g.phase == Phase::Over;
    match &e.body {
        Body::Blue { .. } => cell == "blue" || adjudicated,
        Body::Red { .. } => cell == "red" || adjudicated,
        Body::Forecast { .. } | Body::Compare { .. } => g
            .shown
            .iter()
            .find(|s| s.seq == e.seq)
            .is_some_and(|s| s.visible_to(cell)),
        Body::Share { by, with, .. } => by == cell || with == cell || with == "all",
        Body::Message { from, to, .. } => from == cell || to == cell || to == "all",
        Body::Mode { .. } | Body::Timer { .. } | Body::Turn { .. } | Body::Branch { .. } => true,
        Body::Inject { .. }
        | Body::Skip { .. }
        | Body::Delay { .. }
        | Body::Proposed { .. }
        | Body::Override { .. }
        | Body::Reopen { .. }
        | Body::Projector { .. }
        | Body::Repair { .. } => false,
    }
}

/// A text as a cell may read it: without the session's seed.
pub fn redact(text: &str, seed: u64) -> String {
    text.replace(&format!("seed {seed} turn"), "turn")
}

fn f(x: f64) -> Value {
    // Rounded for display: the page shows three decimals; the record keeps every bit.
    json!((x * 1e4).round() / 1e4)
}

fn ally_json(a: &AllyRow, (col, row): (u32, u32), before: Option<&AllyRow>) -> Value {
    let d = |x: f64, y: Option<f64>| y.map_or(Value::Null, |y| f(x - y));
    json!({
        "name": a.name,
        "iso": map::iso(&a.name),
        "col": col,
        "row": row,
        "exposure": a.exposure,
        "weight": f(a.weight),
        "stance": f(a.stance),
        "threat": f(a.threat),
        "resilience": f(a.resilience),
        "dependence": f(a.dependence),
        "inducement": f(a.inducement),
        "defence": f(a.defence),
        "channel": a.channel,
        "channel_risk": f(a.channel_risk),
        "delta": {
            "stance": d(a.stance, before.map(|b| b.stance)),
            "threat": d(a.threat, before.map(|b| b.threat)),
            "resilience": d(a.resilience, before.map(|b| b.resilience)),
            "dependence": d(a.dependence, before.map(|b| b.dependence)),
        },
    })
}

fn report_json(g: &Game, r: &TurnReport, marks: &[(String, &str)]) -> Value {
    let outcomes: Vec<Value> = r
        .outcomes
        .iter()
        .map(|(k, v)| {
            let by = marks.iter().rev().find(|(m, _)| m == k).map(|(_, w)| *w);
            let odds = r.odds.iter().find(|(ok, _, _)| ok == k);
            json!({
                "key": k,
                "value": v,
                // A forced outcome is never shown with the engine's odds as if drawn.
                "set_by": by,
                "p": if by.is_none() { odds.map(|o| f(o.1)) } else { None },
                "drew": if by.is_none() { odds.map(|o| f(o.2)) } else { None },
            })
        })
        .collect();
    let events: Vec<Value> = r
        .events
        .iter()
        .map(|e| json!({"kind": e.kind, "actor": e.actor, "detail": g.world.event_text(e, marks)}))
        .collect();
    json!({"outcomes": outcomes, "events": events})
}

fn session_json(g: &Game, role: Role) -> Value {
    let sc = &g.world.scenario;
    let mut v = json!({
        "scenario": sc.name,
        "description": sc.description.trim(),
        "turn": g.turn().min(g.world.horizon()),
        "played": g.world.turn(),
        "horizon": g.world.horizon(),
        "date": g.world.date(g.turn().min(g.world.horizon())),
        "phase": match g.phase { Phase::Planning => "moves", Phase::Adjudication => "adjudication", Phase::Over => "over" },
        "mode": g.mode.name(),
        "red": if g.red_human { "human" } else { "model" },
    });
    if role == Role::White {
        v["seed"] = json!(g.manifest.seed);
    }
    v
}

fn sow_json(g: &Game) -> Value {
    let s = g.world.sow();
    let mut v = serde_json::to_value(&s).unwrap_or(Value::Null);
    if let Some(t) = s.attack_turn {
        v["attack_set_by"] = json!(g.set_by(t, "attack").trim());
    }
    v
}

fn closed_json(g: &Game) -> Vec<Value> {
    let mut prev = &g.allies_start;
    let mut prev_sow = &g.sow_start;
    let mut out = Vec::new();
    for c in &g.closed {
        let effects = deltas_text(prev_sow, &c.report.sow, prev, &c.allies, "");
        let mut r = report_json(g, &c.report, &c.marks);
        r["turn"] = json!(c.turn);
        r["date"] = json!(g.world.date(c.turn));
        r["blue"] = json!(c.mv.label);
        r["overrides"] = json!(
            c.overrides
                .iter()
                .map(|(k, v, why)| json!({"outcome": k, "value": v, "reason": why}))
                .collect::<Vec<_>>()
        );
        r["effects"] = json!(effects);
        out.push(r);
        prev = &c.allies;
        prev_sow = &c.report.sow;
    }
    out
}

fn levers_json(g: &Game, with_pending: bool) -> Vec<Value> {
    let cur = g.current_move();
    g.world
        .levers
        .pairs()
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let spec = lever_spec(i);
            let (kind, min, max, choices) = match spec.kind {
                ParamKind::Choice(w) => ("choice", None, None, w.to_vec()),
                ParamKind::Real { min, max } => ("real", Some(min), Some(max), Vec::new()),
                ParamKind::Int { min, max } => {
                    ("int", Some(min as f64), Some(max as f64), Vec::new())
                }
                ParamKind::Bool => ("bool", None, None, vec!["false", "true"]),
            };
            let pending = cur.levers.get(i).map(|(_, p)| p.clone());
            json!({
                "name": k, "value": v, "kind": kind, "min": min, "max": max,
                "choices": choices, "meaning": spec.meaning,
                "pending": if with_pending { pending } else { None },
            })
        })
        .collect()
}

fn feed(live: &Live, role: Role) -> Vec<Value> {
    let g = &live.game;
    let seed = g.manifest.seed;
    let mut items: Vec<Value> = live
        .entries
        .iter()
        .rev()
        .filter(|(e, _)| entry_visible(g, role, e))
        .take(FEED_MAX)
        .map(|(e, text)| {
            let text = if role == Role::White {
                text.clone()
            } else {
                redact(text, seed)
            };
            json!({"seq": e.seq, "turn": e.turn, "cell": e.cell, "kind": e.body.kind(), "text": text})
        })
        .collect();
    items.reverse();
    items
}

/// The chart of the session's path so far (public).
fn path_svg(g: &Game) -> String {
    let path: Vec<(usize, f64)> = g.path.iter().map(|p| (p.0, p.1)).collect();
    fan_svg(
        "Cohesion: the session's path",
        "cohesion",
        &path,
        &[],
        &Axis {
            last: g.world.horizon(),
            start_month: g.world.start_month(),
        },
    )
}

/// White's extra view: the MSEL, pending moves, the proposal, the outlook, links.
fn white_json(g: &Game, v: &mut Value, links: &[(Role, String)]) {
    let now = g.world.turn();
    let msel: Vec<Value> = (1..=g.world.msel_len())
        .filter_map(|id| {
            let (s, active) = g.world.msel(id)?;
            let status = if !active {
                "skipped"
            } else if s.turn <= now {
                "released"
            } else if s.turn == now + 1 {
                "due now"
            } else {
                "scheduled"
            };
            Some(json!({
                "id": id, "turn": s.turn, "status": status, "kind": s.kind, "name": s.name,
                "fields": s.fields, "in_stride": id > g.world.scenario.injects.len(),
            }))
        })
        .collect();
    v["msel"] = json!(msel);
    v["pending"]["red"] = match &g.pending_red {
        Some((m, why)) => json!({"moves": m, "rationale": why}),
        None => Value::Null,
    };
    v["outcome_keys"] = json!(g.world.outcome_keys());
    v["inject_kinds"] = json!(
        adapter::inject_kinds()
            .iter()
            .map(|k| json!({"kind": k, "fields": adapter::inject_fields(k)}))
            .collect::<Vec<_>>()
    );
    v["links"] = json!(
        links
            .iter()
            .map(|(r, url)| json!({"role": r.name(), "url": url}))
            .collect::<Vec<_>>()
    );
    v["open_rfis"] = json!(g.open_rfis());
    if let Some(p) = &g.proposed {
        let marks = g.marks(&g.overrides);
        let adjusted = g.adjusted.as_ref().unwrap_or(p);
        v["proposal"] = json!({
            "engine": report_json(g, p, &g.marks(&[])),
            "adjusted": report_json(g, adjusted, &marks),
            "overrides": g.overrides.iter().map(|(k, val, why)| json!({"outcome": k, "value": val, "reason": why})).collect::<Vec<_>>(),
            "changes": report_diff(p, adjusted, ""),
        });
    }
}

/// The effects of the in-stride injects White entered this turn (White's; the projector's
/// when White puts `effects` on it).
fn effects_json(g: &Game) -> Value {
    json!(
        g.inject_effects
            .iter()
            .filter(|(_, turn, _, _)| *turn == g.turn())
            .map(|(seq, _, what, text)| json!({"seq": seq, "inject": what, "text": text}))
            .collect::<Vec<_>>()
    )
}

/// The view of `role`. `links` (White's only) are the join links.
pub fn view(live: &Live, role: Role, links: &[(Role, String)]) -> Value {
    let g = &live.game;
    let before_last = g
        .closed
        .iter()
        .rev()
        .nth(1)
        .map_or(&g.allies_start, |c| &c.allies);
    let last_played = !g.closed.is_empty();
    let rows = g.world.ally_rows();
    let tiles = map::tiles(rows.iter().map(|a| a.name.as_str()));
    let allies: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, a)| {
            ally_json(
                a,
                tiles[i],
                if last_played {
                    before_last.get(i)
                } else {
                    None
                },
            )
        })
        .collect();
    let due: Vec<Value> = if g.phase == Phase::Over {
        Vec::new()
    } else {
        g.world
            .due(g.turn())
            .into_iter()
            .filter_map(|id| g.world.msel(id))
            .map(|(s, _)| json!({"kind": s.kind, "name": s.name, "date": s.date, "fields": s.fields}))
            .collect()
    };
    let closed = closed_json(g);
    let cell = role.name();
    let visible: Vec<&crate::game::comms::Msg> = g
        .messages
        .iter()
        .filter(|m| match role {
            Role::White => true,
            Role::Projector => m.to == "all" && g.projector.show.iter().any(|s| s == "messages"),
            _ => m.from == cell || m.to == cell || m.to == "all",
        })
        .collect();
    // The latest MESSAGES_MAX, and every request still open however old: a long exercise's
    // traffic would otherwise be resent in full to every page on every change.
    let cut = visible.len().saturating_sub(MESSAGES_MAX);
    let messages: Vec<Value> = visible
        .iter()
        .enumerate()
        .filter(|(i, m)| *i >= cut || (m.rfi && m.answered_by.is_none()))
        .map(|(_, m)| serde_json::to_value(m).unwrap_or(Value::Null))
        .collect();
    let earlier = visible.len() - messages.len();
    let forecasts: Vec<Value> = g
        .shown
        .iter()
        .filter(|s| match role {
            Role::Projector => g
                .projector
                .show
                .iter()
                .any(|x| *x == format!("forecast:{}", s.seq)),
            _ => s.visible_to(cell),
        })
        .map(|s| {
            let text = if role == Role::White {
                s.text.clone()
            } else {
                redact(&s.text, g.manifest.seed)
            };
            json!({"seq": s.seq, "turn": s.turn, "by": s.by, "label": s.label, "text": text, "svg": s.svg, "shared": s.shared})
        })
        .collect();
    let mut v = json!({
        "role": cell,
        "session": session_json(g, role),
        "sow": sow_json(g),
        "allies": allies,
        "due": due,
        "closed": closed,
        "timer": g.timer,
        "messages": messages,
        "messages_earlier": earlier,
        "forecasts": forecasts,
        "path_svg": path_svg(g),
    });
    match role {
        Role::Projector => {
            v["projector"] = json!(g.projector);
            if g.projector.show.iter().any(|s| s == "effects") {
                v["effects"] = effects_json(g);
            }
            // Only the last adjudicated turn.
            if let Some(last) = v["closed"].as_array().and_then(|c| c.last()).cloned() {
                v["closed"] = json!([last]);
            }
        }
        Role::Blue | Role::White => {
            v["levers"] = json!(levers_json(g, true));
            v["policies"] = json!(
                g.world
                    .scenario
                    .policies
                    .iter()
                    .map(|p| json!({"name": p.name, "description": p.description}))
                    .collect::<Vec<_>>()
            );
            v["pending"] = json!({"blue": g.pending_blue.as_ref().map(|(m, why)| json!({"label": m.label, "levers": m.levers, "rationale": why}))});
        }
        Role::Red => {
            v["levers"] = json!(levers_json(g, false));
            v["adversary_moves"] = json!(adapter::ADVERSARY_KEYS);
            v["pending"] = json!({"red": g.pending_red.as_ref().map(|(m, why)| json!({"moves": m, "rationale": why}))});
        }
    }
    if role != Role::Projector {
        v["feed"] = json!(feed(live, role));
    }
    if role == Role::White {
        v["projector"] = json!(g.projector);
        v["effects"] = effects_json(g);
        v["preamble"] = json!(live.preamble);
        white_json(g, &mut v, links);
    }
    v
}
