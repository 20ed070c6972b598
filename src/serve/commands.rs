//! What each role may do: a command line or a move from a page, checked against the role and
//! made to speak for it (a cell's message is from that cell, its forecast is its own), then
//! executed and logged as at the prompt.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::auth::Role;
use crate::game::live::Live;
use crate::game::prompt::{self, Action};
use crate::game::session::{Body, MoveRec};

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The role may not do this (HTTP 403).
    Forbidden(String),
    /// Malformed: not a command, bad JSON (HTTP 400).
    Malformed(String),
    /// The game refused it: wrong phase, a value out of range… (HTTP 422).
    Rejected(String),
}

/// What a command did.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    /// Text to show the role (nothing logged).
    Shown(String),
    /// Logged as entry `seq`, with its text.
    Logged(u64, String),
}

/// Show commands each role may use (White: all of them).
fn may_show(role: Role, command: &str) -> bool {
    match role {
        Role::White => command != "quit" && command != "exit",
        Role::Blue => matches!(
            command,
            "status"
                | "sow"
                | "levers"
                | "policies"
                | "outcomes"
                | "allies"
                | "ally"
                | "help"
                | "?"
        ),
        // Red may not list Blue's levers: the listing shows Blue's pending move.
        Role::Red => matches!(
            command,
            "status" | "sow" | "policies" | "outcomes" | "allies" | "ally" | "help" | "?"
        ),
        Role::Projector => false,
    }
}

/// The role a command belongs to, when only one role (or White) may give it.
fn owner(command: &str) -> Option<Role> {
    match command {
        "blue" | "hold" => Some(Role::Blue),
        "red" => Some(Role::Red),
        "msel" | "inject" | "skip" | "delay" | "move" | "mode" | "commit" | "adjudicate"
        | "end" | "override" | "set" | "preview" | "accept" | "reopen" | "answer" | "timer"
        | "projector" => Some(Role::White),
        _ => None,
    }
}

/// Makes an entry speak for `role`, or refuses it.
pub fn authorize(role: Role, body: Body) -> Result<Body, Refusal> {
    let kind = body.kind();
    let cell = role.name();
    let forbid = || {
        Refusal::Forbidden(format!(
            "the {cell} page cannot make a `{kind}` entry{}",
            match role {
                Role::Projector => ": the projector is read-only",
                _ => ": White does that",
            }
        ))
    };
    match role {
        Role::Projector => Err(forbid()),
        Role::White => Ok(match body {
            Body::Forecast {
                by: None,
                mv,
                n,
                until,
                result,
            } => Body::Forecast {
                by: Some("white".into()),
                mv,
                n,
                until,
                result,
            },
            Body::Compare {
                by: None,
                a,
                b,
                n,
                until,
                result,
            } => Body::Compare {
                by: Some("white".into()),
                a,
                b,
                n,
                until,
                result,
            },
            Body::Message {
                to,
                text,
                rfi,
                reply_to,
                ..
            } => Body::Message {
                from: "white".into(),
                to,
                text,
                rfi,
                reply_to,
            },
            Body::Share { forecast, with, .. } => Body::Share {
                by: "white".into(),
                forecast,
                with,
            },
            b => b,
        }),
        Role::Blue | Role::Red => {
            let by = (role == Role::Red).then(|| "red".to_string());
            match body {
                Body::Blue { .. } if role == Role::Blue => Ok(body),
                Body::Red { .. } if role == Role::Red => Ok(body),
                Body::Forecast {
                    mv,
                    n,
                    until,
                    result,
                    ..
                } => Ok(Body::Forecast {
                    by,
                    mv,
                    n,
                    until,
                    result,
                }),
                Body::Compare {
                    a,
                    b,
                    n,
                    until,
                    result,
                    ..
                } => Ok(Body::Compare {
                    by,
                    a,
                    b,
                    n,
                    until,
                    result,
                }),
                Body::Message {
                    to,
                    text,
                    rfi,
                    reply_to: None,
                    ..
                } => Ok(Body::Message {
                    from: cell.into(),
                    to,
                    text,
                    rfi,
                    reply_to: None,
                }),
                Body::Share { forecast, with, .. } => Ok(Body::Share {
                    by: cell.into(),
                    forecast,
                    with,
                }),
                _ => Err(forbid()),
            }
        }
    }
}

/// Runs one command line typed on `role`'s page.
pub fn run_line(live: &mut Live, role: Role, line: &str) -> anyhow::Result<Result<Done, Refusal>> {
    if line.len() > MAX_LINE {
        return Ok(Err(Refusal::Malformed(format!(
            "the command is {} bytes long; allowed: at most {MAX_LINE}",
            line.len()
        ))));
    }
    let parsed = match prompt::tokenize(line) {
        Ok(Some(l)) => l,
        Ok(None) => return Ok(Err(Refusal::Malformed("an empty command".into()))),
        Err(m) => return Ok(Err(Refusal::Malformed(m))),
    };
    if role == Role::Projector {
        return Ok(Err(Refusal::Forbidden(
            "the projector page is read-only".into(),
        )));
    }
    // Refused before they are interpreted: even an error message about them (an inject's due
    // turn, an open request's sender) is White's to read.
    if let Some(owner) = owner(&parsed.command)
        && owner != role
        && role != Role::White
    {
        return Ok(Err(Refusal::Forbidden(format!(
            "`{}` is {}'s, not available on the {} page",
            parsed.command,
            owner.name(),
            role.name()
        ))));
    }
    let action = match prompt::interpret_as(&live.game, &parsed, role.name()) {
        Ok(a) => a,
        Err(m) => return Ok(Err(Refusal::Rejected(m))),
    };
    match action {
        Action::Show(text) => {
            if may_show(role, &parsed.command) {
                Ok(Ok(Done::Shown(text)))
            } else {
                Ok(Err(Refusal::Forbidden(format!(
                    "`{}` is not available on the {} page",
                    parsed.command,
                    role.name()
                ))))
            }
        }
        Action::Quit => Ok(Err(Refusal::Forbidden(
            "`quit` ends a terminal session; the server runs until White stops it".into(),
        ))),
        Action::Entry(b) => commit(live, role, *b),
    }
}

/// The longest command line accepted.
pub const MAX_LINE: usize = 4096;

fn commit(live: &mut Live, role: Role, body: Body) -> anyhow::Result<Result<Done, Refusal>> {
    let body = match authorize(role, body) {
        Ok(b) => b,
        Err(r) => return Ok(Err(r)),
    };
    Ok(match live.commit(body)? {
        Ok(c) => Ok(Done::Logged(c.entry.seq, c.text)),
        Err(m) => Err(Refusal::Rejected(m)),
    })
}

/// A move as JSON: Blue's `{"policy": "…", "levers": {"posture": 0.8}, "rationale": "…"}`, or
/// Red's `{"moves": {"hybrid": "Estonia", "disinformation": true}, "rationale": "…"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub levers: BTreeMap<String, Value>,
    #[serde(default)]
    pub moves: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub rationale: String,
}

fn word(k: &str, v: &Value) -> Result<Option<String>, Refusal> {
    match v {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(true) => Ok(Some("yes".into())),
        Value::Bool(false) | Value::Null => Ok(None),
        _ => Err(Refusal::Malformed(format!(
            "`{k}`: expected a string, a number or true/false"
        ))),
    }
}

/// Runs a move sent as JSON from `role`'s page.
pub fn run_move(
    live: &mut Live,
    role: Role,
    req: MoveRequest,
) -> anyhow::Result<Result<Done, Refusal>> {
    let g = &live.game;
    let body = if let Some(moves) = req.moves {
        if !req.levers.is_empty() || req.policy.is_some() {
            return Ok(Err(Refusal::Malformed(
                "a move is Blue's (`policy`, `levers`) or Red's (`moves`), not both".into(),
            )));
        }
        let mut m = Vec::new();
        for (k, v) in &moves {
            match word(k, v) {
                Ok(Some(w)) => m.push((k.to_lowercase(), w)),
                Ok(None) => {}
                Err(r) => return Ok(Err(r)),
            }
        }
        Body::Red {
            moves: m,
            rationale: req.rationale,
        }
    } else {
        let mut sets = Vec::new();
        for (k, v) in &req.levers {
            match word(k, v) {
                Ok(Some(w)) => sets.push((k.to_lowercase(), w)),
                Ok(None) => {}
                Err(r) => return Ok(Err(r)),
            }
        }
        let mv: MoveRec = match g.make_move(req.policy.as_deref(), &sets) {
            Ok(m) => m,
            Err(e) => return Ok(Err(Refusal::Rejected(e))),
        };
        Body::Blue {
            mv,
            rationale: req.rationale,
        }
    };
    commit(live, role, body)
}
