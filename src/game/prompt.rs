//! Line-oriented commands at the session prompt.
//!
//! One line is one command. Reading and parsing do not depend on what standard input is: a
//! terminal, a pipe and a file behave the same, so a session can be scripted. A line that is
//! not valid UTF-8, holds control characters or an unclosed quote, names an unknown command,
//! option, lever or ally, or gives a value out of range gets a message that says what is
//! allowed, and the same prompt again: nothing is logged and no turn is lost. End of input
//! ends the session cleanly (everything committed is already on disk).
//!
//! Free text (a rationale, a reason, an inject's description) follows ` -- ` at the end of
//! the line. Words may be quoted: `name="Snap exercise"`.

use std::io::BufRead;

use super::adapter::InjectSpec;
use super::adjudication::Mode;
use super::play::{Game, Phase};
use super::session::{Body, MoveRec};

/// Continuations a forecast runs unless `n=` says otherwise.
pub const DEFAULT_N: usize = 1000;

/// The longest line the prompt reads, in bytes: longer input is skipped up to its end of
/// line, unread and unechoed, with a message (a command with its rationale fits many times).
pub const MAX_LINE_BYTES: usize = 8192;

/// What one read from the input gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Line(String),
    /// A line that could not be read as text.
    Garbled(String),
    Eof,
}

/// Reads one line (without its line ending).
pub fn read_line<R: BufRead>(r: &mut R) -> Input {
    let mut buf = Vec::new();
    // At most one byte more than allowed, so that an overlong line is seen as such.
    match std::io::Read::take(&mut *r, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf) {
        Ok(0) => Input::Eof,
        Ok(_) if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') => {
            // Skip the rest of the line without holding it.
            let skipped = skip_line(r);
            Input::Garbled(format!(
                "the line is longer than {MAX_LINE_BYTES} bytes ({} or more); allowed: at most {MAX_LINE_BYTES} bytes per line",
                buf.len() as u64 + skipped
            ))
        }
        Ok(_) => {
            while buf.last() == Some(&b'\n') || buf.last() == Some(&b'\r') {
                buf.pop();
            }
            match String::from_utf8(buf) {
                Ok(s) => Input::Line(s),
                Err(_) => Input::Garbled("the line is not valid UTF-8 text".into()),
            }
        }
        Err(e) => Input::Garbled(format!("cannot read the line: {e}")),
    }
}

/// Consumes input up to and including the next newline (or the end); returns the bytes skipped.
fn skip_line<R: BufRead>(r: &mut R) -> u64 {
    let mut skipped = 0u64;
    loop {
        let (used, done) = match r.fill_buf() {
            Ok([]) | Err(_) => return skipped,
            Ok(b) => match b.iter().position(|&c| c == b'\n') {
                Some(i) => (i + 1, true),
                None => (b.len(), false),
            },
        };
        r.consume(used);
        skipped += used as u64;
        if done {
            return skipped;
        }
    }
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub command: String,
    pub words: Vec<String>,
    /// Free text after ` -- `.
    pub text: String,
}

/// Splits a line into words (quotes group words) and the free text after `--`.
pub fn tokenize(line: &str) -> Result<Option<Line>, String> {
    if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(format!(
            "garbled line: it holds the control character U+{:04X}; type `help` for the commands",
            c as u32
        ));
    }
    let mut words = Vec::new();
    let mut text = String::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote {
            if c == '"' {
                quote = false;
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                quote = true;
                in_word = true;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '-' if !in_word
                && line[i..].starts_with("--")
                && line[i + 2..].chars().next().is_none_or(char::is_whitespace) =>
            {
                text = line[i + 2..].trim().to_string();
                break;
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
        let _ = chars.peek();
    }
    if quote {
        return Err("garbled line: a quote is not closed".into());
    }
    if in_word {
        words.push(cur);
    }
    if words.is_empty() {
        return if text.is_empty() {
            Ok(None)
        } else {
            Err("a line cannot start with `--`: the command comes first (`help` lists them)".into())
        };
    }
    let command = words.remove(0).to_lowercase();
    Ok(Some(Line {
        command,
        words,
        text,
    }))
}

/// What the loop does with a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Print this (not part of the record).
    Show(String),
    /// Execute and log this entry.
    Entry(Box<Body>),
    /// End the session here (everything logged stays; `--resume` continues it).
    Quit,
}

/// All commands, for `help`.
pub const HELP: &str = "\
Commands (one per line; free text after ` -- `):
  status                              state of the world (also: sow)
  levers | policies | msel | outcomes list Blue's levers, the policy options, the MSEL, the adjudicable outcomes
  allies | ally NAME                  every ally (stance, threat, resilience, dependence, channel), or one with its history
  blue POLICY [LEVER=VALUE…] [-- why]  Blue's move: a policy option, adjusted
  blue LEVER=VALUE… [-- why]           Blue's move: change levers from the current move
  hold [-- why]                        Blue keeps its levers
  red none | red MOVE… [-- why]        human Red cell: disinformation inducement intimidation aggression hybrid=ALLY attack=ALLY
  forecast [MOVE] [n=N] [until=T] [by=CELL]      continuations of a move (default: Blue's current move) to the end
  compare MOVE vs MOVE [n=N] [until=T] [by=CELL] two moves side by side on common random numbers
  inject KIND [FIELD=VALUE…] [at=T] [name=\"…\"] [-- description]   White: in-stride inject
  skip ID [-- why] | delay ID TURNS [-- why] | delay ID to=T        White: change the MSEL (delay: later only)
  move ID to=T [-- why]               White: reschedule an inject still due, earlier or later
  mode rigid|semi-rigid|free [-- why] White: adjudication mode
  commit [-- why]                     close the moves (rigid: adjudicate and close the turn)
  preview OUTCOME VALUE               White, during adjudication: what an override would change (nothing logged)
  override OUTCOME VALUE -- reason    White, during adjudication (reason required in semi-rigid)
  accept [-- why]                     close the turn with the outcomes as they stand
  reopen [-- why]                     White, during adjudication: send the moves back to the cells
  share N [with=CELL|all]             share forecast #N (a cell's forecasts are its own until shared)
  msg TO [from=CELL] -- text          a message: a cell and White, or anyone to all (TO: white, blue, red, all)
  rfi [from=CELL] -- question         a request for information to White; White: answer N -- text
  timer start MINUTES | pause | resume | stop   White: the turn timer
  projector [show=ITEM,…] [colour=stance|threat|channel]   White: what the projector page shows
  help | quit
MOVE is POLICY and/or LEVER=VALUE pairs, or `current`. Ally names with spaces: quoted
(channel.\"Czech Republic\") or with underscores (channel.Czech_Republic).";

fn kv(w: &str) -> Option<(String, String)> {
    let (k, v) = w.split_once('=')?;
    if k.is_empty() {
        return None;
    }
    Some((k.to_lowercase(), v.to_string()))
}

fn parse_usize(k: &str, v: &str) -> Result<usize, String> {
    v.parse::<usize>()
        .map_err(|_| format!("`{k}={v}`: allowed: a whole number"))
}

/// A move from words: an optional policy name first, then `lever=value` pairs.
/// `sealed`: the cell asking may not see Blue's pending move (Red), so adjustments start from
/// the levers in force and `current` means them.
fn move_words(g: &Game, words: &[String], sealed: bool) -> Result<MoveRec, String> {
    let mut policy = None;
    let mut sets = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match kv(w) {
            Some(p) => sets.push(p),
            None if i == 0 => policy = Some(w.as_str()),
            None => {
                return Err(format!(
                    "`{w}`: expected LEVER=VALUE after the policy option; allowed levers: {}",
                    super::adapter::lever_names().join(", ")
                ));
            }
        }
    }
    if sealed {
        g.make_move_on(None, policy, &sets)
    } else {
        g.make_move(policy, &sets)
    }
}

/// Interprets a line in the session's current state.
pub fn interpret(g: &Game, l: &Line) -> Result<Action, String> {
    interpret_as(g, l, "white")
}

/// Interprets a line typed by `cell` (`white` at the terminal, which sees everything; `red`
/// may not see Blue's pending move, so its forecasts start from the levers in force).
pub fn interpret_as(g: &Game, l: &Line, cell: &str) -> Result<Action, String> {
    let sealed = cell == "red";
    if let Some(a) = super::commands::interpret(g, l)? {
        return Ok(a);
    }
    let w = &l.words;
    let text = l.text.clone();
    let no_args = |what: &str| -> Result<(), String> {
        if w.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "`{what}` takes no arguments (got `{}`)",
                w.join(" ")
            ))
        }
    };
    match l.command.as_str() {
        "help" | "?" => Ok(Action::Show(HELP.to_string())),
        "status" | "sow" => {
            no_args("status")?;
            let mut o = g.sow_text();
            if let Some(c) = g.closed.last() {
                o.push_str(&format!("  Last turn (turn {}):\n", c.turn));
                o.push_str(&super::play::events_text(&g.world, &c.report, 4, &c.marks));
            }
            o.push_str(&g.opening_text_if_open());
            Ok(Action::Show(o))
        }
        "levers" => Ok(Action::Show(levers_text(g))),
        "policies" => Ok(Action::Show(policies_text(g))),
        "msel" => Ok(Action::Show(g.msel_text())),
        "outcomes" => Ok(Action::Show(format!(
            "Adjudicable outcomes (override OUTCOME VALUE):\n  {}\n  values: yes/no; hybrid and attack: an ally or none; channel.ALLY: open/closed\n",
            g.world.outcome_keys().join(", ")
        ))),
        "quit" | "exit" => Ok(Action::Quit),
        "blue" => {
            if w.is_empty() {
                return Err(
                    "`blue` needs a policy option or LEVER=VALUE pairs (see `policies`, `levers`)"
                        .into(),
                );
            }
            Ok(Action::Entry(Box::new(Body::Blue {
                mv: move_words(g, w, false)?,
                rationale: text,
            })))
        }
        "hold" => {
            no_args("hold")?;
            Ok(Action::Entry(Box::new(Body::Blue {
                mv: MoveRec {
                    label: "hold (levers unchanged)".into(),
                    levers: g.world.levers.pairs(),
                },
                rationale: text,
            })))
        }
        "red" => {
            if w.is_empty() {
                return Err("`red` needs moves, or `red none`".into());
            }
            let mut moves = Vec::new();
            if !(w.len() == 1 && w[0] == "none") {
                for x in w {
                    let (k, v) = match kv(x) {
                        Some(p) => p,
                        None if x == "hybrid" || x == "attack" => {
                            return Err(format!("`{x}` needs a target: `{x}=ALLY`"));
                        }
                        None => (x.to_lowercase(), "yes".to_string()),
                    };
                    moves.push((k, v));
                }
            }
            Ok(Action::Entry(Box::new(Body::Red {
                moves,
                rationale: text,
            })))
        }
        "forecast" => {
            let Opts { rest, n, until, by } = forecast_opts(w)?;
            let mv = if rest.is_empty() {
                if sealed {
                    g.make_move_on(None, Some("current"), &[])?
                } else {
                    g.current_move()
                }
            } else {
                move_words(g, &rest, sealed)?
            };
            Ok(Action::Entry(Box::new(Body::Forecast {
                by,
                mv,
                n,
                until,
                result: None,
            })))
        }
        "compare" => {
            let Opts { rest, n, until, by } = forecast_opts(w)?;
            let Some(k) = rest.iter().position(|x| x == "vs") else {
                return Err("`compare` needs two moves separated by `vs`, e.g. `compare status-quo vs label-hostile`".into());
            };
            let (a, b) = (&rest[..k], &rest[k + 1..]);
            if a.is_empty() || b.is_empty() {
                return Err("`compare`: a move on each side of `vs`".into());
            }
            Ok(Action::Entry(Box::new(Body::Compare {
                by,
                a: move_words(g, a, sealed)?,
                b: move_words(g, b, sealed)?,
                n,
                until,
                result: None,
            })))
        }
        "inject" => {
            let Some(kind) = w.first() else {
                return Err(format!(
                    "`inject` needs a kind; allowed: {}",
                    super::adapter::inject_kinds().join(", ")
                ));
            };
            let mut at = g.turn();
            let mut name = None;
            let mut fields = Vec::new();
            for x in &w[1..] {
                let Some((k, v)) = kv(x) else {
                    return Err(format!(
                        "`{x}`: expected FIELD=VALUE; fields of `{kind}`: {}; and at=TURN, name=\"…\"",
                        super::adapter::inject_fields(kind).join(", ")
                    ));
                };
                match k.as_str() {
                    "at" | "turn" => at = parse_usize(&k, &v)?,
                    "name" => name = Some(v),
                    _ => fields.push((k, v)),
                }
            }
            let name = name.unwrap_or_else(|| {
                if text.is_empty() {
                    format!("in-stride {kind}")
                } else {
                    text.clone()
                }
            });
            Ok(Action::Entry(Box::new(Body::Inject {
                id: g.world.msel_len() + 1,
                inject: InjectSpec {
                    kind: kind.to_lowercase(),
                    name,
                    turn: at,
                    date: None,
                    description: text.clone(),
                    fields,
                },
                rationale: text,
            })))
        }
        "skip" => {
            let [id] = w.as_slice() else {
                return Err("`skip ID` (see `msel` for the ids)".into());
            };
            Ok(Action::Entry(Box::new(Body::Skip {
                id: parse_id(id)?,
                rationale: text,
            })))
        }
        "delay" => {
            let (id, to) = match w.as_slice() {
                [id, x] => {
                    let id = parse_id(id)?;
                    let to = match kv(x) {
                        Some((k, v)) if k == "to" => parse_usize(&k, &v)?,
                        Some((k, _)) => return Err(format!("`{k}=`: allowed: to=TURN")),
                        None => {
                            let by = parse_usize("turns", x)?;
                            let due = g
                                .world
                                .msel(id)
                                .map(|(s, _)| s.turn)
                                .ok_or_else(|| format!("no inject #{id} (see `msel`)"))?;
                            due + by
                        }
                    };
                    // `delay` moves an inject later, never earlier (`move` may do either).
                    if let Some((s, _)) = g.world.msel(id)
                        && to <= s.turn
                    {
                        return Err(format!(
                            "`delay` moves an inject later: #{id} is due at turn {}, so turn {to} would {}; `move {id} to={to}` reschedules it",
                            s.turn,
                            if to == s.turn {
                                "change nothing"
                            } else {
                                "bring it earlier"
                            }
                        ));
                    }
                    (id, to)
                }
                _ => return Err("`delay ID TURNS` or `delay ID to=TURN`".into()),
            };
            Ok(Action::Entry(Box::new(Body::Delay {
                id,
                to,
                rationale: text,
            })))
        }
        "mode" => {
            let [m] = w.as_slice() else {
                return Err(format!("`mode` needs one of {}", Mode::NAMES.join(", ")));
            };
            Ok(Action::Entry(Box::new(Body::Mode {
                mode: Mode::parse(m)?,
                rationale: text,
            })))
        }
        "commit" | "adjudicate" | "end" => {
            no_args("commit")?;
            if g.phase == Phase::Adjudication {
                return Err("the moves are already closed: `override …` or `accept`".into());
            }
            if g.mode.reviews() {
                Ok(Action::Entry(Box::new(Body::Proposed {
                    rationale: text,
                    report: None,
                })))
            } else {
                Ok(Action::Entry(Box::new(turn_body(g, text))))
            }
        }
        "accept" => {
            no_args("accept")?;
            if g.phase != Phase::Adjudication {
                return Err(if g.mode.reviews() {
                    "nothing to accept yet: `commit` closes the moves and shows the engine's proposal".into()
                } else {
                    "adjudication is rigid: `commit` closes the turn".into()
                });
            }
            Ok(Action::Entry(Box::new(turn_body(g, text))))
        }
        "reopen" => {
            no_args("reopen")?;
            Ok(Action::Entry(Box::new(Body::Reopen { rationale: text })))
        }
        "override" | "set" => {
            let [k, v] = w.as_slice() else {
                if w.len() > 2 {
                    return Err(format!(
                        "`override OUTCOME VALUE -- reason` takes two words, got {}: an ally name with spaces is quoted or written with underscores (channel.\"Czech Republic\" or channel.Czech_Republic)",
                        w.len()
                    ));
                }
                return Err("`override OUTCOME VALUE -- reason` (see `outcomes`)".into());
            };
            Ok(Action::Entry(Box::new(Body::Override {
                outcome: k.to_string(),
                value: v.to_string(),
                reason: text,
            })))
        }
        other => Err(format!(
            "unknown command `{other}`{}; allowed: {}",
            crate::kernel::suggest::did_you_mean(other, super::commands::COMMANDS.iter().copied()),
            super::commands::COMMANDS.join(", ")
        )),
    }
}

fn turn_body(g: &Game, rationale: String) -> Body {
    Body::Turn {
        mv: g.current_move(),
        forced: Vec::new(),
        rationale,
        report: None,
    }
}

pub(super) fn parse_id(s: &str) -> Result<usize, String> {
    s.trim_start_matches('#')
        .parse()
        .map_err(|_| format!("`{s}`: allowed: an inject id (a whole number; see `msel`)"))
}

/// What follows `forecast`/`compare` besides the moves.
struct Opts {
    rest: Vec<String>,
    n: usize,
    until: usize,
    by: Option<String>,
}

fn forecast_opts(w: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        rest: Vec::new(),
        n: DEFAULT_N,
        until: 0,
        by: None,
    };
    for x in w {
        match kv(x) {
            Some((k, v)) if k == "n" => o.n = parse_usize(&k, &v)?,
            Some((k, v)) if k == "until" => o.until = parse_usize(&k, &v)?,
            Some((k, v)) if k == "by" => {
                let v = v.to_lowercase();
                if !["blue", "red", "white"].contains(&v.as_str()) {
                    return Err(format!("`by={v}`: allowed: blue, red, white"));
                }
                o.by = (v != "blue").then_some(v);
            }
            _ => o.rest.push(x.clone()),
        }
    }
    Ok(o)
}

fn levers_text(g: &Game) -> String {
    let mut o = String::from("Blue's levers (blue LEVER=VALUE):\n");
    let cur = g.current_move();
    for (i, (k, v)) in g.world.levers.pairs().iter().enumerate() {
        let spec = super::adapter::lever_spec(i);
        let pending = cur
            .levers
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, pv)| pv.clone())
            .unwrap_or_default();
        let mark = if pending != *v {
            format!(" → {pending} (this turn's move)")
        } else {
            String::new()
        };
        o.push_str(&format!(
            "  {k:<22} {v:<12}{mark}  {}  — {}\n",
            spec.range_text(),
            spec.meaning
        ));
    }
    o
}

fn policies_text(g: &Game) -> String {
    let mut o = String::from("Policy options (blue POLICY):\n");
    for p in &g.world.scenario.policies {
        o.push_str(&format!(
            "  {:<24} {}{}\n",
            p.name,
            p.description,
            if p.baseline { " [baseline]" } else { "" }
        ));
    }
    o
}

impl Game {
    /// The turn's opening, unless the session is over.
    pub fn opening_text_if_open(&self) -> String {
        if self.phase == Phase::Over {
            String::new()
        } else {
            self.opening_text()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_splits_words_quotes_and_rationale() {
        let l = tokenize(r#"inject shock target=Estonia name="Snap exercise" -- big one"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.command, "inject");
        assert_eq!(
            l.words,
            vec!["shock", "target=Estonia", "name=Snap exercise"]
        );
        assert_eq!(l.text, "big one");
        let l = tokenize("blue posture=0.8 --  show resolve -- now")
            .unwrap()
            .unwrap();
        assert_eq!(l.text, "show resolve -- now");
        assert_eq!(tokenize("   ").unwrap(), None);
        assert!(tokenize("blue \"open").unwrap_err().contains("quote"));
        assert!(tokenize("blue\u{7}x").unwrap_err().contains("control"));
        assert!(tokenize("-- why").is_err());
        let l = tokenize("blue spending_growth=-0.2").unwrap().unwrap();
        assert_eq!(l.words, vec!["spending_growth=-0.2"]);
    }

    #[test]
    fn read_line_reports_eof_and_garbage() {
        let mut r = std::io::Cursor::new(b"status\r\n\xff\xfe\n".to_vec());
        assert_eq!(read_line(&mut r), Input::Line("status".into()));
        assert!(matches!(read_line(&mut r), Input::Garbled(_)));
        assert_eq!(read_line(&mut r), Input::Eof);
    }

    #[test]
    fn an_overlong_prompt_line_is_skipped_without_being_held_or_echoed() {
        let mut input = vec![b'x'; 3 * MAX_LINE_BYTES];
        input.extend_from_slice(b"\nstatus\n");
        let mut r = std::io::BufReader::with_capacity(64, std::io::Cursor::new(input));
        match read_line(&mut r) {
            Input::Garbled(m) => {
                assert!(
                    m.contains(&MAX_LINE_BYTES.to_string()) && m.len() < 200,
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(read_line(&mut r), Input::Line("status".into()));
        // A line of exactly the limit is read.
        let mut ok = vec![b'y'; MAX_LINE_BYTES];
        ok.push(b'\n');
        let mut r = std::io::Cursor::new(ok);
        assert!(matches!(read_line(&mut r), Input::Line(l) if l.len() == MAX_LINE_BYTES));
    }
}
