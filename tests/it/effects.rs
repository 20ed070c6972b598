//! Every inject, move and override is followed by its effect as deltas ("Estonia threat
//! 0.520 → 0.610 (+0.090)"): at the prompt (piped input) and through the server's API, with
//! each effect seen only by whom it belongs to, and the session still replaying byte for byte.
//!
//! Directions checked come from what the model documents, not from its output: a hybrid
//! attack on an ally raises that ally's threat perception and damages its resilience
//! (docs/MODEL.md, hybrid attacks), so the targeted ally is the one that changes most; an
//! armed attack on an ally raises threat perception.

use std::path::Path;
use std::process::{Command, Stdio};

use super::served::{BIN, MINI, Served, replay};

/// Runs `cohesion game ARGS` with `lines` piped on standard input.
fn game(args: &[&str], lines: &[&str]) -> String {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("game")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = lines.join("\n");
    input.push('\n');
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0), "{out}");
    out
}

/// The part of `text` from the line containing `start` to the next prompt (or the end).
fn section<'a>(text: &'a str, start: &str) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{text}"));
    let rest = &text[i..];
    let end = rest.find("\n[turn ").map_or(rest.len(), |j| j + 1);
    &rest[..end]
}

/// `(before, after, signed change)` of `measure` on `ally`'s delta line in `text`.
fn delta(text: &str, ally: &str, measure: &str) -> Option<(f64, f64, f64)> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{ally}: ")))?;
    let at = line.find(&format!(" {measure} "))? + measure.len() + 2;
    let w: Vec<&str> = line[at..].split_whitespace().collect();
    let num = |s: &str| {
        s.trim_matches(|c| c == '(' || c == ')' || c == ',')
            .replace('−', "-")
            .parse::<f64>()
            .ok()
    };
    if w.get(1) != Some(&"→") {
        return None;
    }
    Some((num(w[0])?, num(w[2])?, num(w[3])?))
}

/// The first ally line of an effect (the one that changed most).
fn first_ally(text: &str) -> String {
    text.lines()
        .map(str::trim_start)
        .find(|l| {
            l.split(": ").next().is_some_and(|n| {
                !n.contains(' ') || n.chars().next().is_some_and(|c| c.is_uppercase())
            }) && l.contains(" → ")
                && !l.starts_with("cohesion")
                && !l.starts_with("outcomes")
                && !l.starts_with("probabilities")
                && !l.starts_with("the adversary")
        })
        .and_then(|l| l.split(": ").next())
        .unwrap_or("")
        .to_string()
}

fn check_threat_rise(text: &str, ally: &str) {
    let (a, b, d) = delta(text, ally, "threat")
        .unwrap_or_else(|| panic!("no threat delta for {ally} in:\n{text}"));
    assert!(b > a, "{ally}'s threat should rise: {a} → {b}\n{text}");
    assert!(
        (b - a - d).abs() < 0.0015,
        "the signed change is after − before: {a} → {b} ({d})"
    );
}

#[test]
fn an_inject_a_move_and_an_override_each_show_their_effect_at_the_prompt() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let out = game(
        &[
            "nato-2021",
            "--seed",
            "5",
            "--session",
            dir.to_str().unwrap(),
        ],
        &[
            "inject hybrid target=Estonia severity=3 name=\"Grid attack\" -- White tests the alliance",
            "blue posture=0.9 resilience_investment=0.8 -- resolve",
            "commit",
            "override attack Latvia -- test the reaction",
            "accept",
        ],
    );
    // The inject: its effect names Estonia first, threat up with before → after.
    let inj = section(&out, "White in-stride inject");
    assert!(inj.contains("Effect of the inject on turn 1"), "{inj}");
    assert_eq!(first_ally(inj), "Estonia", "{inj}");
    check_threat_rise(inj, "Estonia");
    let (r0, r1, _) = delta(inj, "Estonia", "resilience").expect("a resilience delta");
    assert!(r1 < r0, "a hybrid attack damages resilience: {r0} → {r1}");
    // The move: its effect right after it is entered.
    let mv = section(&out, "Blue move for turn 1");
    assert!(mv.contains("Effect of the move on turn 1"), "{mv}");
    assert!(mv.contains("cohesion ") && mv.contains(" → "), "{mv}");
    // Commit: the proposal's effects before White accepts.
    let prop = section(&out, "Moves closed for turn 1");
    assert!(
        prop.contains("Effects of the turn if accepted as proposed:"),
        "{prop}"
    );
    // The override: outcomes that flip and per-ally deltas, before accept.
    let ov = section(&out, "White overrides attack");
    assert!(ov.contains("attack none → Latvia"), "{ov}");
    check_threat_rise(ov, "Latvia");
    // The inject's event line in the turn names its target and severity.
    let turn = section(&out, "Turn 1 adjudicated");
    let ev = turn
        .lines()
        .find(|l| l.contains("[inject] Grid attack"))
        .unwrap_or_else(|| panic!("no inject event in:\n{turn}"));
    assert!(
        ev.contains("hybrid on Estonia") && ev.contains("severity 3"),
        "{ev}"
    );
    // All of it is in the transcript, and replay reproduces it byte for byte.
    let transcript = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    assert!(transcript.contains("Effect of the inject on turn 1"));
    let (code, rep) = replay(&dir);
    assert_eq!(code, 0, "{rep}");
    assert!(rep.contains("transcript byte-identical"), "{rep}");
}

#[test]
fn a_later_inject_is_assessed_on_the_turn_it_is_due() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let out = game(
        &[MINI, "--seed", "3", "--session", dir.to_str().unwrap()],
        &["inject hybrid turn=3 target=Poland severity=2 -- later"],
    );
    let inj = section(&out, "White in-stride inject");
    assert!(inj.contains("Effect of the inject on turn 3"), "{inj}");
    assert!(inj.contains("held until then"), "{inj}");
    check_threat_rise(inj, "Poland");
}

fn start(dir: &Path) -> Served {
    Served::start(
        dir,
        &[
            MINI,
            "--seed",
            "77",
            "--red",
            "human",
            "--session",
            dir.to_str().unwrap(),
        ],
    )
}

fn feed_text(s: &Served, role: &str) -> String {
    s.state(role)["view"]["feed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn served_effects_reach_whom_they_belong_to() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir);
    // White's inject: its effect in the answer and White's record; not in Blue's or Red's
    // (an inject due this turn is public, its assessment is White's).
    let inj = s.ok(
        "white",
        "inject hybrid target=Estonia severity=3 -- INJECT-X",
    );
    let text = inj["text"].as_str().unwrap();
    assert!(text.contains("Effect of the inject"), "{text}");
    check_threat_rise(text, "Estonia");
    assert!(feed_text(&s, "white").contains("Effect of the inject"));
    for role in ["blue", "red", "projector"] {
        let v = s.state(role).to_string();
        assert!(
            !v.contains("Effect of the inject") && !v.contains("\"effects\""),
            "{role} sees White's assessment of the inject"
        );
    }
    // The projector shows it once White puts the effects on it.
    s.ok("white", "projector show=state,map,effects");
    let p = s.state("projector");
    let effects = p["view"]["effects"].as_array().expect("effects");
    assert_eq!(effects.len(), 1, "{p}");
    check_threat_rise(effects[0]["text"].as_str().unwrap(), "Estonia");
    // A cell's move: its effect in its answer and its own record.
    let b = s.ok("blue", "blue posture=0.9 -- BLUE-MOVE");
    assert!(
        b["text"]
            .as_str()
            .unwrap()
            .contains("Effect of the move on turn 1"),
        "{b}"
    );
    assert!(feed_text(&s, "blue").contains("Effect of the move"));
    let r = s.ok("red", "red attack=Poland -- RED-MOVE");
    let rt = r["text"].as_str().unwrap();
    assert!(rt.contains("Effect of the move on turn 1"), "{rt}");
    check_threat_rise(rt, "Poland");
    // Sealed: Red's move and its effect never reach Blue before White closes the turn.
    let blue = s.state("blue").to_string();
    assert!(!blue.contains("RED-MOVE") && !blue.contains("attack=Poland"));
    assert_eq!(
        feed_text(&s, "blue").matches("Effect of the move").count(),
        1
    );
    // White's override: its deltas before accept.
    s.ok("white", "commit");
    let o = s.ok("white", "override hybrid Germany -- OVERRIDE");
    let ot = o["text"].as_str().unwrap();
    assert!(ot.contains("hybrid none → Germany"), "{ot}");
    assert!(delta(ot, "Germany", "resilience").is_some(), "{ot}");
    s.ok("white", "accept");
    // After the turn, Red's move and its effect are public.
    let bf = feed_text(&s, "blue");
    assert!(bf.contains("RED-MOVE") && bf.matches("Effect of the move").count() == 2);
    drop(s);
    let (code, rep) = replay(&dir);
    assert_eq!(code, 0, "{rep}");
}
