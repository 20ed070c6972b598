//! Replay: rebuild a session from its scenario, seed and log, and check it.
//!
//! Every log line is executed again from its inputs; what the engine computes (adjudications,
//! forecasts, the state digest of every turn) must give back the logged line byte for byte,
//! and each line's `prev` must be the hash of the line before. The rebuilt transcript must be
//! byte-identical to `transcript.txt`. The first difference is reported with its turn: a log
//! that was edited, or that does not match its scenario (a changed scenario file, another
//! version of the model), is named as such. Resume uses the same rebuild.

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use super::play::Game;
use super::session::{Body, Entry, LogRead, Manifest, SessionDir, line_hash};
use crate::scenario::Scenario;

/// The first difference a replay found.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The turn of the first entry that differs.
    pub turn: usize,
    /// 1-based line of the log.
    pub line: usize,
    pub what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "first difference at turn {} (log line {}): {}",
            self.turn, self.line, self.what
        )
    }
}

/// A session rebuilt from its log.
pub struct Rebuilt {
    pub game: Game,
    pub manifest: Manifest,
    /// The transcript the log produces.
    pub transcript: String,
    /// Each replayed entry's part of the transcript, in log order.
    pub texts: Vec<String>,
    /// The log lines replayed (all of them unless a mismatch stopped the replay).
    pub lines: Vec<String>,
    pub entries: Vec<Entry>,
    pub mismatch: Option<Mismatch>,
    /// What follows the sealed entries of the log (an unsealed entry, replayed; a torn one,
    /// not replayed).
    pub tail: super::seal::Tail,
    /// A torn last line (an entry cut by a kill; not replayed).
    pub torn: Option<String>,
    /// Whether the log has a seal (sessions of the first format have none).
    pub sealed: bool,
    /// Scenario files whose BLAKE3 differs from the manifest's.
    pub changed_files: Vec<String>,
}

/// Loads the scenario a manifest names.
pub fn load_scenario(m: &Manifest) -> Result<Scenario> {
    let origin = crate::scenario::resolve(&m.scenario).map_err(|e| anyhow!(e))?;
    crate::model::load_scenario(origin)
        .map_err(|issues| anyhow!("invalid scenario `{}`: {issues}", m.scenario))
}

/// Rebuilds the session in `dir`, executing every log line and checking it (forecasts
/// included: they are recomputed and must match the log).
/// Forecasts run on `threads` worker threads (the results do not depend on it).
pub fn rebuild(dir: &Path, threads: usize) -> Result<Rebuilt> {
    rebuild_with(dir, false, threads)
}

/// As [`rebuild`]; with `reuse_forecasts`, forecasts take their logged results instead of
/// being recomputed (they never change the world): how `--resume` restarts quickly.
pub fn rebuild_with(dir: &Path, reuse_forecasts: bool, threads: usize) -> Result<Rebuilt> {
    let sd = SessionDir::new(dir);
    let manifest = sd.read_manifest()?;
    // The log first: a damaged one is refused before any work.
    let log: LogRead = sd.read_log()?;
    let sc = load_scenario(&manifest)?;
    let changed_files: Vec<String> = sc
        .files
        .iter()
        .filter(|f| !manifest.scenario_hashes.iter().any(|(_, h)| *h == f.blake3))
        .map(|f| f.origin.display())
        .collect();
    let mut game = Game::new(&sc, manifest.clone(), threads)?;
    game.reuse_forecasts = reuse_forecasts;
    let mut transcript = game.header_text();
    transcript.push_str(&game.opening_text());
    let mut texts = Vec::new();
    let mut mismatch = None;
    let mut prev = super::session::GENESIS.to_string();
    let mut done = 0;
    for (i, (e, line)) in log.entries.iter().zip(&log.lines).enumerate() {
        let at = |what: String| Mismatch {
            turn: e.turn,
            line: i + 1,
            what,
        };
        if e.prev != prev {
            // The line before was edited (its hash no longer matches), or lines were removed
            // or reordered here.
            let (turn, line) = match i.checked_sub(1) {
                Some(j) => (log.entries[j].turn, j + 1),
                None => (e.turn, 1),
            };
            mismatch = Some(Mismatch {
                turn,
                line,
                what: format!(
                    "log line {line} was edited, or lines were removed or reordered after it (the hash chain breaks at line {})",
                    i + 1
                ),
            });
            break;
        }
        if e.seq != i as u64 + 1 {
            mismatch = Some(at(format!(
                "sequence number {} where {} was expected (lines removed or reordered)",
                e.seq,
                i + 1
            )));
            break;
        }
        if let Body::Branch { .. } = e.body {
            // A branch marker is the first entry of the branch's own lines; nothing to check
            // beyond the chain.
        }
        let expected_turn = game.turn();
        let body = match &e.body {
            Body::Forecast { .. } | Body::Compare { .. } if reuse_forecasts => e.body.clone(),
            b => b.inputs(),
        };
        let r = game.execute(body);
        let (body, text) = match r {
            Ok(x) => x,
            Err(msg) => {
                mismatch = Some(at(format!(
                    "the {} entry cannot be executed ({msg}): the log was edited or does not match its scenario",
                    e.body.kind()
                )));
                break;
            }
        };
        let again = Entry {
            seq: e.seq,
            turn: expected_turn,
            cell: e.cell.clone(),
            body,
            prev: e.prev.clone(),
        };
        let again_line = serde_json::to_string(&again)?;
        if again_line != *line {
            mismatch = Some(at(describe_difference(e, &again)));
            break;
        }
        transcript.push_str(&text);
        texts.push(text);
        prev = line_hash(line);
        done = i + 1;
    }
    game.reuse_forecasts = false;
    Ok(Rebuilt {
        game,
        manifest,
        transcript,
        texts,
        lines: log.lines[..done].to_vec(),
        entries: log.entries[..done].to_vec(),
        mismatch,
        tail: log.tail,
        torn: log.torn,
        sealed: log.sealed,
        changed_files,
    })
}

fn describe_difference(logged: &Entry, again: &Entry) -> String {
    if logged.turn != again.turn {
        return format!(
            "the entry is marked turn {} but the session was at turn {} (the log was edited)",
            logged.turn, again.turn
        );
    }
    if logged.cell != again.cell {
        return format!("the entry's cell `{}` was changed", logged.cell);
    }
    match (&logged.body, &again.body) {
        (
            Body::Turn {
                report: Some(a), ..
            },
            Body::Turn {
                report: Some(b), ..
            },
        ) => {
            if a.digest != b.digest {
                format!(
                    "the state after the turn differs from the log (digest {} logged, {} replayed): the log was edited or does not match its scenario",
                    a.digest, b.digest
                )
            } else {
                "the turn's logged events or outcomes differ from the replay (the log was edited)"
                    .into()
            }
        }
        (Body::Proposed { .. }, _) => {
            "the engine's proposed adjudication differs from the log (the log was edited or does not match its scenario)".into()
        }
        (Body::Forecast { .. }, _) | (Body::Compare { .. }, _) => {
            "a forecast differs from the one shown (the log was edited or does not match its scenario)".into()
        }
        _ => format!(
            "the {} entry differs from its replay (the log was edited)",
            logged.body.kind()
        ),
    }
}

/// The first line where two texts differ (1-based), if any.
pub fn first_line_difference(a: &str, b: &str) -> Option<(usize, String, String)> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('\n').collect(), b.split('\n').collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).copied(), lb.get(i).copied());
        if x != y {
            return Some((
                i + 1,
                x.unwrap_or("<end>").to_string(),
                y.unwrap_or("<end>").to_string(),
            ));
        }
    }
    None
}

/// The turn a transcript line belongs to (the last "Turn N" heading before it).
fn transcript_turn(text: &str, line: usize) -> usize {
    let mut turn = 0;
    for l in text.split('\n').take(line) {
        if let Some(rest) = l.strip_prefix("══ Turn ") {
            turn = rest
                .split_whitespace()
                .next()
                .and_then(|x| x.parse().ok())
                .unwrap_or(turn);
        }
    }
    turn
}

/// `cohesion replay DIR`: rebuilds and checks; prints a report; exit code 0 when it matches.
pub fn run(dir: &Path, threads: usize, out: &mut dyn std::io::Write) -> Result<i32> {
    let sd = SessionDir::new(dir);
    sd.read_manifest()?;
    // A log that fails its chain or seal does not match the session it claims to be.
    if let Err(e) = sd.read_log() {
        writeln!(out, "MISMATCH: {e:#}")?;
        return Ok(2);
    }
    let r = rebuild(dir, threads)?;
    let turns = r
        .entries
        .iter()
        .filter(|e| matches!(e.body, Body::Turn { .. }))
        .count();
    writeln!(
        out,
        "Replaying {} (scenario `{}`, seed {}): {} log entries, {} turns",
        dir.display(),
        r.manifest.scenario_name,
        r.manifest.seed,
        r.lines.len(),
        turns
    )?;
    for f in &r.changed_files {
        writeln!(
            out,
            "warning: scenario file {f} differs from the one the session was played with (BLAKE3 changed)"
        )?;
    }
    match &r.tail {
        super::seal::Tail::Clean => {}
        super::seal::Tail::Unsealed { line } => writeln!(
            out,
            "note: log line {line} was written but not yet sealed when the session stopped; it is replayed, and sealed when the session is resumed"
        )?,
        super::seal::Tail::Torn { line, bytes } => writeln!(
            out,
            "note: log line {line} is a torn, uncommitted entry ({bytes} bytes) left by a crash; replay ignores it, and `cohesion game --resume {} --repair` drops it",
            dir.display()
        )?,
    }
    if !r.sealed {
        writeln!(
            out,
            "note: this session was written in format {} (no seal): an edit of its last entry, or a cut at a line boundary, cannot be detected; resuming it seals it",
            super::session::FORMAT_1
        )?;
    }
    let mut ok = true;
    if let Some(m) = &r.mismatch {
        writeln!(out, "MISMATCH: {m}")?;
        if !r.changed_files.is_empty() {
            writeln!(
                out,
                "  the log does not match its scenario: the scenario changed since the session was played"
            )?;
        }
        ok = false;
    } else {
        let logged = std::fs::read_to_string(sd.transcript())
            .with_context(|| format!("cannot read {}", sd.transcript().display()))?;
        let format = r.manifest.format.as_str();
        if format != super::session::FORMAT {
            // The log and its state are proven; the older transcript lacks the effect lines
            // this version writes, so a byte comparison would fail on lines that never existed.
            writeln!(
                out,
                "OK: the same state at every turn ({turns} turns), every adjudication and forecast reproduced\nnote: transcript.txt was written in format {format}, before the effects of injects and moves were shown ({}): it is not compared byte for byte; `cohesion game --resume {}` rewrites it",
                super::session::FORMAT,
                dir.display()
            )?;
            return Ok(0);
        }
        match first_line_difference(&logged, &r.transcript) {
            None => writeln!(
                out,
                "OK: the same state at every turn ({} turns), every adjudication and forecast reproduced, transcript byte-identical ({} bytes)",
                turns,
                r.transcript.len()
            )?,
            Some((line, a, b)) => {
                ok = false;
                writeln!(
                    out,
                    "MISMATCH: transcript.txt differs from the replay at line {line} (turn {}):\n  recorded: {a}\n  replayed: {b}",
                    transcript_turn(&r.transcript, line)
                )?;
            }
        }
    }
    Ok(if ok { 0 } else { 2 })
}
