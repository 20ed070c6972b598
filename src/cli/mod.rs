//! The command line: raw arguments (this file) and the commands that turn them into a
//! validated configuration, call the library and report.
//!
//! As in ripgrep, parsing and validated configuration are separate layers: clap fills the
//! structs below; each command's module checks them against the scenario and builds the
//! library's configuration.

mod calibrate;
mod describe;
mod diff;
mod explore;
mod game;
mod init;
mod merge;
mod plot;
mod run;
mod signals;
mod slurm;
mod trace;
mod validate;
mod validate_history;

use clap::{Parser, Subcommand};

/// cohesion: play policy options out as seeded Monte Carlo trials and see the distribution
/// of outcomes for the alliance.
#[derive(Parser, Debug)]
#[command(name = "cohesion", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every policy option of a scenario as seeded Monte Carlo trials; write CSVs and a manifest.
    Run(RunArgs),
    /// Check scenario files without running them; list every problem of the first bad file.
    Validate {
        /// Scenario files or built-in names.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Print a model's parameters (name, type, range, default, meaning), or with
    /// --scenario-format every key of a scenario file.
    Describe {
        /// Model kind (deffuant, hegselmann-krause, bargaining…).
        #[arg(required_unless_present = "scenario_format")]
        model: Option<String>,
        /// Print the scenario file format: every section and key, its type, range, default
        /// and meaning (with --markdown: docs/SCENARIO.md's reference, every model included).
        #[arg(long, conflicts_with = "model")]
        scenario_format: bool,
        /// Print as Markdown.
        #[arg(long)]
        markdown: bool,
    },
    /// List the built-in scenarios.
    Scenarios,
    /// Write an editable copy of a built-in scenario (and the data files it uses).
    Init {
        /// Built-in scenario name (see `cohesion scenarios`).
        name: String,
        /// Folder to write into (default: the current folder).
        dir: Option<std::path::PathBuf>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
    /// Replay one trial of one option in full detail (every turn, actor, event, decision).
    Trace(TraceArgs),
    /// Play a wargame session turn by turn (Blue, Red and White cells) at a line prompt.
    Game(game::GameArgs),
    /// Serve a game session to the cells' browsers: pages for White, Blue, Red and a projector.
    Serve(game::ServeArgs),
    /// Rebuild a game session from its scenario, seed and log, and check it.
    Replay {
        /// The session directory.
        dir: std::path::PathBuf,
        /// Worker threads for recomputing forecasts (default: all cores). Results do not depend on it.
        #[arg(long, short = 'j')]
        threads: Option<usize>,
    },
    /// Write a game session's after-action report (debrief.md and debrief.html).
    Debrief {
        /// The session directory.
        dir: std::path::PathBuf,
        /// Worker threads for the forecasts of the debrief (default: all cores).
        #[arg(long, short = 'j')]
        threads: Option<usize>,
    },
    /// Redraw the charts and report.html of an earlier run or exploration from its CSV files (no simulation).
    Plot(PlotArgs),
    /// Calibrate named parameters against target statistics (ABC-SMC); write the posterior,
    /// diagnostics and a scenario fragment that draws from it.
    Calibrate(CalibrateArgs),
    /// Merge the parts of a sharded run (`run --shard I/N`) into one result, byte-identical to a single run.
    Merge(merge::MergeArgs),
    /// Write (and with --submit, submit) a Slurm job array of shards and a merge job after it.
    Slurm(slurm::SlurmArgs),
    /// Repeat a finished run from its manifest.json and say whether the result is byte-identical.
    Rerun(merge::RerunArgs),
    /// Run an experimental design over the scenario's uncertainties: sensitivity indices, scenario discovery, robustness.
    Explore(explore::ExploreArgs),
    /// Find where in the space of assumptions a yes/no question holds (PRIM), in a finished run or exploration.
    Discover(explore::DiscoverArgs),
    /// Compare two finished runs of the same outcomes: per option and outcome, B − A with its interval and verdict, and which scenario keys differ.
    Diff(diff::DiffArgs),
    /// Hold a hindcast run (e.g. of nato-2021-invasion) against the record of 2022–2024:
    /// validation.html with the model beside naive baselines, and its tables.
    ValidateHistory(ValidateHistoryArgs),
}

#[derive(clap::Args, Debug)]
pub struct ValidateHistoryArgs {
    /// Output folder of a finished `cohesion run` of an alliance scenario starting October 2021.
    pub run: std::path::PathBuf,
    /// The option held against the record.
    #[arg(long, short = 'p', default_value = "as-happened")]
    pub option: String,
    /// Folder holding the record files (default: the copies shipped in scenarios/data/).
    #[arg(long)]
    pub record: Option<std::path::PathBuf>,
    /// Output folder (default: RUN-validation beside the run).
    #[arg(long, short = 'o')]
    pub out: Option<std::path::PathBuf>,
    /// Replace an earlier validation at --out.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// Scenario file or built-in name.
    pub scenario: String,
    /// The targets file: parameters, option, budget and target statistics (a file or a
    /// built-in path such as `calibration/toy-normal.targets.toml`).
    #[arg(long, short = 't')]
    pub targets: String,
    /// Master seed (default: the targets file's, the scenario's, else a fresh one).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Simulations per generation (default: the targets file's).
    #[arg(long)]
    pub simulations: Option<u64>,
    /// Particles kept per generation (default: the targets file's).
    #[arg(long)]
    pub population: Option<usize>,
    /// Generations (default: the targets file's).
    #[arg(long)]
    pub generations: Option<usize>,
    /// Trials averaged per simulation, K (default: the targets file's).
    #[arg(long)]
    pub trials_per_simulation: Option<u64>,
    /// Simulations per block of work (default: about a thousand trials). Results do not depend on it.
    #[arg(long)]
    pub block_size: Option<u64>,
    /// Output directory (default: output/<scenario>-calibration-<seed>).
    #[arg(long, short = 'o')]
    pub out: Option<std::path::PathBuf>,
    /// Replace an earlier result at --out.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on stdout.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not draw the diagnostics chart.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario file or built-in name (default: the shipped default scenario).
    pub scenario: Option<String>,
    /// Number of trials (default: the scenario's `[run] trials`).
    #[arg(long, short = 'n')]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's, else a fresh one, printed and recorded).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Only these options, comma-separated (the baseline is always run too).
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    /// Output directory (default: output/<scenario>-<seed>).
    #[arg(long, short = 'o')]
    pub out: Option<std::path::PathBuf>,
    /// Replace an earlier result (a folder with a manifest.json) or an empty folder at --out, and
    /// discard the checkpoint of an interrupted run into it.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on stdout.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Trials per statistics block (default: the scenario's `[run] block_size`).
    #[arg(long)]
    pub block_size: Option<u64>,
    /// Do not draw charts or write report.html (only the CSV files and the manifest).
    #[arg(long)]
    pub no_charts: bool,
    /// Table format: csv, parquet (trials.parquet, summary.parquet…) or both.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    /// Run only shard I of N (its blocks) and write a part folder for `cohesion merge`.
    #[arg(long, value_name = "I/N", conflicts_with = "shard_from_env")]
    pub shard: Option<String>,
    /// Take the shard index from this environment variable (e.g. SLURM_ARRAY_TASK_ID).
    #[arg(long, value_name = "VAR")]
    pub shard_from_env: Option<String>,
    /// The number of shards with --shard-from-env (default: $SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
    /// Continue an interrupted run of the same command from its checkpoint (none: start afresh).
    #[arg(long)]
    pub resume: bool,
    /// Stop once every option's 95% interval of these outcomes is this narrow, e.g.
    /// fracture=0.005,cohesion_final=0.01 (at most --trials trials).
    #[arg(long, value_name = "OUTCOME=HALFWIDTH[,…]")]
    pub precision: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum TableFormat {
    Csv,
    Parquet,
    Both,
}

#[derive(clap::Args, Debug)]
pub struct PlotArgs {
    /// Output folder of an earlier `cohesion run` or `cohesion explore` (with its CSV files and manifest.json).
    pub dir: std::path::PathBuf,
    /// Only these charts: ids, or kinds such as `dist`, `fan` (comma-separated; see --list).
    #[arg(long, value_delimiter = ',')]
    pub charts: Option<Vec<String>>,
    /// Image format.
    #[arg(long, value_enum, default_value = "both")]
    pub format: PlotFormat,
    /// Canvas size in pixels, WIDTHxHEIGHT (type scales with it).
    #[arg(long, default_value = "1600x900", value_parser = plot::parse_size)]
    pub size: (u32, u32),
    /// Type and line scale: 1 by default, 1.4–1.8 for a projector at the back of a room.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Write charts/ and report.html into this folder instead of DIR.
    #[arg(long, short = 'o')]
    pub out: Option<std::path::PathBuf>,
    /// Do not rewrite report.html.
    #[arg(long)]
    pub no_report: bool,
    /// List the charts this run gets (id, title, caption) and draw nothing.
    #[arg(long)]
    pub list: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum PlotFormat {
    Svg,
    Png,
    Both,
}

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    /// Scenario file or built-in name (default: the shipped default scenario).
    pub scenario: Option<String>,
    /// Policy option to trace.
    #[arg(long, short = 'p')]
    pub policy: String,
    /// Trial index (0-based, as in trials.csv).
    #[arg(long, short = 'k')]
    pub trial: u64,
    /// The run's seed (default: the scenario's `[run] seed`).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TraceFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum TraceFormat {
    Csv,
    Json,
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate { files } => validate::validate(&files),
        Command::Describe {
            model,
            scenario_format,
            markdown,
        } => match model {
            Some(m) if !scenario_format => describe::describe(&m, markdown),
            _ => describe::scenario_format(markdown),
        },
        Command::Scenarios => describe::scenarios(),
        Command::Init { name, dir, force } => init::init(&name, dir, force),
        Command::Trace(a) => trace::trace(a),
        Command::Game(a) => game::game(a),
        Command::Serve(a) => game::serve(a),
        Command::Replay { dir, threads } => game::replay(dir, threads),
        Command::Debrief { dir, threads } => game::debrief(dir, threads),
        Command::Plot(a) => plot::plot(a),
        Command::ValidateHistory(a) => validate_history::validate_history(a),
        Command::Merge(a) => merge::merge(a),
        Command::Slurm(a) => slurm::slurm(a),
        Command::Rerun(a) => merge::rerun(a),
        Command::Explore(a) => explore::explore(a),
        Command::Discover(a) => explore::discover_cmd(a),
        Command::Diff(a) => diff::diff_cmd(a),
        Command::Calibrate(a) => calibrate::calibrate(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Messages may quote what a user wrote: no control sequence reaches the terminal.
            eprintln!(
                "error: {}",
                cohesion::kernel::text::terminal_safe(&format!("{e:#}"))
            );
            1
        }
    }
}

/// Loads a scenario argument (file or built-in name; default when absent), printing every
/// problem if it is invalid.
pub(crate) fn load_scenario(arg: Option<&str>) -> anyhow::Result<cohesion::scenario::Scenario> {
    use cohesion::scenario;
    let name = arg.unwrap_or(scenario::builtin::DEFAULT);
    let origin = scenario::resolve(name).map_err(|e| anyhow::anyhow!(e))?;
    cohesion::model::load_scenario(origin)
        .map_err(|issues| anyhow::anyhow!("invalid scenario `{name}`: {issues}"))
}

/// A whole-number argument that overrides a scenario key, checked against that key's
/// declared range: the command line allows exactly what a scenario file allows.
pub(crate) fn within(
    flag: &str,
    value: Option<u64>,
    key: &cohesion::scenario::keys::KeySpec,
) -> anyhow::Result<Option<u64>> {
    let (min, max) = key.whole_range();
    match value {
        Some(v) if !(min..=max).contains(&v) => anyhow::bail!(
            "{flag} {v}: allowed: {} (as `{}` in a scenario file)",
            key.allowed(),
            key.path()
        ),
        v => Ok(v),
    }
}

/// The `--threads` argument: the number given (1 to the engine's maximum), or every core.
pub(crate) fn threads(arg: Option<usize>) -> anyhow::Result<usize> {
    use cohesion::engine::{MAX_THREADS, Pool};
    match arg {
        None => Ok(Pool::default_threads()),
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Some(n) => anyhow::bail!("--threads {n}: allowed: a whole number from 1 to {MAX_THREADS}"),
    }
}
