//! Alliance-model benchmarks: one trial of `nato-2021` per policy option (36 monthly turns,
//! 30 allies, three summits), one summit's KTAB bargaining on the 30 allies, and a whole run
//! at one thread and at all threads.
//!
//! Run with `cargo bench --bench alliance`. The full-size figure (5 options × 100,000 trials)
//! is measured with the CLI: `time target/release/cohesion run nato-2021 --trials 100000
//! --seed 1 --out /tmp/x --force --quiet`; the README reports both, with the cost per
//! ally-turn.

use std::sync::atomic::AtomicBool;

use cohesion::engine::{Experiment, draw_uncertainties, set_params};
use cohesion::kernel::rng::StreamKeys;
use cohesion::model::alliance::{self, AllianceSim, Coeffs, Levers, State, Workspace};
use cohesion::model::{NoTrace, Params, Runner, TrialOut};
use cohesion::scenario::Origin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn load() -> cohesion::scenario::Scenario {
    cohesion::model::load_scenario(Origin::Builtin("nato-2021.toml".into()))
        .expect("builtin scenario")
}

fn one_trial(c: &mut Criterion) {
    let sc = load();
    let sim = AllianceSim::from_scenario(&sc).expect("build");
    let keys = StreamKeys::new(1);
    let mut g = c.benchmark_group("alliance_one_trial");
    for (p, policy) in sc.policies.iter().enumerate() {
        let mut runner = sim.alliance_runner();
        let mut out = TrialOut::new(
            cohesion::model::Simulation::outcomes(&sim).len(),
            4,
            sc.turns,
        );
        let mut params = Params {
            values: sc.base.clone(),
        };
        let mut draws = vec![0.0; sc.uncertainties.len()];
        let mut k = 0u64;
        g.bench_function(&policy.name, |b| {
            b.iter(|| {
                draw_uncertainties(&sc, &keys, k, &mut draws);
                set_params(&sc, p, &draws, &mut params);
                runner.run(&params, &mut keys.trial_streams(k), &mut out);
                k += 1;
            })
        });
    }
    g.finish();
}

fn summit(c: &mut Criterion) {
    let sc = load();
    let sim = AllianceSim::from_scenario(&sc).expect("build");
    let params = Params {
        values: sc.base.clone(),
    };
    let mut co = Coeffs::new(&sim);
    co.fill(&sim, &params);
    let mut s = State::new(sim.allies());
    let mut ws = Workspace::new(sim.allies());
    let mut st = StreamKeys::new(2).trial_streams(0);
    alliance::init(
        &co,
        &mut s,
        &Levers::from_coeffs(&co),
        &mut st,
        &mut ws,
        &mut NoTrace,
    );
    let caps = co.w.clone();
    let sal = vec![1.0; sim.allies()];
    let mut smp = cohesion::model::bargaining::smp::Smp::new(sim.allies(), 1);
    c.bench_function("alliance_summit_ktab_30_allies", |b| {
        b.iter(|| smp.analyse(&caps, &s.stance, &sal))
    });
}

fn whole_run(c: &mut Criterion) {
    let sc = load();
    let sim = cohesion::model::build(&sc).expect("build");
    let trials = 1000u64;
    let mut g = c.benchmark_group("alliance_run_1000_trials_5_options");
    g.throughput(Throughput::Elements(trials * sc.policies.len() as u64));
    g.sample_size(10);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    for threads in [1, cores] {
        let exp = Experiment {
            scenario: &sc,
            sim: sim.as_ref(),
            policies: (0..sc.policies.len()).collect(),
            trials,
            seed: 7,
            block_size: 256,
            threads,
        };
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let cancel = AtomicBool::new(false);
                exp.run(&|_, _, _, _, _| {}, &mut |_, _| Ok(()), &|_| {}, &cancel)
                    .expect("run")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, one_trial, summit, whole_run);
criterion_main!(benches);
