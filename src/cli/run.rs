//! `cohesion run`: arguments → validated [`RunConfig`] → [`cohesion::run::execute`] → report.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use cohesion::engine::Precision;
use cohesion::run::{Format, RunConfig, RunReport, Shard, execute};

use super::{RunArgs, TableFormat};

/// The table format chosen on the command line.
pub(crate) fn table_format(f: TableFormat) -> Format {
    match f {
        TableFormat::Csv => Format::Csv,
        TableFormat::Parquet => Format::Parquet,
        TableFormat::Both => Format::Both,
    }
}

/// `I/N` from `--shard`, or the index from `--shard-from-env VAR` and the count from
/// `--shards` or `$SLURM_ARRAY_TASK_COUNT`.
fn shard(a: &RunArgs, blocks: u64) -> Result<Option<Shard>> {
    let (index, count) = if let Some(s) = &a.shard {
        let Some((i, n)) = s.split_once('/') else {
            bail!("--shard {s}: allowed: I/N, shard I of N (e.g. 2/8)");
        };
        match (i.trim().parse::<u64>(), n.trim().parse::<u64>()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => bail!("--shard {s}: allowed: I/N with whole numbers, 1 ≤ I ≤ N (e.g. 2/8)"),
        }
    } else if let Some(var) = &a.shard_from_env {
        let Ok(v) = std::env::var(var) else {
            bail!("--shard-from-env {var}: the variable is not set (is this a job array task?)");
        };
        let Ok(mut i) = v.trim().parse::<u64>() else {
            bail!("--shard-from-env {var}: its value `{v}` is not a whole number");
        };
        // Slurm arrays may start at 0 (--array=0-7): count shards from the array's first task.
        if var == "SLURM_ARRAY_TASK_ID"
            && std::env::var("SLURM_ARRAY_TASK_MIN").is_ok_and(|m| m.trim() == "0")
        {
            i += 1;
        }
        let n = match a.shards {
            Some(n) => n,
            None => match std::env::var("SLURM_ARRAY_TASK_COUNT")
                .ok()
                .and_then(|c| c.trim().parse().ok())
            {
                Some(n) => n,
                None => bail!(
                    "--shard-from-env {var}: give the number of shards with --shards N (SLURM_ARRAY_TASK_COUNT is not set)"
                ),
            },
        };
        (i, n)
    } else {
        if a.shards.is_some() {
            bail!("--shards goes with --shard-from-env VAR (or use --shard I/N)");
        }
        return Ok(None);
    };
    if count == 0 || index == 0 || index > count {
        bail!("shard {index}/{count}: allowed: 1 ≤ I ≤ N");
    }
    if count > blocks {
        bail!(
            "{count} shards, but the run has only {blocks} block(s): use at most {blocks} shards, or a smaller --block-size"
        );
    }
    Ok(Some(Shard { index, count }))
}

/// Checks the arguments against the scenario and builds the configuration.
fn configure(a: &RunArgs) -> Result<RunConfig> {
    let scenario = super::load_scenario(a.scenario.as_deref())?;
    let policies = match &a.policies {
        None => (0..scenario.policies.len()).collect(),
        Some(names) => {
            let mut idx = Vec::new();
            for n in names {
                match scenario.policy_index(n) {
                    Some(i) => idx.push(i),
                    None => bail!(
                        "--policies: no option `{n}` in scenario `{}`; allowed: {}",
                        scenario.name,
                        scenario
                            .policies
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
            if !idx.contains(&scenario.baseline) {
                idx.push(scenario.baseline);
            }
            idx.sort_unstable();
            idx.dedup();
            idx
        }
    };
    use cohesion::scenario::keys::{BLOCK_SIZE, SEED, TRIALS};
    let trials = super::within("--trials", a.trials, &TRIALS)?.unwrap_or(scenario.run.trials);
    let block_size = super::within("--block-size", a.block_size, &BLOCK_SIZE)?
        .unwrap_or(scenario.run.block_size);
    let threads = super::threads(a.threads)?;
    let seed = super::within("--seed", a.seed, &SEED)?;
    let (seed, seed_generated) = match seed.or(scenario.run.seed) {
        Some(s) => (s, false),
        None => (cohesion::kernel::time::fresh_seed(), true),
    };
    let shard = shard(a, trials.div_ceil(block_size))?;
    let precision = match &a.precision {
        None => None,
        Some(spec) => {
            if shard.is_some() {
                bail!(
                    "--precision cannot be used with shards: where to stop depends on every block before it; run without --shard"
                );
            }
            let sim = cohesion::model::build(&scenario).map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(Precision::parse(spec, sim.outcomes()).map_err(anyhow::Error::msg)?)
        }
    };
    let out = a.out.clone().unwrap_or_else(|| match shard {
        Some(s) => format!(
            "output/{}-{seed}.part-{}-of-{}",
            scenario.name, s.index, s.count
        )
        .into(),
        None => format!("output/{}-{seed}", scenario.name).into(),
    });
    let fail_after_blocks = std::env::var("COHESION_FAIL_AFTER_BLOCKS")
        .ok()
        .and_then(|v| v.parse().ok());
    Ok(RunConfig {
        scenario,
        policies,
        trials,
        seed,
        seed_generated,
        threads,
        block_size,
        out,
        force: a.force,
        command_line: std::env::args().collect(),
        fail_after_blocks,
        charts: !a.no_charts,
        shard,
        resume: a.resume,
        precision,
        format: table_format(a.format),
    })
}

/// A progress bar on a terminal, else nothing.
pub(crate) fn progress_bar(quiet: bool, len: u64) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(len);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} trials  {tps}  {elapsed_precise} elapsed, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "tps",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} trials/s", s.per_sec());
            },
        ),
    );
    Some(b)
}

/// Prints what a finished run did beyond the usual line: blocks reused, where it stopped.
pub(crate) fn print_extras(r: &RunReport) {
    if r.blocks_reused > 0 {
        println!(
            "resumed: {} of {} blocks reused from the checkpoint, {} computed",
            r.blocks_reused,
            r.blocks,
            r.blocks - r.blocks_reused
        );
    }
    if let Some(s) = &r.stopping {
        println!(
            "stopped after {} trials ({}; limit {}); 95% half-widths:",
            s.trials, s.reason, s.trials_limit
        );
        for h in &s.half_widths {
            println!(
                "  {:<24} {:<28} {:.6} (target {})",
                h.outcome, h.option, h.half_width, h.target
            );
        }
    }
}

pub fn run(a: RunArgs) -> Result<i32> {
    // Before anything else, so that a signal at any moment stops the run the same way.
    let cancel = super::signals::cancel_on_signals();
    let cfg = configure(&a)?;
    if cfg.seed_generated && !a.quiet {
        eprintln!(
            "seed: {} (fresh; pass --seed {} to repeat this run)",
            cfg.seed, cfg.seed
        );
    }
    let len = match cfg.shard {
        Some(s) => {
            let r = s.range(cfg.trials.div_ceil(cfg.block_size));
            (r.end * cfg.block_size).min(cfg.trials) - r.start * cfg.block_size
        }
        None => cfg.trials,
    };
    let bar = progress_bar(a.quiet, len);
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done.min(len));
        }
    };
    let result = execute(&cfg, &progress, cancel);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // A signal that came after the result was in place does not undo it.
    if cancel.load(Ordering::SeqCst) && result.is_err() {
        if let Err(e) = &result {
            eprintln!("{e:#} ({})", super::signals::name());
        }
        return Ok(super::signals::exit_code());
    }
    let report = result?;
    if report.resume_found_nothing {
        eprintln!("--resume: no checkpoint of this run was found; it ran from the first block");
    }
    if let Some(sh) = cfg.shard {
        if !a.quiet {
            let r = sh.range(cfg.trials.div_ceil(cfg.block_size));
            println!(
                "shard {}: blocks {}–{} ({} trials) of `{}` (seed {}) in {:.2} s\npart: {}\nmerge all {} parts with: cohesion merge PART… --out DIR",
                sh.label(),
                r.start,
                r.end.saturating_sub(1),
                report.trials,
                cfg.scenario.name,
                cfg.seed,
                report.wall_seconds,
                report.out.display(),
                sh.count
            );
            print_extras(&report);
        }
        return Ok(0);
    }
    if !a.quiet {
        println!(
            "{} trials × {} options of `{}` (seed {}) in {:.2} s ({:.0} trials/s)\nresults: {}",
            report.trials,
            cfg.policies.len(),
            cfg.scenario.name,
            cfg.seed,
            report.wall_seconds,
            report.trials_per_second,
            report.out.display()
        );
        if report.chart_seconds > 0.0 {
            println!(
                "charts and report.html: {:.2} s ({}/charts/, {}/report.html)",
                report.chart_seconds,
                report.out.display(),
                report.out.display()
            );
        }
        print_extras(&report);
    }
    Ok(0)
}
