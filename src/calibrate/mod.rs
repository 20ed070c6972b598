//! `cohesion calibrate`: a validated configuration in, a complete calibration folder out.
//!
//! The pipeline: read the targets file against the scenario and its simulation (`targets`) →
//! run ABC-SMC on the engine's pool (`engine::calibration`) → write the posterior, the prior
//! draws, the generations, the parameters' summaries, the fit to every target beside its
//! baseline, and a scenario fragment that `extends` the scenario and draws the calibrated
//! parameters jointly from the posterior (`outputs`) → draw the diagnostics chart from those
//! files (`plot::write_calibration`) → write the manifest last → move the folder into place. The
//! method and its defaults are explained in docs/CALIBRATION.md.

pub mod outputs;
pub mod targets;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Result, anyhow};

use crate::engine::abc::Prior;
use crate::engine::{Calibration, CalibrationResult, EngineError, Target};
use crate::output::OutputDir;
use crate::scenario::{Origin, Scenario};
pub use targets::Targets;

/// Budget settings given on the command line, over the targets file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub simulations: Option<u64>,
    pub population: Option<usize>,
    pub generations: Option<usize>,
    pub trials_per_simulation: Option<u64>,
}

/// A validated configuration of `cohesion calibrate`.
pub struct CalibrateConfig {
    pub scenario: Scenario,
    pub targets: Targets,
    pub seed: u64,
    pub seed_generated: bool,
    pub threads: usize,
    /// Proposals per block of work.
    pub block_size: u64,
    pub out: PathBuf,
    pub force: bool,
    pub command_line: Vec<String>,
    pub charts: bool,
}

/// What a finished calibration reports.
pub struct CalibrateReport {
    pub out: PathBuf,
    pub simulations: u64,
    pub trials: u64,
    pub wall_seconds: f64,
    pub result: CalibrationResult,
}

/// Reads the targets file (a file on disk or a built-in path) against the scenario, and
/// applies the command line's budget.
pub fn configure_targets(sc: &Scenario, targets: &str, overrides: &Overrides) -> Result<Targets> {
    let origin = crate::scenario::resolve(targets).or_else(|_| {
        let p = std::path::Path::new(targets);
        if p.is_file() {
            Ok(Origin::File(p.to_path_buf()))
        } else {
            Err(anyhow!("--targets: no file `{targets}`"))
        }
    })?;
    let sim = crate::model::build(sc).map_err(|i| anyhow!("invalid scenario: {i}"))?;
    let mut t = targets::load(origin, sc, sim.as_ref()).map_err(|e| anyhow!(e))?;
    if let Some(m) = overrides.simulations {
        t.simulations = m;
        t.population = t.population.min(m as usize);
    }
    if let Some(n) = overrides.population {
        t.population = n;
    }
    if let Some(g) = overrides.generations {
        t.generations = g;
    }
    if let Some(k) = overrides.trials_per_simulation {
        t.trials_per_simulation = k;
    }
    if t.population < 2 || t.population as u64 > t.simulations {
        return Err(anyhow!(
            "population {} with {} simulations per generation; allowed: 2 to the number of simulations",
            t.population,
            t.simulations
        ));
    }
    if t.generations == 0 || t.trials_per_simulation == 0 {
        return Err(anyhow!(
            "generations and trials per simulation must be at least 1"
        ));
    }
    Ok(t)
}

/// Runs the calibration and writes its folder. `progress` gets the simulations done.
pub fn execute(
    cfg: &CalibrateConfig,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<CalibrateReport> {
    let started = crate::kernel::time::now_rfc3339();
    let t0 = Instant::now();
    let sc = &cfg.scenario;
    let sim = crate::model::build(sc).map_err(|i| anyhow!("invalid scenario: {i}"))?;
    let t = &cfg.targets;
    let cal = Calibration {
        scenario: sc,
        sim: sim.as_ref(),
        policy: t.policy,
        params: t.params.clone(),
        prior: Prior {
            marginals: t.priors.clone(),
        },
        targets: t
            .targets
            .iter()
            .map(|s| Target {
                statistic: Box::new(s.kind.clone()),
                observed: s.value,
                scale: s.scale,
                fit: s.fit,
            })
            .collect(),
        trials_per_simulation: t.trials_per_simulation,
        simulations: t.simulations,
        population: t.population,
        generations: t.generations,
        seed: cfg.seed,
        block_size: cfg.block_size,
        threads: cfg.threads,
    };
    let dir = OutputDir::create(&cfg.out, cfg.force)?;
    let result = cal.run(progress, cancel).map_err(|e| match e {
        EngineError::Interrupted => anyhow!("interrupted"),
        other => anyhow!(other),
    })?;
    let wall = t0.elapsed().as_secs_f64();
    outputs::write_tables(cfg, &result, &dir)?;
    if cfg.charts {
        crate::plot::write_calibration(dir.path(), crate::plot::Style::default())?;
    }
    outputs::write_manifest(cfg, &result, &dir, &started, wall)?;
    let out = dir.commit()?;
    let simulations = cal.total_simulations();
    Ok(CalibrateReport {
        out,
        simulations,
        trials: simulations * t.trials_per_simulation,
        wall_seconds: wall,
        result,
    })
}
