//! `cohesion calibrate`: arguments → validated [`CalibrateConfig`] →
//! [`cohesion::calibrate::execute`] → report.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;

use anyhow::Result;
use cohesion::calibrate::{CalibrateConfig, Overrides, configure_targets, execute};
use cohesion::engine::calibration::weighted_mean_sd;

use super::CalibrateArgs;

fn configure(a: &CalibrateArgs) -> Result<CalibrateConfig> {
    let scenario = super::load_scenario(Some(&a.scenario))?;
    let overrides = Overrides {
        simulations: a.simulations,
        population: a.population,
        generations: a.generations,
        trials_per_simulation: a.trials_per_simulation,
    };
    let targets = configure_targets(&scenario, &a.targets, &overrides)?;
    let block_size = super::within(
        "--block-size",
        a.block_size,
        &cohesion::scenario::keys::BLOCK_SIZE,
    )?;
    let seed = super::within("--seed", a.seed, &cohesion::scenario::keys::SEED)?;
    let threads = super::threads(a.threads)?;
    let (seed, seed_generated) = match seed.or(targets.seed).or(scenario.run.seed) {
        Some(s) => (s, false),
        None => (cohesion::kernel::time::fresh_seed(), true),
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| format!("output/{}-calibration-{seed}", scenario.name).into());
    // About a thousand trials per block keeps every worker busy without long waves.
    let block_size =
        block_size.unwrap_or_else(|| (1024 / targets.trials_per_simulation).clamp(1, 256));
    Ok(CalibrateConfig {
        scenario,
        targets,
        seed,
        seed_generated,
        threads,
        block_size,
        out,
        force: a.force,
        command_line: std::env::args().collect(),
        charts: !a.no_charts,
    })
}

pub fn calibrate(a: CalibrateArgs) -> Result<i32> {
    let cfg = configure(&a)?;
    if cfg.seed_generated && !a.quiet {
        eprintln!(
            "seed: {} (fresh; pass --seed {} to repeat this calibration)",
            cfg.seed, cfg.seed
        );
    }
    let cancel = super::signals::cancel_on_signals();
    let t = &cfg.targets;
    let total = t.simulations * t.generations as u64;
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} simulations  {elapsed_precise} elapsed, {eta} left",
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
    if cancel.load(Ordering::SeqCst) {
        eprintln!("interrupted: no result was written");
        return Ok(super::signals::exit_code());
    }
    let report = result?;
    if !a.quiet {
        let sc = &cfg.scenario;
        let r = &report.result;
        println!(
            "{} simulations ({} trials of `{}`) in {:.1} s; final tolerance {:.4}, effective sample size {:.0}",
            report.simulations,
            report.trials,
            sc.policies[t.policy].name,
            report.wall_seconds,
            r.generations.last().map_or(f64::NAN, |g| g.tolerance),
            r.generations.last().map_or(f64::NAN, |g| g.ess),
        );
        let d = t.params.len();
        for (j, &p) in t.params.iter().enumerate() {
            let (m, s) = weighted_mean_sd(&r.posterior.theta, d, j, &r.posterior.weights);
            println!(
                "  {:<28} posterior {:.4} ± {:.4}   prior {}",
                sc.model.params[p].name, m, s, t.prior_sources[j]
            );
        }
        println!("results: {}", report.out.display());
    }
    Ok(0)
}
