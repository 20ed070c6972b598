//! Golden outputs: every file that `run`, `trace`, `game`, `replay`, `debrief` and `plot` write
//! for fixed seeds, compared byte for byte (as BLAKE3 hashes) with `tests/golden/hashes.txt`.
//!
//! The hashes were produced by the binary of the commit before the layering refactor, so a
//! refactor that moves code without meaning to change results must leave every hash alone.
//! What changes from run to run is normalised first: clock times (RFC 3339), wall-clock and
//! speed figures in manifests, the command line, the build's git commit, and the paths of the
//! temporary folder and of the checkout.
//!
//! A change that deliberately alters output bytes regenerates the file with
//! `COHESION_UPDATE_GOLDEN=1 cargo test --release --test it golden` and says so in CHANGELOG.md.

use crate::util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use util::{all_files, run_ok};

const HASHES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/hashes.txt");
const GAME_SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/game/mini.toml");

/// The scripted session of the game tests: moves, a forecast, a comparison, overrides, MSEL
/// edits, an in-stride inject and mode changes.
const SCRIPT: &str = "status
blue label-hostile posture=0.7 -- signal resolve after the mission suspension
forecast n=300
compare status-quo vs label-hostile posture=0.7 n=300
commit -- all cells have moved
override intimidation yes -- snap exercise observed on the border
accept -- turn 1 closed
skip 3 -- summit postponed by the host
inject shock target=Hungary threat=0.2 name=\"Pipeline explosion\" -- sabotage suspected
blue counter_disinfo=0.8 -- push back on disinformation
commit
accept
delay 4 2 -- the campaign slips
hold -- wait and see
commit
override attack Poland -- test
reopen -- Blue asks to reconsider
hold -- still wait and see
commit
override channel.Hungary open -- Budapest announces talks
accept
mode rigid -- speed up the middle game
blue dialogue -- try dialogue
commit
hold
commit
mode semi-rigid
blue status-quo
commit
accept
hold
commit
accept
";

/// Manifest keys that record when, where and how fast a run happened, not what it computed.
const VOLATILE_KEYS: &[&str] = &[
    "started",
    "finished",
    "created",
    "wall_seconds",
    "trials_per_second",
    "git_commit",
    "command_line",
    "scenario_path",
    "threads",
    "target",
];

/// Replaces every RFC 3339 UTC time (`2026-11-30T11:53:46Z`) with `<time>`.
fn strip_times(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    while i < b.len() {
        let fits = i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(s, c)| match s {
                b'd' => c.is_ascii_digit(),
                s => s == c,
            });
        if fits {
            out.push_str("<time>");
            i += shape.len();
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn strip_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for k in VOLATILE_KEYS {
                m.remove(*k);
            }
            for x in m.values_mut() {
                strip_json(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_json),
        _ => {}
    }
}

/// The bytes a file is compared by: text with the temporary root, the build's git commit and
/// times replaced, `manifest.json` without its volatile keys; anything else as written.
fn normalised(path: &Path, root: &Path, commit: Option<&str>) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        return bytes;
    };
    let mut text = text
        .replace(root.to_str().unwrap(), "<tmp>")
        .replace(env!("CARGO_MANIFEST_DIR"), "<checkout>");
    if let Some(c) = commit.filter(|c| !c.is_empty()) {
        text = text.replace(c, "<commit>");
    }
    if path.file_name().is_some_and(|n| n == "manifest.json") {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        strip_json(&mut v);
        return serde_json::to_string_pretty(&v).unwrap().into_bytes();
    }
    strip_times(&text).into_bytes()
}

/// Records every file under `dir` as `case/relative-path`.
fn record(hashes: &mut BTreeMap<String, String>, case: &str, dir: &Path, root: &Path) {
    record_with(hashes, case, dir, root, dir)
}

/// As [`record`], with the build's commit read from `run`'s manifest.
fn record_with(
    hashes: &mut BTreeMap<String, String>,
    case: &str,
    dir: &Path,
    root: &Path,
    run: &Path,
) {
    let commit = std::fs::read_to_string(run.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["git_commit"].as_str().map(str::to_string));
    for f in all_files(dir) {
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let h = blake3::hash(&normalised(&f, root, commit.as_deref()))
            .to_hex()
            .to_string();
        hashes.insert(format!("{case}/{rel}"), h);
    }
}

fn record_text(hashes: &mut BTreeMap<String, String>, key: &str, text: &str, root: &Path) {
    let t = text
        .replace(root.to_str().unwrap(), "<tmp>")
        .replace(env!("CARGO_MANIFEST_DIR"), "<checkout>");
    let t = strip_times(&t);
    hashes.insert(key.into(), blake3::hash(t.as_bytes()).to_hex().to_string());
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs every golden case into `root`; returns the hashes.
fn produce(root: &Path) -> BTreeMap<String, String> {
    let mut h = BTreeMap::new();
    let runs: &[(&str, &str, &[&str])] = &[
        ("run-nato", "nato-2021", &["--trials", "200", "--seed", "7"]),
        (
            "run-invasion",
            "nato-2021-invasion",
            &["--trials", "100", "--seed", "3", "--no-charts"],
        ),
        (
            "run-hk",
            "reference/hk-0.2",
            &["--trials", "40", "--seed", "1"],
        ),
        (
            "run-deffuant",
            "reference/deffuant-0.2",
            &["--trials", "8", "--seed", "2"],
        ),
        (
            "run-ktab",
            "reference/ktab-soe-pol-comp",
            &["--trials", "20", "--seed", "5"],
        ),
    ];
    for (case, sc, extra) in runs {
        let out: PathBuf = root.join(case);
        let mut args = vec!["run", sc, "--out", path(&out), "-q", "-j", "1"];
        args.extend_from_slice(extra);
        run_ok(&args);
        record(&mut h, case, &out, root);
    }
    // Redrawn charts at another size.
    let plot = root.join("plot-nato");
    run_ok(&[
        "plot",
        path(&root.join("run-nato")),
        "--out",
        path(&plot),
        "--size",
        "800x450",
        "-q",
    ]);
    record_with(&mut h, "plot-nato", &plot, root, &root.join("run-nato"));
    // Traces of one trial.
    for fmt in ["csv", "json"] {
        let o = run_ok(&[
            "trace",
            "nato-2021",
            "--policy",
            "label-hostile",
            "--trial",
            "3",
            "--seed",
            "7",
            "--format",
            fmt,
        ]);
        record_text(&mut h, &format!("trace/{fmt}"), &util::stdout(&o), root);
    }
    // A scripted game session, its replay and its debrief.
    let session = root.join("game");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cohesion"))
        .args([
            "game",
            GAME_SCENARIO,
            "--seed",
            "11",
            "--session",
            path(&session),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SCRIPT.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", util::stderr(&o));
    record_text(&mut h, "game-stdout", &util::stdout(&o), root);
    let o = run_ok(&["replay", path(&session)]);
    record_text(&mut h, "replay-stdout", &util::stdout(&o), root);
    run_ok(&["debrief", path(&session)]);
    record(&mut h, "game", &session, root);
    h
}

fn read_hashes() -> BTreeMap<String, String> {
    std::fs::read_to_string(HASHES)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn outputs_are_byte_identical_to_the_golden_files() {
    let t = tempfile::tempdir().unwrap();
    let got = produce(t.path());
    if std::env::var_os("COHESION_UPDATE_GOLDEN").is_some() {
        let text: String = got.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
        std::fs::write(HASHES, text).unwrap();
        return;
    }
    let want = read_hashes();
    let mut problems = Vec::new();
    for (k, v) in &want {
        match got.get(k) {
            None => problems.push(format!("missing: {k}")),
            Some(g) if g != v => problems.push(format!("changed: {k}")),
            _ => {}
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        problems.push(format!("new: {k}"));
    }
    assert!(
        problems.is_empty(),
        "outputs differ from tests/golden/hashes.txt ({} of {} files):\n{}\n\
         If the change is deliberate, regenerate with COHESION_UPDATE_GOLDEN=1 and record it in CHANGELOG.md.",
        problems.len(),
        want.len(),
        problems.join("\n")
    );
}
