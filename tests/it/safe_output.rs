//! Safe output: an existing result is never replaced without `--force`; a failed, interrupted
//! or killed run leaves nothing that looks like a complete result; write errors are errors,
//! not panics.

use crate::util;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use util::{all_files, assert_no_panic, cohesion, run_to, stderr};

const KTAB: &str = "reference/ktab-soe-pol-comp";

/// `cohesion run` arguments writing to `out`.
fn run_args<'a>(out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        KTAB,
        "--out",
        out.to_str().unwrap(),
        "--seed",
        "3",
        "--trials",
        "400",
        "--block-size",
        "50",
        "-q",
    ];
    a.extend_from_slice(extra);
    a
}

/// Asserts that nothing under `dir` looks like a (complete or partial) result.
fn assert_no_result_under(dir: &Path) {
    for f in all_files(dir) {
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(
            ![
                "manifest.json",
                "summary.csv",
                "comparison.csv",
                "timeseries.csv"
            ]
            .contains(&name.as_ref()),
            "a failed run left {}",
            f.display()
        );
    }
}

/// No hidden partial (or moved-aside) directory remains beside the target.
fn assert_no_leftovers(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        assert!(
            !n.contains(".partial-") && !n.contains(".old-"),
            "left behind: {n}"
        );
    }
}

#[test]
fn existing_output_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    let o = cohesion().args(run_args(&out, &[])).output().unwrap();
    assert!(!o.status.success(), "an existing output was overwritten");
    assert_no_panic(&o);
    let err = stderr(&o);
    assert!(err.contains("--force"), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(all_files(&out).len(), 1);
    assert_no_leftovers(tmp.path());

    // The same for a complete earlier result: it stays byte for byte.
    let res = tmp.path().join("res");
    run_to(KTAB, &res, 1, &["--trials", "10"]);
    let before = std::fs::read(res.join("manifest.json")).unwrap();
    let o = cohesion().args(run_args(&res, &[])).output().unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--force"));
    assert_eq!(std::fs::read(res.join("manifest.json")).unwrap(), before);
}

#[test]
fn force_replaces_an_existing_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_to(KTAB, &out, 1, &["--trials", "10"]);
    // A chart of the old result that the new one does not draw: replaced with the rest.
    // (Files a user added are not: `bad_input::force_keeps_files_a_user_added_to_a_result`.)
    std::fs::write(out.join("charts/fan-stale.svg"), "from before").unwrap();
    let o = cohesion()
        .args(run_args(&out, &["--force"]))
        .output()
        .unwrap();
    util::assert_ok(&o, &["run", "--force"]);
    assert!(
        !out.join("charts/fan-stale.svg").exists(),
        "old content survived --force"
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["trials"], 400);
    assert_eq!(m["seed"], 3);
    assert_no_leftovers(tmp.path());
}

#[test]
fn injected_failure_mid_run_leaves_no_complete_looking_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // 400 trials in blocks of 50: 8 blocks; fail after the 2nd.
    let o = cohesion()
        .args(run_args(&out, &[]))
        .env("COHESION_FAIL_AFTER_BLOCKS", "2")
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "the injected failure did not fail the run"
    );
    assert_no_panic(&o);
    assert!(stderr(&o).contains("injected failure"), "{}", stderr(&o));
    assert!(
        !out.exists(),
        "the target directory exists after a failed run"
    );
    assert_no_result_under(tmp.path());
    assert_no_leftovers(tmp.path());
    // Only the checkpoint remains, for `--resume`.
    let cp = tmp.path().join(".out.checkpoint");
    assert!(
        all_files(tmp.path()).iter().all(|f| f.starts_with(&cp)),
        "{:?}",
        all_files(tmp.path())
    );
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
}

#[test]
fn failed_run_with_force_keeps_the_previous_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_to(KTAB, &out, 1, &["--trials", "10"]);
    let before: Vec<(String, Vec<u8>)> = all_files(&out)
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    let o = cohesion()
        .args(run_args(&out, &["--force"]))
        .env("COHESION_FAIL_AFTER_BLOCKS", "2")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_no_panic(&o);
    let after: Vec<(String, Vec<u8>)> = all_files(&out)
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(
        before == after,
        "a failed --force run changed the old result"
    );
    assert_no_leftovers(tmp.path());
}

/// Starts a long run into `out` and waits until it is writing (its partial directory exists).
fn start_long_run(out: &Path) -> Child {
    let mut child = cohesion()
        .args([
            "run",
            "reference/hk-0.15",
            "--out",
            out.to_str().unwrap(),
            "--seed",
            "1",
            "--trials",
            "10000000",
            "--block-size",
            "8",
            "--threads",
            "1",
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let parent = out.parent().unwrap();
    let t0 = Instant::now();
    loop {
        let writing = std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".partial-"));
        if writing {
            // Let it write a few blocks of trials.csv.
            std::thread::sleep(Duration::from_millis(300));
            return child;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended before it could be interrupted: {status:?}");
        }
        if t0.elapsed() > Duration::from_secs(20) {
            child.kill().ok();
            panic!("the run did not start writing within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` to exit, killing it (and failing) after `secs` seconds.
fn wait_for(child: &mut Child, secs: u64) -> std::process::ExitStatus {
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if t0.elapsed() > Duration::from_secs(secs) {
            child.kill().ok();
            child.wait().ok();
            panic!("the run did not stop within {secs} s of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} failed");
}

#[cfg(unix)]
#[test]
fn interrupted_run_stops_and_removes_its_partial_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut child = start_long_run(&out);
    signal(&child, "-INT");
    let status = wait_for(&mut child, 20);
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert_eq!(status.code(), Some(130), "stderr: {err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
    assert_no_result_under(tmp.path());
    assert_no_leftovers(tmp.path());
}

#[cfg(unix)]
#[test]
fn killed_run_leaves_nothing_that_looks_like_a_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut child = start_long_run(&out);
    signal(&child, "-KILL");
    wait_for(&mut child, 20);
    // What may remain is a hidden partial directory without a manifest or summary, and the
    // checkpoint that `--resume` continues from.
    assert!(!out.exists());
    assert_no_result_under(tmp.path());
    for e in std::fs::read_dir(tmp.path()).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        assert!(
            n.starts_with(".out.partial-") || n == ".out.checkpoint",
            "unexpected {n}"
        );
    }
}

#[test]
fn unwritable_output_path_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = file.join("out");
    let o = cohesion().args(run_args(&out, &[])).output().unwrap();
    assert!(!o.status.success());
    assert_no_panic(&o);
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("cannot create"), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[test]
fn output_path_that_is_a_file_is_refused_even_with_force() {
    // Regression: with --force, a regular file at --out was moved aside to a hidden
    // `.NAME.old-PID` file that was never removed, and the run reported success.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("results");
    std::fs::write(&file, "a file").unwrap();
    for force in [false, true] {
        let extra: &[&str] = if force { &["--force"] } else { &[] };
        let o = cohesion().args(run_args(&file, extra)).output().unwrap();
        assert!(!o.status.success(), "--out FILE accepted (force: {force})");
        assert_no_panic(&o);
        assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a file");
        assert_no_leftovers(tmp.path());
    }
}

#[test]
fn force_does_not_replace_a_directory_that_is_not_a_result() {
    // --force replaces an earlier result, not any folder the path happens to name.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("thesis");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("chapter1.tex"), "precious").unwrap();
    let o = cohesion()
        .args(run_args(&dir, &["--force"]))
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "--force replaced a folder that is not a result"
    );
    assert_no_panic(&o);
    assert!(stderr(&o).contains("manifest.json"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("chapter1.tex")).unwrap(),
        "precious"
    );
    assert_no_leftovers(tmp.path());

    // An empty folder may be used.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = cohesion()
        .args(run_args(&empty, &["--force"]))
        .output()
        .unwrap();
    util::assert_ok(&o, &["run", "--force", "into an empty folder"]);
    assert!(empty.join("manifest.json").exists());
}
