//! `cohesion game`, `cohesion serve`, `cohesion replay`, `cohesion debrief`: argument handling
//! only (and the terminal's line editor); the session itself is `cohesion::game`, the server
//! `cohesion::serve`.

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

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub game: GameArgs,
    /// Address to listen on; the default serves this machine only (`0.0.0.0:8080` for the room's LAN).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Keep the join links in FILE (created if missing) so a restarted server reuses them and
    /// open pages reconnect; without it every start draws new links.
    #[arg(long, value_name = "FILE")]
    pub links: Option<PathBuf>,
}

pub fn serve(a: ServeArgs) -> Result<i32> {
    let opts = cohesion::serve::Options {
        game: options(a.game)?,
        bind: a.bind,
        links: a.links,
    };
    cohesion::serve::run(&opts, &mut std::io::stdout())
}

fn options(a: GameArgs) -> Result<game::Options> {
    Ok(game::Options {
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
    })
}

pub fn game(a: GameArgs) -> Result<i32> {
    let opts = options(a)?;
    let mut out = std::io::stdout();
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        if let Ok(mut ed) = Editor::new() {
            return game::run(&opts, &mut ed, &mut out);
        }
    }
    let stdin = std::io::stdin();
    game::run(&opts, &mut game::Piped(stdin.lock()), &mut out)
}

/// The prompt on a terminal: line editing, history (Up/Down, kept for the process) and Tab
/// completion of command names, levers, policies and allies. Piped input never comes here.
struct Editor {
    ed: rustyline::Editor<Complete, rustyline::history::DefaultHistory>,
}

impl Editor {
    fn new() -> rustyline::Result<Editor> {
        let mut ed = rustyline::Editor::new()?;
        ed.set_helper(Some(Complete));
        Ok(Editor { ed })
    }
}

impl game::LineSource for Editor {
    fn read(&mut self, prompt: &str, _out: &mut dyn std::io::Write) -> game::prompt::Input {
        use game::prompt::Input;
        use rustyline::error::ReadlineError;
        match self.ed.readline(prompt) {
            Ok(line) if line.len() > game::prompt::MAX_LINE_BYTES => Input::Garbled(format!(
                "the line is {} bytes long; allowed: at most {} bytes per line",
                line.len(),
                game::prompt::MAX_LINE_BYTES
            )),
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = self.ed.add_history_entry(line.as_str());
                }
                Input::Line(line)
            }
            // Ctrl-C clears the line, as in a shell; Ctrl-D ends the input.
            Err(ReadlineError::Interrupted) => Input::Line(String::new()),
            Err(ReadlineError::Eof) => Input::Eof,
            Err(e) => Input::Garbled(format!("cannot read the line: {e}")),
        }
    }
}

/// Tab completion: the first word from the commands, later words from levers, lever settings,
/// outcomes and the words the commands take.
struct Complete;

impl rustyline::completion::Completer for Complete {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let head = &line[..pos];
        let start = head.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &head[start..];
        let words: Vec<String> = if start == 0 {
            game::commands::COMMANDS
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            let mut v: Vec<String> = game::adapter::lever_names()
                .iter()
                .map(|l| format!("{l}="))
                .collect();
            v.extend(game::adapter::ADVERSARY_KEYS.iter().map(|s| s.to_string()));
            v.extend(
                [
                    "n=", "until=", "by=", "vs", "to=", "with=", "from=", "at=", "none",
                ]
                .map(String::from),
            );
            v
        };
        let found = words.into_iter().filter(|w| w.starts_with(word)).collect();
        Ok((start, found))
    }
}

impl rustyline::hint::Hinter for Complete {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Complete {}
impl rustyline::validate::Validator for Complete {}
impl rustyline::Helper for Complete {}

pub fn replay(dir: PathBuf, threads: Option<usize>) -> Result<i32> {
    game::replay::run(&dir, super::threads(threads)?, &mut std::io::stdout())
}

pub fn debrief(dir: PathBuf, threads: Option<usize>) -> Result<i32> {
    game::debrief::run(&dir, super::threads(threads)?, &mut std::io::stdout())
}
