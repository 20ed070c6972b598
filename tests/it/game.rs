//! Wargame sessions through the binary: a scripted session on standard input, replay, resume
//! after a kill, a what-if branch, bad input at the prompt, forecasts independent of threads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cohesion");

fn scenario() -> String {
    format!("{}/tests/data/game/mini.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Seven turns with moves and rationales, a forecast, a comparison, overrides, a skipped and a
/// delayed MSEL inject, an in-stride inject, and mode changes.
const SCRIPT: &[&str] = &[
    "status",
    "blue label-hostile posture=0.7 -- signal resolve after the mission suspension",
    "forecast n=300",
    "compare status-quo vs label-hostile posture=0.7 n=300",
    "commit -- all cells have moved",
    "override intimidation yes -- snap exercise observed on the border",
    "accept -- turn 1 closed",
    "skip 3 -- summit postponed by the host",
    "inject shock target=Hungary threat=0.2 name=\"Pipeline explosion\" -- sabotage suspected",
    "blue counter_disinfo=0.8 -- push back on disinformation",
    "commit",
    "accept",
    "delay 4 2 -- the campaign slips",
    "hold -- wait and see",
    "commit",
    "override attack Poland -- test",
    "reopen -- Blue asks to reconsider",
    "hold -- still wait and see",
    "commit",
    "override channel.Hungary open -- Budapest announces talks",
    "accept",
    "mode rigid -- speed up the middle game",
    "blue dialogue -- try dialogue",
    "commit",
    "hold",
    "commit",
    "mode semi-rigid",
    "blue status-quo",
    "commit",
    "accept",
    "hold",
    "commit",
    "accept",
];

fn script(lines: &[&str]) -> Vec<u8> {
    let mut s = lines.join("\n").into_bytes();
    s.push(b'\n');
    s
}

/// Runs `cohesion ARGS` with `input` on standard input; returns (exit code, stdout).
fn run(args: &[&str], input: &[u8]) -> (i32, String) {
    run_env(args, input, &[])
}

fn run_env(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn cohesion");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

fn new_session(dir: &Path, extra: &[&str], input: &[u8]) -> (i32, String) {
    let sc = scenario();
    let d = dir.to_str().unwrap();
    let mut args = vec!["game", sc.as_str(), "--seed", "11", "--session", d];
    args.extend_from_slice(extra);
    run(&args, input)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn log_lines(dir: &Path) -> Vec<String> {
    read(&dir.join("log.jsonl"))
        .lines()
        .map(str::to_string)
        .collect()
}

fn entries(dir: &Path) -> Vec<serde_json::Value> {
    log_lines(dir)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn turn_digests(dir: &Path) -> Vec<(u64, String)> {
    entries(dir)
        .iter()
        .filter(|e| e["kind"] == "turn")
        .map(|e| {
            (
                e["turn"].as_u64().unwrap(),
                e["report"]["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Whether an outcome line `KEY VALUE … MARK` is in the text.
fn has_outcome(text: &str, key: &str, value: &str, mark: &str) -> bool {
    text.lines().any(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        w.len() >= 2 && w[0] == key && w[1] == value && l.contains(mark)
    })
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn scripted_session_plays_six_turns_and_replays_exactly() {
    let t = tmp();
    let dir = t.path().join("s");
    let (code, out) = new_session(&dir, &[], &script(SCRIPT));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("error:"), "{out}");
    let tr = read(&dir.join("transcript.txt"));
    for needle in [
        "Blue move for turn 1: label-hostile posture=0.7",
        "rationale: signal resolve after the mission suspension",
        "Forecast: label-hostile posture=0.7",
        "Comparison on common random numbers (300 continuations",
        "rationale: all cells have moved",
        "White overrides intimidation: no → yes",
        "reason: snap exercise observed on the border",
        "White skips MSEL inject #3 (summit",
        "White in-stride inject #5 for turn 2: shock `Pipeline explosion`",
        "White delays MSEL inject #4",
        "White reopens the moves for turn 3 (the engine's proposal and 1 override(s) dropped)",
        "White sets adjudication to rigid",
        "Turn 7 adjudicated",
        "── State of the world after turn 7",
        "══ Turn 8 of 12",
    ] {
        assert!(tr.contains(needle), "transcript lacks `{needle}`:\n{tr}");
    }
    assert!(has_outcome(&tr, "intimidation", "yes", "(White)"), "{tr}");
    assert!(
        has_outcome(&tr, "channel.Hungary", "open", "(White)"),
        "{tr}"
    );
    assert!(has_outcome(&tr, "consensus", "yes", "(p "), "{tr}");
    assert!(tr.contains("State of the world at the start"), "{tr}");
    // The skipped summit never happens; the in-stride inject does, at turn 2.
    assert!(!tr.contains("[summit]"), "{tr}");
    assert!(tr.contains("[inject] Pipeline explosion"), "{tr}");
    // Stdout shows the same record (plus prompts).
    assert!(out.contains("Turn 7 adjudicated"));
    // Seven turns logged, every random draw accounted for, overrides with cell and reason.
    let es = entries(&dir);
    assert_eq!(turn_digests(&dir).len(), 7);
    let ov: Vec<_> = es.iter().filter(|e| e["kind"] == "override").collect();
    assert_eq!(ov.len(), 3);
    assert!(
        ov.iter()
            .all(|e| e["cell"] == "white" && !e["reason"].as_str().unwrap().is_empty())
    );
    let turn1 = es.iter().find(|e| e["kind"] == "turn").unwrap();
    assert!(turn1["report"]["draws"].as_array().unwrap().len() == 5);
    assert!(!turn1["report"]["events"].as_array().unwrap().is_empty());
    assert!(
        es.iter()
            .any(|e| e["kind"] == "forecast" && e["result"]["n"] == 300)
    );
    // Files beside the log.
    let board = read(&dir.join("board.html"));
    assert!(board.contains("http-equiv=\"refresh\"") && board.contains("<svg"));
    assert!(board.contains("after turn 7"));
    assert!(dir.join("forecast-t01-01.svg").exists());
    // A comparison draws one chart, the two forecasts overlaid.
    let cmp = read(&dir.join("forecast-t01-02.svg"));
    assert_eq!(
        cmp.matches("<polygon").count(),
        4,
        "two fans, two bands each"
    );
    assert!(!dir.join("forecast-t01-02a.svg").exists());
    // Replay matches.
    let (code, out) = run(&["replay", dir.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("OK:") && out.contains("byte-identical"),
        "{out}"
    );
    // The debrief is written.
    let (code, out) = run(&["debrief", dir.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
    let md = read(&dir.join("debrief.md"));
    assert!(md.contains("Turn 1") && md.contains("snap exercise observed on the border"));
    assert!(md.contains("Pipeline explosion") && md.contains("Forecast"));
    let html = read(&dir.join("debrief.html"));
    assert!(html.contains("<svg") && !html.contains("<script src"));
}

#[test]
fn an_edited_log_is_reported_with_the_first_turn_that_differs() {
    let t = tmp();
    let dir = t.path().join("s");
    let (code, out) = new_session(&dir, &[], &script(&SCRIPT[..17]));
    assert_eq!(code, 0, "{out}");
    // Change Blue's lever in turn 2's move (keeps the JSON valid).
    let mut lines = log_lines(&dir);
    let k = lines
        .iter()
        .position(|l| l.contains("\"turn\":2,\"cell\":\"blue\",\"kind\":\"blue\""))
        .unwrap();
    lines[k] = lines[k].replace(
        "[\"counter_disinfo\",\"0.8\"]",
        "[\"counter_disinfo\",\"0.9\"]",
    );
    std::fs::write(dir.join("log.jsonl"), lines.join("\n") + "\n").unwrap();
    let (code, out) = run(&["replay", dir.to_str().unwrap()], b"");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("MISMATCH") && out.contains("turn 2"), "{out}");
    // A log that does not match its scenario: replaying against another seed fails at turn 1.
    let t2 = tmp();
    let d2 = t2.path().join("s");
    new_session(&d2, &[], &script(&SCRIPT[..7]));
    let m = read(&d2.join("manifest.json")).replace("\"seed\": 11", "\"seed\": 12");
    std::fs::write(d2.join("manifest.json"), m).unwrap();
    let (code, out) = run(&["replay", d2.to_str().unwrap()], b"");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("turn 1"), "{out}");
    // A scenario file changed after the session: reported as such.
    let t3 = tmp();
    let scd = t3.path().join("sc");
    std::fs::create_dir(&scd).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/game");
    for f in ["mini.toml", "allies.csv"] {
        std::fs::copy(src.join(f), scd.join(f)).unwrap();
    }
    let d3 = t3.path().join("s");
    let sc3 = scd.join("mini.toml");
    let (code, out) = run(
        &[
            "game",
            sc3.to_str().unwrap(),
            "--seed",
            "3",
            "--session",
            d3.to_str().unwrap(),
        ],
        &script(&["hold", "commit", "accept", "hold", "commit", "accept"]),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&["replay", d3.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
    let toml = read(&sc3).replace(
        "initial_label = \"threat\"",
        "initial_label = \"threat\"\nepsilon = 0.05\nchannel_base = 2.0",
    );
    std::fs::write(&sc3, toml).unwrap();
    let (code, out) = run(&["replay", d3.to_str().unwrap()], b"");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("differs from the one the session was played with"),
        "{out}"
    );
    assert!(
        out.contains("does not match its scenario") && out.contains("turn 1"),
        "{out}"
    );
    // Resume refuses a log that does not replay.
    let (code, out) = run(&["game", "--resume", d2.to_str().unwrap()], b"");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("does not replay"), "{out}");
}

/// Waits until the log holds `n` entries and its seal covers them (a kill between writing an
/// entry and its seal leaves an unsealed entry, which the torn line the test adds after it
/// would turn into a log that is refused).
fn wait_for_lines(dir: &Path, n: usize) {
    let t0 = Instant::now();
    loop {
        let have = std::fs::read_to_string(dir.join("log.jsonl"))
            .map(|s| s.lines().count())
            .unwrap_or(0);
        let sealed = std::fs::read_to_string(dir.join("log.seal"))
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["entries"].as_u64())
            .unwrap_or(0);
        if have >= n && sealed as usize >= n {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "timed out waiting for {n} log lines (have {have})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn resume_after_a_kill_matches_an_uninterrupted_session() {
    let t = tmp();
    // Uninterrupted.
    let a = t.path().join("a");
    let (code, out) = new_session(&a, &[], &script(SCRIPT));
    assert_eq!(code, 0, "{out}");
    // How many entries the first part commits (mid turn 2: Blue has moved, not committed).
    let cut = 10;
    let probe = t.path().join("probe");
    new_session(&probe, &[], &script(&SCRIPT[..cut]));
    let n = log_lines(&probe).len();
    assert!(n > 5);
    // Interrupted: feed the first part, keep the pipe open, kill the process.
    let b = t.path().join("b");
    let sc = scenario();
    let mut child = Command::new(BIN)
        .args([
            "game",
            &sc,
            "--seed",
            "11",
            "--session",
            b.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&script(&SCRIPT[..cut])).unwrap();
    stdin.flush().unwrap();
    wait_for_lines(&b, n);
    // While it runs, no second process may play the same session.
    let (code, out) = run(&["game", "--resume", b.to_str().unwrap()], b"");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("in use by process"), "{out}");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    // A torn, uncommitted line, as a kill during a write would leave.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(b.join("log.jsonl"))
        .unwrap();
    f.write_all(b"{\"seq\":99,\"turn\":2,\"cell\":\"bl")
        .unwrap();
    drop(f);
    // It is dropped only when asked (`--repair`), and the repair is logged.
    let (code, out) = run(&["game", "--resume", b.to_str().unwrap()], b"");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("torn") && out.contains("--repair"), "{out}");
    let (code, out) = run(
        &["game", "--resume", b.to_str().unwrap(), "--repair"],
        &script(&SCRIPT[cut..]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Resumed session") && out.contains("Log repaired"),
        "{out}"
    );
    assert!(out.contains("Blue's move so far this turn"), "{out}");
    // The same entries but the repair (renumbered and rechained after it), the same
    // transcript but the repair's line, the same final state.
    let strip = |dir: &Path| -> Vec<serde_json::Value> {
        entries(dir)
            .into_iter()
            .filter(|e| e["kind"] != "repair")
            .map(|mut e| {
                let o = e.as_object_mut().unwrap();
                o.remove("seq");
                o.remove("prev");
                e
            })
            .collect()
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(
        entries(&b).iter().filter(|e| e["kind"] == "repair").count(),
        1
    );
    let repaired: String = read(&b.join("transcript.txt"))
        .lines()
        .filter(|l| !l.starts_with("Log repaired"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(read(&a.join("transcript.txt")), repaired);
    assert_eq!(turn_digests(&a), turn_digests(&b));
    let (code, out) = run(&["replay", b.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_branch_from_turn_3_shares_turns_1_to_3_with_its_parent() {
    let t = tmp();
    let parent = t.path().join("parent");
    let (code, out) = new_session(&parent, &[], &script(SCRIPT));
    assert_eq!(code, 0, "{out}");
    let child = t.path().join("what-if");
    let (code, out) = run(
        &[
            "game",
            "--branch",
            parent.to_str().unwrap(),
            "--from-turn",
            "3",
            "--session",
            child.to_str().unwrap(),
        ],
        &script(&[
            "blue full-package",
            "blue label-hostile counter_disinfo=1 -- what if we had gone hard at turn 4",
            "commit",
            "accept",
            "hold",
            "commit",
            "accept",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no policy option `full-package`"), "{out}");
    let (pd, cd) = (turn_digests(&parent), turn_digests(&child));
    assert_eq!(cd.len(), 5, "{cd:?}");
    assert_eq!(pd[..3], cd[..3]);
    assert_ne!(pd[3], cd[3]);
    let (pl, cl) = (log_lines(&parent), log_lines(&child));
    let shared = pl
        .iter()
        .position(|l| l.contains("\"turn\":3,\"cell\":\"white\",\"kind\":\"turn\""))
        .unwrap()
        + 1;
    assert_eq!(pl[..shared], cl[..shared]);
    assert!(cl[shared].contains("\"kind\":\"branch\""));
    let m: serde_json::Value = serde_json::from_str(&read(&child.join("manifest.json"))).unwrap();
    assert_eq!(m["from_turn"], 3);
    let (code, out) = run(&["replay", child.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
    // A turn the parent has not played is refused.
    let (code, out) = run(
        &[
            "game",
            "--branch",
            parent.to_str().unwrap(),
            "--from-turn",
            "9",
            "--session",
            t.path().join("x").to_str().unwrap(),
        ],
        b"",
    );
    assert_ne!(code, 0);
    assert!(out.contains("allowed: 0 to 7"), "{out}");
}

#[test]
fn bad_input_at_the_prompt_gets_a_message_and_a_new_prompt() {
    let t = tmp();
    let dir = t.path().join("s");
    let mut input = Vec::new();
    for l in [
        "frobnicate now",       // unknown command
        "blue no-such-option",  // unknown option
        "blue posture=1.5",     // lever out of range
        "blue label=enemy",     // choice out of range
        "blue posture=abc",     // not a number
        "blue \"unclosed",      // garbled: open quote
        "forecast n=0",         // forecast size out of range
        "override attack none", // not in adjudication
        "red hybrid=Estonia",   // Red is the model in this session
        "skip 99",              // no such inject
        "inject meteor",        // unknown inject kind
        "inject attack",        // attack without a target
        "accept",               // nothing to accept
        "blue posture=0.6 -- a valid move after the errors",
        "commit",
        "override attack nobody -- x", // unknown ally
        "override attack none",        // semi-rigid: reason required
        "override attack none -- deterred",
    ] {
        input.extend_from_slice(l.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"blue \xff\xfe garbled bytes\n"); // not UTF-8
    input.extend_from_slice(b"status\x07\n"); // control character
    input.extend_from_slice(b"accept"); // last line without newline, then end of input
    let (code, out) = new_session(&dir, &[], &input);
    assert_eq!(code, 0, "{out}");
    for needle in [
        "error: unknown command `frobnicate`; allowed:",
        "error: no policy option `no-such-option`; allowed: status-quo, label-hostile, dialogue",
        "error: `posture=1.5`: allowed: a number from 0 to 1",
        "error: `label=enemy`: allowed: one of partner, competitor, threat, adversary",
        "error: `posture=abc`: allowed: a number from 0 to 1",
        "error: garbled line: a quote is not closed",
        "error: n=0: allowed: 1 to 100000 continuations",
        "only possible during adjudication",
        "Red is played by the model",
        "no inject #99",
        "no inject kind `meteor`; allowed:",
        "needs `target=ALLY`",
        "nothing to accept yet",
        "no ally `nobody`",
        "an override needs a reason",
        "not valid UTF-8",
        "control character",
        "End of input: the session is saved",
    ] {
        assert!(out.contains(needle), "stdout lacks `{needle}`:\n{out}");
    }
    // Only the valid entries were logged, and the turn was not lost.
    let kinds: Vec<String> = entries(&dir)
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["blue", "proposed", "override", "turn"]);
    // End of input in the middle of a turn: resume continues it.
    let (code, out) = run(
        &["game", "--resume", dir.to_str().unwrap()],
        &script(&["blue posture=0.9"]),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(
        &["game", "--resume", dir.to_str().unwrap()],
        &script(&["commit", "accept"]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Blue's move so far this turn: posture=0.9"),
        "{out}"
    );
    assert_eq!(turn_digests(&dir).len(), 2);
    // Rigid mode refuses overrides; a new session refuses an existing directory.
    let d2 = t.path().join("rigid");
    let (_, out) = new_session(
        &d2,
        &["--mode", "rigid"],
        &script(&["override attack none -- x", "commit"]),
    );
    assert!(out.contains("only possible during adjudication"), "{out}");
    assert_eq!(turn_digests(&d2).len(), 1);
    let (code, out) = new_session(&d2, &[], b"");
    assert_ne!(code, 0);
    assert!(out.contains("already exists"), "{out}");
}

#[test]
fn a_human_red_cell_chooses_the_adversary_moves() {
    let t = tmp();
    let dir = t.path().join("s");
    let (code, out) = new_session(
        &dir,
        &["--red", "human"],
        &script(&[
            "commit",
            "red hybrid=Estonia disinformation -- test their resilience",
            "forecast n=100 by=red",
            "hold",
            "commit",
            "accept",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Red has not moved this turn"), "{out}");
    let tr = read(&dir.join("transcript.txt"));
    assert!(
        tr.contains("Red move for turn 1: hybrid=Estonia disinformation=yes"),
        "{tr}"
    );
    assert!(has_outcome(&tr, "hybrid", "Estonia", "(Red)"), "{tr}");
    assert!(has_outcome(&tr, "attack", "none", "(Red)"), "{tr}");
    assert!(
        tr.contains("Forecast: hold (levers unchanged) (for Red)"),
        "{tr}"
    );
    let es = entries(&dir);
    assert!(es.iter().any(|e| e["kind"] == "red" && e["cell"] == "red"));
    assert!(
        es.iter()
            .any(|e| e["kind"] == "forecast" && e["cell"] == "red")
    );
    let (code, out) = run(&["replay", dir.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn forecasts_do_not_depend_on_threads_and_do_not_touch_the_session() {
    let t = tmp();
    let mut logs: Vec<Vec<String>> = Vec::new();
    for (name, threads, with_forecast) in
        [("one", "1", true), ("two", "2", true), ("none", "2", false)]
    {
        let dir: PathBuf = t.path().join(name);
        let mut lines = vec!["blue posture=0.8"];
        if with_forecast {
            lines.push("forecast n=400 until=8");
            lines.push("compare status-quo vs dialogue n=200");
        }
        lines.extend(["commit", "accept"]);
        let sc = scenario();
        let (code, out) = run(
            &[
                "game",
                &sc,
                "--seed",
                "5",
                "--session",
                dir.to_str().unwrap(),
                "--threads",
                threads,
            ],
            &script(&lines),
        );
        assert_eq!(code, 0, "{out}");
        logs.push(log_lines(&dir));
    }
    assert_eq!(logs[0], logs[1]);
    // The turn played after forecasts equals the turn played without any.
    let digest = |l: &[String]| {
        let v: serde_json::Value = serde_json::from_str(l.last().unwrap()).unwrap();
        v["report"]["digest"].as_str().unwrap().to_string()
    };
    assert_eq!(digest(&logs[0]), digest(&logs[2]));
}

/// Runs `cohesion game` on the built-in scenario (thirty allies) with `lines` typed.
fn nato_session(dir: &Path, lines: &[&str]) -> String {
    let (code, out) = run(
        &[
            "game",
            "nato-2021",
            "--seed",
            "5",
            "--session",
            dir.to_str().unwrap(),
        ],
        &script(lines),
    );
    assert_eq!(code, 0, "{out}");
    out
}

#[test]
fn the_prompt_suggests_what_was_meant_and_takes_ally_names_with_spaces() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let out = nato_session(
        &dir,
        &[
            "stauts",
            "blue postur=0.4",
            "allies",
            "ally Czech_Republic",
            "commit",
            "override channel.\"Czech Republic\" open -- talks announced",
            "override channel.Czech_Republic closed -- talks called off",
            "override channel.Czech Republic open -- unquoted",
            "preview attack Estonia",
            "accept",
            "blue posture=0.9 -- not committed yet",
            "quit",
            "quit",
        ],
    );
    assert!(
        out.contains("unknown command `stauts` (did you mean `status`?)"),
        "{out}"
    );
    assert!(
        out.contains("no lever `postur` (did you mean `posture`?)"),
        "{out}"
    );
    // The per-ally table: every ally, with its measures.
    let table = out
        .split("Allies after turn 0")
        .nth(1)
        .expect("the allies table");
    for ally in [
        "Czech Republic",
        "North Macedonia",
        "United States",
        "Estonia",
    ] {
        assert!(table.contains(ally), "{ally} missing from the table");
    }
    assert!(table.contains("stance") && table.contains("threat") && table.contains("channel"));
    assert!(out.contains("Czech Republic — "), "{out}");
    // Both spellings of an ally with a space work; unquoted words get a hint.
    let log = read(&dir.join("log.jsonl"));
    assert_eq!(
        log.matches("\"outcome\":\"channel.Czech Republic\"")
            .count(),
        2,
        "{log}"
    );
    assert!(out.contains("quoted or written with underscores"), "{out}");
    // A preview changes nothing; the override shows what it changes.
    assert!(
        out.contains("Preview (nothing is logged): if White sets attack = Estonia"),
        "{out}"
    );
    assert!(
        out.contains("outcomes that change: attack none → Estonia"),
        "{out}"
    );
    assert!(out.contains("Against the engine's proposal, the overrides so far change:"));
    assert!(
        !log.contains("\"attack\",\"Estonia\""),
        "a preview was logged"
    );
    // Quit with a move not committed warns first.
    assert!(
        out.contains("is not committed: the turn is still open"),
        "{out}"
    );
    assert!(out.contains("Type `quit` again to leave"), "{out}");
}

#[test]
fn delay_never_moves_an_inject_earlier_and_move_says_it_does() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let (code, out) = run(
        &[
            "game",
            &scenario(),
            "--seed",
            "11",
            "--session",
            dir.to_str().unwrap(),
        ],
        &script(&[
            "delay 4 to=2",
            "delay 4 to=7",
            "move 4 to=2 -- earlier after all",
            "msel",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`delay` moves an inject later: #4 is due at turn 7, so turn 2 would bring it earlier; `move 4 to=2` reschedules it"),
        "{out}"
    );
    assert!(out.contains("so turn 7 would change nothing"), "{out}");
    assert!(out.contains("White brings forward MSEL inject #4"), "{out}");
    let (code, rep) = run(&["replay", dir.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{rep}");
}

#[test]
fn a_forced_attack_is_labelled_as_set_by_white_never_with_the_engines_odds() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let (code, out) = run(
        &[
            "game",
            &scenario(),
            "--seed",
            "11",
            "--session",
            dir.to_str().unwrap(),
        ],
        &script(&[
            "commit",
            "override attack Estonia -- test",
            "accept",
            "ally Estonia",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let turn = out.split("Turn 1 adjudicated").nth(1).unwrap();
    let line = turn
        .lines()
        .find(|l| l.contains("ARMED ATTACK"))
        .expect("the attack event");
    assert!(
        line.contains("set by White, not drawn") && !line.contains("p = "),
        "{line}"
    );
    assert!(
        turn.contains("Ally attacked: at turn 1 (set by White, not drawn)"),
        "{turn}"
    );
    // Its effect, ally by ally.
    assert!(turn.contains("Effects of the turn:"), "{turn}");
    assert!(
        turn.contains("Estonia: ") && turn.contains("threat 0."),
        "{turn}"
    );
    assert!(out.contains("White set attack = Estonia (test)"), "{out}");
}
