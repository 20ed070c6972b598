//! Wargame sessions: `cohesion game`, `cohesion replay`, `cohesion debrief`.
//!
//! A session is played in turns by cells — Blue (NATO), Red (Russia: a human cell or the
//! model's adversary) and White (control and umpire) — on the alliance model. Each turn opens
//! with the state of the world and the MSEL injects due; cells submit moves (with rationales),
//! may ask for forecasts and comparisons; White manages the MSEL (in-stride injects, skips,
//! delays) and adjudicates (rigid, semi-rigid, free); a state-of-the-world summary closes the
//! turn. Everything is an entry of an append-only, fsynced, hash-chained log, so a session can
//! be resumed after a crash, replayed and checked, branched from any turn, and debriefed.
//!
//! Modules: [`adapter`] (the only one that knows the alliance model's internals), [`session`]
//! (directory, manifest, log), [`seal`] (what protects the log's last entry), [`prompt`]
//! (commands), [`play`] (the state machine), [`msel`] (White's MSEL edits), [`adjudication`]
//! (modes, overrides, closing a turn), [`forecast`] (summaries, comparisons, fan charts),
//! [`board`], [`replay`], [`debrief`].

pub mod adapter;
pub mod adjudication;
pub mod board;
pub mod debrief;
pub mod forecast;
pub mod msel;
pub mod play;
pub mod prompt;
pub mod replay;
pub mod seal;
pub mod session;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use adjudication::Mode;
use play::{Game, Phase};
use prompt::{Action, Input};
use session::{Body, Log, Manifest, SessionDir, write_atomic};

/// How `cohesion game` was asked to start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub session: Option<PathBuf>,
    pub resume: Option<PathBuf>,
    pub branch: Option<PathBuf>,
    pub from_turn: Option<usize>,
    /// `human` or `model`.
    pub red: Option<String>,
    pub mode: Option<String>,
    /// Worker threads for forecasts and comparisons (results do not depend on it).
    pub threads: usize,
    /// With `resume`: drop an uncommitted entry that a crash left torn at the end of the log
    /// (and log the repair).
    pub repair: bool,
}

/// Starts (new, resumed or branched) and plays a session from `input`, printing to `out`.
/// Returns the exit code.
pub fn run<R: BufRead>(opts: &Options, input: &mut R, out: &mut dyn Write) -> Result<i32> {
    let (dir, fresh) = open(opts, out)?;
    let sd = SessionDir::new(&dir);
    let _lock = session::SessionLock::acquire(&sd)?;
    let r = replay::rebuild_with(&dir, true, opts.threads)?;
    if let Some(m) = &r.mismatch {
        bail!(
            "the session in {} does not replay ({m}); `cohesion replay {}` reports the details",
            dir.display(),
            dir.display()
        );
    }
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
        writeln!(
            out,
            "note: --repair: the log has no torn entry; nothing to repair"
        )?;
    }
    if let seal::Tail::Unsealed { line } = r.tail {
        writeln!(
            out,
            "note: log line {line} was written but not sealed when the session stopped; it replays, and is sealed now"
        )?;
    }
    let upgrade = !r.sealed || r.manifest.format != session::FORMAT;
    let mut game = r.game;
    write_atomic(&sd.transcript(), r.transcript.as_bytes())?;
    let mut transcript = std::fs::OpenOptions::new()
        .append(true)
        .open(sd.transcript())?;
    // Cuts what follows the replayed entries and seals the log.
    let mut log = Log::open(&sd, &r.lines)?;
    if upgrade {
        let mut m = r.manifest.clone();
        m.format = session::FORMAT.into();
        write_atomic(
            &sd.manifest(),
            (serde_json::to_string_pretty(&m)? + "\n").as_bytes(),
        )?;
        writeln!(
            out,
            "note: the session was in format {}; its log is sealed now ({})",
            r.manifest.format,
            session::FORMAT
        )?;
    }
    if let Some(body) = torn {
        let turn = game.turn();
        let (done, text) = game.execute(body).map_err(anyhow::Error::msg)?;
        let (_, line) = log.entry_line(turn, play::cell_of(&done), done)?;
        log.append(&line)?;
        transcript.write_all(text.as_bytes())?;
        transcript.flush()?;
        out.write_all(text.as_bytes())?;
    }
    write_atomic(&sd.board(), board::render(&game).as_bytes())?;
    if fresh {
        out.write_all(r.transcript.as_bytes())?;
    } else {
        writeln!(
            out,
            "Resumed session {} at turn {} ({} log entries).",
            dir.display(),
            game.turn().min(game.world.horizon()),
            r.lines.len()
        )?;
        out.write_all(game.sow_text().as_bytes())?;
        out.write_all(game.opening_text_if_open().as_bytes())?;
        if let Some((m, _)) = &game.pending_blue {
            writeln!(out, "  Blue's move so far this turn: {}", m.label)?;
        }
        if game.phase == Phase::Adjudication {
            writeln!(
                out,
                "  The engine's proposal is under review: `override …` or `accept`."
            )?;
        }
    }
    writeln!(out, "Type `help` for the commands.")?;
    loop {
        write!(out, "{}", prompt_text(&game))?;
        out.flush()?;
        let line = match prompt::read_line(input) {
            Input::Eof => {
                writeln!(
                    out,
                    "\nEnd of input: the session is saved at turn {}; continue with `cohesion game --resume {}`.",
                    game.turn().min(game.world.horizon()),
                    dir.display()
                )?;
                return Ok(0);
            }
            Input::Garbled(msg) => {
                writeln!(out, "error: {msg}; the line was ignored")?;
                continue;
            }
            Input::Line(l) => l,
        };
        let parsed = match prompt::tokenize(&line) {
            Ok(Some(l)) => l,
            Ok(None) => continue,
            Err(msg) => {
                writeln!(out, "error: {msg}")?;
                continue;
            }
        };
        let body = match prompt::interpret(&game, &parsed) {
            Ok(Action::Show(text)) => {
                writeln!(out, "{}", text.trim_end())?;
                continue;
            }
            Ok(Action::Quit) => {
                writeln!(
                    out,
                    "Session saved at turn {}; continue with `cohesion game --resume {}`.",
                    game.turn().min(game.world.horizon()),
                    dir.display()
                )?;
                return Ok(0);
            }
            Ok(Action::Entry(b)) => *b,
            Err(msg) => {
                writeln!(out, "error: {msg}")?;
                continue;
            }
        };
        let turn = game.turn();
        match game.execute(body) {
            Err(msg) => writeln!(out, "error: {msg}")?,
            Ok((done, text)) => {
                let cell = play::cell_of(&done);
                let (_, line) = log.entry_line(turn, cell, done)?;
                log.append(&line)?;
                transcript.write_all(text.as_bytes())?;
                transcript.flush()?;
                out.write_all(text.as_bytes())?;
                for a in &game.artifacts {
                    write_atomic(&dir.join(&a.name), a.contents.as_bytes())?;
                    writeln!(out, "  (fan chart: {})", dir.join(&a.name).display())?;
                }
                write_atomic(&sd.board(), board::render(&game).as_bytes())?;
            }
        }
    }
}

fn prompt_text(g: &Game) -> String {
    match g.phase {
        Phase::Planning => format!("[turn {} · moves] > ", g.turn()),
        Phase::Adjudication => format!("[turn {} · adjudication] > ", g.turn()),
        Phase::Over => "[session over] > ".to_string(),
    }
}

/// Creates the session directory (new or branch) or checks it (resume); returns it and
/// whether it is fresh.
fn open(opts: &Options, out: &mut dyn Write) -> Result<(PathBuf, bool)> {
    if opts.repair && opts.resume.is_none() {
        bail!("--repair goes with --resume DIR: it repairs the log of a session being resumed");
    }
    if let Some(dir) = &opts.resume {
        if opts.branch.is_some() || opts.scenario.is_some() || opts.seed.is_some() {
            bail!(
                "--resume continues a session as it was: it takes no scenario, --seed or --branch"
            );
        }
        SessionDir::new(dir).read_manifest()?;
        return Ok((dir.clone(), false));
    }
    if let Some(parent) = &opts.branch {
        let Some(from) = opts.from_turn else {
            bail!("--branch needs --from-turn T (the last turn the branch shares with its parent)");
        };
        let Some(dir) = &opts.session else {
            bail!("--branch needs --session NEW (the branch's own directory)");
        };
        let psd = SessionDir::new(parent);
        let pm = psd.read_manifest()?;
        let plog = psd.read_log()?;
        let lines = session::shared_prefix(&plog, from)?;
        let mut m = pm.clone();
        m.created = session::now();
        m.parent = Some(parent.display().to_string());
        m.from_turn = Some(from);
        // The branch marker, chained after the shared lines.
        let entry = session::Entry {
            seq: lines.len() as u64 + 1,
            turn: from + 1,
            cell: "white".into(),
            body: Body::Branch {
                parent: parent
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                from_turn: from,
            },
            prev: lines
                .last()
                .map_or(session::GENESIS.to_string(), |l| session::line_hash(l)),
        };
        let mut all = lines;
        all.push(serde_json::to_string(&entry)?);
        SessionDir::create(dir, &m, &all)?;
        writeln!(
            out,
            "Branch {} created from {} at the end of turn {from}.",
            dir.display(),
            parent.display()
        )?;
        return Ok((dir.clone(), true));
    }
    let name = opts
        .scenario
        .clone()
        .unwrap_or_else(|| crate::scenario::builtin::DEFAULT.to_string());
    let origin = crate::scenario::resolve(&name).map_err(|e| anyhow::anyhow!(e))?;
    let scenario_ref = match &origin {
        crate::scenario::Origin::File(p) => std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
        crate::scenario::Origin::Builtin(n) => n.trim_end_matches(".toml").to_string(),
    };
    let sc = crate::model::load_scenario(origin)
        .map_err(|issues| anyhow::anyhow!("invalid scenario `{name}`: {issues}"))?;
    if sc.model.kind != "alliance" {
        bail!(
            "scenario `{}` uses the `{}` model; a game needs an alliance scenario",
            sc.name,
            sc.model.kind
        );
    }
    let (seed, drawn) = match opts.seed.or(sc.run.seed) {
        Some(s) => (s, false),
        None => (crate::kernel::time::fresh_seed(), true),
    };
    if drawn {
        writeln!(out, "seed: {seed} (drawn fresh; recorded in the manifest)")?;
    }
    let red = opts.red.clone().unwrap_or_else(|| "model".into());
    if red != "human" && red != "model" {
        bail!("--red {red}: allowed: human, model");
    }
    let mode = match &opts.mode {
        Some(m) => Mode::parse(m).map_err(|e| anyhow::anyhow!("--mode: {e}"))?,
        None => Mode::SemiRigid,
    };
    let dir = opts
        .session
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("game-{}-{seed}", sc.name)));
    let m = Manifest {
        format: session::FORMAT.into(),
        cohesion_version: crate::VERSION.into(),
        scenario: scenario_ref,
        scenario_name: sc.name.clone(),
        scenario_hashes: sc
            .files
            .iter()
            .map(|f| (f.origin.display(), f.blake3.clone()))
            .collect(),
        seed,
        red,
        mode,
        created: session::now(),
        parent: None,
        from_turn: None,
    };
    SessionDir::create(&dir, &m, &[])?;
    writeln!(out, "Session directory: {}", dir.display())?;
    Ok((dir, true))
}
