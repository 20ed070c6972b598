//! Regression tests for input that once got through or crashed (issue "nothing panics, nothing
//! runs out of memory, nothing is silently wrong"), each named after the defect it guards and
//! run through the binary, as a user would meet it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util;
use util::{assert_no_panic, cohesion, run, run_ok, stderr, stdout, write_files};

const NATO: &str = include_str!("../../scenarios/nato-2021.toml");
const ALLIES: &str = include_str!("../../scenarios/data/nato-allies-2021.csv");

/// A folder with an editable copy of nato-2021 (`nato.toml`, `data/nato-allies-2021.csv`).
fn nato_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_files(
        d.path(),
        &[("nato.toml", NATO), ("data/nato-allies-2021.csv", ALLIES)],
    );
    d
}

/// `cohesion validate FILE`: must fail without a panic; its stderr.
fn refused(file: &Path) -> String {
    let o = cohesion().arg("validate").arg(file).output().unwrap();
    assert_no_panic(&o);
    assert!(
        !o.status.success(),
        "{} accepted: {}",
        file.display(),
        stdout(&o)
    );
    stderr(&o)
}

/// Writes `nato.toml` with `from` replaced by `to` (once) as `name`; returns its path.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    assert!(NATO.contains(from), "{from}");
    let p = dir.join(name);
    std::fs::write(&p, NATO.replacen(from, to, 1)).unwrap();
    p
}

fn has(err: &str, needles: &[&str]) {
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

#[test]
fn start_month_13_and_a_start_in_words_are_refused() {
    let d = nato_dir();
    for (bad, why) in [
        ("2021-13", "month 13 does not exist"),
        ("October 2021", "not a date of the form"),
        ("2021-10-32", "has no day 32"),
    ] {
        let p = variant(
            d.path(),
            "s.toml",
            "start = \"2021-10\"",
            &format!("start = \"{bad}\""),
        );
        let err = refused(&p);
        has(
            &err,
            &[
                "scenario.start",
                bad,
                why,
                "allowed: a calendar date written `YYYY-MM` or `YYYY-MM-DD`",
            ],
        );
    }
}

#[test]
fn inject_date_june_31_is_refused_not_copied() {
    let d = nato_dir();
    let p = variant(
        d.path(),
        "s.toml",
        "date = \"2022-06-29\"",
        "date = \"2022-06-31\"",
    );
    let err = refused(&p);
    has(
        &err,
        &[
            "inject[",
            "].date: `2022-06-31`: 2022-06 has no day 31 (it has 30 days)",
            "YYYY-MM-DD",
        ],
    );
}

/// The allies table with one column written twice (the copy holding `copy(value)`).
fn with_column_twice(column: &str, copy: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rdr = csv::Reader::from_reader(ALLIES.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let i = header.iter().position(|h| h == column).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = header.iter().map(str::to_string).collect();
    h.push(column.to_string());
    w.write_record(&h).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let mut row: Vec<String> = r.iter().map(str::to_string).collect();
        row.push(copy(&row[i]));
        w.write_record(&row).unwrap();
    }
    out.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    out
}

#[test]
fn duplicated_csv_header_column_is_refused_by_name() {
    // Regression: a second `ru_gas_share_consumption_pct` column was accepted and changed the
    // results; a second `gdp_usd` gave a message about a missing `cpi` value.
    for column in ["ru_gas_share_consumption_pct", "gdp_usd"] {
        let d = nato_dir();
        let twice = with_column_twice(column, |v| {
            if v.is_empty() {
                String::new()
            } else {
                "1".into()
            }
        });
        std::fs::write(d.path().join("data/nato-allies-2021.csv"), twice).unwrap();
        let err = refused(&d.path().join("nato.toml"));
        has(
            &err,
            &[
                "nato-allies-2021.csv:1",
                &format!("column `{column}` appears twice"),
                "allowed: each column once",
            ],
        );
        assert!(!err.contains("cpi"), "{err}");
        assert!(err.contains("1 problem found"), "{err}");
    }
}

#[test]
fn actors_file_inherited_through_extends_is_read_beside_the_parent() {
    // Regression: an `[actors] file` inherited through `extends` was resolved against the
    // child scenario's folder, not the parent file that names it.
    let d = nato_dir();
    write_files(
        d.path(),
        &[(
            "variants/longer.toml",
            "extends = \"../nato.toml\"\n\n[scenario]\nname = \"longer\"\nturns = 48\n",
        )],
    );
    let o = run_ok(&[
        "validate",
        d.path().join("variants/longer.toml").to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("48 turns"), "{}", stdout(&o));
    // A child that gives `[actors]` itself names a file relative to itself.
    write_files(
        d.path(),
        &[
            (
                "variants/own.toml",
                "extends = \"../nato.toml\"\n\n[scenario]\nname = \"own\"\n\n[actors]\nfile = \"own-allies.csv\"\n",
            ),
            ("variants/own-allies.csv", ALLIES),
        ],
    );
    run_ok(&[
        "validate",
        d.path().join("variants/own.toml").to_str().unwrap(),
    ]);
    std::fs::remove_file(d.path().join("variants/own-allies.csv")).unwrap();
    let err = refused(&d.path().join("variants/own.toml"));
    has(&err, &["variants/own-allies.csv", "actors.file"]);
}

/// Asserts that nothing but newlines and tabs below U+0020 (and no DEL) reached the terminal.
fn no_control_bytes(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "control characters {bad:?} echoed in:\n{text}"
    );
}

#[test]
fn names_with_nul_or_terminal_escapes_are_refused_and_never_echoed_raw() {
    // Regression: names holding NUL or `ESC[2J` were echoed raw (the screen was cleared).
    let d = nato_dir();
    let cases = [
        variant(
            d.path(),
            "a.toml",
            "name = \"nato-2021\"",
            "name = \"nato\\u001b[2J\"",
        ),
        variant(
            d.path(),
            "b.toml",
            "name = \"Madrid Summit\"",
            "name = \"Madrid\\u0000Summit\"",
        ),
        variant(
            d.path(),
            "c.toml",
            "description = \"The June 2021 line",
            "description = \"\\u001b]0;pwned\\u0007The June 2021 line",
        ),
    ];
    for p in &cases {
        let err = refused(p);
        no_control_bytes(&err);
        assert!(
            err.contains("\\u{1b}") || err.contains("\\u{0}"),
            "the character is not named: {err}"
        );
    }
    // An actor name from the CSV file.
    let allies = ALLIES.replacen("\nBelgium,", "\nBel\u{1b}[2Jgium,", 1);
    assert_ne!(allies, ALLIES);
    std::fs::write(d.path().join("data/nato-allies-2021.csv"), allies).unwrap();
    let err = refused(&d.path().join("nato.toml"));
    no_control_bytes(&err);
    has(&err, &["column name", "U+001B"]);
}

#[test]
fn a_1000_character_scenario_name_is_refused_by_validate_not_by_the_file_system() {
    // Regression: it passed `validate` and then failed with `File name too long`, naming
    // neither file nor key.
    let d = nato_dir();
    let long = "a".repeat(1000);
    let p = variant(
        d.path(),
        "s.toml",
        "name = \"nato-2021\"",
        &format!("name = \"{long}\""),
    );
    let err = refused(&p);
    has(&err, &["s.toml:", "scenario.name", "1 to 100 characters"]);
    assert!(err.len() < 1000, "the message quotes the whole name: {err}");
    let p = variant(
        d.path(),
        "t.toml",
        "name = \"nato-2021\"",
        &format!("name = \"{}\"", "b".repeat(100)),
    );
    run_ok(&["validate", p.to_str().unwrap()]);
}

#[test]
fn command_line_sizes_have_the_scenario_files_limits() {
    // Regression: `--trials` and `--block-size` accepted more than `[run]` allows, `--seed` a
    // u64 where the file stops at i64.
    use cohesion::scenario::keys::{BLOCK_SIZE, KeySpec, SEED, TRIALS};
    let d = nato_dir();
    let flags: [(&str, &KeySpec); 3] = [
        ("--trials", &TRIALS),
        ("--block-size", &BLOCK_SIZE),
        ("--seed", &SEED),
    ];
    for (flag, key) in flags {
        let (_, max) = key.whole_range();
        let over = (max + 1).to_string();
        let o = run(&[
            "run",
            "reference/hk-0.2",
            flag,
            &over,
            "--out",
            "/nonexistent/x",
        ]);
        assert_no_panic(&o);
        assert!(!o.status.success(), "{flag} {over} accepted");
        has(&stderr(&o), &[flag, &over, &key.allowed(), &key.path()]);
        // The file refuses the same value with the same words.
        let p = d.path().join(format!("{}.toml", key.name));
        std::fs::write(
            &p,
            format!(
                "extends = \"nato.toml\"\n[run]\n{} = {}\n",
                key.name,
                if max < i64::MAX as u64 {
                    over.clone()
                } else {
                    // TOML integers stop at i64::MAX: one more is not an integer at all.
                    "9223372036854775808".into()
                }
            ),
        )
        .unwrap();
        let err = refused(&p);
        if max < i64::MAX as u64 {
            has(&err, &[&key.path(), &key.allowed()]);
        }
    }
    // The largest values the file allows are allowed on the command line too.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let (_, seed_max) = SEED.whole_range();
    let (_, block_max) = BLOCK_SIZE.whole_range();
    run_ok(&[
        "run",
        "reference/hk-0.2",
        "--trials",
        "1",
        "--seed",
        &seed_max.to_string(),
        "--block-size",
        &block_max.to_string(),
        "--no-charts",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
}

#[test]
fn threads_beyond_the_engine_maximum_are_refused_at_once() {
    // Regression: `--threads 100000` spent 25 s starting threads; 4294967296 aborted.
    let max = cohesion::engine::MAX_THREADS;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    for n in ["100000", "4294967296", "0"] {
        for args in [
            vec!["run", "reference/hk-0.2", "--trials", "1", "--out", d],
            vec!["replay", d],
            vec!["debrief", d],
        ] {
            let mut args = args.clone();
            args.extend(["--threads", n]);
            let o = run(&args);
            assert_no_panic(&o);
            assert!(!o.status.success(), "{args:?} accepted");
            has(
                &stderr(&o),
                &[&format!("--threads {n}"), &format!("from 1 to {max}")],
            );
        }
    }
}

#[test]
fn a_single_trial_leaves_sd_and_intervals_blank_not_zero() {
    // Regression: `--trials 1` printed sd = 0 and a zero-width interval.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    util::run_to(
        "reference/hk-0.2",
        &out,
        3,
        &["--trials", "1", "--no-charts"],
    );
    let s = util::Table::read(&out.join("summary.csv"));
    for row in &s.rows {
        assert_eq!(row[s.col("n")], "1");
        assert!(!row[s.col("mean")].is_empty());
        for c in ["sd", "mcse", "mean_lo95", "mean_hi95"] {
            assert_eq!(row[s.col(c)], "", "{c} of {row:?}");
        }
    }
    let c = util::Table::read(&out.join("comparison.csv"));
    for row in &c.rows {
        for col in ["sd_diff", "mcse", "diff_lo95", "diff_hi95"] {
            assert_eq!(row[c.col(col)], "", "{col} of {row:?}");
        }
    }
    // With two trials they are numbers again.
    let out2 = tmp.path().join("o2");
    util::run_to(
        "reference/hk-0.2",
        &out2,
        3,
        &["--trials", "2", "--no-charts"],
    );
    let s = util::Table::read(&out2.join("summary.csv"));
    assert!(s.rows.iter().all(|r| !r[s.col("sd")].is_empty()));
}

#[test]
fn a_64_mb_junk_line_at_the_game_prompt_is_neither_held_nor_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let session = tmp.path().join("s");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cohesion"))
        .args([
            "game",
            &format!("{}/tests/data/game/mini.toml", env!("CARGO_MANIFEST_DIR")),
            "--seed",
            "1",
            "--session",
            session.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
        stdin.write_all(b"\nstatus\nquit\n").ok();
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_no_panic(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.len() < 100_000, "{} bytes echoed", text.len());
    has(
        &text,
        &["the line is longer than 8192 bytes", "the line was ignored"],
    );
    // The session went on: `status` was read after the junk.
    assert!(text.matches("[turn 1").count() >= 3, "{text}");
}

#[test]
fn force_keeps_files_a_user_added_to_a_result() {
    // Regression: `--force` deleted files a user had added to a result folder, unannounced.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "run".to_string(),
            "reference/hk-0.2".into(),
            "--trials".into(),
            "2".into(),
            "--seed".into(),
            "1".into(),
            "-q".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let o = cohesion().args(args(&[])).output().unwrap();
    util::assert_ok(&o, &["first run"]);
    std::fs::write(out.join("notes.md"), "my reading of the result").unwrap();
    std::fs::write(out.join("charts/annotated.pdf"), "pdf").unwrap();
    let o = cohesion().args(args(&["--force"])).output().unwrap();
    assert_no_panic(&o);
    assert!(!o.status.success(), "--force deleted a user's files");
    has(
        &stderr(&o),
        &[
            "notes.md",
            "charts/annotated.pdf",
            "--force would delete them",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.md")).unwrap(),
        "my reading of the result"
    );
    // Once they are moved, --force replaces the result as before.
    std::fs::remove_file(out.join("notes.md")).unwrap();
    std::fs::remove_file(out.join("charts/annotated.pdf")).unwrap();
    let o = cohesion().args(args(&["--force"])).output().unwrap();
    util::assert_ok(&o, &["run --force"]);
}

#[test]
fn an_empty_array_of_policy_options_is_refused_not_run() {
    // Found by the fuzzer: `policy = []` passed validation and `run` panicked in the engine.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("s.toml");
    std::fs::write(
        &p,
        "policy = []
[scenario]
name = \"x\"
turns = 3
[model]
kind = \"hegselmann-krause\"
agents = 20
",
    )
    .unwrap();
    has(&refused(&p), &["policy: no policy options"]);
    let o = run(&[
        "run",
        p.to_str().unwrap(),
        "--trials",
        "1",
        "--out",
        "/nonexistent/x",
    ]);
    assert_no_panic(&o);
    assert!(!o.status.success());
}

#[test]
fn the_largest_horizon_is_the_documented_one() {
    // Regression: `validate` accepted 100,000 turns, which ran out of memory.
    let max = cohesion::scenario::keys::MAX_TURNS;
    assert!(max >= 10_000);
    let d = nato_dir();
    let ok = variant(d.path(), "ok.toml", "turns = 36", &format!("turns = {max}"));
    run_ok(&["validate", ok.to_str().unwrap()]);
    let over = variant(
        d.path(),
        "over.toml",
        "turns = 36",
        &format!("turns = {}", max + 1),
    );
    has(
        &refused(&over),
        &["scenario.turns", &format!("from 1 to {max}")],
    );
}

/// Runs `cmd` to its end; its exit status and its peak resident memory in kB (Linux
/// `wait4`, which reports the peak of that one child).
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by wait4 below, which std's wait cannot replace
fn status_and_peak_kb(cmd: &mut Command) -> (i32, i64) {
    let child = cmd.spawn().unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not yet waited for; both pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    assert!(
        libc::WIFEXITED(status),
        "the run did not exit normally: {status}"
    );
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

#[test]
#[cfg(target_os = "linux")]
fn long_horizon_memory_is_bounded() {
    // Regression: memory grew by about 160 KB per turn: nato-2021 at 10,000 turns and one
    // trial peaked at 3.8 GB, and the 100,000 turns `validate` then allowed ran out of memory.
    // Every (option, turn, series) held a dense 8 KB histogram, and a block carried every
    // trial's per-turn values. Then the charts: read back as rows of text (and checked
    // against every outcome by a scan), the tables took 466 MB and half a minute. The
    // documented horizon must run, charts and report included, in under 200 MB.
    let max = cohesion::scenario::keys::MAX_TURNS;
    let d = nato_dir();
    let f = variant(
        d.path(),
        "long.toml",
        "turns = 36",
        &format!("turns = {max}"),
    );
    let out = d.path().join("out");
    let err = d.path().join("stderr.txt");
    let (code, peak_kb) = status_and_peak_kb(
        cohesion()
            .arg("run")
            .arg(&f)
            .args(["--trials", "1", "--threads", "1", "--seed", "1"])
            .args(["-q", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&err).unwrap()),
    );
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert_eq!(code, 0, "{stderr}");
    // The result holds every turn (the last one too), so the run did the whole horizon.
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let last = format!(",{max},cohesion,1,");
    assert!(
        ts.lines().any(|l| l.contains(&last)),
        "no turn {max} in timeseries.csv"
    );
    assert!(
        peak_kb < 200_000,
        "peak resident memory {} MB at {max} turns and one trial (allowed: under 200 MB)",
        peak_kb / 1000
    );
    // The charts and the report were drawn, the fan charts over the whole horizon.
    assert!(out.join("report.html").is_file(), "no report.html");
    let fan = std::fs::read_to_string(out.join("charts/fan-cohesion.svg")).unwrap();
    assert!(
        fan.contains("<polygon") || fan.contains("<path"),
        "an empty fan chart"
    );
}
