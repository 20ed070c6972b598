//! One run of the main job: a validated configuration in, a complete output directory out.
//!
//! The pipeline is: build the simulation from the scenario → run the engine over the run's
//! blocks (all of them, or a shard's), folding each finished block in block order into the
//! statistics and appending its rows to the checkpoint → write the summary, time-series and
//! comparison tables, the per-ally table (when the model reports per-actor outcomes), the
//! injects and the options → draw the charts and `report.html` from
//! those files → write the manifest last → move the directory into place and drop the
//! checkpoint. Any failure or interruption before the last step leaves no complete-looking
//! result, but keeps the checkpoint, so `--resume` continues where the run stopped.
//!
//! The same fold serves every way of running: a shard (`--shard I/N`) folds its own blocks
//! and writes a part that [`merge`] folds with the others in block order; a resumed run
//! starts from the checkpoint's statistics and skips the blocks they hold; `--precision`
//! stops after the first block at which the asked precision is reached. Each reproduces, bit
//! for bit, what one uninterrupted process would have written.

mod checkpoint;
pub mod diff;
pub mod identity;
pub mod merge;
pub mod rerun;
mod results;
pub mod slurm;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};

use crate::engine::{EngineError, Experiment, Flow, Precision};
use crate::output::manifest::{Execution, Extras, HalfWidth, Manifest, RunManifest, Stopping};
use crate::output::{OutputDir, trials};
use crate::scenario::Scenario;
use checkpoint::Checkpoint;
use identity::Identity;

/// The format of the output tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// CSV only (the default).
    #[default]
    Csv,
    /// Parquet only (charts are still drawn from the tables, before the CSVs are dropped).
    Parquet,
    /// CSV and Parquet.
    Both,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Result<Format> {
        match s {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            "both" => Ok(Format::Both),
            _ => bail!("--format {s}: allowed: csv, parquet, both"),
        }
    }
}

/// One shard of a sharded run: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The blocks the shard owns, of `blocks` in all: a contiguous range, the ranges of
    /// shards 1..N covering every block once, in order.
    pub fn range(&self, blocks: u64) -> std::ops::Range<u64> {
        let at = |i: u64| (i as u128 * blocks as u128 / self.count as u128) as u64;
        at(self.index - 1)..at(self.index)
    }

    pub fn label(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// A validated configuration of `cohesion run`.
pub struct RunConfig {
    /// The scenario, validated.
    pub scenario: Scenario,
    /// Indices of the options to run, in scenario order; the baseline is always included
    /// (the comparison table needs it).
    pub policies: Vec<usize>,
    /// Number of trials (each runs every option); the most, with `precision`.
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
    /// Final output directory (a part directory for a shard).
    pub out: PathBuf,
    /// Replace an existing output directory (and discard a checkpoint).
    pub force: bool,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
    /// Stop with an error after this many blocks (testing the safe-output guarantee).
    pub fail_after_blocks: Option<u64>,
    /// Draw the charts and write `report.html` (drawn from the CSV files just written).
    pub charts: bool,
    /// Run only this shard's blocks and write a part for `cohesion merge`.
    pub shard: Option<Shard>,
    /// Continue from the checkpoint of an interrupted run of the same command.
    pub resume: bool,
    /// Stop once every option's interval of these outcomes is this narrow.
    pub precision: Option<Precision>,
    /// Table format.
    pub format: Format,
}

/// What a finished run reports.
pub struct RunReport {
    pub out: PathBuf,
    pub trials: u64,
    pub wall_seconds: f64,
    pub trials_per_second: f64,
    /// Seconds spent drawing charts and the report (0 without charts).
    pub chart_seconds: f64,
    /// Blocks taken from a checkpoint instead of being computed.
    pub blocks_reused: u64,
    /// Blocks of the run (or of the shard).
    pub blocks: u64,
    /// `--resume` found no checkpoint and started from the first block.
    pub resume_found_nothing: bool,
    /// Why an adaptive run stopped, with the half-widths reached.
    pub stopping: Option<Stopping>,
}

/// The git commit the binary was built from, when known.
pub fn git_commit() -> Option<String> {
    option_env!("COHESION_GIT_COMMIT")
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// What must agree between this run and a checkpoint or the other parts of a sharded run.
pub fn identity_of(cfg: &RunConfig) -> Identity {
    let sc = &cfg.scenario;
    Identity {
        cohesion_version: crate::VERSION.to_string(),
        git_commit: git_commit(),
        scenario: sc.name.clone(),
        scenario_path: sc.origin.display(),
        scenario_abs_path: identity::abs_path(sc),
        files: identity::file_hashes(sc),
        model: sc.model.kind.to_string(),
        seed: cfg.seed,
        trials: cfg.trials,
        block_size: cfg.block_size,
        policies: cfg
            .policies
            .iter()
            .map(|&p| sc.policies[p].name.clone())
            .collect(),
        precision: cfg.precision.as_ref().map(Precision::spec),
        format: cfg.format.as_str().to_string(),
        charts: cfg.charts,
    }
}

/// The manifest of a finished result.
#[allow(clippy::too_many_arguments)]
pub(crate) fn manifest_for(
    sc: &Scenario,
    id: &Identity,
    trials: u64,
    threads: usize,
    command_line: Vec<String>,
    seed_generated: bool,
    started: String,
    wall: f64,
    extras: Extras,
) -> RunManifest {
    RunManifest {
        base: Manifest {
            format: crate::output::manifest::FORMAT.to_string(),
            cohesion_version: id.cohesion_version.clone(),
            git_commit: id.git_commit.clone(),
            command_line,
            scenario: sc.name.clone(),
            scenario_description: sc.description.clone(),
            turn_length: sc.turn_length.clone(),
            start: sc.start.clone(),
            turns: Some(sc.turns),
            scenario_path: id.scenario_path.clone(),
            scenario_blake3: id
                .files
                .first()
                .map(|f| f.blake3.clone())
                .unwrap_or_default(),
            files: id.files.clone(),
            model: id.model.clone(),
            seed: id.seed,
            seed_generated,
            trials,
            block_size: id.block_size,
            threads,
            policies: id.policies.clone(),
            baseline: sc.policies[sc.baseline].name.clone(),
            target: env!("COHESION_TARGET").to_string(),
            started,
            finished: crate::kernel::time::now_rfc3339(),
            wall_seconds: wall,
            trials_per_second: trials as f64 / wall.max(1e-9),
            quantile_accuracy: format!(
                "real outcomes: range/{}; per-actor real outcomes and time series: range/{}; counts and turns: exact",
                2 * crate::stats::sketch::BINS,
                2 * crate::stats::SERIES_BINS
            ),
            key_outcomes: sc.key_outcomes.clone(),
            negligible: sc.negligible.iter().cloned().collect(),
        },
        extras: Extras {
            scenario_abs_path: id.scenario_abs_path.clone(),
            charts: id.charts,
            table_format: id.format.clone(),
            ..extras
        },
    }
}

/// Runs the experiment (or one shard of it) and writes every output. `progress` receives
/// trials done (counting those restored from a checkpoint).
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
    let layout = exp.layout();
    let all_blocks = exp.blocks();
    let blocks: Vec<u64> = match cfg.shard {
        Some(s) => s.range(all_blocks).collect(),
        None => (0..all_blocks).collect(),
    };
    let id = identity_of(cfg);
    let started = crate::kernel::time::now_rfc3339();
    let t0 = Instant::now();
    let dir = OutputDir::create(&cfg.out, cfg.force)?;
    let cp_dir = checkpoint::path_for(&cfg.out);
    let header = trials::header(sc, &layout);
    let shard_label = cfg.shard.map(|s| s.label());
    let fresh = || {
        Checkpoint::create(
            &cp_dir,
            &checkpoint::info(&id, shard_label.clone()),
            &header,
            &layout,
        )
    };
    let mut resume_found_nothing = false;
    let (mut cp, restored) = if cp_dir.join("checkpoint.json").exists() {
        if cfg.resume {
            let info = Checkpoint::info(&cp_dir)?;
            let mut diffs = info.identity.differences(&id, "in the checkpoint", "now");
            if info.shard != shard_label {
                diffs.push(format!(
                    "shard: {} in the checkpoint, {} now",
                    info.shard.as_deref().unwrap_or("none"),
                    shard_label.as_deref().unwrap_or("none")
                ));
            }
            if !diffs.is_empty() {
                bail!(
                    "cannot resume: {} is the checkpoint of a different run:\n  {}\n(run without --resume and with --force to start over)",
                    cp_dir.display(),
                    diffs.join("\n  ")
                );
            }
            let (cp, r) = Checkpoint::resume(&cp_dir, &layout, cfg.shard.is_some())
                .with_context(|| {
                    format!(
                        "cannot resume from {} (run with --force instead of --resume to start over)",
                        cp_dir.display()
                    )
                })?;
            (cp, Some(r))
        } else if cfg.force {
            (fresh()?, None)
        } else {
            bail!(
                "{} holds the checkpoint of an interrupted run into {}: add --resume to continue it, or --force to start over",
                cp_dir.display(),
                cfg.out.display()
            );
        }
    } else {
        resume_found_nothing = cfg.resume;
        (fresh()?, None)
    };
    let (mut acc, mut kept, mut done, mut trials_done) = match restored {
        Some(r) => (r.acc, r.blocks, r.done, r.trials),
        None => (
            crate::stats::Accumulators::unallocated(layout.clone()),
            Vec::new(),
            0,
            0,
        ),
    };
    if done > blocks.len() {
        bail!(
            "{} records {done} blocks, more than the run has",
            cp_dir.display()
        );
    }
    let reused = done as u64;
    progress(trials_done);
    let met = |acc: &crate::stats::Accumulators| cfg.precision.as_ref().is_some_and(|p| p.met(acc));
    let mut stopped = done > 0 && met(&acc);
    let format =
        |k: u64, draws: &[f64], vals: &[f64], l: &crate::stats::Layout, buf: &mut Vec<u8>| {
            trials::rows(sc, l, k, draws, vals, buf)
        };
    let shard = cfg.shard.is_some();
    let mut folded_here = 0u64;
    let start = done;
    let result = if stopped {
        Ok(())
    } else {
        let mut fold =
            |out: crate::engine::BlockOutput, _: &crate::stats::Layout| -> Result<Flow> {
                let crate::engine::BlockOutput {
                    moments,
                    mut noted,
                    rows,
                    trials,
                    ..
                } = out;
                // The block's own statistics go before the checkpoint may be saved: its
                // moments moved into the run's when they are the first, merged otherwise.
                if shard {
                    acc.ensure();
                    acc.add_block_noted(moments.clone(), &mut noted);
                    kept.push(moments);
                } else {
                    acc.add_block_noted(moments, &mut noted);
                }
                drop(noted);
                cp.append(&rows)?;
                drop(rows);
                done += 1;
                trials_done += trials;
                folded_here += 1;
                progress(trials_done);
                if let Some(n) = cfg.fail_after_blocks
                    && folded_here >= n
                {
                    return Err(anyhow!(
                        "injected failure after {n} block(s) (COHESION_FAIL_AFTER_BLOCKS)"
                    ));
                }
                if met(&acc) {
                    stopped = true;
                    return Ok(Flow::Stop);
                }
                if cp.due() {
                    cp.save(done, trials_done, &acc, &kept)?;
                }
                Ok(Flow::Continue)
            };
        exp.run_blocks(&blocks[start..], &format, &mut fold, cancel)
            .map(|_| ())
    };
    acc.ensure();
    if let Err(e) = result {
        // Keep everything folded so far for --resume, then report.
        let saved = cp.save(done, trials_done, &acc, &kept);
        let kept_note = match saved {
            Ok(()) => format!(
                "{done} of {} blocks are kept in {}: run the same command with --resume to continue",
                blocks.len(),
                cp_dir.display()
            ),
            Err(se) => format!("the checkpoint could not be saved: {se:#}"),
        };
        return Err(match e {
            EngineError::Interrupted => anyhow!("interrupted: no result was written; {kept_note}"),
            EngineError::Sink(e) => e.context(kept_note),
            e => anyhow::Error::from(e).context(kept_note),
        });
    }
    // From here on a signal still stops the run before the result is in place; the
    // checkpoint keeps its rows (the result gets a hard link to them, not the file itself).
    let interrupted = || -> Result<()> {
        if cancel.load(std::sync::atomic::Ordering::SeqCst) {
            bail!(
                "interrupted: no result was written; {} holds the checkpoint: run the same command with --resume to continue",
                cp_dir.display()
            );
        }
        Ok(())
    };
    interrupted()?;
    let rows = cp.finish_rows()?;
    let wall = t0.elapsed().as_secs_f64();
    let mut report = RunReport {
        out: cfg.out.clone(),
        trials: trials_done,
        wall_seconds: wall,
        trials_per_second: trials_done as f64 / wall.max(1e-9),
        chart_seconds: 0.0,
        blocks_reused: reused,
        blocks: blocks.len() as u64,
        resume_found_nothing,
        stopping: None,
    };
    if let Some(s) = cfg.shard {
        checkpoint::link_rows(&rows, &dir.file("rows.csv"))?;
        merge::write_part(
            &dir,
            &merge::PartInfo::new(&id, s, all_blocks, trials_done, started, wall, cfg),
            &layout,
            &acc,
            &kept,
        )?;
    } else {
        checkpoint::link_rows(&rows, &dir.file("trials.csv"))?;
        let stopping = cfg.precision.as_ref().map(|p| Stopping {
            precision: p.spec(),
            trials_limit: cfg.trials,
            reason: if stopped {
                "precision reached".into()
            } else {
                "trial limit reached".into()
            },
            trials: trials_done,
            half_widths: p
                .reached(&acc)
                .into_iter()
                .map(|r| HalfWidth {
                    option: r.option,
                    outcome: r.outcome,
                    half_width: r.half_width,
                    target: r.target,
                })
                .collect(),
        });
        let execution = (reused > 0).then(|| Execution {
            blocks_reused: Some(reused),
            blocks: Some(blocks.len() as u64),
            merged_from: Vec::new(),
        });
        let manifest = manifest_for(
            sc,
            &id,
            trials_done,
            cfg.threads,
            cfg.command_line.clone(),
            cfg.seed_generated,
            started,
            wall,
            Extras {
                stopping: stopping.clone(),
                execution,
                ..Extras::default()
            },
        );
        report.chart_seconds = results::write(&dir, sc, &cfg.policies, acc, &manifest, cfg.format)?;
        report.stopping = stopping;
    }
    dir.sync()?;
    interrupted()?;
    report.out = dir.commit()?;
    std::fs::remove_dir_all(&cp_dir).ok();
    Ok(report)
}
