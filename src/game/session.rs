//! The session directory: manifest, append-only log, transcript; creating, resuming and
//! branching a session.
//!
//! ```text
//! DIR/manifest.json     what the session is: scenario (path, BLAKE3), seed, Red cell, mode, parent
//! DIR/log.jsonl         one JSON object per line, appended and fsynced as each is committed
//! DIR/log.seal          the log's format, entry count, last hash and length (`seal`)
//! DIR/transcript.txt    the session's record as text (rebuilt from the log on resume)
//! DIR/board.html        the projector page, rewritten after each turn
//! DIR/forecast-*.svg    a fan chart per forecast
//! ```
//!
//! Each log line carries its sequence number, the turn it belongs to, the cell that made it
//! and `prev`, the BLAKE3 of the previous line: an edited, removed or reordered line breaks
//! the chain at the first line that differs; the seal, rewritten after every append, covers
//! the last line and the length of the log (see [`super::seal`]). A process killed while
//! writing leaves at most a torn last line without its newline: an uncommitted entry, dropped
//! by `--resume --repair`, which logs the repair.
//!
//! Formats: `cohesion-game/3` (this version) seals its log and its transcript shows the effect
//! of every inject and move as it is entered; `cohesion-game/2` sessions have the same log and
//! seal but a transcript without those effect lines (replayed, the transcript not compared byte
//! for byte); `cohesion-game/1` sessions have no seal and are read as they are (their last entry
//! is unprotected). Resuming an older session rewrites its transcript, seals its log and makes it
//! a `cohesion-game/3` session.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::adapter::{InjectSpec, TurnReport};
use super::adjudication::Mode;
use super::forecast::{CompareSummary, ForecastSummary};

/// The file format version written in manifests (and in the log's seal).
pub const FORMAT: &str = "cohesion-game/3";
/// The second format: a sealed log whose transcript has no effect lines (read; its transcript
/// is rewritten when resumed).
pub const FORMAT_2: &str = "cohesion-game/2";
/// The first format: a log without a seal (read, and sealed when resumed).
pub const FORMAT_1: &str = "cohesion-game/1";
/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000";

/// What the session is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub cohesion_version: String,
    /// The scenario as given: a built-in name or a file path (absolute).
    pub scenario: String,
    pub scenario_name: String,
    /// BLAKE3 of every scenario file, in load order.
    pub scenario_hashes: Vec<(String, String)>,
    pub seed: u64,
    /// `human` or `model`.
    pub red: String,
    /// Adjudication mode at the start (White may change it during the session).
    pub mode: Mode,
    pub created: String,
    /// For a what-if branch: the parent session and the last turn shared with it.
    pub parent: Option<String>,
    pub from_turn: Option<usize>,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// The turn this entry belongs to (the turn being played; 0 = before turn 1).
    pub turn: usize,
    /// `blue`, `red`, `white` or `engine`.
    pub cell: String,
    #[serde(flatten)]
    pub body: Body,
    /// BLAKE3 (16 hex digits) of the previous line.
    pub prev: String,
}

/// A move expressed as its full lever set, with the words the cell used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveRec {
    /// What the cell typed (`label-hostile posture=0.8`).
    pub label: String,
    /// Every lever's value.
    pub levers: Vec<(String, String)>,
}

/// What a log line records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// Blue sets its levers for the turn.
    Blue { mv: MoveRec, rationale: String },
    /// A human Red cell chooses the adversary's moves (every other move: not made).
    Red {
        moves: Vec<(String, String)>,
        rationale: String,
    },
    /// White adds an in-stride inject to the MSEL.
    Inject {
        id: usize,
        inject: InjectSpec,
        rationale: String,
    },
    /// White takes an MSEL inject off the list.
    Skip { id: usize, rationale: String },
    /// White moves an MSEL inject to a later turn.
    Delay {
        id: usize,
        to: usize,
        rationale: String,
    },
    /// White changes the adjudication mode.
    Mode { mode: Mode, rationale: String },
    /// A forecast shown to a cell.
    Forecast {
        /// The cell that asked (blue when not said).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        mv: MoveRec,
        n: usize,
        until: usize,
        result: Option<ForecastSummary>,
    },
    /// Two moves compared on common random numbers.
    Compare {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        a: MoveRec,
        b: MoveRec,
        n: usize,
        until: usize,
        result: Option<CompareSummary>,
    },
    /// The moves are closed; the engine's proposed adjudication (semi-rigid and free modes).
    Proposed {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        rationale: String,
        report: Option<TurnReport>,
    },
    /// White overrides (or, in free mode, sets) an outcome.
    Override {
        outcome: String,
        value: String,
        reason: String,
    },
    /// White sends the moves back to the cells: the proposal and its overrides are dropped.
    Reopen { rationale: String },
    /// The turn is adjudicated and closed.
    Turn {
        mv: MoveRec,
        forced: Vec<(String, String)>,
        rationale: String,
        report: Option<TurnReport>,
    },
    /// This session branches from a parent at the end of turn `from_turn`.
    Branch { parent: String, from_turn: usize },
    /// `--resume --repair` dropped an uncommitted entry that a crash left torn at the end of
    /// the log: its line number, length and 16-hex-digit BLAKE3.
    Repair {
        line: usize,
        bytes: usize,
        blake3: String,
    },
    /// A message from one cell to another (a cell and White, or a cell to all players); with
    /// `rfi`, a request for information to White; with `reply_to`, the answer to entry `seq`.
    Message {
        from: String,
        to: String,
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        rfi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<u64>,
    },
    /// A cell shares its forecast or comparison (the log entry `forecast`) with `with`: a
    /// cell or `all` (until then it is the asking cell's and White's alone).
    Share {
        by: String,
        forecast: u64,
        with: String,
    },
    /// White's turn timer: `start` (`seconds` long), `pause`, `resume`, `stop`; `at_ms` is the
    /// wall-clock time it was given (milliseconds since 1970), so pages can count down.
    Timer {
        action: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        seconds: u64,
        at_ms: u64,
    },
    /// White chooses what the projector page shows (`show`) and how the map is coloured.
    Projector { show: Vec<String>, colour: String },
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

impl Body {
    /// The same entry without what the engine computed (what a replay recomputes).
    pub fn inputs(&self) -> Body {
        let mut b = self.clone();
        match &mut b {
            Body::Forecast { result, .. } => *result = None,
            Body::Compare { result, .. } => *result = None,
            Body::Proposed { report, .. } => *report = None,
            Body::Turn { report, .. } => *report = None,
            _ => {}
        }
        b
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Body::Blue { .. } => "blue",
            Body::Red { .. } => "red",
            Body::Inject { .. } => "inject",
            Body::Skip { .. } => "skip",
            Body::Delay { .. } => "delay",
            Body::Mode { .. } => "mode",
            Body::Forecast { .. } => "forecast",
            Body::Compare { .. } => "compare",
            Body::Proposed { .. } => "proposed",
            Body::Override { .. } => "override",
            Body::Reopen { .. } => "reopen",
            Body::Turn { .. } => "turn",
            Body::Branch { .. } => "branch",
            Body::Repair { .. } => "repair",
            Body::Message { .. } => "message",
            Body::Share { .. } => "share",
            Body::Timer { .. } => "timer",
            Body::Projector { .. } => "projector",
        }
    }
}

/// The 16-hex-digit BLAKE3 of a log line (without its newline).
pub fn line_hash(line: &str) -> String {
    blake3::hash(line.as_bytes()).to_hex()[..16].to_string()
}

/// The session directory's files.
#[derive(Debug, Clone)]
pub struct SessionDir {
    pub dir: PathBuf,
}

impl SessionDir {
    pub fn new(dir: &Path) -> Self {
        SessionDir {
            dir: dir.to_path_buf(),
        }
    }
    pub fn manifest(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }
    pub fn log(&self) -> PathBuf {
        self.dir.join("log.jsonl")
    }
    pub fn transcript(&self) -> PathBuf {
        self.dir.join("transcript.txt")
    }
    pub fn board(&self) -> PathBuf {
        self.dir.join("board.html")
    }

    /// Creates the directory with its manifest and the given first log lines, atomically (it
    /// appears whole or not at all). Refuses an existing directory.
    pub fn create(dir: &Path, manifest: &Manifest, lines: &[String]) -> Result<SessionDir> {
        if dir.exists() {
            bail!(
                "session directory {} already exists; continue it with --resume {}, or choose another --session",
                dir.display(),
                dir.display()
            );
        }
        let out = crate::output::OutputDir::create(dir, false)?;
        let m = serde_json::to_string_pretty(manifest)? + "\n";
        std::fs::write(out.file("manifest.json"), m)?;
        let mut log = String::new();
        for l in lines {
            log.push_str(l);
            log.push('\n');
        }
        std::fs::write(out.file("log.jsonl"), &log)?;
        super::seal::write(
            out.path(),
            &super::seal::Seal {
                format: manifest.format.clone(),
                entries: lines.len() as u64,
                last: lines.last().map_or(GENESIS.to_string(), |l| line_hash(l)),
                bytes: log.len() as u64,
            },
        )?;
        std::fs::write(out.file("transcript.txt"), "")?;
        out.commit()?;
        Ok(SessionDir::new(dir))
    }

    pub fn read_manifest(&self) -> Result<Manifest> {
        let p = self.manifest();
        let text = std::fs::read_to_string(&p).with_context(|| {
            format!(
                "{} is not a session directory (no manifest.json)",
                self.dir.display()
            )
        })?;
        let m: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a valid session manifest", p.display()))?;
        if m.format != FORMAT && m.format != FORMAT_2 && m.format != FORMAT_1 {
            let newer = m
                .format
                .strip_prefix("cohesion-game/")
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v > 3);
            if newer {
                bail!(
                    "{}: format `{}` was written by a newer cohesion; this version reads {FORMAT}, {FORMAT_2} and {FORMAT_1}: play, replay or debrief it with a newer cohesion",
                    p.display(),
                    m.format
                );
            }
            bail!(
                "{}: format `{}` is not a session format; this version reads {FORMAT}, {FORMAT_2} and {FORMAT_1}",
                p.display(),
                crate::kernel::text::shown(&m.format)
            );
        }
        Ok(m)
    }

    /// Reads and checks the log against its hash chain and its seal (none in the first
    /// format): its committed entries with their raw lines, and what follows them (an
    /// unsealed or a torn last entry left by a crash). A damaged log (a line edited, removed
    /// or added, the log emptied, the seal missing or edited) is an error naming the line.
    pub fn read_log(&self) -> Result<LogRead> {
        let p = self.log();
        let format = self.read_manifest()?.format;
        let bytes = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let complete = text.is_empty() || text.ends_with('\n');
        let mut parts: Vec<&str> = text.split_terminator('\n').collect();
        let torn = if complete { None } else { parts.pop() };
        let name = p.display().to_string();
        let mut entries = Vec::with_capacity(parts.len());
        for (i, line) in parts.iter().enumerate() {
            match serde_json::from_str::<Entry>(line) {
                Ok(e) => entries.push(e),
                Err(e) => bail!(
                    "{name} line {}: not a log entry ({e}); the log was edited or damaged",
                    i + 1
                ),
            }
        }
        let seal = super::seal::read(&self.dir)?;
        if seal.is_none() && format != FORMAT_1 {
            bail!(
                "{}: missing; the log's last entry cannot be checked (the seal was removed)",
                self.dir.join(super::seal::FILE).display()
            );
        }
        let chained: Vec<super::seal::Line<'_>> = parts
            .iter()
            .zip(&entries)
            .map(|(t, e)| super::seal::Line {
                text: t,
                seq: e.seq,
                prev: &e.prev,
                turn: e.turn,
            })
            .collect();
        let (committed, tail) =
            super::seal::check(&name, &chained, torn, seal.as_ref()).map_err(anyhow::Error::msg)?;
        // An unsealed entry is intact and chained: it is read (and sealed when resumed).
        let keep = match tail {
            super::seal::Tail::Unsealed { .. } => committed + 1,
            _ => committed,
        };
        entries.truncate(keep);
        Ok(LogRead {
            entries,
            lines: parts[..keep].iter().map(|s| s.to_string()).collect(),
            tail,
            torn: torn.map(str::to_string),
            sealed: seal.is_some(),
        })
    }
}

/// What [`SessionDir::read_log`] found.
#[derive(Debug)]
pub struct LogRead {
    /// The entries read: every complete, chained line (the sealed ones and an unsealed last
    /// one), with their raw lines.
    pub entries: Vec<Entry>,
    pub lines: Vec<String>,
    /// What follows the sealed entries.
    pub tail: super::seal::Tail,
    /// A last line without its newline (an uncommitted entry cut by a kill), as read.
    pub torn: Option<String>,
    /// Whether the log has a seal (not in the first format).
    pub sealed: bool,
}

/// The append-only log of a running session, sealed after every append.
pub struct Log {
    file: std::fs::File,
    path: PathBuf,
    dir: PathBuf,
    pub seq: u64,
    pub prev: String,
    /// The log's committed length in bytes.
    bytes: u64,
}

impl Log {
    /// Opens the log for appending after `lines` (the committed lines it holds): anything
    /// after them (a torn or unsealed last entry; the caller decided what to do with it) is
    /// cut, and the log is sealed as it is, in this version's format.
    pub fn open(sd: &SessionDir, lines: &[String]) -> Result<Log> {
        let path = sd.log();
        let mut keep = 0u64;
        for l in lines {
            keep += l.len() as u64 + 1;
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if file.metadata()?.len() != keep {
            file.set_len(keep)?;
            file.sync_all()?;
        }
        let mut file = file;
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(0))?;
        let log = Log {
            file,
            path,
            dir: sd.dir.clone(),
            seq: lines.len() as u64,
            prev: lines.last().map_or(GENESIS.to_string(), |l| line_hash(l)),
            bytes: keep,
        };
        log.seal()?;
        Ok(log)
    }

    /// Writes the seal of the log as it stands.
    fn seal(&self) -> Result<()> {
        super::seal::write(
            &self.dir,
            &super::seal::Seal {
                format: FORMAT.to_string(),
                entries: self.seq,
                last: self.prev.clone(),
                bytes: self.bytes,
            },
        )
    }

    /// Serialises the next entry (without writing it).
    pub fn entry_line(&self, turn: usize, cell: &str, body: Body) -> Result<(Entry, String)> {
        let e = Entry {
            seq: self.seq + 1,
            turn,
            cell: cell.to_string(),
            body,
            prev: self.prev.clone(),
        };
        let line = serde_json::to_string(&e)?;
        Ok((e, line))
    }

    /// Appends one line and forces it to disk, then seals the log, before returning.
    pub fn append(&mut self, line: &str) -> Result<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.file
            .write_all(&buf)
            .and_then(|_| self.file.sync_data())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.seq += 1;
        self.prev = line_hash(line);
        self.bytes += buf.len() as u64;
        self.seal()
    }
}

/// Exclusive use of a session directory by one process: `DIR/.lock` holds its id. A lock
/// left by a process that no longer runs (killed) is taken over.
pub struct SessionLock {
    path: PathBuf,
}

impl SessionLock {
    pub fn acquire(sd: &SessionDir) -> Result<SessionLock> {
        let path = sd.dir.join(".lock");
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    f.write_all(std::process::id().to_string().as_bytes())?;
                    return Ok(SessionLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = pid.trim();
                    let alive = !pid.is_empty()
                        && pid != std::process::id().to_string()
                        && Path::new("/proc").join(pid).exists();
                    if alive {
                        bail!(
                            "session {} is in use by process {pid}; one process at a time plays a session",
                            sd.dir.display()
                        );
                    }
                    // Stale: its process was killed. Take it over.
                    std::fs::remove_file(&path).ok();
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
        bail!("cannot lock {}", path.display())
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

/// Writes a file atomically: a temporary file beside it, flushed, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_data()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The current time, RFC 3339 (UTC), for manifests.
pub fn now() -> String {
    crate::kernel::time::now_rfc3339()
}

/// The lines of `parent`'s log that a branch from the end of turn `from` shares: every
/// line up to and including the `turn` entry that closed turn `from`.
pub fn shared_prefix(parent: &LogRead, from: usize) -> Result<Vec<String>> {
    if from == 0 {
        return Ok(Vec::new());
    }
    let Some(end) = parent
        .entries
        .iter()
        .position(|e| matches!(e.body, Body::Turn { .. }) && e.turn == from)
    else {
        let played = parent
            .entries
            .iter()
            .filter(|e| matches!(e.body, Body::Turn { .. }))
            .count();
        bail!(
            "--from-turn {from}: the parent session has played {played} turn(s); allowed: 0 to {played}"
        );
    };
    Ok(parent.lines[..=end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            cohesion_version: "test".into(),
            scenario: "x".into(),
            scenario_name: "x".into(),
            scenario_hashes: Vec::new(),
            seed: 1,
            red: "model".into(),
            mode: Mode::Rigid,
            created: now(),
            parent: None,
            from_turn: None,
        }
    }

    fn body(r: &str) -> Body {
        Body::Skip {
            id: 1,
            rationale: r.into(),
        }
    }

    #[test]
    fn the_log_is_chained_fsynced_and_a_torn_line_is_dropped() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("s");
        let sd = SessionDir::create(&dir, &manifest(), &[]).unwrap();
        assert!(SessionDir::create(&dir, &manifest(), &[]).is_err());
        let mut log = Log::open(&sd, &[]).unwrap();
        for r in ["a", "b"] {
            let (_, line) = log.entry_line(1, "white", body(r)).unwrap();
            log.append(&line).unwrap();
        }
        drop(log);
        let read = sd.read_log().unwrap();
        assert_eq!(read.entries.len(), 2);
        assert_eq!(read.entries[0].prev, GENESIS);
        assert_eq!(read.entries[1].prev, line_hash(&read.lines[0]));
        assert_eq!(read.entries[1].seq, 2);
        // A kill while writing leaves a torn last line: reported, then cut on reopening.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(sd.log())
            .unwrap();
        f.write_all(b"{\"seq\":3,\"tu").unwrap();
        drop(f);
        let read = sd.read_log().unwrap();
        assert_eq!(read.entries.len(), 2);
        assert!(read.torn.is_some());
        assert_eq!(
            read.tail,
            super::super::seal::Tail::Torn { line: 3, bytes: 12 }
        );
        let mut log = Log::open(&sd, &read.lines).unwrap();
        let (_, line) = log.entry_line(1, "white", body("c")).unwrap();
        log.append(&line).unwrap();
        let read = sd.read_log().unwrap();
        assert_eq!(read.entries.len(), 3);
        assert!(read.torn.is_none());
        // A damaged line in the middle is an error that names it.
        let text = std::fs::read_to_string(sd.log()).unwrap();
        let damaged = text.replacen("\"kind\":\"skip\"", "\"kind\":\"sk", 1);
        std::fs::write(sd.log(), damaged).unwrap();
        let e = sd.read_log().unwrap_err().to_string();
        assert!(
            e.contains("line 1") && e.contains("edited or damaged"),
            "{e}"
        );
    }

    #[test]
    fn inputs_strip_what_the_engine_computed() {
        let b = Body::Proposed {
            rationale: String::new(),
            report: None,
        };
        assert_eq!(b.inputs(), b);
        let s = serde_json::to_string(&body("x")).unwrap();
        assert!(s.contains("\"kind\":\"skip\""));
    }
}
