//! Past one process: shards that merge bit for bit, runs that resume after kill -9 or
//! SIGTERM, adaptive stopping that does not depend on threads, Parquet tables that an
//! independent reader (pyarrow) reads as the CSV, and `rerun` from a manifest. Every check
//! goes through the binary and compares output files byte for byte with a plain run.

use crate::util;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::{all_files, assert_no_panic, cohesion, run, run_ok, stderr, stdout};

/// Manifest keys that say when, where and how a result was produced, not what it holds.
const VOLATILE: &[&str] = &[
    "started",
    "finished",
    "wall_seconds",
    "trials_per_second",
    "command_line",
    "threads",
    "execution",
];

fn p(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Replaces RFC 3339 UTC times (`2026-11-30T11:53:46Z`) with `<time>`.
fn strip_times(text: &str) -> String {
    let b = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(s, c)| match s {
                b'd' => c.is_ascii_digit(),
                s => s == c,
            })
        {
            out.extend_from_slice(b"<time>");
            i += shape.len();
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Asserts that two result folders hold the same files with the same bytes (times in
/// `report.html` and the volatile manifest keys aside).
fn assert_same_result(a: &Path, b: &Path) {
    let rel = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = all_files(d)
            .iter()
            .map(|f| f.strip_prefix(d).unwrap().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (rel(a), rel(b));
    assert_eq!(fa, fb, "the two results hold different files");
    assert!(
        fa.iter()
            .any(|f| f == "trials.csv" || f == "trials.parquet")
    );
    for f in &fa {
        let (x, y) = (a.join(f), b.join(f));
        if f == "manifest.json" {
            let (mut mx, mut my) = (manifest(a), manifest(b));
            for k in VOLATILE {
                mx.as_object_mut().unwrap().remove(*k);
                my.as_object_mut().unwrap().remove(*k);
            }
            assert_eq!(
                mx, my,
                "manifests differ beyond when and how they were made"
            );
        } else if f.ends_with(".html") {
            let (tx, ty) = (
                std::fs::read_to_string(&x).unwrap(),
                std::fs::read_to_string(&y).unwrap(),
            );
            assert!(strip_times(&tx) == strip_times(&ty), "{f} differs");
        } else {
            assert!(
                std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
                "{f} differs between {} and {}",
                a.display(),
                b.display()
            );
        }
    }
}

#[test]
fn three_shards_merge_into_the_bytes_of_one_run() {
    let t = tempfile::tempdir().unwrap();
    let common = [
        "nato-2021",
        "--trials",
        "300",
        "--seed",
        "17",
        "--block-size",
        "40",
        "-q",
    ];
    let single = t.path().join("single");
    let mut a = vec!["run"];
    a.extend_from_slice(&common);
    a.extend(["--out", p(&single), "-j", "2"]);
    run_ok(&a);
    let parts: Vec<PathBuf> = (1..=3).map(|i| t.path().join(format!("part{i}"))).collect();
    for (i, part) in parts.iter().enumerate() {
        let shard = format!("{}/3", i + 1);
        let mut a = vec!["run"];
        a.extend_from_slice(&common);
        a.extend(["--shard", &shard, "--out", p(part), "-j", "1"]);
        run_ok(&a);
        assert!(part.join("part.json").is_file() && part.join("stats.bin").is_file());
        assert!(!part.join("summary.csv").exists(), "a part is not a result");
    }
    // Given in any order.
    let merged = t.path().join("merged");
    run_ok(&[
        "merge",
        p(&parts[2]),
        p(&parts[0]),
        p(&parts[1]),
        "--out",
        p(&merged),
        "-q",
    ]);
    assert_same_result(&single, &merged);
    let m = manifest(&merged);
    assert_eq!(m["execution"]["merged_from"].as_array().unwrap().len(), 3);
    // The shard index from the environment, as in a Slurm array task.
    let env_part = t.path().join("env-part");
    let mut a = vec!["run"];
    a.extend_from_slice(&common);
    a.extend([
        "--shard-from-env",
        "TASK",
        "--shards",
        "3",
        "--out",
        p(&env_part),
    ]);
    let o = cohesion().args(&a).env("TASK", "2").output().unwrap();
    util::assert_ok(&o, &a);
    assert_eq!(
        std::fs::read(env_part.join("rows.csv")).unwrap(),
        std::fs::read(parts[1].join("rows.csv")).unwrap()
    );
}

#[test]
fn merge_names_a_missing_a_duplicate_and_a_foreign_part() {
    let t = tempfile::tempdir().unwrap();
    let part = |i: u32, seed: &str| {
        let out = t.path().join(format!("p{i}-{seed}"));
        run_ok(&[
            "run",
            "reference/ktab-soe-pol-comp",
            "--trials",
            "60",
            "--block-size",
            "10",
            "--seed",
            seed,
            "--shard",
            &format!("{i}/3"),
            "--out",
            p(&out),
            "-q",
        ]);
        out
    };
    let (p1, p2, p3, q2) = (part(1, "4"), part(2, "4"), part(3, "4"), part(2, "5"));
    let out = t.path().join("m");
    let merge = |parts: &[&PathBuf]| {
        let mut a = vec!["merge".to_string()];
        a.extend(parts.iter().map(|x| p(x).to_string()));
        a.extend(["--out".into(), p(&out).into()]);
        let o = cohesion().args(&a).output().unwrap();
        assert_no_panic(&o);
        assert!(!o.status.success(), "merge of {a:?} succeeded");
        assert!(!out.exists(), "a refused merge left a result");
        stderr(&o)
    };
    let e = merge(&[&p1, &p3]);
    assert!(e.contains("missing") && e.contains("shard 2/3"), "{e}");
    let e = merge(&[&p1, &p2, &p2, &p3]);
    assert!(e.contains(p(&p2)) && e.contains("twice"), "{e}");
    let e = merge(&[&p1, &q2, &p3]);
    assert!(e.contains(p(&q2)) && e.contains("seed: 4"), "{e}");
    let not_part = t.path().join("nothing");
    std::fs::create_dir(&not_part).unwrap();
    let e = merge(&[&p1, &not_part, &p3]);
    assert!(e.contains(p(&not_part)) && e.contains("part"), "{e}");
}

/// Starts `cohesion ARGS`, waits until its checkpoint holds at least `blocks` blocks (as its
/// `progress.json` says), then sends `sig`; returns the exit status.
#[cfg(unix)]
fn interrupt_at(args: &[&str], checkpoint: &Path, blocks: u64, sig: &str) -> i32 {
    let mut child = cohesion()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    loop {
        let done = std::fs::read_to_string(checkpoint.join("progress.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["blocks_done"].as_u64())
            .unwrap_or(0);
        if done >= blocks {
            break;
        }
        if let Some(s) = child.try_wait().unwrap() {
            panic!("the run ended ({s:?}) before it was interrupted");
        }
        assert!(
            t0.elapsed() < Duration::from_secs(300),
            "the run made no progress"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let s = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    s.code().unwrap_or(128 + s.signal().unwrap_or(0))
}

#[cfg(unix)]
#[test]
fn a_run_killed_at_half_resumes_to_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let base = [
        "run",
        "nato-2021",
        "--trials",
        "20000",
        "--seed",
        "23",
        "--policies",
        "label-hostile",
        "--no-charts",
        "-q",
        "-j",
        "2",
    ];
    let full = t.path().join("full");
    let mut a = base.to_vec();
    a.extend(["--out", p(&full)]);
    run_ok(&a);
    for (sig, name) in [("-KILL", "killed"), ("-TERM", "termed")] {
        let out = t.path().join(name);
        let cp = t.path().join(format!(".{name}.checkpoint"));
        let mut a = base.to_vec();
        a.extend(["--out", p(&out)]);
        // 79 blocks of 256 trials: interrupted once about half are saved.
        let code = interrupt_at(&a, &cp, 40, sig);
        if sig == "-TERM" {
            assert!(code == 130 || code == 143, "exit {code} after SIGTERM");
        }
        assert!(!out.exists(), "an interrupted run left a result");
        assert!(cp.join("state.bin").is_file(), "no checkpoint after {sig}");
        // Without --resume the checkpoint is not silently discarded.
        let o = run(&a);
        assert!(!o.status.success() && stderr(&o).contains("--resume"));
        a.push("--resume");
        let o = run_ok(&a);
        assert!(stdout(&o).is_empty(), "-q printed something");
        assert_same_result(&full, &out);
        let m = manifest(&out);
        let reused = m["execution"]["blocks_reused"].as_u64().unwrap();
        let blocks = m["execution"]["blocks"].as_u64().unwrap();
        assert_eq!(blocks, 79);
        // Killed at half: about half the blocks are not computed again.
        assert!(
            (40..blocks).contains(&reused),
            "{sig}: {reused} of {blocks} blocks reused"
        );
        assert!(!cp.exists(), "the checkpoint outlived the finished run");
    }
}

#[test]
fn a_resume_with_another_scenario_or_seed_is_refused_naming_the_difference() {
    let t = util::scenario_dir();
    let sc = t.path().join("ktab.toml");
    let out = t.path().join("out");
    let args = |seed: &'static str| {
        vec![
            "run".to_string(),
            p(&sc).into(),
            "--trials".into(),
            "80".into(),
            "--block-size".into(),
            "10".into(),
            "--seed".into(),
            seed.into(),
            "--out".into(),
            p(&out).into(),
            "-q".into(),
        ]
    };
    let o = cohesion()
        .args(args("9"))
        .env("COHESION_FAIL_AFTER_BLOCKS", "3")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let mut a = args("10");
    a.push("--resume".into());
    let o = cohesion().args(&a).output().unwrap();
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("seed: 9 in the checkpoint, 10 now"),
        "{}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(&sc, text.replace("[run]", "# edited\n[run]")).unwrap();
    let mut a = args("9");
    a.push("--resume".into());
    let o = cohesion().args(&a).output().unwrap();
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("ktab.toml changed"), "{e}");
    std::fs::write(&sc, text).unwrap();
    let o = cohesion().args(&a).output().unwrap();
    util::assert_ok(&o, &[]);
    assert_eq!(manifest(&out)["execution"]["blocks_reused"], 3);
}

/// The trial count and half-widths printed by a `--precision` run.
fn precision_run(threads: &str, out: &Path) -> (u64, Vec<(f64, f64)>) {
    let o = run_ok(&[
        "run",
        "nato-2021",
        "--seed",
        "31",
        "--policies",
        "label-hostile",
        "--trials",
        "40000",
        "--block-size",
        "128",
        "--precision",
        "fracture=0.01",
        "--no-charts",
        "-j",
        threads,
        "--out",
        p(out),
    ]);
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.starts_with("stopped after"))
        .unwrap_or_else(|| panic!("no stopping line in:\n{text}"));
    assert!(line.contains("precision reached"), "{line}");
    let n: u64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    let widths = text
        .lines()
        .filter(|l| l.trim_start().starts_with("fracture"))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (
                w[2].parse().unwrap(),
                w[4].trim_end_matches(')').parse().unwrap(),
            )
        })
        .collect();
    (n, widths)
}

#[test]
fn precision_stops_at_the_same_trial_count_on_one_and_two_threads() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("j1"), t.path().join("j2"));
    let (n1, w1) = precision_run("1", &a);
    let (n2, w2) = precision_run("2", &b);
    assert_eq!(n1, n2);
    assert!(n1 % 128 == 0 && n1 < 40000, "{n1}");
    assert_eq!(w1.len(), 2);
    for (w, target) in &w1 {
        assert!(w <= target, "half-width {w} above {target}");
    }
    assert_eq!(w1, w2);
    assert_same_result(&a, &b);
    let m = manifest(&a);
    assert_eq!(m["trials"], n1);
    assert_eq!(m["stopping"]["reason"], "precision reached");
    assert_eq!(m["stopping"]["trials_limit"], 40000);
    // A yes/no outcome's half-width is half its Wilson interval in summary.csv.
    let summary = std::fs::read_to_string(a.join("summary.csv")).unwrap();
    let row = summary
        .lines()
        .find(|l| l.starts_with("label-hostile,fracture,"))
        .unwrap();
    let c: Vec<f64> = row
        .split(',')
        .skip(17)
        .map(|x| x.parse().unwrap())
        .collect();
    let hw = m["stopping"]["half_widths"][1]["half_width"]
        .as_f64()
        .unwrap();
    assert!(((c[1] - c[0]) / 2.0 - hw).abs() < 1e-12, "{row} vs {hw}");
    // One block fewer was not enough: the same run with that many trials is less precise.
    let n_less = n1 - 128;
    let less = t.path().join("less");
    run_ok(&[
        "run",
        "nato-2021",
        "--seed",
        "31",
        "--policies",
        "label-hostile",
        "--trials",
        &n_less.to_string(),
        "--block-size",
        "128",
        "--no-charts",
        "-q",
        "--out",
        p(&less),
    ]);
    let s = std::fs::read_to_string(less.join("summary.csv")).unwrap();
    let widest = s
        .lines()
        .filter(|l| l.contains(",fracture,"))
        .map(|l| {
            let c: Vec<f64> = l.split(',').skip(17).map(|x| x.parse().unwrap()).collect();
            (c[1] - c[0]) / 2.0
        })
        .fold(0.0, f64::max);
    assert!(widest > 0.01, "{n_less} trials were already precise enough");
}

/// Python with pyarrow, installed from PyPI if missing; `None` (skip) only outside CI.
fn pyarrow_python() -> Option<String> {
    let has = || {
        Command::new("python3")
            .args(["-c", "import pyarrow"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has() {
        Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "pyarrow"])
            .status()
            .ok();
    }
    if has() {
        return Some("python3".into());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "pyarrow is not installed and could not be installed: the Parquet check cannot run"
    );
    eprintln!("SKIPPED: pyarrow is not available (python3 -m pip install pyarrow)");
    None
}

#[test]
fn parquet_tables_read_back_by_pyarrow_equal_the_csv() {
    let t = tempfile::tempdir().unwrap();
    let both = t.path().join("both");
    run_ok(&[
        "run",
        "nato-2021",
        "--trials",
        "150",
        "--seed",
        "3",
        "--format",
        "both",
        "--no-charts",
        "-q",
        "--out",
        p(&both),
    ]);
    // Parquet only: the same files, no CSV, and `plot` draws from them what `run` drew.
    let only = t.path().join("only");
    run_ok(&[
        "run",
        "nato-2021",
        "--trials",
        "150",
        "--seed",
        "3",
        "--format",
        "parquet",
        "-q",
        "--out",
        p(&only),
    ]);
    for tab in [
        "trials",
        "summary",
        "timeseries",
        "comparison",
        "injects",
        "policies",
    ] {
        assert!(!only.join(format!("{tab}.csv")).exists());
        assert_eq!(
            std::fs::read(only.join(format!("{tab}.parquet")))
                .ok()
                .map(|b| !b.is_empty()),
            Some(true)
        );
    }
    let replot = t.path().join("replot");
    run_ok(&["plot", p(&only), "--out", p(&replot), "-q"]);
    for f in all_files(&only.join("charts")) {
        let name = f.file_name().unwrap();
        assert!(
            std::fs::read(&f).unwrap() == std::fs::read(replot.join("charts").join(name)).unwrap(),
            "{name:?} redrawn from Parquet differs"
        );
    }
    let Some(py) = pyarrow_python() else {
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parquet_check.py");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/nato-2021.toml");
    let o = Command::new(py)
        .args([script, p(&both), scenario])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "pyarrow check failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(stdout(&o).contains("6 tables equal"), "{}", stdout(&o));
}

#[test]
fn rerun_repeats_a_run_and_names_a_changed_scenario_file() {
    let t = util::scenario_dir();
    let sc = t.path().join("ktab.toml");
    let first = t.path().join("first");
    run_ok(&[
        "run",
        p(&sc),
        "--trials",
        "40",
        "--seed",
        "8",
        "--block-size",
        "7",
        "--out",
        p(&first),
        "-q",
    ]);
    let again = t.path().join("again");
    let o = run_ok(&["rerun", p(&first), "--out", p(&again), "-q", "-j", "1"]);
    assert!(stdout(&o).contains("byte-identical"), "{}", stdout(&o));
    assert_same_result(&first, &again);
    // The data table is saved with Windows line ends: the same values, other bytes. rerun
    // names the file, and only the manifest (which records its hash) differs.
    let csv = t.path().join("data/soe-pol-comp.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace('\n', "\r\n")).unwrap();
    let changed = t.path().join("changed");
    let o = run(&["rerun", p(&first), "--out", p(&changed), "-q"]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("changed since the run") && out.contains("soe-pol-comp.csv"),
        "{out}"
    );
    assert!(
        out.contains("NOT identical") && out.contains("manifest.json"),
        "{out}"
    );
    assert!(!out.contains("trials.csv"), "{out}");
}
