//! `cohesion debrief DIR`: the after-action report, in Markdown and self-contained HTML.
//!
//! Built from the log after checking that it replays: the session at a glance, then turn by
//! turn the moves and their rationales, the injects (released, skipped, delayed, in-stride),
//! the adjudication (the engine's proposal, White's overrides with reasons, the outcomes and
//! events), the state of the world after the turn and the forecasts that were shown. Charts
//! (inline SVG in the HTML, SVG files beside the Markdown) set the session's path against the
//! distribution of outcomes as seen from the start: continuations from turn 0 under the moves
//! Blue actually played, with the MSEL as White finally ran it.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

use super::adapter::{World, label_name};
use super::board::STYLE;
use super::forecast::{Axis, Fan, ForecastSummary, fan_svg, forecast_seed, summarize};
use super::replay;
use super::session::{Body, Entry, MoveRec, SessionDir, write_atomic};
use crate::kernel::html::escape as esc;

/// Continuations of the from-the-start distribution.
pub const START_N: usize = 2000;

struct TurnDoc<'a> {
    turn: usize,
    before: Vec<&'a Entry>,
    close: Option<&'a Entry>,
}

fn group(entries: &[Entry]) -> Vec<TurnDoc<'_>> {
    let mut out: Vec<TurnDoc> = Vec::new();
    for e in entries {
        if out
            .last()
            .is_none_or(|d| d.turn != e.turn || d.close.is_some())
        {
            out.push(TurnDoc {
                turn: e.turn,
                before: Vec::new(),
                close: None,
            });
        }
        let d = out.last_mut().expect("pushed");
        if matches!(e.body, Body::Turn { .. }) {
            d.close = Some(e);
        } else {
            d.before.push(e);
        }
    }
    out
}

fn forecast_line(f: &ForecastSummary) -> String {
    let get = |n: &str| f.finals.iter().find(|s| s.name == n);
    let c = get("cohesion_final");
    let fr = get("fracture");
    format!(
        "final cohesion median {:.3} [p5 {:.3}, p95 {:.3}], P(fracture) {:.3}, P(ally attacked) {:.3}",
        c.map_or(0.0, |s| s.q[2]),
        c.map_or(0.0, |s| s.q[0]),
        c.map_or(0.0, |s| s.q[4]),
        fr.map_or(0.0, |s| s.mean),
        get("ally_attacked").map_or(0.0, |s| s.mean)
    )
}

/// One entry as a line of the report (None for entries shown elsewhere).
fn entry_line(e: &Entry) -> Option<String> {
    Some(match &e.body {
        Body::Blue { mv, rationale } => format!("**Blue** moves: {}{}", mv.label, why(rationale)),
        Body::Red { moves, rationale } => format!(
            "**Red** moves: {}{}",
            if moves.is_empty() {
                "no hostile move".into()
            } else {
                pairs(moves)
            },
            why(rationale)
        ),
        Body::Inject {
            id,
            inject,
            rationale,
        } => {
            format!(
                "**White** in-stride inject #{id} ({}, turn {}): {}{}",
                inject.kind,
                inject.turn,
                inject.name,
                if inject.fields.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", pairs(&inject.fields))
                }
            ) + &why(rationale)
        }
        Body::Skip { id, rationale } => {
            format!("**White** skips MSEL inject #{id}{}", why(rationale))
        }
        Body::Delay { id, to, rationale } => {
            format!(
                "**White** delays MSEL inject #{id} to turn {to}{}",
                why(rationale)
            )
        }
        Body::Mode { mode, rationale } => format!(
            "**White** sets adjudication to {}{}",
            mode.name(),
            why(rationale)
        ),
        Body::Forecast {
            mv,
            n,
            result: Some(f),
            ..
        } => format!(
            "Forecast shown to {} — {} ({n} continuations): {}",
            e.cell,
            mv.label,
            forecast_line(f)
        ),
        Body::Compare {
            a,
            b,
            n,
            result: Some(c),
            ..
        } => {
            let d = c.diffs.iter().find(|d| d.name == "cohesion_final");
            format!(
                "Comparison shown ({n} continuations, common random numbers): A = {} — {}; B = {} — {}; B − A final cohesion {:+.4} [{:+.4}, {:+.4}]",
                a.label,
                forecast_line(&c.a),
                b.label,
                forecast_line(&c.b),
                d.map_or(0.0, |d| d.mean),
                d.map_or(0.0, |d| d.lo),
                d.map_or(0.0, |d| d.hi)
            )
        }
        Body::Override {
            outcome,
            value,
            reason,
        } => format!(
            "**White** overrides `{outcome}` → {value}{}",
            if reason.is_empty() {
                String::new()
            } else {
                format!(" — reason: {reason}")
            }
        ),
        Body::Proposed { rationale, .. } => {
            format!(
                "**White** closes the moves; the engine proposes{}",
                why(rationale)
            )
        }
        Body::Reopen { rationale } => {
            format!("**White** reopens the moves{}", why(rationale))
        }
        Body::Branch { parent, from_turn } => {
            format!("What-if branch of `{parent}` from the end of turn {from_turn}")
        }
        Body::Repair { line, bytes, .. } => {
            format!(
                "Log repaired: an uncommitted entry of {bytes} bytes torn at line {line} by a crash was dropped"
            )
        }
        Body::Message {
            from,
            to,
            text,
            rfi,
            reply_to,
        } => match (rfi, reply_to) {
            (true, _) => format!(
                "**{}** asks White (request for information #{}): {text}",
                cap(from),
                e.seq
            ),
            (_, Some(q)) => format!("**White** answers request #{q} (to {}): {text}", cap(to)),
            _ => format!(
                "**{}** to {}: {text}",
                cap(from),
                if to == "all" {
                    "all players".to_string()
                } else {
                    cap(to)
                }
            ),
        },
        Body::Share { by, forecast, with } => format!(
            "**{}** shares forecast #{forecast} with {}",
            cap(by),
            if with == "all" {
                "all players".to_string()
            } else {
                cap(with)
            }
        ),
        Body::Timer {
            action, seconds, ..
        } => match action.as_str() {
            "start" => format!(
                "**White** starts the turn timer ({} min)",
                seconds.div_ceil(60)
            ),
            a => format!("**White** {a}s the turn timer"),
        },
        Body::Projector { show, colour } => format!(
            "**White** sets the projector: {} (map by {colour})",
            show.join(", ")
        ),
        _ => return None,
    })
}

fn cap(cell: &str) -> String {
    let mut c = cell.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn why(r: &str) -> String {
    if r.is_empty() {
        String::new()
    } else {
        format!(" — rationale: {r}")
    }
}

fn pairs(p: &[(String, String)]) -> String {
    p.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distribution as seen from the start: turn-0 continuations under the moves played.
fn from_start(rb: &replay::Rebuilt, moves: &[MoveRec]) -> Result<Option<ForecastSummary>> {
    if moves.is_empty() {
        return Ok(None);
    }
    let sc = replay::load_scenario(&rb.manifest)?;
    let mut w = World::new(&sc, rb.manifest.seed)?;
    for e in &rb.entries {
        let r = match &e.body {
            Body::Skip { id, .. } => w.skip(*id).map(|_| ()),
            Body::Delay { id, to, .. } => w.delay(*id, *to),
            Body::Inject { inject, .. } => w.add_inject(inject).map(|_| ()),
            _ => Ok(()),
        };
        if let Err(msg) = r {
            bail!("cannot rebuild the MSEL as played: {msg}");
        }
    }
    let plan: Vec<_> = moves
        .iter()
        .map(|m| rb.game.rec_to_move(m))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!(e))?;
    let seed = forecast_seed(rb.manifest.seed, 0);
    Ok(Some(summarize(&w.forecast(
        &rb.game.pool,
        &plan,
        START_N,
        w.horizon(),
        seed,
    ))))
}

/// Writes `debrief.md`, `debrief.html` and the charts' SVG files.
pub fn run(dir: &Path, threads: usize, out: &mut dyn std::io::Write) -> Result<i32> {
    let rb = replay::rebuild(dir, threads)?;
    if let Some(m) = &rb.mismatch {
        bail!("the session does not replay ({m}); the debrief would not describe what happened");
    }
    let sd = SessionDir::new(dir);
    let g = &rb.game;
    let sc = &g.world.scenario;
    let docs = group(&rb.entries);
    let moves: Vec<MoveRec> = docs
        .iter()
        .filter_map(|d| match d.close.map(|e| &e.body) {
            Some(Body::Turn { mv, .. }) => Some(mv.clone()),
            _ => None,
        })
        .collect();
    let start = from_start(&rb, &moves)?;
    let path_c: Vec<(usize, f64)> = g.path.iter().map(|p| (p.0, p.1)).collect();
    let path_k: Vec<(usize, f64)> = g.path.iter().map(|p| (p.0, p.2)).collect();
    let h = g.world.horizon();
    let (st_turns, st_c, st_k) = match &start {
        Some(f) => (
            f.turns.clone(),
            f.bands.clone(),
            f.credibility_bands.clone(),
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let axis = Axis {
        last: h,
        start_month: g.world.start_month(),
    };
    fn fan<'a>(turns: &'a [usize], bands: &'a [[f64; 5]]) -> Vec<Fan<'a>> {
        if turns.is_empty() {
            Vec::new()
        } else {
            vec![Fan {
                label: "from the start",
                turns,
                bands,
            }]
        }
    }
    let svg_c = fan_svg(
        "Cohesion: the session's path against the distribution seen from the start",
        "cohesion",
        &path_c,
        &fan(&st_turns, &st_c),
        &axis,
    );
    let svg_k = fan_svg(
        "Credibility: the session's path against the distribution seen from the start",
        "credibility",
        &path_k,
        &fan(&st_turns, &st_k),
        &axis,
    );
    write_atomic(&dir.join("debrief-cohesion.svg"), svg_c.as_bytes())?;
    write_atomic(&dir.join("debrief-credibility.svg"), svg_k.as_bytes())?;

    let s = g.world.sow();
    let turns_played = g.closed.len();
    let overrides: usize = g.closed.iter().map(|c| c.overrides.len()).sum();
    let forecasts = rb
        .entries
        .iter()
        .filter(|e| matches!(e.body, Body::Forecast { .. } | Body::Compare { .. }))
        .count();
    let mut md = String::new();
    let _ = writeln!(md, "# After-action report: {}\n", sc.name);
    let _ = writeln!(
        md,
        "Session `{}` · scenario `{}` · seed {} · Red: {} · adjudication at the start: {}{}\n",
        dir.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        rb.manifest.scenario,
        rb.manifest.seed,
        if g.red_human {
            "human cell"
        } else {
            "the model's adversary"
        },
        rb.manifest.mode.name(),
        match (&rb.manifest.parent, rb.manifest.from_turn) {
            (Some(p), Some(t)) => format!(" · what-if branch of `{p}` from turn {t}"),
            _ => String::new(),
        }
    );
    let _ = writeln!(md, "{}\n", sc.description.trim());
    let _ = writeln!(md, "## The session at a glance\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    for (k, v) in [
        ("Turns played", format!("{turns_played} of {h}")),
        (
            "Cohesion (start → end)",
            format!("{:.3} → {:.3}", g.path[0].1, s.cohesion),
        ),
        (
            "Credibility (start → end)",
            format!("{:.3} → {:.3}", g.path[0].2, s.credibility),
        ),
        ("Label in force", s.label.clone()),
        (
            "Unilateral channels at the end",
            if s.unilateral.is_empty() {
                "none".into()
            } else {
                s.unilateral.join(", ")
            },
        ),
        (
            "Fracture",
            s.fracture_turn
                .map_or("none".into(), |t| format!("at turn {t}")),
        ),
        (
            "Ally attacked",
            s.attack_turn
                .map_or("none".into(), |t| format!("at turn {t}")),
        ),
        ("Crises", s.crises.to_string()),
        ("White overrides", overrides.to_string()),
        ("Forecasts shown", forecasts.to_string()),
    ] {
        let _ = writeln!(md, "| {k} | {v} |");
    }
    if let Some(f) = &start {
        let c = f.finals.iter().find(|x| x.name == "cohesion_final");
        let rank = c.map(|_| {
            // Where the session's final cohesion falls in the start distribution.
            let b = f.bands.last().copied().unwrap_or([0.0; 5]);
            let v = s.cohesion;
            if v < b[0] {
                "below p5"
            } else if v < b[1] {
                "p5–p25"
            } else if v < b[3] {
                "p25–p75 (the middle half)"
            } else if v < b[4] {
                "p75–p95"
            } else {
                "above p95"
            }
        });
        let _ = writeln!(
            md,
            "\nSeen from the start ({} continuations under the moves Blue played, the model as adversary): {}. {}\n",
            f.n,
            forecast_line(f),
            if turns_played == h {
                format!(
                    "The session ended with cohesion {:.3}, in the band {} of that distribution.",
                    s.cohesion,
                    rank.unwrap_or("?")
                )
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        md,
        "![cohesion](debrief-cohesion.svg)\n\n![credibility](debrief-credibility.svg)\n"
    );
    let _ = writeln!(md, "## Turn by turn\n");
    for d in &docs {
        let date = g
            .world
            .date(d.turn)
            .map(|x| format!(" ({x})"))
            .unwrap_or_default();
        let _ = writeln!(md, "### Turn {}{date}\n", d.turn);
        for e in &d.before {
            if let Some(l) = entry_line(e) {
                let _ = writeln!(md, "- {l}");
            }
        }
        match d.close.map(|e| &e.body) {
            Some(Body::Turn {
                mv,
                forced,
                rationale,
                report: Some(r),
            }) => {
                let _ = writeln!(
                    md,
                    "- Turn closed with Blue's levers: {}{}",
                    pairs(&mv.levers),
                    why(rationale)
                );
                if !forced.is_empty() {
                    let _ = writeln!(
                        md,
                        "- Outcomes set by Red's moves or White: {}",
                        pairs(forced)
                    );
                }
                let marks: &[(String, &str)] = g
                    .closed
                    .iter()
                    .find(|c| c.turn == d.turn)
                    .map_or(&[], |c| &c.marks);
                let _ = writeln!(md, "\n| outcome | value |\n|---|---|");
                for (k, v) in &r.outcomes {
                    let mark = match marks.iter().rev().find(|(m, _)| m == k) {
                        Some((_, w)) => format!(" (set by {w}, not drawn)"),
                        None => String::new(),
                    };
                    let _ = writeln!(md, "| {k} | {v}{mark} |");
                }
                let _ = writeln!(md, "\nEvents and decisions:\n");
                for e in &r.events {
                    let who = if e.actor.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", e.actor)
                    };
                    let _ = writeln!(md, "- [{}] {who}{}", e.kind, g.world.event_text(e, marks));
                }
                let w = &r.sow;
                let _ = writeln!(
                    md,
                    "\nState of the world after turn {}: cohesion {:.3}, credibility {:.3}, mean threat {:.3}, label {}, dialogue {}{}, line {:.3}, consensus {}, unilateral channels {} ({}), crises {}.\n",
                    w.turn,
                    w.cohesion,
                    w.credibility,
                    w.threat_mean,
                    w.label,
                    w.dialogue,
                    if w.dialogue_cut {
                        " (cut by Russia)"
                    } else {
                        ""
                    },
                    w.line,
                    if w.consensus { "yes" } else { "no" },
                    w.unilateral.len(),
                    if w.unilateral.is_empty() {
                        "none".into()
                    } else {
                        w.unilateral.join(", ")
                    },
                    w.crises
                );
            }
            _ => {
                let _ = writeln!(md, "\n(turn not closed)\n");
            }
        }
    }
    let _ = writeln!(
        md,
        "---\nRebuilt and checked from the log by `cohesion replay`; label values: {}.",
        (0..4)
            .map(|i| label_name(i as f64))
            .collect::<Vec<_>>()
            .join(", ")
    );
    write_atomic(&dir.join("debrief.md"), md.as_bytes())?;

    let html = to_html(&md, &svg_c, &svg_k, &sc.name);
    write_atomic(&dir.join("debrief.html"), html.as_bytes())?;
    writeln!(
        out,
        "Wrote {} and {} ({} turns, {} overrides, {} forecasts).",
        sd.dir.join("debrief.md").display(),
        sd.dir.join("debrief.html").display(),
        turns_played,
        overrides,
        forecasts
    )?;
    Ok(0)
}

/// The Markdown report as a self-contained page (the subset of Markdown written above).
fn to_html(md: &str, svg_c: &str, svg_k: &str, name: &str) -> String {
    let inline = |s: &str| -> String {
        let mut o = String::new();
        let e = esc(s);
        let mut bold = false;
        let mut code = false;
        let mut rest = e.as_str();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                o.push_str(if bold { "</b>" } else { "<b>" });
                bold = !bold;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('`') {
                o.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = r;
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                o.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        o
    };
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>After-action report — {}</title><style>{STYLE}</style></head><body>\n",
        esc(name)
    );
    let mut in_list = false;
    let mut in_table = false;
    for line in md.lines() {
        let close_list = |o: &mut String, in_list: &mut bool| {
            if *in_list {
                o.push_str("</ul>\n");
                *in_list = false;
            }
        };
        if line.starts_with('|') {
            close_list(&mut o, &mut in_list);
            if line.starts_with("|---") {
                continue;
            }
            if !in_table {
                o.push_str("<table>\n");
                in_table = true;
            }
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            o.push_str("<tr>");
            for c in cells {
                o.push_str(&format!("<td>{}</td>", inline(c.trim())));
            }
            o.push_str("</tr>\n");
            continue;
        } else if in_table {
            o.push_str("</table>\n");
            in_table = false;
        }
        if let Some(x) = line.strip_prefix("- ") {
            if !in_list {
                o.push_str("<ul>\n");
                in_list = true;
            }
            o.push_str(&format!("<li>{}</li>\n", inline(x)));
            continue;
        }
        close_list(&mut o, &mut in_list);
        if let Some(x) = line.strip_prefix("### ") {
            o.push_str(&format!("<h3>{}</h3>\n", inline(x)));
        } else if let Some(x) = line.strip_prefix("## ") {
            o.push_str(&format!("<h2>{}</h2>\n", inline(x)));
        } else if let Some(x) = line.strip_prefix("# ") {
            o.push_str(&format!("<h1>{}</h1>\n", inline(x)));
        } else if line.starts_with("![cohesion]") {
            o.push_str(svg_c);
            o.push_str(svg_k);
        } else if line.starts_with("![") {
            // Both charts are inlined above.
        } else if line == "---" {
            o.push_str("<hr>\n");
        } else if !line.trim().is_empty() {
            o.push_str(&format!("<p>{}</p>\n", inline(line)));
        }
    }
    if in_list {
        o.push_str("</ul>\n");
    }
    if in_table {
        o.push_str("</table>\n");
    }
    o.push_str("</body></html>\n");
    o
}
