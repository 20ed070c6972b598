//! Session logs protect every entry, the last one included: any single byte of any line
//! edited, the log cut at any line or emptied, and both `replay` and `--resume` refuse it with
//! a message naming the line (checked in-process over every byte of a small log, and through
//! the binary on a sample). A torn last line left by a crash is told apart from damage and
//! dropped only with `--resume --repair`, which logs the repair.

use std::path::{Path, PathBuf};

use cohesion::game::{self, Options};

use crate::util;
use util::{assert_no_panic, cohesion, stderr, stdout};

fn scenario() -> String {
    format!("{}/tests/data/game/mini.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Commands that make a small log: a mode change, an MSEL skip, a move, a closed turn.
const SCRIPT: &str = "mode rigid -- keep it short\nskip 3 -- summit postponed\nblue status-quo -- hold the line\ncommit -- go\nhold -- wait\n";

/// Plays `script` into a new session `dir`, in-process.
fn play(dir: &Path, script: &str) {
    let opts = Options {
        scenario: Some(scenario()),
        seed: Some(1),
        session: Some(dir.to_path_buf()),
        threads: 1,
        ..Options::default()
    };
    let mut out = Vec::new();
    let code = game::run(
        &opts,
        &mut game::Piped(std::io::Cursor::new(script.as_bytes())),
        &mut out,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
}

/// `--resume dir` in-process with no input: the error, if it refused.
fn resume(dir: &Path, repair: bool) -> Result<String, String> {
    let opts = Options {
        resume: Some(dir.to_path_buf()),
        threads: 1,
        repair,
        ..Options::default()
    };
    let mut out = Vec::new();
    match game::run(
        &opts,
        &mut game::Piped(std::io::Cursor::new(Vec::new())),
        &mut out,
    ) {
        Ok(_) => Ok(String::from_utf8_lossy(&out).to_string()),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// A replay in-process: the error or mismatch, if it refused.
fn replay(dir: &Path) -> Result<(), String> {
    match game::replay::rebuild(dir, 1) {
        Err(e) => Err(format!("{e:#}")),
        Ok(r) => match r.mismatch {
            Some(m) => Err(m.to_string()),
            None => Ok(()),
        },
    }
}

/// Whether `msg` names log line `n` ("line 3", not "line 31").
fn names_line(msg: &str, n: usize) -> bool {
    let pat = format!("line {n}");
    msg.match_indices(&pat).any(|(i, _)| {
        !msg[i + pat.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

fn made() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    play(&dir, SCRIPT);
    (t, dir)
}

#[test]
fn editing_any_byte_of_any_line_is_refused_by_replay_and_resume_naming_the_line() {
    let (_t, dir) = made();
    let log = dir.join("log.jsonl");
    let original = std::fs::read(&log).unwrap();
    let seal = std::fs::read(dir.join("log.seal")).unwrap();
    assert!(replay(&dir).is_ok());
    assert!(original.len() > 2000, "a log with a closed turn");
    let mut line = 1;
    let mut checked = 0;
    for i in 0..original.len() {
        for edit in [original[i] ^ 0x01, original[i] ^ 0x20, b'\n'] {
            if edit == original[i] {
                continue;
            }
            let mut bytes = original.clone();
            bytes[i] = edit;
            std::fs::write(&log, &bytes).unwrap();
            let r = replay(&dir).expect_err(&format!("byte {i} edited: replay accepted"));
            let s = resume(&dir, false).expect_err(&format!("byte {i} edited: resume accepted"));
            for msg in [&r, &s] {
                assert!(
                    names_line(msg, line),
                    "byte {i} (line {line}) edited to {edit:#x}: {msg}"
                );
            }
            // A refused resume changed nothing.
            assert_eq!(std::fs::read(&log).unwrap(), bytes);
            assert_eq!(std::fs::read(dir.join("log.seal")).unwrap(), seal);
            checked += 1;
        }
        if original[i] == b'\n' {
            line += 1;
        }
    }
    std::fs::write(&log, &original).unwrap();
    assert!(replay(&dir).is_ok());
    assert!(checked >= 2 * original.len(), "{checked}");
}

#[test]
fn truncating_at_any_line_or_emptying_the_log_is_refused() {
    let (_t, dir) = made();
    let log = dir.join("log.jsonl");
    let original = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    for k in 0..lines.len() {
        let cut: String = lines[..k].iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&log, &cut).unwrap();
        for msg in [
            replay(&dir).expect_err("replay accepted a truncated log"),
            resume(&dir, false).expect_err("resume accepted a truncated log"),
            resume(&dir, true).expect_err("--repair accepted a truncated log"),
        ] {
            assert!(names_line(&msg, k + 1), "cut after line {k}: {msg}");
            if k == 0 {
                assert!(msg.contains("is empty"), "{msg}");
            }
        }
        // Cut in the middle of the last line too: damage, not a torn entry.
        if k > 0 {
            let mid = format!("{cut}{}", &lines[k][..lines[k].len() / 2]);
            std::fs::write(&log, mid).unwrap();
            let msg = resume(&dir, true).expect_err("--repair accepted a cut sealed line");
            assert!(names_line(&msg, k + 1), "{msg}");
        }
    }
    // The seal removed or edited.
    std::fs::write(&log, &original).unwrap();
    let seal = dir.join("log.seal");
    let text = std::fs::read_to_string(&seal).unwrap();
    std::fs::remove_file(&seal).unwrap();
    assert!(replay(&dir).unwrap_err().contains("log.seal: missing"));
    let n = lines.len();
    std::fs::write(
        &seal,
        text.replace(
            &format!("\"entries\":{n}"),
            &format!("\"entries\":{}", n + 1),
        ),
    )
    .unwrap();
    assert!(names_line(&resume(&dir, false).unwrap_err(), n + 1));
}

#[test]
fn a_torn_last_line_is_dropped_only_with_repair_and_the_repair_is_logged() {
    let (_t, dir) = made();
    let log = dir.join("log.jsonl");
    let sealed = std::fs::read_to_string(&log).unwrap();
    let n = sealed.lines().count();
    // A crash in the middle of writing the next entry.
    let torn = format!("{{\"seq\":{},\"turn\":2,\"ce", n + 1);
    std::fs::write(&log, format!("{sealed}{torn}")).unwrap();
    // Replay reads the committed entries and says what the tail is.
    let r = game::replay::rebuild(&dir, 1).unwrap();
    assert!(r.mismatch.is_none());
    assert_eq!(
        r.tail,
        game::seal::Tail::Torn {
            line: n + 1,
            bytes: torn.len()
        }
    );
    let msg = resume(&dir, false).expect_err("resumed over a torn entry without --repair");
    assert!(
        names_line(&msg, n + 1) && msg.contains("--repair") && msg.contains("torn"),
        "{msg}"
    );
    let out = resume(&dir, true).unwrap();
    assert!(out.contains("Log repaired"), "{out}");
    let after = std::fs::read_to_string(&log).unwrap();
    assert!(after.starts_with(&sealed));
    let last: serde_json::Value = serde_json::from_str(after.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "repair");
    assert_eq!(last["line"], n + 1);
    assert_eq!(last["bytes"], torn.len());
    assert_eq!(after.lines().count(), n + 1);
    assert!(replay(&dir).is_ok());
    assert!(
        std::fs::read_to_string(dir.join("transcript.txt"))
            .unwrap()
            .contains("Log repaired")
    );
}

#[test]
fn an_entry_written_but_not_sealed_when_the_process_died_is_kept_and_sealed() {
    let (_t, dir) = made();
    let log = dir.join("log.jsonl");
    let seal = std::fs::read(dir.join("log.seal")).unwrap();
    // The seal as it was before the last append.
    let t2 = tempfile::tempdir().unwrap();
    let short = t2.path().join("s");
    let fewer: String = SCRIPT.lines().take(4).map(|l| format!("{l}\n")).collect();
    play(&short, &fewer);
    std::fs::copy(short.join("log.seal"), dir.join("log.seal")).unwrap();
    let r = game::replay::rebuild(&dir, 1).unwrap();
    assert!(r.mismatch.is_none());
    let n = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(r.tail, game::seal::Tail::Unsealed { line: n });
    let out = resume(&dir, false).unwrap();
    assert!(out.contains("sealed now"), "{out}");
    assert_eq!(std::fs::read(dir.join("log.seal")).unwrap(), seal);
}

#[test]
fn a_first_format_session_without_a_seal_is_replayed_and_sealed_when_resumed() {
    let (_t, dir) = made();
    std::fs::remove_file(dir.join("log.seal")).unwrap();
    let m = dir.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replace("cohesion-game/3", "cohesion-game/1")).unwrap();
    let o = cohesion()
        .args(["replay", dir.to_str().unwrap()])
        .output()
        .unwrap();
    util::assert_ok(&o, &["replay", "a cohesion-game/1 session"]);
    assert!(stdout(&o).contains("no seal"), "{}", stdout(&o));
    let out = resume(&dir, false).unwrap();
    assert!(out.contains("sealed now"), "{out}");
    assert!(
        std::fs::read_to_string(&m)
            .unwrap()
            .contains("cohesion-game/3")
    );
    assert!(dir.join("log.seal").exists());
    assert!(replay(&dir).is_ok());
    // A newer format is refused with what to do.
    std::fs::write(&m, text.replace("cohesion-game/3", "cohesion-game/4")).unwrap();
    let e = replay(&dir).unwrap_err();
    assert!(
        e.contains("cohesion-game/4") && e.contains("newer cohesion"),
        "{e}"
    );
}

#[test]
fn a_second_format_session_replays_without_its_transcript_compared_and_is_upgraded_when_resumed() {
    // Sessions of cohesion-game/2 have the same sealed log, but their transcript has no
    // effect lines: replay proves the log and says why the transcript is not compared.
    let (_t, dir) = made();
    let m = dir.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replace("cohesion-game/3", "cohesion-game/2")).unwrap();
    let t = dir.join("transcript.txt");
    let old: String = std::fs::read_to_string(&t)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\u{2192}"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&t, old).unwrap();
    let o = cohesion()
        .args(["replay", dir.to_str().unwrap()])
        .output()
        .unwrap();
    util::assert_ok(&o, &["replay", "a cohesion-game/2 session"]);
    let said = stdout(&o);
    assert!(
        said.contains("cohesion-game/2")
            && said.contains("not compared")
            && said.contains("--resume"),
        "{said}"
    );
    let out = resume(&dir, false).unwrap();
    assert!(out.contains("cohesion-game/2"), "{out}");
    assert!(
        std::fs::read_to_string(&m)
            .unwrap()
            .contains("cohesion-game/3")
    );
    assert!(replay(&dir).is_ok());
    let o = cohesion()
        .args(["replay", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("transcript byte-identical"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn edited_truncated_and_torn_logs_through_the_binary() {
    let (_t, dir) = made();
    let d = dir.to_str().unwrap();
    let log = dir.join("log.jsonl");
    let original = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let n = lines.len();
    // The rationale of the last entry edited: once unnoticed by --resume.
    let last = lines[n - 1].replace("wait", "WAIT");
    assert_ne!(last, lines[n - 1]);
    let edited = format!("{}\n{last}\n", lines[..n - 1].join("\n"));
    // The log cut to its first lines, and emptied.
    let cut = format!("{}\n", lines[..2].join("\n"));
    for (text, line) in [(edited, n), (cut, 3), (String::new(), 1)] {
        std::fs::write(&log, &text).unwrap();
        let o = cohesion().args(["replay", d]).output().unwrap();
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2));
        assert!(stdout(&o).contains("MISMATCH"), "{}", stdout(&o));
        assert!(names_line(&stdout(&o), line), "{}", stdout(&o));
        let o = cohesion().args(["game", "--resume", d]).output().unwrap();
        assert_no_panic(&o);
        assert!(!o.status.success());
        assert!(names_line(&stderr(&o), line), "{}", stderr(&o));
        // Nothing was rewritten.
        assert_eq!(std::fs::read_to_string(&log).unwrap(), text);
    }
    // A torn last line: replay notes it and passes; resume needs --repair.
    std::fs::write(&log, format!("{original}{{\"seq\":")).unwrap();
    let o = cohesion().args(["replay", d]).output().unwrap();
    util::assert_ok(&o, &["replay", "torn"]);
    assert!(stdout(&o).contains("--repair"), "{}", stdout(&o));
    let o = cohesion().args(["game", "--resume", d]).output().unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--repair"), "{}", stderr(&o));
    let o = cohesion()
        .args(["game", "--resume", d, "--repair"])
        .output()
        .unwrap();
    util::assert_ok(&o, &["game", "--resume", "--repair"]);
    assert!(stdout(&o).contains("Log repaired"), "{}", stdout(&o));
    let o = cohesion().args(["replay", d]).output().unwrap();
    util::assert_ok(&o, &["replay", "after the repair"]);
}
