//! The prompt's commands for the room, beside the moves and adjudication of `prompt`: the
//! allies (`allies`, `ally NAME`), a preview of an override (`preview`), messages and requests
//! for information (`msg`, `rfi`, `answer`), sharing a forecast (`share`), the turn timer
//! (`timer`) and the projector (`projector`), and the MSEL's `move`. The command names live
//! here once for "did you mean" and completion.

use super::comms::{COLOURS, PROJECTOR_ITEMS, RECIPIENTS};
use super::play::Game;
use super::prompt::{Action, Line};
use super::session::Body;

/// Every command at the prompt (for "did you mean" and completion).
pub const COMMANDS: &[&str] = &[
    "status",
    "levers",
    "policies",
    "msel",
    "outcomes",
    "allies",
    "ally",
    "blue",
    "hold",
    "red",
    "forecast",
    "compare",
    "share",
    "inject",
    "skip",
    "delay",
    "move",
    "mode",
    "commit",
    "override",
    "set",
    "preview",
    "accept",
    "reopen",
    "msg",
    "rfi",
    "answer",
    "timer",
    "projector",
    "help",
    "quit",
];

/// Options of `forecast` and `compare` (for "did you mean").
pub const FORECAST_OPTIONS: &[&str] = &["n", "until", "by"];

fn kv(w: &str) -> Option<(String, String)> {
    let (k, v) = w.split_once('=')?;
    (!k.is_empty()).then(|| (k.to_lowercase(), v.to_string()))
}

fn unknown_option(w: &str, allowed: &[&str]) -> String {
    let k = w.split('=').next().unwrap_or(w);
    format!(
        "unknown option `{w}`{}; allowed: {}",
        crate::kernel::suggest::did_you_mean(k, allowed.iter().copied()),
        allowed
            .iter()
            .map(|a| format!("{a}="))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn cell_opt(k: &str, v: &str) -> Result<String, String> {
    let v = v.to_lowercase();
    if ["white", "blue", "red"].contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(format!("`{k}={v}`: allowed: white, blue, red"))
    }
}

fn need_text(l: &Line, what: &str) -> Result<String, String> {
    if l.text.trim().is_empty() {
        Err(format!("{what} needs its text after ` -- `"))
    } else {
        Ok(l.text.clone())
    }
}

/// The commands of this file; `None` for any other command.
pub fn interpret(g: &Game, l: &Line) -> Result<Option<Action>, String> {
    let w = &l.words;
    let a = match l.command.as_str() {
        "allies" => {
            if !w.is_empty() {
                return Err("`allies` takes no arguments (`ally NAME` shows one)".into());
            }
            Action::Show(g.allies_text())
        }
        "ally" => {
            if w.is_empty() {
                return Err("`ally NAME` (see `allies` for the names)".into());
            }
            Action::Show(g.ally_text(&w.join(" "))?)
        }
        "preview" => {
            let [k, v] = w.as_slice() else {
                return Err(
                    "`preview OUTCOME VALUE` shows what an override would change (see `outcomes`)"
                        .into(),
                );
            };
            Action::Show(g.preview_override(k, v)?)
        }
        "msg" | "message" | "say" => {
            let mut from = "white".to_string();
            let mut to = None;
            for x in w {
                match kv(x) {
                    Some((k, v)) if k == "from" => from = cell_opt(&k, &v)?,
                    Some((k, v)) if k == "to" => to = Some(v.to_lowercase()),
                    None if to.is_none() => to = Some(x.to_lowercase()),
                    _ => return Err(unknown_option(x, &["from", "to"])),
                }
            }
            let Some(to) = to else {
                return Err(format!(
                    "`msg TO -- text`, TO one of {} (and from=CELL at a shared terminal)",
                    RECIPIENTS.join(", ")
                ));
            };
            Action::Entry(Box::new(Body::Message {
                from,
                to,
                text: need_text(l, "a message")?,
                rfi: false,
                reply_to: None,
            }))
        }
        "rfi" => {
            let mut from = "blue".to_string();
            for x in w {
                match kv(x) {
                    Some((k, v)) if k == "from" => from = cell_opt(&k, &v)?,
                    _ => return Err(unknown_option(x, &["from"])),
                }
            }
            Action::Entry(Box::new(Body::Message {
                from,
                to: "white".into(),
                text: need_text(l, "a request for information")?,
                rfi: true,
                reply_to: None,
            }))
        }
        "answer" => {
            let [id] = w.as_slice() else {
                return Err(format!(
                    "`answer N -- text` (open requests: {})",
                    g.open_rfis()
                ));
            };
            let q: u64 = id
                .trim_start_matches('#')
                .parse()
                .map_err(|_| format!("`{id}`: allowed: a request's number"))?;
            let to = g
                .messages
                .iter()
                .find(|m| m.seq == q && m.rfi)
                .map(|m| m.from.clone())
                .ok_or_else(|| {
                    format!(
                        "no request for information #{q}; open requests: {}",
                        g.open_rfis()
                    )
                })?;
            Action::Entry(Box::new(Body::Message {
                from: "white".into(),
                to,
                text: need_text(l, "an answer")?,
                rfi: false,
                reply_to: Some(q),
            }))
        }
        "share" => {
            let mut forecast = None;
            let mut with = None;
            let mut by = None;
            for x in w {
                match kv(x) {
                    Some((k, v)) if k == "with" => with = Some(v.to_lowercase()),
                    Some((k, v)) if k == "by" => by = Some(cell_opt(&k, &v)?),
                    None if forecast.is_none() => {
                        forecast = Some(
                            x.trim_start_matches('#')
                                .parse::<u64>()
                                .map_err(|_| format!("`{x}`: allowed: a forecast's number (#N)"))?,
                        )
                    }
                    _ => return Err(unknown_option(x, &["with", "by"])),
                }
            }
            let Some(forecast) = forecast else {
                return Err("`share N with=CELL|all` (N: the forecast's number)".into());
            };
            let by = match by {
                Some(b) => b,
                None => g
                    .shown
                    .iter()
                    .find(|s| s.seq == forecast)
                    .map_or("blue".into(), |s| s.by.clone()),
            };
            Action::Entry(Box::new(Body::Share {
                by,
                forecast,
                with: with.unwrap_or_else(|| "all".into()),
            }))
        }
        "timer" => {
            let (action, seconds) = match w.as_slice() {
                [a, m] if a == "start" => {
                    let min: f64 = m
                        .parse()
                        .ok()
                        .filter(|x: &f64| x.is_finite() && *x > 0.0)
                        .ok_or_else(|| format!("`timer start {m}`: allowed: minutes, e.g. 20"))?;
                    ("start".to_string(), (min * 60.0).round() as u64)
                }
                [a] if a != "start" => (a.to_lowercase(), 0),
                _ => {
                    return Err(
                        "`timer start MINUTES`, `timer pause`, `timer resume`, `timer stop`".into(),
                    );
                }
            };
            Action::Entry(Box::new(Body::Timer {
                action,
                seconds,
                at_ms: crate::kernel::time::now_ms(),
            }))
        }
        "projector" => {
            let mut show = g.projector.show.clone();
            let mut colour = g.projector.colour.clone();
            if w.is_empty() {
                return Ok(Some(Action::Show(format!(
                    "The projector shows: {} (map coloured by {colour}).\n  `projector show=ITEM,ITEM… colour=C`: items {}, forecast:N; colours {}\n",
                    if show.is_empty() {
                        "nothing".to_string()
                    } else {
                        show.join(", ")
                    },
                    PROJECTOR_ITEMS.join(", "),
                    COLOURS.join(", ")
                ))));
            }
            for x in w {
                match kv(x) {
                    Some((k, v)) if k == "show" => {
                        show = v
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    }
                    Some((k, v)) if k == "colour" || k == "color" => colour = v.to_lowercase(),
                    _ => return Err(unknown_option(x, &["show", "colour"])),
                }
            }
            Action::Entry(Box::new(Body::Projector { show, colour }))
        }
        "move" => {
            let [id, x] = w.as_slice() else {
                return Err(
                    "`move ID to=TURN` (White: an inject still due, earlier or later)".into(),
                );
            };
            let id = super::prompt::parse_id(id)?;
            let to = match kv(x) {
                Some((k, v)) if k == "to" => v
                    .parse::<usize>()
                    .map_err(|_| format!("`to={v}`: allowed: a turn number"))?,
                _ => return Err(unknown_option(x, &["to"])),
            };
            Action::Entry(Box::new(Body::Delay {
                id,
                to,
                rationale: l.text.clone(),
            }))
        }
        _ => return Ok(None),
    };
    Ok(Some(a))
}
