//! `cohesion explore` and `cohesion discover`: which assumptions decide the answer.
//!
//! An exploration is an experiment over a scenario's uncertain parameters (and, on request,
//! over lever ranges): a design places points in the unit cube ([`plan`]), each coordinate is
//! mapped through its parameter's quantile function, and the engine runs every point for every
//! policy option with R replications on common random numbers. As blocks finish, their
//! per-point means go to `results.csv` and the few numbers the analysis needs stay in memory
//! (one mean per point, option and analysed outcome). Then [`analyse`] computes sensitivity
//! indices, PRIM boxes and regret; the charts and `report.html` are drawn from the CSV files;
//! the manifest is written last and the directory moved into place whole.
//!
//! [`discover`] runs PRIM on a finished run (its `trials.csv`) or exploration, for one
//! question asked on the command line.

pub mod analyse;
mod bottom;
pub mod plan;
pub mod report;

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};

use crate::engine::EngineError;
use crate::engine::explore::Exploration;
use crate::output::OutputDir;
use crate::output::analysis;
use crate::output::explore::{self as table, ExploreManifest, PrimSettings};
use crate::output::manifest::FileHash;
use crate::scenario::Scenario;
use crate::spec::OutcomeKind;
use crate::stats::robust::Threshold;

pub use plan::Request;

/// A validated configuration of `cohesion explore`.
pub struct ExploreConfig {
    pub scenario: Scenario,
    pub request: Request,
    pub seed_generated: bool,
    pub threads: usize,
    /// Outcomes to analyse (`None`: the model's plain outcomes, up to eight).
    pub outcomes: Option<Vec<String>>,
    pub thresholds: Vec<Threshold>,
    /// Bootstrap resamples for the intervals of the indices.
    pub bootstrap: usize,
    pub prim: PrimSettings,
    pub out: PathBuf,
    pub force: bool,
    pub command_line: Vec<String>,
    pub charts: bool,
}

/// What a finished exploration reports.
pub struct ExploreReport {
    pub out: PathBuf,
    pub points: u64,
    pub runs: u64,
    pub wall_seconds: f64,
    pub chart_seconds: f64,
}

/// The outcomes analysed by default: plain (not `family.member`), not turns, up to eight.
pub fn default_outcomes(sim: &dyn crate::model::Simulation) -> Vec<String> {
    sim.outcomes()
        .iter()
        .filter(|o| !o.name.contains('.') && analysable_kind(o.kind))
        .take(8)
        .map(|o| o.name.clone())
        .collect()
}

/// The model runs an exploration will make (points × replications × options).
pub fn runs(points: u64, replications: u64, options: usize) -> u64 {
    points * replications * options as u64
}

fn git_commit() -> Option<String> {
    option_env!("COHESION_GIT_COMMIT")
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// Checks the request and builds the design, without running anything (for the command line
/// to size its progress bar and report errors early).
pub fn prepare(cfg: &ExploreConfig) -> Result<(plan::Plan, Vec<String>)> {
    let sc = &cfg.scenario;
    let plan = plan::plan(sc, &cfg.request)?;
    let sim = crate::model::build(sc).map_err(|e| anyhow!("{e}"))?;
    let all: Vec<&crate::spec::OutcomeSpec> = sim.outcomes().iter().collect();
    let outcomes = match &cfg.outcomes {
        None => default_outcomes(sim.as_ref()),
        Some(list) => {
            let mut v = Vec::new();
            for o in list {
                match all.iter().find(|s| s.name == *o) {
                    Some(s) if s.kind == OutcomeKind::Turn => bail!(
                        "--outcomes: `{o}` is the turn of an event (missing when it did not happen) and has no mean to analyse; allowed: {}",
                        analysable(&all)
                    ),
                    Some(s) if !analysable_kind(s.kind) => bail!(
                        "--outcomes: `{o}` is categorical (one of a few named states) and is never averaged; allowed: {}",
                        analysable(&all)
                    ),
                    Some(_) => v.push(o.clone()),
                    None => bail!(
                        "--outcomes: model `{}` reports no outcome `{o}`; allowed: {}",
                        sc.model.kind,
                        analysable(&all)
                    ),
                }
            }
            v
        }
    };
    for t in &cfg.thresholds {
        if !outcomes.contains(&t.outcome) {
            bail!(
                "--satisfice {}: `{}` is not an analysed outcome; allowed: {} (add it with --outcomes)",
                t.text(),
                t.outcome,
                outcomes.join(", ")
            );
        }
    }
    Ok((plan, outcomes))
}

/// Whether an outcome of this kind has a mean to analyse (not a turn, not a category).
fn analysable_kind(k: OutcomeKind) -> bool {
    !matches!(k, OutcomeKind::Turn | OutcomeKind::Category(_))
}

fn analysable(all: &[&crate::spec::OutcomeSpec]) -> String {
    all.iter()
        .filter(|o| analysable_kind(o.kind))
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the exploration and writes every output. `progress` receives model runs done
/// (points × replications; every option counts once).
pub fn execute(
    cfg: &ExploreConfig,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<ExploreReport> {
    let sc = &cfg.scenario;
    let (plan, outcomes) = prepare(cfg)?;
    let sim = crate::model::build(sc).map_err(|e| anyhow!("{e}"))?;
    let policies: Vec<usize> = (0..sc.policies.len()).collect();
    let options: Vec<String> = sc.policies.iter().map(|p| p.name.clone()).collect();
    let all_outcomes: Vec<String> = sim.outcomes().iter().map(|o| o.name.clone()).collect();
    let categorical: Vec<bool> = sim
        .outcomes()
        .iter()
        .map(|o| matches!(o.kind, OutcomeKind::Category(_)))
        .collect();
    let picked: Vec<usize> = outcomes
        .iter()
        .map(|o| all_outcomes.iter().position(|a| a == o).unwrap_or(0))
        .collect();
    let reps = cfg.request.replications;
    let ppb = 256u64.div_ceil(reps).max(1);
    let exp = Exploration {
        scenario: sc,
        sim: sim.as_ref(),
        policies: policies.clone(),
        baseline: sc.baseline,
        columns: plan.columns.clone(),
        values: &plan.values,
        replications: reps,
        seed: cfg.request.seed,
        points_per_block: ppb,
        threads: cfg.threads,
    };
    let started = crate::kernel::time::now_rfc3339();
    let t0 = Instant::now();
    let dir = OutputDir::create(&cfg.out, cfg.force)?;
    let names = &plan.names;
    let display = |c: usize, x: f64| sc.model.params[plan.columns[c].param].display(x);
    table::write_design(
        &dir.file("design.csv"),
        names,
        &plan.design,
        &plan.values,
        &display,
    )?;
    let rpath = dir.file("results.csv");
    let mut rw = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&rpath)
            .with_context(|| format!("cannot write {}", rpath.display()))?,
    );
    rw.write_all(&table::results_header(&all_outcomes))?;
    let (p_n, k_n, o_n) = (options.len(), picked.len(), all_outcomes.len());
    let points = exp.points();
    let cells = points as usize * p_n * k_n;
    let (mut y, mut noise) = (vec![f64::NAN; cells], vec![f64::NAN; cells]);
    let (mut dy, mut dnoise) = (vec![f64::NAN; cells], vec![f64::NAN; cells]);
    let mean_and_noise = |m: &crate::stats::Moments| {
        if m.n > 0 {
            (m.mean, m.mcse() * m.mcse())
        } else {
            (f64::NAN, f64::NAN)
        }
    };
    let mut sink = |b: &crate::engine::explore::PointBlock| -> Result<()> {
        rw.write_all(&b.rows)
            .with_context(|| format!("cannot write {}", rpath.display()))?;
        for i in 0..b.points as usize {
            let point = b.first_point as usize + i;
            for p in 0..p_n {
                for (k, &o) in picked.iter().enumerate() {
                    let at = (point * p_n + p) * k_n + k;
                    (y[at], noise[at]) = mean_and_noise(&b.moments[(i * p_n + p) * o_n + o]);
                    (dy[at], dnoise[at]) = mean_and_noise(&b.diff[(i * p_n + p) * o_n + o]);
                }
            }
        }
        Ok(())
    };
    let format = |b: &crate::engine::explore::PointBlock, buf: &mut Vec<u8>| {
        table::results_rows(b, &options, &categorical, reps, buf)
    };
    match exp.run(&format, &mut sink, progress, cancel) {
        Ok(()) => {}
        Err(EngineError::Interrupted) => return Err(anyhow!("interrupted: no result was written")),
        Err(EngineError::Sink(e)) => return Err(e),
        Err(e) => return Err(e.into()),
    }
    rw.flush()
        .with_context(|| format!("cannot write {}", rpath.display()))?;
    drop(rw);
    let wall_run = t0.elapsed().as_secs_f64();
    // Analysis.
    let baseline = sc.baseline;
    let means = analyse::Means {
        y: &y,
        noise: &noise,
        diff: &dy,
        diff_noise: &dnoise,
        options: &options,
        baseline,
        outcomes: &outcomes,
    };
    let sens = analyse::sensitivity(
        &means,
        &plan.design,
        names,
        &plan.values,
        cfg.bootstrap,
        cfg.request.seed,
    );
    analysis::write_sensitivity(&dir.file("sensitivity.csv"), &sens)?;
    let (steps, limits) = analyse::discovery(&means, &plan.values, names, &cfg.prim);
    analysis::write_prim(&dir.file("prim.csv"), &steps)?;
    analysis::write_prim_box(&dir.file("prim_box.csv"), &limits)?;
    let robust = analyse::robustness(&means);
    analysis::write_robustness(&dir.file("robustness.csv"), &robust)?;
    let satis = analyse::satisficing(&means, &cfg.thresholds);
    analysis::write_satisficing(&dir.file("satisficing.csv"), &satis)?;
    crate::output::policies::write(sc, &policies, &dir.file("policies.csv"))?;
    let n_runs = runs(points, reps, p_n);
    let root = sc.files.first();
    let manifest = ExploreManifest {
        kind: "explore".into(),
        format: crate::output::explore::FORMAT.into(),
        cohesion_version: crate::VERSION.to_string(),
        git_commit: git_commit(),
        command_line: cfg.command_line.clone(),
        scenario: sc.name.clone(),
        scenario_description: sc.description.clone(),
        scenario_path: sc.origin.display(),
        scenario_blake3: root.map(|f| f.blake3.clone()).unwrap_or_default(),
        files: sc
            .files
            .iter()
            .map(|f| FileHash {
                path: f.name(),
                blake3: f.blake3.clone(),
            })
            .collect(),
        model: sc.model.kind.to_string(),
        seed: cfg.request.seed,
        seed_generated: cfg.seed_generated,
        design: cfg.request.design.name().into(),
        base_points: plan.design.base as u64,
        points,
        replications: reps,
        levels: (plan.design.levels > 0).then_some(plan.design.levels),
        second_order: plan.design.second_order,
        randomisation: randomisation(&plan.design),
        parameters: plan.params.clone(),
        outcomes: outcomes.clone(),
        policies: options.clone(),
        baseline: options[baseline].clone(),
        bootstrap: cfg.bootstrap,
        thresholds: cfg.thresholds.iter().map(|t| t.text()).collect(),
        prim: cfg.prim.clone(),
        threads: cfg.threads,
        points_per_block: ppb,
        target: env!("COHESION_TARGET").to_string(),
        started,
        finished: crate::kernel::time::now_rfc3339(),
        wall_seconds: wall_run,
        runs_per_second: n_runs as f64 / wall_run.max(1e-9),
        key_outcomes: sc.key_outcomes.clone(),
        negligible: sc.negligible.iter().cloned().collect(),
    };
    let t_charts = Instant::now();
    if cfg.charts {
        let data = crate::plot::explore::ExploreData::load_with(dir.path(), &manifest)?;
        let drawn = crate::plot::explore::write_all(
            &data,
            dir.path(),
            &crate::plot::PlotOptions::default(),
        )
        .context("cannot draw the charts")?;
        report::write(&data, &drawn, dir.path())?;
    }
    let chart_seconds = if cfg.charts {
        t_charts.elapsed().as_secs_f64()
    } else {
        0.0
    };
    manifest.write(&dir.file("manifest.json"))?;
    let out = dir.commit()?;
    Ok(ExploreReport {
        out,
        points,
        runs: n_runs,
        wall_seconds: wall_run,
        chart_seconds,
    })
}

/// How a design's random choices were made, for the manifest and the report.
pub fn randomisation(d: &crate::stats::designs::Design) -> String {
    use crate::stats::designs::Kind;
    match d.kind {
        Kind::Sobol => "Sobol' points (Joe–Kuo new-joe-kuo-6.21201 direction numbers, Gray-code order, points 0 to N−1) scrambled by a random digital shift per dimension drawn from the seed; Saltelli's A and B are the first and last halves of a 2D-dimensional sequence".into(),
        Kind::Lhs => "Latin hypercube: a random permutation of the strata per parameter and a uniform position in each, drawn from the seed".into(),
        Kind::Morris => "Morris trajectories: random grid start, directions and order of moves per trajectory, drawn from the seed".into(),
        Kind::Factorial => "full factorial: no random choice".into(),
    }
}
