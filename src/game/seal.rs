//! The seal of a session log: what protects its last entry.
//!
//! Each log line carries the hash of the line before it, so an edit of any line but the last
//! breaks the chain at the next one. The last line, and a log cut short at a line boundary or
//! emptied, leave no broken link: the seal covers them. `log.seal` holds the log's format, the
//! number of entries, the hash of the last one and the log's length in bytes; it is replaced
//! whole (temporary file, fsync, rename, fsync of the folder) after every append, itself
//! fsynced first. So after a crash the log is in one of three states, told apart here:
//!
//! - **clean**: the seal describes the log exactly;
//! - **unsealed**: one complete entry more than the seal, chained to the sealed ones (the
//!   process stopped between writing the entry and its seal): the entry is intact, and a
//!   resumed session seals it;
//! - **torn**: a last line without its newline after the sealed entries (the process stopped
//!   while writing it): an entry that was never committed, dropped only when the user asks
//!   (`cohesion game --resume DIR --repair`), and the repair is logged.
//!
//! Anything else (a line edited, lines removed, the log emptied, the seal edited) is refused,
//! naming the line. The seal detects damage and accidents, not forgery: BLAKE3 is not keyed,
//! so whoever can write the folder can write a consistent log and seal (`docs/RELIABILITY.md`).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The file name of the seal, beside `log.jsonl`.
pub const FILE: &str = "log.seal";

/// The seal of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// The session format the log is written in (`cohesion-game/3`).
    pub format: String,
    /// Committed entries (lines).
    pub entries: u64,
    /// The 16-hex-digit BLAKE3 of the last committed line (`GENESIS` when there is none).
    pub last: String,
    /// The log's length in bytes when sealed.
    pub bytes: u64,
}

/// Replaces `dir/log.seal` with `seal`, durably: temporary file, fsync, rename, fsync of the
/// folder.
pub fn write(dir: &Path, seal: &Seal) -> Result<()> {
    let path = dir.join(FILE);
    let tmp = dir.join(format!(".{FILE}.tmp"));
    let text = serde_json::to_string(seal)? + "\n";
    let io = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        crate::kernel::fs::sync_dir(dir)
    };
    io().with_context(|| format!("cannot write {}", path.display()))
}

/// The seal in `dir`, or `None` when there is none.
pub fn read(dir: &Path) -> Result<Option<Seal>> {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|_| {
            anyhow::anyhow!(
                "{}: not a log seal (it was edited or damaged); the log's last entry cannot be checked",
                path.display()
            )
        }),
    }
}

/// What follows the committed entries of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Nothing: the log is exactly what was committed.
    Clean,
    /// One complete, chained entry more than the seal covers (line `line`).
    Unsealed { line: usize },
    /// A last line without its newline (line `line`, `bytes` long): never committed.
    Torn { line: usize, bytes: usize },
}

/// One line of a log as read: its text and, for chained entries, its `seq` and `prev`.
pub struct Line<'a> {
    pub text: &'a str,
    pub seq: u64,
    pub prev: &'a str,
    /// The turn the entry belongs to (for messages).
    pub turn: usize,
}

/// Checks a log's complete lines (parsed), its torn last line (if any) and its seal (`None`
/// for a log of the first format, which had none) against each other. `name` is how the log
/// is named in messages. Returns the number of committed lines and what follows them.
pub fn check(
    name: &str,
    lines: &[Line<'_>],
    torn: Option<&str>,
    seal: Option<&Seal>,
) -> Result<(usize, Tail), String> {
    // The chain: every line names the hash of the one before and its own position.
    let mut prev = super::session::GENESIS.to_string();
    for (i, l) in lines.iter().enumerate() {
        if l.prev != prev {
            return Err(if i == 0 {
                format!(
                    "{name} line 1 (turn {}) was edited (it does not start the hash chain)",
                    l.turn
                )
            } else {
                format!(
                    "{name} line {i} (turn {}) was edited, or lines were removed or reordered after it (the hash chain breaks at line {})",
                    lines[i - 1].turn,
                    i + 1
                )
            });
        }
        if l.seq != i as u64 + 1 {
            return Err(format!(
                "{name} line {} (turn {}): sequence number {} where {} was expected (the line was edited, or lines were removed or reordered)",
                i + 1,
                l.turn,
                l.seq,
                i + 1
            ));
        }
        prev = super::session::line_hash(l.text);
    }
    let k = lines.len();
    let torn_tail = |committed: usize| match torn {
        Some(t) => Tail::Torn {
            line: committed + 1,
            bytes: t.len(),
        },
        None => Tail::Clean,
    };
    let Some(seal) = seal else {
        // First format: no seal; a torn last line is still told apart.
        return Ok((k, torn_tail(k)));
    };
    let n = usize::try_from(seal.entries).unwrap_or(usize::MAX);
    let hash_of = |j: usize| {
        if j == 0 {
            super::session::GENESIS.to_string()
        } else {
            super::session::line_hash(lines[j - 1].text)
        }
    };
    let bytes_of = |j: usize| -> u64 { lines[..j].iter().map(|l| l.text.len() as u64 + 1).sum() };
    if k < n {
        let cut = if torn.is_some() {
            format!(
                "{name} line {} is cut short (no end of line) and the log ends there, but {} records {n} entries: the log was truncated or its last line edited",
                k + 1,
                FILE
            )
        } else if k == 0 {
            format!(
                "{name} is empty, but {FILE} records {n} entries: everything from line 1 on was removed"
            )
        } else {
            format!(
                "{name} ends after line {k}, but {FILE} records {n} entries: everything from line {} on was removed",
                k + 1
            )
        };
        return Err(cut);
    }
    if hash_of(n) != seal.last || bytes_of(n) != seal.bytes {
        return Err(if n == 0 {
            format!("{FILE} does not describe an empty log: it was edited")
        } else {
            format!(
                "{name} line {n} (turn {}, the last sealed entry) differs from the one recorded in {FILE}: the line was edited (or the seal was)",
                lines[n - 1].turn
            )
        });
    }
    match (k - n, torn) {
        (0, _) => Ok((k, torn_tail(k))),
        (1, None) => Ok((n, Tail::Unsealed { line: n + 1 })),
        (extra, _) => Err(format!(
            "{name} has {extra} line{} after the {n} entries {FILE} records (from line {}): lines were added",
            if extra == 1 { "" } else { "s" },
            n + 1
        )),
    }
}
