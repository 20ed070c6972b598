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
//! (directory, manifest, log), [`seal`] (what protects the log's last entry), [`live`] (a
//! session being played, by the prompt or the web server), [`prompt`] and [`commands`] (the
//! commands), [`play`] (the state machine), [`msel`] (White's MSEL edits), [`adjudication`]
//! (modes, overrides, closing a turn), [`comms`] (messages, requests for information, shared
//! forecasts, timer, projector), [`allies`] (the per-ally view and effects as deltas),
//! [`forecast`] (summaries, comparisons, fan charts), [`board`], [`replay`], [`debrief`].

pub mod adapter;
pub mod adjudication;
pub mod allies;
pub mod board;
pub mod commands;
pub mod comms;
pub mod debrief;
pub mod effects;
pub mod forecast;
pub mod live;
pub mod msel;
pub mod play;
pub mod prompt;
pub mod replay;
pub mod seal;
pub mod session;
pub mod texts;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use adjudication::Mode;
use play::{Game, Phase};
use prompt::{Action, Input};
use session::{Body, Manifest, SessionDir};

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

/// Where the prompt's lines come from: a pipe or file (the prompt is written to the output,
/// then a line read), or a line editor on a terminal (in the binary).
pub trait LineSource {
    /// Shows `prompt` and reads one line.
    fn read(&mut self, prompt: &str, out: &mut dyn Write) -> Input;
}

/// Lines from any reader, as they come (a script, a pipe, a terminal without a line editor).
pub struct Piped<R>(pub R);

impl<R: BufRead> LineSource for Piped<R> {
    fn read(&mut self, prompt: &str, out: &mut dyn Write) -> Input {
        if write!(out, "{prompt}").and_then(|_| out.flush()).is_err() {
            return Input::Eof;
        }
        prompt::read_line(&mut self.0)
    }
}

/// Starts (new, resumed or branched) and plays a session from `input`, printing to `out`.
/// Returns the exit code.
pub fn run(opts: &Options, input: &mut dyn LineSource, out: &mut dyn Write) -> Result<i32> {
    let mut live = live::Live::open(opts, out)?;
    out.write_all(live.greeting.as_bytes())?;
    writeln!(out, "Type `help` for the commands.")?;
    let dir = live.dir.clone();
    let mut warned = false;
    loop {
        let line = match input.read(&prompt_text(&live.game), out) {
            Input::Eof => {
                if let Some(w) = live.uncommitted() {
                    writeln!(out, "\nwarning: {w}.")?;
                }
                writeln!(
                    out,
                    "\nEnd of input: the session is saved at turn {}; continue with `cohesion game --resume {}`.",
                    live.game.turn().min(live.game.world.horizon()),
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
        let body = match prompt::interpret(&live.game, &parsed) {
            Ok(Action::Show(text)) => {
                writeln!(out, "{}", text.trim_end())?;
                continue;
            }
            Ok(Action::Quit) => {
                if !warned && let Some(w) = live.uncommitted() {
                    writeln!(
                        out,
                        "warning: {w}. It is saved and stays pending on resume; `commit` closes the turn. Type `quit` again to leave."
                    )?;
                    warned = true;
                    continue;
                }
                writeln!(
                    out,
                    "Session saved at turn {}; continue with `cohesion game --resume {}`.",
                    live.game.turn().min(live.game.world.horizon()),
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
        warned = false;
        match live.commit(body)? {
            Err(msg) => writeln!(out, "error: {msg}")?,
            Ok(c) => {
                out.write_all(c.text.as_bytes())?;
                for f in &c.files {
                    writeln!(out, "  (fan chart: {})", f.display())?;
                }
            }
        }
    }
}

/// The prompt shown before each line.
pub fn prompt_text(g: &Game) -> String {
    match g.phase {
        Phase::Planning => format!("[turn {} · moves] > ", g.turn()),
        Phase::Adjudication => format!("[turn {} · adjudication] > ", g.turn()),
        Phase::Over => "[session over] > ".to_string(),
    }
}

/// Creates the session directory (new or branch) or checks it (resume); returns it and
/// whether it is fresh.
pub(crate) fn open(opts: &Options, out: &mut dyn Write) -> Result<(PathBuf, bool)> {
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
