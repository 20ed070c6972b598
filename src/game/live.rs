//! A session being played: its directory (held by a lock), log, transcript and board, and the
//! game itself — what the terminal prompt and the web server (`cohesion serve`) both drive, so
//! a session started in one continues in the other and both write the same record.
//!
//! Opening replays the log (forecasts reused from it, as they never change the world), so a
//! resumed session is exactly where it stopped; [`Live::commit`] executes one entry, appends it
//! to the log (fsynced) and the transcript, and rewrites the board, in that order: an entry is
//! either on disk whole or not at all.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::board;
use super::play::{self, Game, Phase};
use super::replay;
use super::seal;
use super::session::{self, Body, Entry, Log, SessionDir, SessionLock, write_atomic};

/// An open session.
pub struct Live {
    pub game: Game,
    pub dir: PathBuf,
    sd: SessionDir,
    log: Log,
    transcript: std::fs::File,
    /// The transcript before the first entry (the header and the opening of turn 1).
    pub preamble: String,
    /// Every committed entry with its part of the transcript, in log order.
    pub entries: Vec<(Entry, String)>,
    /// What to tell the user on opening (a fresh session's transcript, or where a resumed
    /// one stands).
    pub greeting: String,
    _lock: SessionLock,
}

/// An entry just committed.
#[derive(Debug, Clone)]
pub struct Committed {
    pub entry: Entry,
    pub text: String,
    /// Files written beside the log for it (fan charts).
    pub files: Vec<PathBuf>,
}

impl Live {
    /// Opens a new, resumed or branched session as `opts` say (messages about creating it go to
    /// `out`).
    pub fn open(opts: &super::Options, out: &mut dyn Write) -> Result<Live> {
        let (dir, fresh) = super::open(opts, out)?;
        let sd = SessionDir::new(&dir);
        let lock = SessionLock::acquire(&sd)?;
        let r = replay::rebuild_with(&dir, true, opts.threads)?;
        if let Some(m) = &r.mismatch {
            bail!(
                "the session in {} does not replay ({m}); `cohesion replay {}` reports the details",
                dir.display(),
                dir.display()
            );
        }
        let mut greeting = String::new();
        let torn = match (&r.tail, &r.torn) {
            (seal::Tail::Torn { line, bytes }, Some(text)) => {
                if !opts.repair {
                    bail!(
                        "{} line {line} is a torn entry ({bytes} bytes) that a crash or a kill left unfinished: it was never committed; `cohesion game --resume {} --repair` drops it and records the repair in the log",
                        sd.log().display(),
                        dir.display()
                    );
                }
                Some(Body::Repair {
                    line: *line,
                    bytes: *bytes,
                    blake3: session::line_hash(text),
                })
            }
            _ => None,
        };
        if opts.repair && torn.is_none() {
            greeting.push_str("note: --repair: the log has no torn entry; nothing to repair\n");
        }
        if let seal::Tail::Unsealed { line } = r.tail {
            greeting.push_str(&format!(
                "note: log line {line} was written but not sealed when the session stopped; it replays, and is sealed now\n"
            ));
        }
        let upgrade = !r.sealed || r.manifest.format != session::FORMAT;
        let game = r.game;
        write_atomic(&sd.transcript(), r.transcript.as_bytes())?;
        let transcript = std::fs::OpenOptions::new()
            .append(true)
            .open(sd.transcript())?;
        // Cuts what follows the replayed entries and seals the log.
        let log = Log::open(&sd, &r.lines)?;
        if upgrade {
            let mut m = r.manifest.clone();
            m.format = session::FORMAT.into();
            write_atomic(
                &sd.manifest(),
                (serde_json::to_string_pretty(&m)? + "\n").as_bytes(),
            )?;
            greeting.push_str(&format!(
                "note: the session was in format {}; its log is sealed now ({})\n",
                r.manifest.format,
                session::FORMAT
            ));
        }
        write_atomic(&sd.board(), board::render(&game).as_bytes())?;
        if fresh {
            greeting.push_str(&r.transcript);
        } else {
            greeting.push_str(&format!(
                "Resumed session {} at turn {} ({} log entries).\n",
                dir.display(),
                game.turn().min(game.world.horizon()),
                r.lines.len()
            ));
            greeting.push_str(&game.sow_text());
            greeting.push_str(&game.opening_text_if_open());
            if let Some((m, _)) = &game.pending_blue {
                greeting.push_str(&format!("  Blue's move so far this turn: {}\n", m.label));
            }
            if game.phase == Phase::Adjudication {
                greeting.push_str(
                    "  The engine's proposal is under review: `override …` or `accept`.\n",
                );
            }
        }
        let body_len: usize = r.texts.iter().map(String::len).sum();
        let preamble = r.transcript[..r.transcript.len() - body_len].to_string();
        let entries = r.entries.into_iter().zip(r.texts).collect();
        let mut live = Live {
            game,
            dir,
            sd,
            log,
            transcript,
            preamble,
            entries,
            greeting,
            _lock: lock,
        };
        if let Some(body) = torn {
            let done = live.commit(body)?.map_err(anyhow::Error::msg)?;
            live.greeting.push_str(&done.text);
        }
        Ok(live)
    }

    /// Executes `body` and, when the game accepts it, logs it: `Ok(Err(message))` is a user
    /// error that changed nothing; `Err` is a failure to write the record.
    pub fn commit(&mut self, body: Body) -> Result<Result<Committed, String>> {
        let turn = self.game.turn();
        let (done, text) = match self.game.execute(body) {
            Ok(x) => x,
            Err(msg) => return Ok(Err(msg)),
        };
        let cell = play::cell_of(&done);
        let (entry, line) = self.log.entry_line(turn, cell, done)?;
        self.log.append(&line)?;
        self.transcript.write_all(text.as_bytes())?;
        self.transcript.flush()?;
        let mut files = Vec::new();
        for a in &self.game.artifacts {
            let p = self.dir.join(&a.name);
            write_atomic(&p, a.contents.as_bytes())?;
            files.push(p);
        }
        write_atomic(&self.sd.board(), board::render(&self.game).as_bytes())?;
        self.entries.push((entry.clone(), text.clone()));
        Ok(Ok(Committed { entry, text, files }))
    }

    /// Moves entered this turn but not yet adjudicated, as a sentence (None when there are none).
    pub fn uncommitted(&self) -> Option<String> {
        let g = &self.game;
        let mut what = Vec::new();
        if let Some((m, _)) = &g.pending_blue {
            what.push(format!("Blue's move ({})", m.label));
        }
        if g.pending_red.is_some() {
            what.push("Red's move".to_string());
        }
        if g.phase == Phase::Adjudication {
            what.push("the adjudication under review".to_string());
        }
        (!what.is_empty()).then(|| {
            format!(
                "{} for turn {} {} not committed: the turn is still open",
                what.join(" and "),
                g.turn(),
                if what.len() > 1 { "are" } else { "is" }
            )
        })
    }
}
