//! Signals during `cohesion run`: Ctrl-C (SIGINT), SIGTERM and SIGHUP at many moments stop the
//! run without a panic, with the shell's exit code for the signal (130, 143, 129), and leave
//! no partial output folder; the checkpoint beside it survives for `--resume`. A partial
//! folder left by a process that is gone (killed outright) is removed by the next run.

use crate::util;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use util::cohesion;

/// Twenty delays (ms) after the start at which a signal is sent, from start-up (scenario
/// loading) to well inside the trials: one moment drawn uniformly within each of twenty equal
/// slices of 20–1,500 ms by a fixed linear congruential sequence, so the moments look random
/// but a failure names a moment that can be tried again.
fn delays_ms(salt: u64) -> Vec<u64> {
    let mut x = 0x2545_F491_4F6C_DD1D_u64 ^ salt;
    (0..20)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            20 + i * 74 + (x >> 33) % 74
        })
        .collect()
}

fn spawn(out: &Path, scenario: &str, trials: &str, block: &str) -> Child {
    cohesion()
        .args([
            "run",
            scenario,
            "--out",
            out.to_str().unwrap(),
            "--seed",
            "1",
            "--trials",
            trials,
            "--block-size",
            block,
            "--threads",
            "1",
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn send(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the child's process id.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "kill({sig}) failed");
}

/// Waits for the child (at most 60 s); its exit status and stderr.
fn finish(mut child: Child) -> (std::process::ExitStatus, String) {
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            child.wait().ok();
            panic!("the run did not stop within 60 s of the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status, err)
}

/// Names in `dir` that are partial output folders.
fn partials(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".partial-"))
        .collect()
}

#[cfg(unix)]
#[test]
fn signals_at_many_moments_stop_a_run_cleanly_with_the_signals_exit_code() {
    // A run far longer than the longest delay: every signal lands before it could finish.
    // Half the moments on a reference model with tiny blocks, half on the default scenario
    // (where a cut-short block once panicked).
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        for (i, ms) in delays_ms(sig as u64).into_iter().enumerate() {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            let child = if i % 2 == 0 {
                spawn(&out, "reference/hk-0.15", "10000000", "8")
            } else {
                spawn(&out, "nato-2021", "10000000", "64")
            };
            std::thread::sleep(Duration::from_millis(ms));
            send(&child, sig);
            let (status, err) = finish(child);
            let at = format!("signal {sig} after {ms} ms: {status:?}, stderr: {err}");
            assert_eq!(status.code(), Some(code), "{at}");
            assert!(!err.contains("panicked"), "{at}");
            assert!(!out.exists(), "{at}");
            assert_eq!(partials(tmp.path()), Vec::<String>::new(), "{at}");
            if tmp.path().join(".out.checkpoint").exists() {
                assert!(err.contains("--resume"), "{at}");
            }
        }
    }
    // SIGHUP (a closed terminal) too.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let child = spawn(&out, "reference/hk-0.15", "10000000", "8");
    std::thread::sleep(Duration::from_millis(400));
    send(&child, libc::SIGHUP);
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(129), "{err}");
    assert_eq!(partials(tmp.path()), Vec::<String>::new());
    // The checkpoint left by the signal continues the run.
    assert!(tmp.path().join(".out.checkpoint").is_dir(), "{err}");
}

#[cfg(unix)]
#[test]
fn a_signal_at_any_moment_of_a_short_run_leaves_a_whole_result_or_none() {
    // Signals spread over a whole short run (start-up, trials, tables, charts, the rename):
    // either the run finished first (exit 0, a complete result) or it stops with the
    // signal's code and leaves no result and no partial folder. The first run measures how
    // long a run takes.
    let tmp = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let (s, err) = finish(spawn(&tmp.path().join("first"), "nato-2021", "400", "50"));
    assert!(s.success(), "{err}");
    let whole = t0.elapsed().as_millis() as u64;
    let mut stopped = 0;
    for i in 0..8u64 {
        let sig = if i % 2 == 0 {
            libc::SIGINT
        } else {
            libc::SIGTERM
        };
        let out = tmp.path().join(format!("out{i}"));
        let child = spawn(&out, "nato-2021", "400", "50");
        std::thread::sleep(Duration::from_millis(whole * (2 * i + 1) / 16));
        send(&child, sig);
        let (status, err) = finish(child);
        let at = format!(
            "signal {sig} at {}/16 of {whole} ms: {status:?}, {err}",
            2 * i + 1
        );
        assert!(!err.contains("panicked"), "{at}");
        if status.success() {
            assert!(out.join("manifest.json").is_file(), "{at}");
        } else {
            stopped += 1;
            assert_eq!(status.code(), Some(128 + sig), "{at}");
            assert!(!out.exists(), "{at}");
        }
        assert_eq!(partials(tmp.path()), Vec::<String>::new(), "{at}");
    }
    assert!(
        stopped >= 4,
        "only {stopped} of 8 runs were stopped by their signal"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn stale_partial_folder_of_a_dead_process_is_removed_by_the_next_run() {
    // Regression: a run killed outright (or stopped by SIGTERM before signals were handled)
    // left `.NAME.partial-PID` behind for ever.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    // A process id that cannot be running: above the kernel's limit.
    let max: u64 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let dead = max + 1;
    let stale = tmp.path().join(format!(".out.partial-{dead}"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("trials.csv"), "half").unwrap();
    std::fs::write(stale.join(".owner"), format!("{dead} {}\n", host.trim())).unwrap();
    // One of unknown origin (no owner record): reported, left alone.
    let unknown = tmp.path().join(".out.partial-1");
    std::fs::create_dir(&unknown).unwrap();
    let o = cohesion()
        .args(["run", "reference/hk-0.15", "--out", out.to_str().unwrap()])
        .args(["--seed", "1", "--trials", "16", "-q"])
        .output()
        .unwrap();
    util::assert_ok(&o, &["run"]);
    let err = util::stderr(&o);
    assert!(!stale.exists(), "{err}");
    assert!(
        err.contains(&format!("removed {}", stale.display())),
        "{err}"
    );
    assert!(unknown.exists());
    assert!(err.contains(&unknown.display().to_string()), "{err}");
    assert!(out.join("manifest.json").is_file());
    assert!(
        !out.join(".owner").exists(),
        "the owner record went into the result"
    );
}
