//! `cohesion game`, `cohesion replay`, `cohesion debrief`: argument handling only; the
//! session itself is `cohesion::game`.

use std::path::PathBuf;

use anyhow::Result;
use cohesion::game;

#[derive(clap::Args, Debug)]
pub struct GameArgs {
    /// Scenario file or built-in name (default: the shipped default scenario).
    pub scenario: Option<String>,
    /// Master seed of the session's random streams (default: the scenario's, else fresh).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Session directory (default: output/game-<scenario>-<seed>); with --branch, the branch's.
    #[arg(long)]
    pub session: Option<PathBuf>,
    /// Continue the session in DIR after the process ended.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// With --resume: drop an entry that a crash left torn at the end of the log (the repair
    /// is recorded in the log).
    #[arg(long, requires = "resume")]
    pub repair: bool,
    /// Start a what-if branch of the session in DIR (needs --from-turn and --session).
    #[arg(long, value_name = "DIR")]
    pub branch: Option<PathBuf>,
    /// The last turn the branch shares with its parent.
    #[arg(long, value_name = "T")]
    pub from_turn: Option<usize>,
    /// Who plays Red (Russia): a human cell or the model's adversary.
    #[arg(long, value_parser = ["human", "model"])]
    pub red: Option<String>,
    /// Adjudication mode at the start: rigid, semi-rigid (default) or free.
    #[arg(long, value_parser = ["rigid", "semi-rigid", "free"])]
    pub mode: Option<String>,
    /// Worker threads for forecasts and comparisons (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
}

pub fn game(a: GameArgs) -> Result<i32> {
    let opts = game::Options {
        scenario: a.scenario,
        seed: super::within("--seed", a.seed, &cohesion::scenario::keys::SEED)?,
        session: a.session,
        resume: a.resume,
        branch: a.branch,
        from_turn: a.from_turn,
        red: a.red,
        mode: a.mode,
        threads: super::threads(a.threads)?,
        repair: a.repair,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout();
    game::run(&opts, &mut input, &mut out)
}

pub fn replay(dir: PathBuf, threads: Option<usize>) -> Result<i32> {
    game::replay::run(&dir, super::threads(threads)?, &mut std::io::stdout())
}

pub fn debrief(dir: PathBuf, threads: Option<usize>) -> Result<i32> {
    game::debrief::run(&dir, super::threads(threads)?, &mut std::io::stdout())
}
