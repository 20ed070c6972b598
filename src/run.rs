//! One run of the main job: a validated configuration in, a complete output directory out.
//!
//! The pipeline is: build the simulation from the scenario → run the engine, streaming each
//! finished block's rows into `trials.csv` → write the summary, time-series and comparison
//! tables, the injects and the options → draw the charts and `report.html` from those files
//! → write the manifest last → move the directory into place. Any failure or
//! interruption before the last step leaves no complete-looking result.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};

use crate::engine::{EngineError, Experiment};
use crate::output::manifest::{FileHash, Manifest};
use crate::output::{OutputDir, injects, policies, tables, trials};
use crate::scenario::Scenario;

/// A validated configuration of `cohesion run`.
pub struct RunConfig {
    /// The scenario, validated.
    pub scenario: Scenario,
    /// Indices of the options to run, in scenario order; the baseline is always included
    /// (the comparison table needs it).
    pub policies: Vec<usize>,
    /// Number of trials (each runs every option).
    pub trials: u64,
    /// Master seed of every random stream.
    pub seed: u64,
    /// Whether the seed was drawn fresh because none was given.
    pub seed_generated: bool,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Trials per block (results depend on it only through float rounding of merges; it is
    /// recorded in the manifest).
    pub block_size: u64,
    /// Final output directory.
    pub out: PathBuf,
    /// Replace an existing output directory.
    pub force: bool,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
    /// Stop with an error after this many blocks (testing the safe-output guarantee).
    pub fail_after_blocks: Option<u64>,
    /// Draw the charts and write `report.html` (drawn from the CSV files just written).
    pub charts: bool,
}

/// What a finished run reports.
pub struct RunReport {
    pub out: PathBuf,
    pub trials: u64,
    pub wall_seconds: f64,
    pub trials_per_second: f64,
    /// Seconds spent drawing charts and the report (0 without charts).
    pub chart_seconds: f64,
}

/// The git commit the binary was built from, when known.
fn git_commit() -> Option<String> {
    option_env!("COHESION_GIT_COMMIT")
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// Runs the experiment and writes every output. `progress` receives trials done.
pub fn execute(cfg: &RunConfig, progress: &dyn Fn(u64), cancel: &AtomicBool) -> Result<RunReport> {
    let sc = &cfg.scenario;
    let sim = crate::model::build(sc).map_err(|e| anyhow!("{e}"))?;
    let exp = Experiment {
        scenario: sc,
        sim: sim.as_ref(),
        policies: cfg.policies.clone(),
        trials: cfg.trials,
        seed: cfg.seed,
        block_size: cfg.block_size,
        threads: cfg.threads,
    };
    let started = crate::kernel::time::now_rfc3339();
    let t0 = Instant::now();
    let dir = OutputDir::create(&cfg.out, cfg.force)?;
    let trials_path = dir.file("trials.csv");
    let mut tw = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&trials_path)
            .with_context(|| format!("cannot write {}", trials_path.display()))?,
    );
    let mut header_done = false;
    let mut blocks_written = 0u64;
    let mut sink =
        |block: &crate::engine::BlockOutput, layout: &crate::stats::Layout| -> Result<()> {
            if !header_done {
                tw.write_all(&trials::header(sc, layout))?;
                header_done = true;
            }
            tw.write_all(&block.rows)
                .with_context(|| format!("cannot write {}", trials_path.display()))?;
            blocks_written += 1;
            if let Some(n) = cfg.fail_after_blocks
                && blocks_written >= n
            {
                return Err(anyhow!(
                    "injected failure after {n} block(s) (COHESION_FAIL_AFTER_BLOCKS)"
                ));
            }
            Ok(())
        };
    let format = |b: &crate::engine::BlockOutput, l: &crate::stats::Layout, buf: &mut Vec<u8>| {
        trials::rows(sc, l, b, buf)
    };
    let acc = match exp.run(&format, &mut sink, progress, cancel) {
        Ok(a) => a,
        Err(EngineError::Interrupted) => return Err(anyhow!("interrupted: no result was written")),
        Err(EngineError::Sink(e)) => return Err(e),
        Err(e) => return Err(e.into()),
    };
    tw.flush()
        .with_context(|| format!("cannot write {}", trials_path.display()))?;
    drop(tw);
    tables::write_summary(&acc, &dir.file("summary.csv"))?;
    tables::write_timeseries(&acc, &dir.file("timeseries.csv"))?;
    tables::write_comparison(&acc, &dir.file("comparison.csv"))?;
    injects::write(sc, &dir.file("injects.csv"))?;
    policies::write(sc, &cfg.policies, &dir.file("policies.csv"))?;
    let wall = t0.elapsed().as_secs_f64();
    let tps = cfg.trials as f64 / wall.max(1e-9);
    let root = sc.files.first();
    let manifest = Manifest {
        format: crate::output::manifest::FORMAT.to_string(),
        cohesion_version: crate::VERSION.to_string(),
        git_commit: git_commit(),
        command_line: cfg.command_line.clone(),
        scenario: sc.name.clone(),
        scenario_description: sc.description.clone(),
        turn_length: sc.turn_length.clone(),
        start: sc.start.clone(),
        turns: Some(sc.turns),
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
        seed: cfg.seed,
        seed_generated: cfg.seed_generated,
        trials: cfg.trials,
        block_size: cfg.block_size,
        threads: cfg.threads,
        policies: exp.layout().policies,
        baseline: sc.policies[sc.baseline].name.clone(),
        target: env!("COHESION_TARGET").to_string(),
        started,
        finished: crate::kernel::time::now_rfc3339(),
        wall_seconds: wall,
        trials_per_second: tps,
        quantile_accuracy: format!(
            "real outcomes: range/{}; time series: range/{}; counts and turns: exact",
            2 * crate::stats::sketch::BINS,
            2 * crate::stats::SERIES_BINS
        ),
    };
    // Charts read back the CSV files just written (as `cohesion plot` does), so that both
    // draw the same bytes; they go in before the manifest, which marks the result complete.
    let t_charts = Instant::now();
    if cfg.charts {
        let data = crate::plot::RunData::load_with(dir.path(), &manifest)?;
        let drawn = crate::plot::write_all(&data, dir.path(), &crate::plot::PlotOptions::default())
            .context("cannot draw the charts")?;
        crate::report::write(&data, &drawn, dir.path())?;
    }
    let chart_seconds = if cfg.charts {
        t_charts.elapsed().as_secs_f64()
    } else {
        0.0
    };
    manifest.write(&dir.file("manifest.json"))?;
    let out = dir.commit()?;
    Ok(RunReport {
        out,
        trials: cfg.trials,
        wall_seconds: wall,
        trials_per_second: tps,
        chart_seconds,
    })
}
