//! Calibration benchmark: one generation of `cohesion calibrate nato-2021-invasion` at its
//! documented default budget (2,000 simulations of K = 8 trials of one option, on all cores),
//! and one generation of the toy-normal calibration. A whole calibration is `generations` such
//! generations plus the importance weights (N² kernel evaluations per generation, small beside
//! the simulations for the alliance model); the README gives the whole run's wall time.
//!
//! Run with `cargo bench --bench calibrate`.

use std::sync::atomic::AtomicBool;

use cohesion::calibrate::{CalibrateConfig, Overrides, configure_targets};
use cohesion::engine::abc::Prior;
use cohesion::engine::{Calibration, Pool, Target};
use cohesion::scenario::Origin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn generation(c: &mut Criterion, scenario: &str, targets: &str, simulations: u64) {
    let sc = cohesion::model::load_scenario(Origin::Builtin(format!("{scenario}.toml")))
        .expect("builtin scenario");
    let over = Overrides {
        simulations: Some(simulations),
        generations: Some(1),
        ..Overrides::default()
    };
    let t = configure_targets(&sc, targets, &over).expect("targets");
    let sim = cohesion::model::build(&sc).expect("build");
    let cfg = CalibrateConfig {
        scenario: sc.clone(),
        targets: t,
        seed: 1,
        seed_generated: false,
        threads: Pool::default_threads(),
        block_size: 64,
        out: "unused".into(),
        force: false,
        command_line: Vec::new(),
        charts: false,
    };
    let t = &cfg.targets;
    let mut g = c.benchmark_group(format!("calibrate_one_generation_{scenario}"));
    g.throughput(Throughput::Elements(t.simulations));
    g.sample_size(10);
    g.bench_function(
        format!(
            "{} simulations of K = {}",
            t.simulations, t.trials_per_simulation
        ),
        |b| {
            b.iter(|| {
                let cal = Calibration {
                    scenario: &sc,
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
                    generations: 1,
                    seed: cfg.seed,
                    block_size: cfg.block_size,
                    threads: cfg.threads,
                };
                cal.run(&|_| {}, &AtomicBool::new(false))
                    .expect("calibration")
            })
        },
    );
    g.finish();
}

fn benches(c: &mut Criterion) {
    generation(
        c,
        "nato-2021-invasion",
        "calibration/nato-2021-invasion.targets.toml",
        2000,
    );
    generation(
        c,
        "reference/toy-normal",
        "calibration/toy-normal.targets.toml",
        40_000,
    );
}

criterion_group!(calibrate, benches);
criterion_main!(calibrate);
