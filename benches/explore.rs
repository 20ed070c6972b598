//! Exploration benchmarks: design points of `nato-2021` per second at one thread and at all
//! threads (results identical; only the time differs), and the analysis that follows a run:
//! Sobol' indices with their bootstrap intervals, and PRIM on a 10,000-trial run's worth of
//! points.
//!
//! Run with `cargo bench --bench explore`. The whole command at the size of the acceptance
//! check (wall time and peak memory) is measured by `benches/explore.sh`.

use std::sync::atomic::AtomicBool;

use cohesion::engine::explore::Exploration;
use cohesion::explore::plan::{Request, plan};
use cohesion::kernel::rng::{Purpose, stream, unit};
use cohesion::scenario::Origin;
use cohesion::stats::designs::Kind;
use cohesion::stats::prim::{self, Data};
use cohesion::stats::sensitivity::sobol_indices;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn design_points(c: &mut Criterion) {
    let sc = cohesion::model::load_scenario(Origin::Builtin("nato-2021.toml".into()))
        .expect("builtin scenario");
    let sim = cohesion::model::build(&sc).expect("build");
    let req = Request {
        design: Kind::Sobol,
        points: Some(4),
        replications: 2,
        levels: None,
        second_order: false,
        levers: None,
        seed: 1,
    };
    let p = plan(&sc, &req).expect("plan");
    let runs = p.design.points() as u64 * 2 * sc.policies.len() as u64;
    let mut g = c.benchmark_group("explore_nato_2021_sobol_n4_r2");
    g.throughput(Throughput::Elements(runs));
    g.sample_size(10);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    for threads in [1, cores] {
        let exp = Exploration {
            scenario: &sc,
            sim: sim.as_ref(),
            policies: (0..sc.policies.len()).collect(),
            baseline: sc.baseline,
            columns: p.columns.clone(),
            values: &p.values,
            replications: 2,
            seed: 1,
            points_per_block: 4,
            threads,
        };
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let cancel = AtomicBool::new(false);
                exp.run(&|_, _| {}, &mut |_| Ok(()), &|_| {}, &cancel)
                    .expect("run")
            })
        });
    }
    g.finish();
}

fn analysis(c: &mut Criterion) {
    let mut rng = stream(1, Purpose::Design, 0);
    // Sobol' indices of one output over 8 parameters, N = 256, 1,000 bootstrap resamples (one
    // of the 72 (target, outcome) pairs of the acceptance-size nato-2021 exploration).
    let y: Vec<f64> = (0..256 * 10).map(|_| unit(&mut rng)).collect();
    c.bench_function("sobol_indices_n256_d8_b1000", |b| {
        b.iter(|| sobol_indices(&y, None, 8, false, 1000, 1, 0))
    });
    // PRIM on 10,000 points in 8 dimensions with a planted box.
    let x: Vec<f64> = (0..10_000 * 8).map(|_| unit(&mut rng)).collect();
    let yes: Vec<bool> = (0..10_000)
        .map(|i| (x[i * 8] < 0.3 && x[i * 8 + 3] > 0.5) || unit(&mut rng) < 0.03)
        .collect();
    let mut g = c.benchmark_group("prim");
    g.sample_size(10);
    g.bench_function("prim_10000_points_d8", |b| {
        b.iter(|| {
            let data = Data {
                x: &x,
                dims: 8,
                y: &yes,
            };
            let mut t = prim::prim(&data, prim::Options::default()).expect("prim");
            let i = t.choose(0.5);
            prim::prune(&data, &mut t, i, 0.05)
        })
    });
    g.finish();
}

criterion_group!(benches, design_points, analysis);
criterion_main!(benches);
