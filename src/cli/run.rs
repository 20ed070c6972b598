//! `cohesion run`: arguments → validated [`RunConfig`] → [`cohesion::run::execute`] → report.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use cohesion::run::{RunConfig, execute};

use super::RunArgs;

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
    let block_size =
        super::within("--block-size", a.block_size, &BLOCK_SIZE)?.unwrap_or(scenario.run.block_size);
    let threads = super::threads(a.threads)?;
    let seed = super::within("--seed", a.seed, &SEED)?;
    let (seed, seed_generated) = match seed.or(scenario.run.seed) {
        Some(s) => (s, false),
        None => (cohesion::kernel::time::fresh_seed(), true),
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| format!("output/{}-{seed}", scenario.name).into());
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
    })
}

pub fn run(a: RunArgs) -> Result<i32> {
    let cfg = configure(&a)?;
    if cfg.seed_generated && !a.quiet {
        eprintln!(
            "seed: {} (fresh; pass --seed {} to repeat this run)",
            cfg.seed, cfg.seed
        );
    }
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let c = cancel.clone();
        // Ctrl-C: stop between blocks; the partial directory is removed on the way out.
        ctrlc::set_handler(move || c.store(true, Ordering::SeqCst)).ok();
    }
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(cfg.trials);
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
    } else {
        None
    };
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = execute(&cfg, &progress, &cancel);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if cancel.load(Ordering::SeqCst) {
        eprintln!("interrupted: no result was written");
        return Ok(130);
    }
    let report = result?;
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
    }
    Ok(0)
}
