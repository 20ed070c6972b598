//! Engine benchmarks: the cost of one trial, and trials per second of a whole run at one
//! thread and at all threads (results are identical; only the time differs).
//!
//! Run with `cargo bench --bench engine`. Memory (peak RSS at 100,000 and 1,000,000 trials)
//! is measured by `benches/rss.sh`, since it needs a separate process per run.

use std::sync::atomic::AtomicBool;

use cohesion::engine::Experiment;
use cohesion::kernel::rng::StreamKeys;
use cohesion::model::{Params, TrialOut};
use cohesion::scenario::Origin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn load(name: &str) -> cohesion::scenario::Scenario {
    cohesion::model::load_scenario(Origin::Builtin(format!("{name}.toml")))
        .expect("builtin scenario")
}

fn one_trial(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_trial");
    for name in ["reference/hk-0.25", "reference/ktab-soe-pol-comp"] {
        let sc = load(name);
        let sim = cohesion::model::build(&sc).expect("build");
        let keys = StreamKeys::new(1);
        let mut runner = sim.runner();
        let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
        let params = Params {
            values: sc.base.clone(),
        };
        let mut k = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut st = keys.trial_streams(k);
                k += 1;
                runner.run(&params, &mut st, &mut out);
            })
        });
    }
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let sc = load("reference/hk-0.25");
    let sim = cohesion::model::build(&sc).expect("build");
    let trials = 400u64;
    let mut g = c.benchmark_group("run_hk_0.25_400_trials");
    g.throughput(Throughput::Elements(trials));
    g.sample_size(10);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    for threads in [1, cores] {
        let exp = Experiment {
            scenario: &sc,
            sim: sim.as_ref(),
            policies: vec![0],
            trials,
            seed: 7,
            block_size: 25,
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

criterion_group!(benches, one_trial, whole_run);
criterion_main!(benches);
