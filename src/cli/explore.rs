//! `cohesion explore` and `cohesion discover`: arguments → validated configuration → the
//! library → a short report on stdout.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use cohesion::explore::{ExploreConfig, Request, execute, prepare, runs};
use cohesion::output::explore::{DEFAULT_PRIM, PrimSettings};
use cohesion::report::discover::{Question, discover, write};
use cohesion::stats::designs::Kind;
use cohesion::stats::robust::Threshold;

/// PRIM's settings on the command line.
#[derive(clap::Args, Debug, Clone)]
pub struct PrimArgs {
    /// PRIM: share of a box's points one peel removes.
    #[arg(long, default_value_t = DEFAULT_PRIM.peel_alpha)]
    pub peel_alpha: f64,
    /// PRIM: share of the points beside a limit one paste adds.
    #[arg(long, default_value_t = DEFAULT_PRIM.paste_alpha)]
    pub paste_alpha: f64,
    /// PRIM: smallest share of all points a box may hold.
    #[arg(long, default_value_t = DEFAULT_PRIM.mass_min)]
    pub mass_min: f64,
    /// PRIM: the chosen box is the densest whose coverage is at least this…
    #[arg(long, default_value_t = DEFAULT_PRIM.min_coverage)]
    pub min_coverage: f64,
    /// …with the restrictions whose quasi-p-values are all above this lifted (1: keep all).
    #[arg(long, default_value_t = DEFAULT_PRIM.max_qp)]
    pub max_qp: f64,
}

impl PrimArgs {
    fn settings(&self) -> Result<PrimSettings> {
        for (name, v) in [
            ("--peel-alpha", self.peel_alpha),
            ("--paste-alpha", self.paste_alpha),
        ] {
            if !(v > 0.0 && v < 0.5) {
                bail!("{name} {v}: allowed: a number above 0 and below 0.5");
            }
        }
        if !(self.mass_min > 0.0 && self.mass_min < 1.0) {
            bail!(
                "--mass-min {}: allowed: a number above 0 and below 1",
                self.mass_min
            );
        }
        if !(0.0..=1.0).contains(&self.min_coverage) {
            bail!(
                "--min-coverage {}: allowed: a number from 0 to 1",
                self.min_coverage
            );
        }
        if !(self.max_qp > 0.0 && self.max_qp <= 1.0) {
            bail!(
                "--max-qp {}: allowed: a number above 0 and at most 1",
                self.max_qp
            );
        }
        Ok(PrimSettings {
            peel_alpha: self.peel_alpha,
            paste_alpha: self.paste_alpha,
            mass_min: self.mass_min,
            min_coverage: self.min_coverage,
            max_qp: self.max_qp,
        })
    }
}

#[derive(clap::Args, Debug)]
pub struct ExploreArgs {
    /// Scenario file or built-in name (default: the shipped default scenario).
    pub scenario: Option<String>,
    /// The design: lhs, sobol (Saltelli's scheme, for Sobol' indices), morris or factorial.
    #[arg(long, default_value = "sobol")]
    pub design: String,
    /// Size: Sobol' base points N (N × (D + 2) points; default 256), Latin hypercube points
    /// (default 200), Morris trajectories (default 20). Not for factorial (use --levels).
    #[arg(long, short = 'n')]
    pub points: Option<u64>,
    /// Replications of every option at every point (common random numbers).
    #[arg(long, short = 'r', default_value_t = 10)]
    pub replications: u64,
    /// Morris grid levels (even, default 4) or factorial levels per parameter (default 3).
    #[arg(long)]
    pub levels: Option<usize>,
    /// Sobol': also the second-order indices (runs D more points per base point).
    #[arg(long)]
    pub second_order: bool,
    /// Explore these levers over their declared ranges too (comma-separated; alone: every
    /// lever an option sets). Each option keeps its other levers.
    #[arg(long, num_args = 0.., value_delimiter = ',')]
    pub levers: Option<Vec<String>>,
    /// Outcomes to analyse (comma-separated; default: the model's plain outcomes, up to 8).
    #[arg(long, value_delimiter = ',')]
    pub outcomes: Option<Vec<String>>,
    /// A threshold for satisficing, e.g. `cohesion_final>=0.8` (repeat for more).
    #[arg(long)]
    pub satisfice: Vec<String>,
    /// Bootstrap resamples for the intervals of the indices.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    #[command(flatten)]
    pub prim: PrimArgs,
    /// Master seed (default: the scenario's, else a fresh one, printed and recorded).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Output directory (default: output/<scenario>-explore-<design>-<seed>).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Replace an earlier result (a folder with a manifest.json) or an empty folder at --out.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on stdout.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not draw charts or write report.html.
    #[arg(long)]
    pub no_charts: bool,
}

fn configure(a: &ExploreArgs) -> Result<ExploreConfig> {
    let scenario = super::load_scenario(a.scenario.as_deref())?;
    let Some(design) = Kind::parse(&a.design) else {
        bail!(
            "--design {}: allowed: lhs, sobol, morris, factorial",
            a.design
        );
    };
    let seed = super::within("--seed", a.seed, &cohesion::scenario::keys::SEED)?;
    let (seed, seed_generated) = match seed.or(scenario.run.seed) {
        Some(s) => (s, false),
        None => (cohesion::kernel::time::fresh_seed(), true),
    };
    let threads = super::threads(a.threads)?;
    let mut thresholds = Vec::new();
    for s in &a.satisfice {
        thresholds.push(Threshold::parse(s).map_err(|e| anyhow::anyhow!("--satisfice {e}"))?);
    }
    if a.bootstrap == 0 || a.bootstrap > 100_000 {
        bail!(
            "--bootstrap {}: allowed: a whole number from 1 to 100000",
            a.bootstrap
        );
    }
    let out = a.out.clone().unwrap_or_else(|| {
        format!("output/{}-explore-{}-{seed}", scenario.name, design.name()).into()
    });
    Ok(ExploreConfig {
        scenario,
        request: Request {
            design,
            points: a.points,
            replications: a.replications,
            levels: a.levels,
            second_order: a.second_order,
            levers: a.levers.clone(),
            seed,
        },
        seed_generated,
        threads,
        outcomes: a.outcomes.clone(),
        thresholds,
        bootstrap: a.bootstrap,
        prim: a.prim.settings()?,
        out,
        force: a.force,
        command_line: std::env::args().collect(),
        charts: !a.no_charts,
    })
}

pub fn explore(a: ExploreArgs) -> Result<i32> {
    let cfg = configure(&a)?;
    // Check everything (and size the progress bar) before creating anything.
    let (plan, _) = prepare(&cfg)?;
    let total = plan.design.points() as u64 * cfg.request.replications;
    if cfg.seed_generated && !a.quiet {
        eprintln!(
            "seed: {} (fresh; pass --seed {} to repeat this exploration)",
            cfg.request.seed, cfg.request.seed
        );
    }
    let cancel = super::signals::cancel_on_signals();
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} point replications  {elapsed_precise} elapsed, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = execute(&cfg, &progress, cancel);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if cancel.load(Ordering::SeqCst) && result.is_err() {
        eprintln!("interrupted: no result was written");
        return Ok(super::signals::exit_code());
    }
    let report = result?;
    if !a.quiet {
        let options = cfg.scenario.policies.len();
        println!(
            "{} design points × {} replications × {} options of `{}` ({} design, seed {}): {} model runs in {:.2} s ({:.0} runs/s)\nresults: {}",
            report.points,
            cfg.request.replications,
            options,
            cfg.scenario.name,
            cfg.request.design.name(),
            cfg.request.seed,
            runs(report.points, cfg.request.replications, options),
            report.wall_seconds,
            report.runs as f64 / report.wall_seconds.max(1e-9),
            report.out.display()
        );
        if report.chart_seconds > 0.0 {
            println!(
                "charts and report.html: {:.2} s ({}/report.html)",
                report.chart_seconds,
                report.out.display()
            );
        }
    }
    Ok(0)
}

#[derive(clap::Args, Debug)]
pub struct DiscoverArgs {
    /// A finished `cohesion run` or `cohesion explore` directory.
    pub dir: PathBuf,
    /// The option the question is about.
    #[arg(long)]
    pub option: String,
    /// Compare with this option, point by point (common random numbers).
    #[arg(long)]
    pub versus: Option<String>,
    /// The outcome.
    #[arg(long)]
    pub outcome: String,
    /// With --versus: yes when the option's outcome is higher than the other's (default: lower).
    #[arg(long)]
    pub higher: bool,
    /// Without --versus: yes when the outcome is above this value.
    #[arg(long, allow_hyphen_values = true)]
    pub above: Option<f64>,
    /// Without --versus: yes when the outcome is below this value.
    #[arg(long, allow_hyphen_values = true)]
    pub below: Option<f64>,
    #[command(flatten)]
    pub prim: PrimArgs,
    /// A run: only its first N trials, in trial order (default: all). A run's report asks
    /// its questions of the first 20,000.
    #[arg(long, value_name = "N")]
    pub max_trials: Option<usize>,
    /// Also write the trajectory (prim.csv) and the chosen box (prim_box.csv) into this folder.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

pub fn discover_cmd(a: DiscoverArgs) -> Result<i32> {
    let t0 = std::time::Instant::now();
    let q = Question {
        dir: a.dir.clone(),
        option: a.option.clone(),
        versus: a.versus.clone(),
        outcome: a.outcome.clone(),
        higher: a.higher,
        above: a.above,
        below: a.below,
        prim: a.prim.settings()?,
        max_trials: a.max_trials,
    };
    if a.max_trials == Some(0) {
        bail!("--max-trials 0: allowed: a whole number of trials, at least 1");
    }
    let d = discover(&q)?;
    let t = &d.trajectory;
    println!(
        "PRIM on {} {} of {}: yes where {} ({} of {}, {:.1}%)",
        t.n,
        d.units,
        a.dir.display(),
        d.yes_when,
        t.k,
        t.n,
        100.0 * t.k as f64 / t.n as f64
    );
    println!(
        "trajectory: {} boxes (peeling α = {}, pasting α = {}, minimum mass {})",
        t.boxes.len(),
        q.prim.peel_alpha,
        q.prim.paste_alpha,
        q.prim.mass_min
    );
    println!("  box  coverage  density    mass  restricted");
    let n = t.boxes.len();
    let every = n.div_ceil(12).max(1);
    for (i, b) in t.boxes.iter().enumerate() {
        if i % every == 0 || i == n - 1 || i == d.chosen {
            println!(
                "  {:>3}  {:>7.1}%  {:>6.1}%  {:>5.1}%  {}{}",
                i,
                100.0 * b.coverage,
                100.0 * b.density,
                100.0 * b.mass,
                b.res_dim,
                if i == d.chosen { "   <- chosen" } else { "" }
            );
        }
    }
    let b = &t.boxes[d.chosen];
    let how = if b.phase == cohesion::stats::prim::Phase::Prune {
        format!(
            "the densest with coverage at least {:.0}%, then its restrictions with quasi-p above {} lifted",
            100.0 * q.prim.min_coverage,
            q.prim.max_qp
        )
    } else {
        format!(
            "the densest with coverage at least {:.0}%",
            100.0 * q.prim.min_coverage
        )
    };
    println!(
        "chosen box {} ({how}): coverage {:.1}%, density {:.1}% (against {:.1}% overall), mass {:.1}%",
        d.chosen,
        100.0 * b.coverage,
        100.0 * b.density,
        100.0 * t.k as f64 / t.n as f64,
        100.0 * b.mass
    );
    if d.limits.is_empty() {
        println!(
            "  no parameter restricted: the yes {} are spread over the whole space",
            d.units
        );
    } else {
        println!("restricted parameters:");
        for l in &d.limits {
            let di = d.names.iter().position(|n| *n == l.parameter).unwrap_or(0);
            let qp = |p: f64| {
                if p.is_finite() {
                    format!("{p:.2e}")
                } else {
                    "-".into()
                }
            };
            println!(
                "  {:<28} {} to {}   (range {} to {}; quasi-p lower {}, upper {})",
                l.parameter,
                d.value(di, l.lower),
                d.value(di, l.upper),
                d.value(di, l.min),
                d.value(di, l.max),
                qp(l.qp_lower),
                qp(l.qp_upper)
            );
        }
    }
    if let Some(out) = &a.out {
        write(&d, out)?;
        println!(
            "tables: {}/prim.csv, {}/prim_box.csv",
            out.display(),
            out.display()
        );
    }
    eprintln!("({:.2} s)", t0.elapsed().as_secs_f64());
    Ok(0)
}
